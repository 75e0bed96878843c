//! Reading and validating recording files (docs/simulator.md §4.7).
//!
//! **Time history**: a header line, then rows `time, response floor 1, floor 2, floor 3,
//! force`; separator `,`, `;` or tab, detected from the header (the most frequent of the
//! three). Checks, each an error naming `csv_text` with the 1-based line (and column) number:
//! empty file or header only, wrong column count, a non-numeric, NaN or infinite value, time
//! not strictly increasing, a step deviating more than 1 % from the mean step, fewer than 16
//! rows, more than 2 000 000 rows or 50 MB. Blank lines are skipped.
//!
//! **FRF**: (a) the original app's layout: no header, `;`-separated, 4 columns `f;H1;H2;H3` of
//! Python complex numbers (`(a+bj)`, `a+bj`, `0.03125+0j`, `2j`); (b) ours: a header, then 7 real
//! columns `frequency_hz,re_1,im_1,re_2,im_2,re_3,im_3`. Frequencies must be positive and
//! strictly increasing.
//!
//! `kind: auto` picks FRF when the first line parses as complex numbers (layout a) or the first
//! data row has 7 columns (layout b), else a time history.

use num_complex::Complex64;

use crate::ToolError;

/// Field named by every file error.
pub const FIELD: &str = "csv_text";
/// Largest file (bytes).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Largest number of data rows.
pub const MAX_ROWS: usize = 2_000_000;
/// Fewest time-history rows.
pub const MIN_ROWS: usize = 16;
/// Largest relative deviation of a time step from the mean step.
pub const MAX_STEP_DEVIATION: f64 = 0.01;

const TH_COLUMNS: [&str; 5] = [
    "time",
    "response floor 1",
    "response floor 2",
    "response floor 3",
    "force",
];
const FRF_COLUMNS: [&str; 7] = [
    "frequency_hz",
    "re_1",
    "im_1",
    "re_2",
    "im_2",
    "re_3",
    "im_3",
];

/// What kind of file the caller expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindHint {
    Auto,
    TimeHistory,
    Frf,
}

/// A validated time-history recording.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeHistory {
    /// Header cells (trimmed).
    pub header: Vec<String>,
    pub time_s: Vec<f64>,
    /// Response of floors 1..3.
    pub response: [Vec<f64>; 3],
    pub force_n: Vec<f64>,
}

/// A validated FRF file.
#[derive(Debug, Clone, PartialEq)]
pub struct FrfFile {
    pub frequency_hz: Vec<f64>,
    /// `h[j][i]`: floor j+1 at frequency i.
    pub h: [Vec<Complex64>; 3],
    /// Whether it was the original app's complex layout.
    pub original_layout: bool,
}

/// A parsed recording.
#[derive(Debug, Clone, PartialEq)]
pub enum Recording {
    TimeHistory(TimeHistory),
    Frf(FrfFile),
}

fn err(msg: impl Into<String>) -> ToolError {
    ToolError::invalid(FIELD, msg)
}

/// Parses a Python complex literal: `(a+bj)`, `a+bj`, `a-bj`, `bj`, `a` (also `J`, spaces).
pub fn parse_complex(s: &str) -> Option<Complex64> {
    let mut t = s.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|u| u.strip_suffix(')')) {
        t = inner.trim();
    }
    if t.is_empty() {
        return None;
    }
    let finite = |z: Complex64| (z.re.is_finite() && z.im.is_finite()).then_some(z);
    let Some(body) = t.strip_suffix(['j', 'J']) else {
        return finite(Complex64::new(t.parse().ok()?, 0.0));
    };
    // Split at the last sign that is not a leading sign or an exponent sign.
    let bytes = body.as_bytes();
    let mut split = None;
    for i in (1..bytes.len()).rev() {
        if (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E') {
            split = Some(i);
            break;
        }
    }
    let (re, im) = match split {
        Some(i) => (
            body[..i].trim().parse::<f64>().ok()?,
            parse_imag(&body[i..])?,
        ),
        None => (0.0, parse_imag(body)?),
    };
    finite(Complex64::new(re, im))
}

fn parse_imag(s: &str) -> Option<f64> {
    match s.trim() {
        "" | "+" => Some(1.0),
        "-" => Some(-1.0),
        v => v.parse().ok(),
    }
}

/// The separator of a header line: the most frequent of `,`, `;`, tab (`,` when none).
pub fn detect_separator(header: &str) -> char {
    let count = |c: char| header.chars().filter(|&x| x == c).count();
    let mut best = (',', count(','));
    for c in [';', '\t'] {
        let n = count(c);
        if n > best.1 {
            best = (c, n);
        }
    }
    best.0
}

/// Numbered non-blank lines (1-based numbers).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

