//! Number and list formatting of the CalculiX/ABAQUS deck.
//!
//! Numbers are written with 9 significant digits exactly like C's `%.9g`: with the decimal
//! exponent `X` of the value rounded to 9 digits, fixed notation when `-4 ≤ X < 9`, otherwise
//! `d.dddde±XX`; trailing zeros (and a trailing decimal point) are removed. Rust's formatter
//! rounds correctly (like glibc), so the digits agree with the reference decks.

use std::fmt::Write;

/// Significant digits of every real number in a deck.
const DIGITS: i32 = 9;

/// `x` formatted like C `printf("%.9g", x)`.
pub fn g9(x: f64) -> String {
    let mut s = String::with_capacity(16);
    push_g9(&mut s, x);
    s
}

/// A stack buffer for one `{:.8e}` rendering (at most ~24 bytes).
struct StackBuf {
    bytes: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends `x` formatted like C `%.9g` to `out`: one correctly rounded scientific rendering,
/// whose 9 digits are then placed in fixed or exponential notation.
pub fn push_g9(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    if !x.is_finite() {
        let _ = write!(out, "{x}");
        return;
    }
    let mut buf = StackBuf {
        bytes: [0; 40],
        len: 0,
    };
    if write!(buf, "{:.*e}", (DIGITS - 1) as usize, x).is_err() {
        let _ = write!(out, "{x}");
        return;
    }
    let sci = std::str::from_utf8(&buf.bytes[..buf.len]).unwrap_or("0e0");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    // The 9 significant digits, without the decimal point.
    let mut digits = [b'0'; DIGITS as usize];
    let mut n = 0;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    // Significant digits left after dropping trailing zeros.
    let mut last = digits.len();
    while last > 1 && digits[last - 1] == b'0' {
        last -= 1;
    }
    let digit = |i: usize| digits[i] as char;
    if negative {
        out.push('-');
    }
    if (-4..DIGITS).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            (0..int_len).for_each(|i| out.push(digit(i)));
            if last > int_len {
                out.push('.');
                (int_len..last).for_each(|i| out.push(digit(i)));
            }
        } else {
            out.push_str("0.");
            (0..(-exp - 1)).for_each(|_| out.push('0'));
            (0..last).for_each(|i| out.push(digit(i)));
        }
    } else {
        out.push(digit(0));
        if last > 1 {
            out.push('.');
            (1..last).for_each(|i| out.push(digit(i)));
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
}

/// Writes `ids` as set data lines, at most `per_line` per line (ABAQUS allows 16).
pub fn write_id_lines(out: &mut String, ids: &[usize], per_line: usize) {
    for chunk in ids.chunks(per_line.max(1)) {
        for (i, id) in chunk.iter().enumerate() {
            let _ = write!(out, "{}{id}", if i == 0 { "" } else { ", " });
        }
        out.push('\n');
    }
}

/// Renderings of coordinates already written: a mesh has few distinct coordinate values
/// (grid lines), so each is formatted once and then copied.
#[derive(Debug, Default)]
pub struct NodeWriter {
    seen: std::collections::HashMap<u64, Box<str>>,
}

impl NodeWriter {
    /// Writes one `*NODE` data line `id, x, y, z`.
    pub fn write(&mut self, out: &mut String, id: usize, p: [f64; 3]) {
        let _ = write!(out, "{id}");
        for x in p {
            out.push_str(", ");
            let text = self.seen.entry(x.to_bits()).or_insert_with(|| g9(x).into());
            out.push_str(text);
        }
        out.push('\n');
    }
}

/// The opening cards of a deck: a comment naming the model, `*HEADING` and every node.
pub fn write_deck_head(out: &mut String, model: &str, what: &str, nodes: &[[f64; 3]]) {
    let _ = writeln!(out, "** Cristallo frame, model {model} ({what}), SI units");
    let _ = writeln!(out, "*HEADING");
    let _ = writeln!(out, "Cristallo frame {model}");
    let _ = writeln!(out, "*NODE, NSET=NALL");
    let mut writer = NodeWriter::default();
    for (i, &q) in nodes.iter().enumerate() {
        writer.write(out, i + 1, q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_c_percent_9g() {
        assert_eq!(g9(0.0127), "0.0127");
        assert_eq!(g9(-0.0015875), "-0.0015875");
        assert_eq!(g9(6.99817865e10), "6.99817865e+10");
        assert_eq!(g9(2700.04406), "2700.04406");
        assert_eq!(g9(2700.04406 * 0.0254 * 0.0254 * 0.0127), "0.0221228974");
        assert_eq!(g9(0.254), "0.254");
        assert_eq!(g9(0.0), "0");
        assert_eq!(g9(40.0), "40");
        assert_eq!(g9(1.0e-5), "1e-05");
        assert_eq!(g9(0.0001), "0.0001");
        assert_eq!(g9(123456789.0), "123456789");
        assert_eq!(g9(1234567890.0), "1.23456789e+09");
        assert_eq!(g9(0.1 + 0.2), "0.3");
        assert_eq!(g9(999999999.7), "1e+09");
        assert_eq!(g9(-2.5e-7), "-2.5e-07");
        assert_eq!(g9(100.0), "100");
        assert_eq!(g9(0.00012345678912), "0.000123456789");
        assert_eq!(g9(1.5e300), "1.5e+300");
        assert_eq!(g9(-0.0), "-0");
    }

    /// The C rule written the slow way (two correctly rounded renderings) as an oracle.
    fn g9_oracle(x: f64) -> String {
        let sci = format!("{:.8e}", x);
        let exp: i32 = sci.split_once('e').unwrap().1.parse().unwrap();
        let strip = |s: &str| -> String {
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s.to_string()
            }
        };
        if (-4..9).contains(&exp) {
            strip(&format!("{:.*}", (8 - exp) as usize, x))
        } else {
            let (m, _) = sci.split_once('e').unwrap();
            format!(
                "{}e{}{:02}",
                strip(m),
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        }
    }

    #[test]
    fn fast_path_agrees_with_the_oracle() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let exp = ((state >> 3) % 40) as i32 - 20;
            let x = mantissa * 10f64.powi(exp);
            if x != 0.0 {
                assert_eq!(g9(x), g9_oracle(x), "{x:e}");
            }
        }
    }

    #[test]
    fn id_lines_hold_at_most_eight() {
        let mut s = String::new();
        write_id_lines(&mut s, &(1..=10).collect::<Vec<_>>(), 8);
        assert_eq!(s, "1, 2, 3, 4, 5, 6, 7, 8\n9, 10\n");
    }
}
