//! The CSV export of a result, the same text as the UI's "CSV" button (`resultToCsv` in
//! `ui/export.js`): the scalars, then the series wide or long, numbers as JavaScript prints them.

use std::fmt::Write as _;

use cristallo_core::{Scalar, Series, ToolResult};

/// The media type of the CSV export.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";

/// A number as JavaScript's `String(x)` writes it (ECMAScript Number::toString): the shortest
/// digits that read back to the same f64, in plain notation from 1e-6 to below 1e21, else
/// `d.ddde±n`; `-0` is `0`.
pub fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .into();
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let (k, n) = (digits.len() as i32, exp + 1);
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.push_str(&"0".repeat((n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{}", if n > 0 { '+' } else { '-' }, (n - 1).abs());
    }
    out
}

/// One CSV cell: quoted (`"` doubled) when it holds `"`, `,`, a newline or a carriage return.
fn cell(text: &str) -> String {
    if text.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn scalar_text(value: &Scalar) -> String {
    match *value {
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(x) => js_number(x),
    }
}

/// Whether every series has the same x values as the first (by value, as `sharesX` does).
fn shares_x(series: &[Series]) -> bool {
    let x0 = &series[0].x;
    series.iter().all(|s| s.x == *x0)
}

/// The value at `i`, or an empty cell past the end (as JavaScript's `undefined`).
fn at(v: &[f64], i: usize) -> String {
    v.get(i).map_or_else(String::new, |&x| js_number(x))
}

/// The CSV export: `scalar,value` lines (in key order), then, after an empty line, the series —
/// wide (`<x label>,<series name>…`, one line per x) when all share their x values, else long
/// (`series,x,y`). Tables are not included (the JSON, Arrow and Parquet exports carry them).
pub fn result_to_csv(result: &ToolResult) -> String {
    let mut lines = vec!["scalar,value".to_string()];
    for (key, value) in &result.scalars {
        lines.push(format!("{},{}", cell(key), scalar_text(value)));
    }
    let series = &result.series;
    if !series.is_empty() {
        lines.push(String::new());
        if shares_x(series) {
            let mut header = vec![cell(&series[0].x_label)];
            header.extend(series.iter().map(|s| cell(&s.name)));
            lines.push(header.join(","));
            for (i, &x) in series[0].x.iter().enumerate() {
                let mut row = vec![js_number(x)];
                row.extend(series.iter().map(|s| at(&s.y, i)));
                lines.push(row.join(","));
            }
        } else {
            lines.push("series,x,y".into());
            for s in series {
                let name = cell(&s.name);
                for (i, &x) in s.x.iter().enumerate() {
                    lines.push(format!("{name},{},{}", js_number(x), at(&s.y, i)));
                }
            }
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        // Expected strings: node -e 'console.log(String(x))'.
        let cases: [(f64, &str); 16] = [
            (0.0, "0"),
            (-0.0, "0"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (123456.789, "123456.789"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.2345e22, "1.2345e+22"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.000123, "0.000123"),
        ];
        for (x, want) in cases {
            assert_eq!(js_number(x), want, "{x:e}");
            assert_eq!(
                js_number(x).parse::<f64>().unwrap(),
                x,
                "round trip of {want}"
            );
        }
    }

    #[test]
    fn wide_when_x_is_shared_long_otherwise() {
        let mut r = ToolResult::new("modal", serde_json::json!({}));
        r.set("f_1_hz", 7.25);
        r.set_int("stable", 1);
        r.push_series(Series::new(
            "a",
            "t, s",
            "y",
            vec![0.0, 0.5],
            vec![1.0, 2.0],
        ));
        r.push_series(Series::new(
            "b \"q\"",
            "t",
            "y",
            vec![0.0, 0.5],
            vec![3.0, 1e-9],
        ));
        assert_eq!(
            result_to_csv(&r),
            "scalar,value\nf_1_hz,7.25\nstable,1\n\n\"t, s\",a,\"b \"\"q\"\"\"\n0,1,3\n0.5,2,1e-9\n"
        );
        r.push_series(Series::new("c", "t", "y", vec![9.0], vec![8.0]));
        let csv = result_to_csv(&r);
        assert!(
            csv.ends_with("\n\nseries,x,y\na,0,1\na,0.5,2\n\"b \"\"q\"\"\",0,3\n\"b \"\"q\"\"\",0.5,1e-9\nc,9,8\n"),
            "{csv}"
        );
        let empty = ToolResult::new("modal", serde_json::json!({}));
        assert_eq!(result_to_csv(&empty), "scalar,value\n");
    }
}