fn first_line_is_complex(line: &str) -> bool {
    let cells: Vec<&str> = line.split(';').collect();
    cells.len() >= 2
        && cells
            .iter()
            .any(|c| c.trim().ends_with(['j', 'J']) || c.contains("j)"))
        && cells.iter().all(|c| parse_complex(c).is_some())
}

/// Parses and validates `text`.
pub fn parse_recording(text: &str, hint: KindHint) -> Result<Recording, ToolError> {
    if text.len() > MAX_BYTES {
        return Err(err(format!(
            "the file has {} bytes; at most {MAX_BYTES} (50 MB) are accepted",
            text.len()
        )));
    }
    let mut it = lines(text).peekable();
    let Some(&(first_no, first)) = it.peek() else {
        return Err(err("line 1: the file is empty"));
    };
    if hint != KindHint::TimeHistory && first_line_is_complex(first) {
        return parse_frf_original(it).map(Recording::Frf);
    }
    it.next();
    let sep = detect_separator(first);
    let header: Vec<String> = first.split(sep).map(|c| c.trim().to_string()).collect();
    let Some(&(_, row1)) = it.peek() else {
        return Err(err(format!(
            "line {first_no}: the file has a header but no data rows"
        )));
    };
    let is_frf = match hint {
        KindHint::Frf => true,
        KindHint::TimeHistory => false,
        KindHint::Auto => row1.split(sep).count() == FRF_COLUMNS.len(),
    };
    if is_frf {
        parse_frf_ours(it, sep).map(Recording::Frf)
    } else {
        parse_time_history(it, sep, header).map(Recording::TimeHistory)
    }
}

/// Reads the first `N` cells of data line `no` into `out` (each named by `names` in errors);
/// returns the number of cells the line has.
fn row_values<const N: usize>(
    no: usize,
    line: &str,
    sep: char,
    names: &[&str; N],
    out: &mut [f64; N],
) -> Result<usize, ToolError> {
    let mut n = 0;
    for cell in line.split(sep) {
        if n < N {
            out[n] = cell_value(no, n + 1, names[n], cell)?;
        }
        n += 1;
    }
    Ok(n)
}

fn cell_value(line: usize, col: usize, name: &str, cell: &str) -> Result<f64, ToolError> {
    let c = cell.trim();
    match c.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(err(format!(
            "line {line}, column {col} ({name}): '{c}' is not a finite number (NaN or infinite)"
        ))),
        Err(_) => Err(err(format!(
            "line {line}, column {col} ({name}): '{c}' is not a number"
        ))),
    }
}

fn parse_time_history<'a>(
    rows: impl Iterator<Item = (usize, &'a str)>,
    sep: char,
    header: Vec<String>,
) -> Result<TimeHistory, ToolError> {
    let mut th = TimeHistory {
        header,
        time_s: Vec::new(),
        response: [Vec::new(), Vec::new(), Vec::new()],
        force_n: Vec::new(),
    };
    let mut line_of = Vec::new();
    let mut vals = [0.0; 5];
    for (no, line) in rows {
        if th.time_s.len() >= MAX_ROWS {
            return Err(err(format!(
                "line {no}: more than {MAX_ROWS} data rows (the limit)"
            )));
        }
        let n = row_values(no, line, sep, &TH_COLUMNS, &mut vals)?;
        if n != 5 {
            return Err(err(format!(
                "line {no}: expected 5 columns (time, response of floors 1-3, force) separated \
                 by '{}', found {n}",
                if sep == '\t' {
                    "\\t".to_string()
                } else {
                    sep.to_string()
                }
            )));
        }
        if let Some(&prev) = th.time_s.last() {
            if vals[0] <= prev {
                return Err(err(format!(
                    "line {no}, column 1 (time): {} is not greater than the previous time {prev} \
                     (time must increase strictly)",
                    vals[0]
                )));
            }
        }
        th.time_s.push(vals[0]);
        for j in 0..3 {
            th.response[j].push(vals[1 + j]);
        }
        th.force_n.push(vals[4]);
        line_of.push(no);
    }
    let n = th.time_s.len();
    if n < MIN_ROWS {
        return Err(err(format!(
            "line {}: the file has {n} data rows; at least {MIN_ROWS} are needed",
            line_of.last().map_or(1, |l| *l)
        )));
    }
    let mean = (th.time_s[n - 1] - th.time_s[0]) / (n - 1) as f64;
    for i in 1..n {
        let step = th.time_s[i] - th.time_s[i - 1];
        let dev = (step - mean).abs() / mean;
        if dev > MAX_STEP_DEVIATION {
            return Err(err(format!(
                "line {}, column 1 (time): the time step {step} s deviates {:.2} % from the mean \
                 step {mean} s (non-uniform sampling; at most 1 % is accepted)",
                line_of[i],
                dev * 100.0
            )));
        }
    }
    Ok(th)
}

