//! Figures of a result drawn on the server with plotters, so a PNG or SVG exported from the
//! desktop app and from a browser is the same image.
//!
//! Series are grouped into figures the way the UI groups its plots (ui/plots.js): series with
//! the same axis labels and the same name once the floor number, `_controlled` /
//! `_uncontrolled`, a `_p05/_p50/_p95` suffix, and the `up_`/`down_`/`branch_`/`exact_`/
//! `exact_unstable_` prefix and `_segment_j` suffix of a cbc amplitude are removed share a
//! figure (exact curves first, grey, unstable stretches red, under the experiment); a group of more than
//! six curves is split per floor. Frequency axes are logarithmic when every x is positive;
//! series whose x is not monotonic (Nyquist curves, S-curves) are drawn as x–y paths.
//!
//! Series of more than 20 000 points (long time histories) are reduced for drawing only, to
//! the minimum and maximum of each of `2 × width` buckets (a pixel column cannot show more);
//! exported data keep every point.

use cristallo_core::{Series, ToolResult};
use serde::Serialize;

mod draw;

pub use draw::render;

/// Width and height of exported figures (px; SVG user units).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;
const MAX_PER_FIGURE: usize = 6;

/// Why a figure cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("the result has no figure {index} (it has {count})")]
    NoSuchFigure { index: usize, count: usize },
    #[error("drawing figure {index} failed: {message}")]
    Drawing { index: usize, message: String },
}

/// Image formats of an exported figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// `png` or `svg`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "png" => Some(Format::Png),
            "svg" => Some(Format::Svg),
            _ => None,
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// One figure: which series it shows and how.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    pub index: usize,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Names of the series, in result order.
    pub series: Vec<String>,
    /// Drawn as an x–y path (x not monotonic).
    pub xy: bool,
    /// Logarithmic x axis.
    pub log_x: bool,
}

fn floor_of(name: &str) -> Option<u32> {
    number_after(name, "floor")
}

/// The excitation floor of a model-update series (`…exc_2_…`).
fn excitation_of(name: &str) -> Option<u32> {
    number_after(name, "exc")
}

/// The number following `{tag}_` at the start of `name` or after `_{tag}_` (`floor_2_…`).
fn number_after(name: &str, tag: &str) -> Option<u32> {
    let start = format!("{tag}_");
    let i = if name.starts_with(&start) {
        start.len()
    } else {
        name.find(&format!("_{start}"))? + start.len() + 1
    };
    let digits: String = name[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// An uncertainty envelope curve: `floor_k_nominal` or `floor_k_{method}_{lower|upper|qN}`
/// (all floors form one group, split per floor like the UI).
fn is_envelope(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("floor_") else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let Some(tail) = rest[digits..].strip_prefix('_').filter(|_| digits > 0) else {
        return false;
    };
    if tail == "nominal" {
        return true;
    }
    let Some(i) = tail.rfind('_') else {
        return false;
    };
    let last = &tail[i + 1..];
    i > 0
        && (last == "lower"
            || last == "upper"
            || last
                .strip_prefix('q')
                .is_some_and(|q| !q.is_empty() && q.chars().all(|c| c.is_ascii_digit())))
}

/// 0 for an exact curve under an experiment (cbc `exact_amplitude_k`), 1 for its unstable
/// stretches, 2 for everything else.
fn underlay_rank(name: &str) -> u8 {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    if numbered("exact_amplitude_") {
        0
    } else if numbered("exact_unstable_amplitude_") {
        1
    } else {
        2
    }
}

/// The name without what tells the curves of one figure apart (see the module docs).
fn base_name(name: &str) -> String {
    if is_envelope(name) {
        return "floor_#_envelope".into();
    }
    let mut s = name.to_string();
    if let Some(i) = s.rfind("_segment_") {
        let tail = &s[i + "_segment_".len()..];
        if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) {
            s.truncate(i);
        }
    }
    // crossval: every source of one floor in one figure.
    if let Some(rest) = s.strip_prefix("source_") {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with("_floor_") {
            s = format!("source_#{}", &rest[digits..]);
        }
    }
    for prefix in ["measured_", "modal_fit_", "model_", "residual_"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if rest
                .strip_prefix("exc_")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            {
                s = rest.to_string();
                break;
            }
        }
    }
    for prefix in ["exact_unstable_", "exact_", "branch_", "up_", "down_"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if rest
                .strip_prefix("amplitude_")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            {
                s = rest.to_string();
                break;
            }
        }
    }
    for tag in ["_uncontrolled", "_controlled"] {
        if let Some(i) = s.find(tag) {
            let end = i + tag.len();
            if end == s.len() || s[end..].starts_with('_') {
                s.replace_range(i..end, "");
                break;
            }
        }
    }
    for p in ["_p05", "_p50", "_p95"] {
        if s.ends_with(p) {
            s.truncate(s.len() - p.len());
            break;
        }
    }
    if let Some(i) = s.find("_floor_") {
        let start = i + "_floor_".len();
        let digits = s[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            s.replace_range(start..start + digits, "#");
        }
    }
    s
}

