//! The two text formats of docs/measured.md §4.1.
//!
//! - **FRF files** (`frfs/`): 4 fields per line — frequency (Hz) and the complex FRF of floors
//!   1..3 — separated by `;` (`,` is accepted when a line has no `;`). Complex fields are
//!   `a+bj`, `a-bj`, `a+bi`, `(a+bj)` or a plain real, whitespace allowed.
//! - **dB files** (`crossval/`): `,`-separated, 4 fields (f, dB1, dB2, dB3) or 5 fields
//!   (f for floors 1 and 3, f for floor 2, dB1, dB2, dB3).
//!
//! Blank lines are ignored; one leading line that does not parse is taken as a header and
//! skipped. Every value must be finite and every frequency column strictly increasing; errors
//! name the source field and the 1-based line number.

use std::sync::OnceLock;

use num_complex::Complex64;

use super::source::{once_for_shipped, FileText, ShippedCache};
use crate::ToolError;

/// A complex FRF file: one frequency column and three floors.
#[derive(Debug, Clone, PartialEq)]
pub struct FrfFile {
    pub freqs_hz: Vec<f64>,
    /// `values[i][j]`: floor j+1 at frequency i.
    pub values: Vec<[Complex64; 3]>,
}

/// A dB magnitude file: per floor its own frequency column and dB values.
#[derive(Debug, Clone, PartialEq)]
pub struct DbFile {
    pub x_hz: [Vec<f64>; 3],
    pub db: [Vec<f64>; 3],
}

/// Why a field did not parse.
enum FieldError {
    NotNumber,
    NotFinite,
}

fn parse_real(s: &str) -> Result<f64, FieldError> {
    let x: f64 = s.trim().parse().map_err(|_| FieldError::NotNumber)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(FieldError::NotFinite)
    }
}

/// A complex number in Python (`j`) or mathematical (`i`) notation, or a plain real.
fn parse_complex(field: &str) -> Result<Complex64, FieldError> {
    let mut s = field.trim();
    if s.starts_with('(') && s.ends_with(')') && s.len() >= 2 {
        s = s[1..s.len() - 1].trim();
    }
    let Some(body) = s.strip_suffix(['j', 'J', 'i', 'I']) else {
        return parse_real(s).map(|re| Complex64::new(re, 0.0));
    };
    // The sign that starts the imaginary part: the last + or − not at the start and not
    // part of an exponent.
    let bytes = body.as_bytes();
    let split = (1..bytes.len())
        .rev()
        .find(|&k| (bytes[k] == b'+' || bytes[k] == b'-') && !matches!(bytes[k - 1], b'e' | b'E'));
    let (re, im) = match split {
        Some(k) => (parse_real(&body[..k])?, &body[k..]),
        None => (0.0, body),
    };
    let im = match im.trim() {
        "+" | "" => 1.0,
        "-" => -1.0,
        t => parse_real(t)?,
    };
    Ok(Complex64::new(re, im))
}

/// The non-blank lines with their 1-based numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// Splits a line on `primary` (or on `;`/`,` when it has no `primary`) into at most 6 fields
/// without allocating; returns the first 6 fields and the count of all.
fn split_fields(line: &str, primary: char) -> ([&str; 6], usize) {
    let mut out = [""; 6];
    let mut n = 0;
    let mut put = |f| {
        if n < 6 {
            out[n] = f;
        }
        n += 1;
    };
    if line.contains(primary) {
        line.split(primary).for_each(&mut put);
    } else {
        line.split([';', ',']).for_each(&mut put);
    }
    (out, n)
}

fn field_error(source: &str, line: usize, col: usize, text: &str, e: FieldError) -> ToolError {
    let what = match e {
        FieldError::NotNumber => "is not a number",
        FieldError::NotFinite => "is not finite (NaN or Inf)",
    };
    ToolError::invalid(
        source,
        format!("line {line}, field {col}: '{}' {what}", text.trim()),
    )
}

fn check_increasing(source: &str, line: usize, prev: Option<f64>, f: f64) -> Result<(), ToolError> {
    match prev {
        Some(p) if f <= p => Err(ToolError::invalid(
            source,
            format!(
                "line {line}: frequency {f} Hz is not greater than the previous one ({p} Hz); \
                 frequencies must be strictly increasing"
            ),
        )),
        _ => Ok(()),
    }
}

/// Parses each non-blank line with `parse_line`, skipping one unparsable leading header line.
fn parse_lines<T>(
    text: &str,
    source: &str,
    mut parse_line: impl FnMut(usize, &str) -> Result<T, ToolError>,
) -> Result<Vec<T>, ToolError> {
    let mut out = Vec::new();
    let mut first = true;
    for (no, line) in lines(text) {
        match parse_line(no, line) {
            Ok(v) => out.push(v),
            Err(e) if first && e.to_string().contains("is not a number") => {}
            Err(e) => return Err(e),
        }
        first = false;
    }
    if out.is_empty() {
        return Err(ToolError::invalid(source, "the file holds no data lines"));
    }
    Ok(out)
}

/// [`parse_frf`] of a loaded source; the shipped rig files are parsed once per process
/// ([`once_for_shipped`]): parsing was a quarter of a `model-update` run on one file.
pub fn parse_frf_source(text: &FileText) -> Result<FrfFile, ToolError> {
    static PARSED: ShippedCache<FrfFile> = OnceLock::new();
    once_for_shipped(text, &PARSED, |s| parse_frf(s, &text.field))
}

