//! A one-page HTML report of a stored run: what was run (tool, parameters, who, when, version),
//! the scalars, the warnings, the tables and every figure as inline SVG (the same drawings as
//! the PNG/SVG exports). Self-contained (no scripts, no external files) and styled to print on
//! A4 paper, so "Print → Save as PDF" gives a clean document.

use std::fmt::Write;

use cristallo_core::{Scalar, ToolResult};
use serde_json::Value;

use crate::figures::{self, Format};
use crate::store::RunSummary;

/// Tables longer than this are cut in the report (the JSON/CSV exports keep every row).
pub const MAX_TABLE_ROWS: usize = 60;
/// Text parameters longer than this (file contents) are summarised by their length.
const MAX_PARAM_CHARS: usize = 200;

/// `&`, `<`, `>`, `"` and `'` escaped for HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DD hh:mm:ss UTC` of a Unix time in milliseconds (proleptic Gregorian calendar).
pub fn utc_text(ms: i64) -> String {
    let t = crate::utc::UtcDateTime::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn number_text(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-4..1e7).contains(&a) {
        format!("{x:.6e}")
    } else {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number_text),
        Value::String(s) if s.chars().count() > MAX_PARAM_CHARS => {
            format!("(text of {} characters)", s.chars().count())
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        }
        other => {
            let text = other.to_string();
            if text.chars().count() > MAX_PARAM_CHARS {
                format!("(structure of {} characters)", text.chars().count())
            } else {
                text
            }
        }
    }
}

/// `(dotted key, value)` of every leaf of a parameter object.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, inner, out);
            }
        }
        other => out.push((prefix.to_string(), value_text(other))),
    }
}

fn key_value_table(out: &mut String, id: &str, rows: &[(String, String)]) {
    let _ = write!(out, "<table class=\"kv\" id=\"{id}\"><tbody>");
    for (k, v) in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(k),
            escape(v)
        );
    }
    out.push_str("</tbody></table>");
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', system-ui, sans-serif; color: #1c2733; margin: 1.5rem auto;
  max-width: 60rem; padding: 0 1rem; font-size: 11pt; line-height: 1.35; }
h1 { font-size: 1.5rem; margin: 0 0 0.2rem; } h2 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem;
  border-bottom: 1px solid #c9d1da; padding-bottom: 0.15rem; }
