//! The comparison metrics of `crossval` (docs/measured.md §4.3): interpolation onto the common
//! grid, FRAC and RMS dB difference, and the MAC of operating deflection shapes.
//!
//! On the common grid the dB curves are interpolated linearly in x (clamped at the ends), then
//! `a = 10^(dB/20)`: `FRAC = (Σ a b)² / (Σ a² Σ b²)`, `RMS = √mean((dB_a − dB_b)²)`. For
//! complex sources the operating deflection shape at each mode frequency is `(A_1, A_2, A_3)`
//! and `MAC = |uᴴv|² / (uᴴu · vᴴv)`.

use num_complex::Complex64;

use super::super::peaks::find_peaks;
use super::{CrossvalParams, SourceCurves};
use crate::result::Table;
use crate::ToolResult;

/// Linear interpolation of y(x) at t (x increasing), clamped at the ends.
pub fn interp(x: &[f64], y: &[f64], t: f64) -> f64 {
    let n = x.len();
    if t <= x[0] {
        return y[0];
    }
    if t >= x[n - 1] {
        return y[n - 1];
    }
    let k = x.partition_point(|v| *v <= t).clamp(1, n - 1);
    let (x0, x1) = (x[k - 1], x[k]);
    y[k - 1] + (y[k] - y[k - 1]) * (t - x0) / (x1 - x0)
}

/// FRAC and RMS dB difference of two curves on the common grid.
pub fn frac_rms(grid: &[f64], a: (&[f64], &[f64]), b: (&[f64], &[f64])) -> (f64, f64) {
    let (mut sab, mut saa, mut sbb, mut sd2) = (0.0, 0.0, 0.0, 0.0);
    for &g in grid {
        let da = interp(a.0, a.1, g);
        let db = interp(b.0, b.1, g);
        let (la, lb) = (10f64.powf(da / 20.0), 10f64.powf(db / 20.0));
        sab += la * lb;
        saa += la * la;
        sbb += lb * lb;
        sd2 += (da - db) * (da - db);
    }
    (sab * sab / (saa * sbb), (sd2 / grid.len() as f64).sqrt())
}

/// MAC of two complex vectors.
pub fn mac_complex(u: &[Complex64; 3], v: &[Complex64; 3]) -> f64 {
    let uv: Complex64 = u.iter().zip(v).map(|(a, b)| a.conj() * b).sum();
    let uu: f64 = u.iter().map(|a| a.norm_sqr()).sum();
    let vv: f64 = v.iter().map(|a| a.norm_sqr()).sum();
    uv.norm_sqr() / (uu * vv)
}

/// Mode peaks and operating deflection shapes of a complex source.
fn ods(p: &CrossvalParams, src: &SourceCurves) -> Option<Vec<(f64, [Complex64; 3])>> {
    let a = src.complex.as_ref()?;
    let r = p.band_range(src, 0);
    let x = &src.x_hz[0][r.clone()];
    let a = &a[r];
    let sum: Vec<f64> = a
        .iter()
        .map(|h| 20.0 * h.iter().map(|z| z.norm()).sum::<f64>().log10())
        .collect();
    let pk = find_peaks(
        x,
        &sum,
        p.peak_prominence_db,
        p.peak_min_distance_hz,
        p.n_peaks,
    );
    Some(pk.iter().map(|k| (k.x, a[k.index])).collect())
}

pub(super) fn mac_table(p: &CrossvalParams, result: &mut ToolResult) -> Option<Table> {
    let reference = ods(p, &p.sources[0])?;
    let mut table = Table::new(
        "mac",
        &[
            "source",
            "mode",
            "reference_frequency_hz",
            "frequency_hz",
            "mac",
        ],
    );
    for (s, src) in p.sources.iter().enumerate().skip(1) {
        let Some(modes) = ods(p, src) else { continue };
        for (r, ((f1, u), (fs, v))) in reference.iter().zip(&modes).enumerate() {
            let mac = mac_complex(u, v);
            result.set(&format!("source_{}_mode_{}_mac", s + 1, r + 1), mac);
            table.push_numbers(2, &[(s + 1) as f64, (r + 1) as f64, *f1, *fs, mac]);
        }
    }
    (!table.rows.is_empty()).then_some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_and_metrics_of_identical_curves() {
        let x = [1.0, 2.0, 4.0];
        let y = [0.0, 10.0, 30.0];
        assert_eq!(interp(&x, &y, 3.0), 20.0);
        assert_eq!(interp(&x, &y, 0.5), 0.0);
        assert_eq!(interp(&x, &y, 5.0), 30.0);
        let grid = [1.0, 1.5, 2.5, 4.0];
        let (frac, rms) = frac_rms(&grid, (&x, &y), (&x, &y));
        assert!((frac - 1.0).abs() < 1e-15 && rms == 0.0);
        let u = [
            Complex64::new(1.0, 2.0),
            Complex64::new(0.0, -1.0),
            Complex64::new(3.0, 0.5),
        ];
        let v = u.map(|z| z * Complex64::new(0.0, 2.0));
        assert!((mac_complex(&u, &v) - 1.0).abs() < 1e-15);
    }
}