/// Parses a complex FRF file (`source` is the field named by errors).
pub fn parse_frf(text: &str, source: &str) -> Result<FrfFile, ToolError> {
    let rows = parse_lines(text, source, |no, line| {
        let (fields, n) = split_fields(line, ';');
        if n != 4 {
            return Err(ToolError::invalid(
                source,
                format!("line {no}: expected 4 fields (f; floor 1; floor 2; floor 3), got {n}"),
            ));
        }
        let mut v = [Complex64::new(0.0, 0.0); 4];
        for (k, (o, t)) in v.iter_mut().zip(&fields[..4]).enumerate() {
            *o = parse_complex(t).map_err(|e| field_error(source, no, k + 1, t, e))?;
        }
        Ok((v[0].re, [v[1], v[2], v[3]], no))
    })?;
    let mut freqs_hz = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len());
    for (f, v, no) in rows {
        check_increasing(source, no, freqs_hz.last().copied(), f)?;
        freqs_hz.push(f);
        values.push(v);
    }
    Ok(FrfFile { freqs_hz, values })
}

/// Parses a dB file of 4 or 5 fields per line.
pub fn parse_db(text: &str, source: &str) -> Result<DbFile, ToolError> {
    let mut n_fields = None;
    let rows = parse_lines(text, source, |no, line| {
        let (fields, n) = split_fields(line, ',');
        if n != 4 && n != 5 {
            return Err(ToolError::invalid(
                source,
                format!("line {no}: expected 4 fields (f, dB1, dB2, dB3) or 5 (f, f2, dB1, dB2, dB3), got {n}"),
            ));
        }
        let mut v = [0.0; 5];
        for (k, (o, t)) in v.iter_mut().zip(&fields[..n]).enumerate() {
            *o = parse_real(t).map_err(|e| field_error(source, no, k + 1, t, e))?;
        }
        Ok((v, n, no))
    })?;
    let mut out = DbFile {
        x_hz: Default::default(),
        db: Default::default(),
    };
    for (v, n, no) in rows {
        if *n_fields.get_or_insert(n) != n {
            return Err(ToolError::invalid(
                source,
                format!(
                    "line {no}: {n} fields, but the first data line has {}",
                    n_fields.unwrap_or(n)
                ),
            ));
        }
        let (xs, dbs) = if n == 4 {
            ([v[0], v[0], v[0]], [v[1], v[2], v[3]])
        } else {
            ([v[0], v[1], v[0]], [v[2], v[3], v[4]])
        };
        for j in 0..3 {
            check_increasing(source, no, out.x_hz[j].last().copied(), xs[j])?;
            out.x_hz[j].push(xs[j]);
            out.db[j].push(dbs[j]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Complex64 {
        parse_complex(s).ok().unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn complex_notations() {
        assert_eq!(c("-0.05+0.25j"), Complex64::new(-0.05, 0.25));
        assert_eq!(c("1.5-2i"), Complex64::new(1.5, -2.0));
        assert_eq!(c(" ( 1e-06+4.8e-11j ) "), Complex64::new(1e-6, 4.8e-11));
        assert_eq!(c("-1.1E-06-4.8E+01j"), Complex64::new(-1.1e-6, -48.0));
        assert_eq!(c("0.03125+0j"), Complex64::new(0.03125, 0.0));
        assert_eq!(c("2.5"), Complex64::new(2.5, 0.0));
        assert_eq!(c("3j"), Complex64::new(0.0, 3.0));
        assert_eq!(c("-j"), Complex64::new(0.0, -1.0));
        assert!(parse_complex("abc").is_err());
        assert!(matches!(
            parse_complex("nan+1j"),
            Err(FieldError::NotFinite)
        ));
        assert!(matches!(
            parse_complex("1+infj"),
            Err(FieldError::NotFinite)
        ));
    }

    #[test]
    fn frf_file_with_header_and_blank_lines() {
        let f = parse_frf("f;a;b;c\n\n1+0j;1+1j;2;3-1j\n2;0;0;0\n", "x").unwrap();
        assert_eq!(f.freqs_hz, [1.0, 2.0]);
        assert_eq!(f.values[0][2], Complex64::new(3.0, -1.0));
        let e = parse_frf("1;0;0;0\n1;0;0;0", "frfs[0].csv_text").unwrap_err();
        assert_eq!(e.field(), Some("frfs[0].csv_text"));
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = parse_frf("1;0;0;0\n2;x;0;0", "s").unwrap_err();
        assert!(e.to_string().contains("line 2, field 2"), "{e}");
        let e = parse_frf("1;0;0;0\n2;nan;0;0", "s").unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
        let e = parse_frf("1;0;0\n", "s").unwrap_err();
        assert!(e.to_string().contains("4 fields"), "{e}");
    }

    #[test]
    fn db_file_four_and_five_fields() {
        let d = parse_db("0,1,2,3\n1,4,5,6\n", "s").unwrap();
        assert_eq!(d.x_hz[1], [0.0, 1.0]);
        assert_eq!(d.db[2], [3.0, 6.0]);
        let d = parse_db("1,0.5,1,2,3\n2,0.7,4,5,6\n", "s").unwrap();
        assert_eq!(d.x_hz[0], [1.0, 2.0]);
        assert_eq!(d.x_hz[1], [0.5, 0.7]);
        assert_eq!(d.x_hz[2], [1.0, 2.0]);
        assert_eq!(d.db[0], [1.0, 4.0]);
        let e = parse_db("1,0.5,1,2,3\n2,0.4,4,5,6\n", "s").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