fn check_frequency(no: usize, f: f64, prev: Option<f64>) -> Result<(), ToolError> {
    if f <= 0.0 {
        return Err(err(format!(
            "line {no}, column 1 (frequency): {f} Hz is not positive"
        )));
    }
    if let Some(p) = prev {
        if f <= p {
            return Err(err(format!(
                "line {no}, column 1 (frequency): {f} Hz is not greater than the previous {p} Hz \
                 (frequencies must increase strictly)"
            )));
        }
    }
    Ok(())
}

fn parse_frf_original<'a>(
    rows: impl Iterator<Item = (usize, &'a str)>,
) -> Result<FrfFile, ToolError> {
    let mut out = FrfFile {
        frequency_hz: Vec::new(),
        h: [Vec::new(), Vec::new(), Vec::new()],
        original_layout: true,
    };
    for (no, line) in rows {
        if out.frequency_hz.len() >= MAX_ROWS {
            return Err(err(format!(
                "line {no}: more than {MAX_ROWS} rows (the limit)"
            )));
        }
        let cells: Vec<&str> = line.split(';').collect();
        if cells.len() != 4 {
            return Err(err(format!(
                "line {no}: expected 4 ';'-separated columns (f;H1;H2;H3), found {}",
                cells.len()
            )));
        }
        let mut z = [Complex64::new(0.0, 0.0); 4];
        for (c, cell) in cells.iter().enumerate() {
            z[c] = parse_complex(cell).ok_or_else(|| {
                err(format!(
                    "line {no}, column {}: '{}' is not a finite complex number",
                    c + 1,
                    cell.trim()
                ))
            })?;
        }
        if z[0].im != 0.0 {
            return Err(err(format!(
                "line {no}, column 1 (frequency): '{}' has an imaginary part",
                cells[0].trim()
            )));
        }
        check_frequency(no, z[0].re, out.frequency_hz.last().copied())?;
        out.frequency_hz.push(z[0].re);
        for j in 0..3 {
            out.h[j].push(z[1 + j]);
        }
    }
    if out.frequency_hz.is_empty() {
        return Err(err("line 1: the file has no rows"));
    }
    Ok(out)
}

fn parse_frf_ours<'a>(
    rows: impl Iterator<Item = (usize, &'a str)>,
    sep: char,
) -> Result<FrfFile, ToolError> {
    let mut out = FrfFile {
        frequency_hz: Vec::new(),
        h: [Vec::new(), Vec::new(), Vec::new()],
        original_layout: false,
    };
    let mut v = [0.0; 7];
    for (no, line) in rows {
        if out.frequency_hz.len() >= MAX_ROWS {
            return Err(err(format!(
                "line {no}: more than {MAX_ROWS} rows (the limit)"
            )));
        }
        let n = row_values(no, line, sep, &FRF_COLUMNS, &mut v)?;
        if n != 7 {
            return Err(err(format!(
                "line {no}: expected 7 columns (frequency_hz, re_1, im_1, re_2, im_2, re_3, im_3), \
                 found {n}"
            )));
        }
        check_frequency(no, v[0], out.frequency_hz.last().copied())?;
        out.frequency_hz.push(v[0]);
        for j in 0..3 {
            out.h[j].push(Complex64::new(v[1 + 2 * j], v[2 + 2 * j]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_complex_literals() {
        let c = |s: &str| parse_complex(s).unwrap();
        assert_eq!(c("0.03125+0j"), Complex64::new(0.03125, 0.0));
        assert_eq!(c("(1.5-2j)"), Complex64::new(1.5, -2.0));
        assert_eq!(c("-0.05+0.0508j"), Complex64::new(-0.05, 0.0508));
        assert_eq!(c("1e-05-3.2E+02j"), Complex64::new(1e-5, -320.0));
        assert_eq!(c("2j"), Complex64::new(0.0, 2.0));
        assert_eq!(c("-j"), Complex64::new(0.0, -1.0));
        assert_eq!(c("(-0-1j)"), Complex64::new(-0.0, -1.0));
        assert_eq!(c("3"), Complex64::new(3.0, 0.0));
        assert!(parse_complex("nan+1j").is_none());
        assert!(parse_complex("abc").is_none());
        assert!(parse_complex("").is_none());
    }

    #[test]
    fn separator_detection() {
        assert_eq!(detect_separator("t (s);a1;a2;a3;f"), ';');
        assert_eq!(detect_separator("t (s)\ta1\ta2\ta3\tf"), '\t');
        assert_eq!(detect_separator("t (s),a1 (m/s^2),a2,a3,f"), ',');
    }
}