.meta { color: #4a5866; margin: 0 0 0.8rem; }
table { border-collapse: collapse; font-size: 9.5pt; margin: 0.3rem 0; }
th, td { border: 1px solid #c9d1da; padding: 0.15rem 0.45rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { column-count: 2; column-gap: 1.5rem; } .cols table { width: 100%; }
.warnings li { color: #8a1c10; font-weight: 600; }
figure { margin: 0.6rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; border: 1px solid #e0e4ea; }
.note { color: #4a5866; font-size: 9pt; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
";

/// The report of run `summary` with its `result`.
pub fn report_html(summary: &RunSummary, result: &ToolResult) -> String {
    let title = cristallo_core::find(&result.tool).map_or(result.tool.as_str(), |t| t.title());
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{} — run #{} — Cristallo-RS report</title><style>{STYLE}</style></head><body>",
        escape(title),
        summary.id
    );
    let _ = write!(
        out,
        "<h1>{} <span class=\"note\">run #{}</span></h1><p class=\"meta\">Run by {} on {}, \
         computed in {:.1} ms. Cristallo-RS {} (tool id <code>{}</code>).</p>",
        escape(title),
        summary.id,
        escape(&summary.who),
        utc_text(summary.created_at_ms),
        summary.duration_ms,
        env!("CARGO_PKG_VERSION"),
        escape(&result.tool)
    );
    if !result.warnings.is_empty() {
        out.push_str("<h2>Warnings</h2><ul class=\"warnings\" id=\"report-warnings\">");
        for w in &result.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>");
    }
    if !result.scalars.is_empty() {
        out.push_str("<h2>Results</h2><div class=\"cols\"><table id=\"report-scalars\"><tbody>");
        for (k, v) in &result.scalars {
            let text = match v {
                Scalar::Int(i) => i.to_string(),
                Scalar::Float(f) => number_text(*f),
            };
            let _ = write!(
                out,
                "<tr data-scalar=\"{k}\"><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                escape(k),
                escape(&text)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    let figs = figures::figures(result);
    if !figs.is_empty() {
        out.push_str("<h2>Figures</h2>");
        for fig in &figs {
            match figures::render(result, fig.index, Format::Svg) {
                Ok(svg) => {
                    let svg = String::from_utf8_lossy(&svg);
                    // Drop the XML prolog, if any, to inline the drawing.
                    let start = svg.find("<svg").unwrap_or(0);
                    let _ = write!(
                        out,
                        "<figure data-figure=\"{}\" aria-label=\"{}\">{}</figure>",
                        fig.index,
                        escape(&fig.title),
                        &svg[start..]
                    );
                }
                Err(e) => {
                    let _ = write!(out, "<p class=\"note\">{}</p>", escape(&e.to_string()));
                }
            }
        }
    }
    for table in &result.tables {
        let _ = write!(
            out,
            "<h2>Table {}</h2><table data-table=\"{}\"><thead><tr>",
            escape(&table.name),
            escape(&table.name)
        );
        for c in &table.columns {
            let _ = write!(out, "<th>{}</th>", escape(c));
        }
        out.push_str("</tr></thead><tbody>");
        for row in table.rows.iter().take(MAX_TABLE_ROWS) {
            out.push_str("<tr>");
            for cell in row {
                let class = if cell.is_number() {
                    " class=\"num\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", escape(&value_text(cell)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        if table.rows.len() > MAX_TABLE_ROWS {
            let _ = write!(
                out,
                "<p class=\"note\">First {MAX_TABLE_ROWS} of {} rows; the JSON and CSV \
                 exports hold all of them.</p>",
                table.rows.len()
            );
        }
    }
    let mut params = Vec::new();
    flatten("", &result.params, &mut params);
    if !params.is_empty() {
        out.push_str("<h2>Parameters</h2><div class=\"cols\">");
        key_value_table(&mut out, "report-params", &params);
        out.push_str("</div>");
    }
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cristallo_core::{Series, Table};
    use serde_json::json;

    #[test]
    fn utc_text_is_the_calendar_date() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_text(1_796_132_063_000), "2026-12-01 13:34:23 UTC");
    }

    #[test]
    fn report_holds_params_scalars_tables_figures_and_escapes_text() {
        let mut r = ToolResult::new(
            "modal",
            json!({"profile": {"masses_kg": [1.0, 2.0, 3.0]}, "csv_text": "x".repeat(1000),
                   "note": "<script>"}),
        );
        r.set("natural_frequency_1_hz", 6.2036);
        r.warn("damping <b>low</b>");
        r.push_series(Series::new(
            "frf_floor_1_magnitude_db",
            "Frequency (Hz)",
            "Magnitude (dB)",
            vec![1.0, 2.0, 3.0],
            vec![0.0, 1.0, 0.5],
        ));
        let mut t = Table::new("modes", &["mode", "frequency_hz"]);
        for i in 0..70 {
            t.rows.push(vec![json!(i), json!(6.2 * i as f64)]);
        }
        r.tables.push(t);
        let summary = RunSummary {
            id: 7,
            tool: "modal".into(),
            created_at_ms: 0,
            duration_ms: 1.25,
            who: "host".into(),
            role: Some("host".into()),
            params: r.params.clone(),
            scalars: json!({}),
            warning_count: 1,
        };
        let html = report_html(&summary, &r);
        assert!(html.contains("run #7") && html.contains("1970-01-01"));
        assert!(html.contains("profile.masses_kg") && html.contains("1, 2, 3"));
        assert!(html.contains("(text of 1000 characters)"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("damping &lt;b&gt;low&lt;/b&gt;"));
        assert!(html.contains("data-scalar=\"natural_frequency_1_hz\"") && html.contains("6.2036"));
        assert!(html.contains("<figure data-figure=\"0\"") && html.contains("<svg"));
        assert!(html.contains("First 60 of 70 rows"));
    }
}
