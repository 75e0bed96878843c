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
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let sci = format!("{:.*e}", (DIGITS - 1) as usize, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..DIGITS).contains(&exp) {
        let fixed = format!("{:.*}", (DIGITS - 1 - exp) as usize, x);
        strip_zeros(&fixed).to_string()
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Writes `ids` as set data lines, at most `per_line` per line (ABAQUS allows 16).
pub fn write_id_lines(out: &mut String, ids: &[usize], per_line: usize) {
    for chunk in ids.chunks(per_line.max(1)) {
        let line: Vec<String> = chunk.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "{}", line.join(", "));
    }
}

/// Writes one `*NODE` data line.
pub fn write_node(out: &mut String, id: usize, p: [f64; 3]) {
    let _ = writeln!(out, "{id}, {}, {}, {}", g9(p[0]), g9(p[1]), g9(p[2]));
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
    }

    #[test]
    fn id_lines_hold_at_most_eight() {
        let mut s = String::new();
        write_id_lines(&mut s, &(1..=10).collect::<Vec<_>>(), 8);
        assert_eq!(s, "1, 2, 3, 4, 5, 6, 7, 8\n9, 10\n");
    }
}