fn is_monotonic(x: &[f64]) -> bool {
    x.windows(2).all(|w| w[1] >= w[0])
}

/// "Frf floor 1 magnitude db" style title from a series name.
fn label_of(name: &str) -> String {
    let text = name.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The y label without its unit in parentheses.
fn stem(label: &str) -> &str {
    // From the first " (": units may nest parentheses, "(dB re 1 (m/s²)/N)".
    match label.find(" (") {
        Some(i) if label.ends_with(')') => &label[..i],
        _ => label,
    }
}

/// The figures of `result`, in the order the UI shows its plots.
pub fn figures(result: &ToolResult) -> Vec<Figure> {
    let mut groups: Vec<(String, Vec<&Series>)> = Vec::new();
    for s in &result.series {
        let key = format!("{}\u{1}{}\u{1}{}", s.x_label, s.y_label, base_name(&s.name));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(s),
            None => groups.push((key, vec![s])),
        }
    }
    let mut out = Vec::new();
    for (_, mut members) in groups {
        // Exact curves first, drawn underneath the experiment (stable sort keeps the rest).
        members.sort_by_key(|s| underlay_rank(&s.name));
        let mut floors: Vec<Option<u32>> = Vec::new();
        for s in &members {
            let f = floor_of(&s.name);
            if !floors.contains(&f) {
                floors.push(f);
            }
        }
        let split = members.len() > MAX_PER_FIGURE && floors.len() > 1 && !floors.contains(&None);
        let parts: Vec<Vec<&Series>> = if split {
            floors
                .iter()
                .map(|f| {
                    members
                        .iter()
                        .copied()
                        .filter(|s| floor_of(&s.name) == *f)
                        .collect()
                })
                .collect()
        } else {
            vec![members]
        };
        for part in parts {
            let first = part[0];
            let xy = part.iter().any(|s| !is_monotonic(&s.x));
            let mut title = if part.len() == 1 {
                label_of(&first.name)
            } else {
                stem(&first.y_label).to_string()
            };
            if split {
                if let Some(f) = floor_of(&first.name) {
                    title.push_str(&format!(", floor {f}"));
                }
            }
            if part.len() > 1 {
                if let Some(exc) = excitation_of(&first.name) {
                    title.push_str(&format!(", excitation at floor {exc}"));
                }
            }
            let log_x = !xy
                && first.x_label.starts_with("Frequency")
                && part.iter().all(|s| s.x.iter().all(|&x| x > 0.0));
            out.push(Figure {
                index: out.len(),
                title,
                x_label: first.x_label.clone(),
                y_label: first.y_label.clone(),
                series: part.iter().map(|s| s.name.clone()).collect(),
                xy,
                log_x,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::draw::reduce;
    use super::*;
    use serde_json::json;

    fn series(name: &str, x_label: &str, y_label: &str, x: Vec<f64>, y: Vec<f64>) -> Series {
        Series::new(name, x_label, y_label, x, y)
    }

    fn sample() -> ToolResult {
        let f: Vec<f64> = (1..=400).map(|i| i as f64 * 0.25).collect();
        let mut r = ToolResult::new("modal", json!({}));
        for j in 1..=3 {
            r.push_series(series(
                &format!("frf_floor_{j}_magnitude_db"),
                "Frequency (Hz)",
                "Magnitude (dB)",
                f.clone(),
                f.iter().map(|v| (v * j as f64).sin() * 20.0).collect(),
            ));
        }
        r.push_series(series(
            "nyquist",
            "Real",
            "Imaginary",
            vec![0.0, 1.0, 0.5, -1.0],
            vec![0.0, 0.5, 1.0, 0.0],
        ));
        r
    }

    #[test]
    fn floors_share_a_figure_and_non_monotonic_x_is_xy() {
        let figs = figures(&sample());
        assert_eq!(figs.len(), 2);
        assert_eq!(figs[0].series.len(), 3);
        assert!(figs[0].log_x && !figs[0].xy);
        assert_eq!(figs[0].title, "Magnitude");
        assert!(figs[1].xy && !figs[1].log_x);
        assert_eq!(base_name("ke_uncontrolled_floor_2_p95"), "ke_floor_#");
        assert_eq!(
            base_name("exact_unstable_amplitude_2_segment_3"),
            "amplitude_2"
        );
        assert_eq!(base_name("up_amplitude_1"), "amplitude_1");
        assert_eq!(base_name("exact_amplitude_1"), "amplitude_1");
        assert_eq!(base_name("exact_frequency_1"), "exact_frequency_1");
        assert_eq!(underlay_rank("exact_unstable_amplitude_1_segment_1"), 1);
        assert_eq!(underlay_rank("branch_amplitude_1"), 2);
        assert_eq!(base_name("floor_2_monte_carlo_q95"), "floor_#_envelope");
        assert_eq!(base_name("floor_1_nominal"), "floor_#_envelope");
        assert_eq!(base_name("floor_3_vertex_upper"), "floor_#_envelope");
        assert_eq!(base_name("floor_1_speed"), "floor_1_speed");
        assert_eq!(floor_of("floor_3_vertex_upper"), Some(3));
        assert_eq!(
            base_name("modal_fit_exc_2_floor_3_magnitude"),
            "exc_2_floor_#_magnitude"
        );
        assert_eq!(excitation_of("residual_exc_3_floor_1_magnitude"), Some(3));
        assert_eq!(
            base_name("source_12_floor_3_magnitude"),
            "source_#_floor_#_magnitude"
        );
        assert_eq!(base_name("controlled_gain"), "controlled_gain");
    }

    #[test]
    fn svg_and_png_are_real_images_of_the_figure() {
        let r = sample();
        let svg = String::from_utf8(render(&r, 0, Format::Svg).unwrap()).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("Frequency (Hz)"),
            "{}",
            &svg[..200]
        );
        assert!(svg.contains("Frf floor 2 magnitude db"));
        let png = render(&r, 1, Format::Png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert!(matches!(
            render(&r, 2, Format::Png),
            Err(FigureError::NoSuchFigure { index: 2, count: 2 })
        ));
    }

    #[test]
    fn an_experiment_is_drawn_as_circles_over_its_exact_curve() {
        let mut r = ToolResult::new("cbc", serde_json::json!({}));
        let x = vec![1.0, 2.0, 3.0, 2.5, 2.0, 4.0];
        let y = vec![0.1, 0.2, 0.3, 0.35, 0.4, 0.5];
        let label = |n: &str, x: Vec<f64>, y: Vec<f64>| {
            Series::new(n, "Forcing amplitude (N)", "Amplitude floor 1 (m)", x, y)
        };
        r.push_series(label("branch_amplitude_1", x.clone(), y.clone()));
        r.push_series(label("exact_amplitude_1", x.clone(), y.clone()));
        r.push_series(label(
            "exact_unstable_amplitude_1_segment_1",
            x[2..5].to_vec(),
            y[2..5].to_vec(),
        ));
        let figs = figures(&r);
        assert_eq!(figs.len(), 1, "one figure per floor");
        let svg = String::from_utf8(render(&r, 0, Format::Svg).unwrap()).unwrap();
        assert!(
            svg.contains("<circle"),
            "the experiment's points are circles"
        );
        assert!(svg.contains("Exact unstable amplitude 1 segment 1"));
    }

    #[test]
    fn reduction_keeps_the_extremes() {
        let x: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
        let mut y = vec![0.0; 100_000];
        y[12_345] = 7.0;
        y[54_321] = -3.0;
        let pts = reduce(&x, &y, 100);
        assert!(pts.len() <= 200);
        assert!(pts.contains(&(12_345.0, 7.0)) && pts.contains(&(54_321.0, -3.0)));
        assert!(pts.windows(2).all(|w| w[1].0 >= w[0].0));
    }
}
