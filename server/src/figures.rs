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
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

/// Width and height of exported figures (px; SVG user units).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;
const MAX_PER_FIGURE: usize = 6;
/// Longer series are reduced for drawing (as in the UI).
const REDUCE_ABOVE: usize = 20_000;
const FONT: &str = "sans-serif";
const COLORS: [RGBColor; 8] = [
    RGBColor(0x0b, 0x62, 0xa4),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x1e, 0x7b, 0x3c),
    RGBColor(0x7d, 0x3c, 0x98),
    RGBColor(0xb3, 0x59, 0x00),
    RGBColor(0x11, 0x7a, 0x8b),
    RGBColor(0x6e, 0x4b, 0x3a),
    RGBColor(0xb0, 0x30, 0x6e),
];

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
    let i = name.find("_floor_")? + "_floor_".len();
    let digits: String = name[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
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
    let mut s = name.to_string();
    if let Some(i) = s.rfind("_segment_") {
        let tail = &s[i + "_segment_".len()..];
        if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) {
            s.truncate(i);
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
    match label.rfind(" (") {
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

/// Min/max of each of `buckets` equal index ranges, in the order they occur.
fn reduce(x: &[f64], y: &[f64], buckets: usize) -> Vec<(f64, f64)> {
    let n = x.len().min(y.len());
    if n <= 2 * buckets {
        return x.iter().copied().zip(y.iter().copied()).take(n).collect();
    }
    let mut out = Vec::with_capacity(2 * buckets);
    for b in 0..buckets {
        let (lo, hi) = (
            b * n / buckets,
            ((b + 1) * n / buckets).max(b * n / buckets + 1),
        );
        let (mut imin, mut imax) = (lo, lo);
        for i in lo..hi {
            if y[i] < y[imin] {
                imin = i;
            }
            if y[i] > y[imax] {
                imax = i;
            }
        }
        let (a, c) = if imin <= imax {
            (imin, imax)
        } else {
            (imax, imin)
        };
        out.push((x[a], y[a]));
        if c != a {
            out.push((x[c], y[c]));
        }
    }
    out
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = hi.abs().max(1.0) * 0.05;
        return (lo - pad, hi + pad);
    }
    let pad = 0.04 * (hi - lo);
    (lo - pad, hi + pad)
}

fn draw_err<E: std::fmt::Debug>(index: usize) -> impl Fn(E) -> FigureError {
    move |e| FigureError::Drawing {
        index,
        message: format!("{e:?}"),
    }
}

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is part of the binary: failing to read it is a build defect.
        plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../assets/DejaVuSans.ttf"),
        )
        .map_err(|_| ())
        .expect("the embedded DejaVu Sans font is a valid TrueType font");
    });
}

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    fig: &Figure,
    curves: &[(String, Vec<(f64, f64)>)],
) -> Result<(), FigureError>
where
    DB::ErrorType: 'static,
{
    let err = draw_err(fig.index);
    root.fill(&WHITE).map_err(&err)?;
    let (x0, x1) = if fig.log_x {
        let (lo, hi) = curves
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.0))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (1.0, 10.0)
        }
    } else {
        bounds(curves.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)))
    };
    let (y0, y1) = bounds(curves.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)));
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(&fig.title, (FONT, 26))
        .margin(18)
        .x_label_area_size(56)
        .y_label_area_size(86);
    macro_rules! finish {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(fig.x_label.as_str())
                .y_desc(fig.y_label.as_str())
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .light_line_style(RGBColor(0xe6, 0xe9, 0xee))
                .draw()
                .map_err(&err)?;
            let underlays = curves.iter().filter(|(n, _)| underlay_rank(n) < 2).count();
            for (i, (name, points)) in curves.iter().enumerate() {
                let (color, width) = match underlay_rank(name) {
                    0 => (RGBColor(0x52, 0x60, 0x6d), 2),
                    1 => (RGBColor(0xc0, 0x39, 0x2b), 3),
                    _ => (COLORS[i.saturating_sub(underlays) % COLORS.len()], 2),
                };
                if underlays > 0 && underlay_rank(name) == 2 {
                    // Over an exact curve the experiment's points are circles (as in the UI).
                    chart
                        .draw_series(
                            points
                                .iter()
                                .map(|&p| Circle::new(p, 4, color.stroke_width(2))),
                        )
                        .map_err(&err)?
                        .label(label_of(name))
                        .legend(move |(x, y)| Circle::new((x + 11, y), 4, color.stroke_width(2)));
                    continue;
                }
                chart
                    .draw_series(LineSeries::new(
                        points.iter().copied(),
                        color.stroke_width(width),
                    ))
                    .map_err(&err)?
                    .label(label_of(name))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
                    });
            }
            if curves.len() > 1 {
                chart
                    .configure_series_labels()
                    .label_font((FONT, 15))
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(0x88, 0x94, 0xa1))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()
                    .map_err(&err)?;
            }
        }};
    }
    if fig.log_x {
        finish!(builder
            .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
            .map_err(&err)?);
    } else {
        finish!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(&err)?);
    }
    root.present().map_err(&err)?;
    Ok(())
}

/// The points of each series of `fig`, reduced for drawing.
fn curves(result: &ToolResult, fig: &Figure) -> Vec<(String, Vec<(f64, f64)>)> {
    fig.series
        .iter()
        .filter_map(|name| result.series.iter().find(|s| &s.name == name))
        .map(|s| {
            let points = if fig.xy || s.x.len() <= REDUCE_ABOVE || !is_monotonic(&s.x) {
                s.x.iter().copied().zip(s.y.iter().copied()).collect()
            } else {
                let pts = reduce(&s.x, &s.y, 2 * WIDTH as usize);
                if fig.log_x {
                    pts.into_iter().filter(|p| p.0 > 0.0).collect()
                } else {
                    pts
                }
            };
            (s.name.clone(), points)
        })
        .collect()
}

/// Figure `index` of `result` as a PNG or SVG file.
pub fn render(result: &ToolResult, index: usize, format: Format) -> Result<Vec<u8>, FigureError> {
    let all = figures(result);
    let fig = all.get(index).ok_or(FigureError::NoSuchFigure {
        index,
        count: all.len(),
    })?;
    let data = curves(result, fig);
    register_font();
    match format {
        Format::Svg => {
            let mut text = String::new();
            draw_on(
                SVGBackend::with_string(&mut text, (WIDTH, HEIGHT)).into_drawing_area(),
                fig,
                &data,
            )?;
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
            draw_on(
                BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area(),
                fig,
                &data,
            )?;
            encode_png(&rgb, fig.index)
        }
    }
}

fn encode_png(rgb: &[u8], index: usize) -> Result<Vec<u8>, FigureError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(draw_err(index))?;
        writer.write_image_data(rgb).map_err(draw_err(index))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
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
