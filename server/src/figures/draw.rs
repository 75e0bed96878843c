//! Drawing a figure of a result as a PNG or SVG file with plotters: axes, legends, the
//! exact-curve underlays of cbc, and the reduction of long series for drawing only.

use cristallo_core::ToolResult;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    figures, is_monotonic, label_of, underlay_rank, Figure, FigureError, Format, HEIGHT, WIDTH,
};

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

/// Min/max of each of `buckets` equal index ranges, in the order they occur.
pub(super) fn reduce(x: &[f64], y: &[f64], buckets: usize) -> Vec<(f64, f64)> {
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
            include_bytes!("../../assets/DejaVuSans.ttf"),
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
