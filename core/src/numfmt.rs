//! Numbers in messages, in short form: `1e308`, not the 309 digits `{}` prints for it.

/// `x` as the shortest text that reads back as `x`: plain for everyday magnitudes
/// (`0.5`, `250`, `4294967295`), scientific outside them (`1e308`, `2.5e-7`).
pub fn short(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-4..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_forms_read_back_exactly() {
        for (x, text) in [
            (1e308, "1e308"),
            (-2.5e-7, "-2.5e-7"),
            (0.5, "0.5"),
            (250.0, "250"),
            (4_294_967_295.0, "4294967295"),
            (9_007_199_254_740_992.0, "9007199254740992"),
            (1e16, "1e16"),
            (0.0, "0"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(short(x), text);
            if x.is_finite() {
                assert_eq!(text.parse::<f64>().unwrap(), x);
            }
        }
    }
}
