//! Brent's root finder (Brent 1973, "zeroin"; the algorithm of scipy's `brentq`): inverse
//! quadratic interpolation / secant steps safeguarded by bisection, on a bracket [a, b] with
//! f(a)·f(b) ≤ 0. Stops when the bracket is below tol = 2·ε·|b| + xtol_rel·|b| / 2.

/// A root of `f` in [a, b] (f(a) and f(b) of opposite sign or zero), relative tolerance
/// `xtol_rel`. Returns `None` when the bracket is invalid or a value is not finite.
pub fn brent<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, xtol_rel: f64) -> Option<f64> {
    let (mut a, mut b) = (a, b);
    let (mut fa, mut fb) = (f(a), f(b));
    if !fa.is_finite() || !fb.is_finite() {
        return None;
    }
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if fa.signum() == fb.signum() {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol_rel * b.abs();
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
        if !fb.is_finite() {
            return None;
        }
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_simple_roots() {
        let r = brent(|x| x * x - 2.0, 0.0, 3.0, 1e-12).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-11);
        let r = brent(f64::cos, 1.0, 2.0, 1e-12).unwrap();
        assert!((r - std::f64::consts::FRAC_PI_2).abs() < 1e-11);
        assert!(brent(|x| x * x + 1.0, -1.0, 1.0, 1e-12).is_none());
    }
}
