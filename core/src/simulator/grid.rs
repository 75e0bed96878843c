//! The time grid of a simulation (docs/simulator.md §4.2).
//!
//! - `uniform` **[req]**: `S = round(T·fs)` samples at `t_i = i/fs`, `i = 0..S−1`: exactly fs.
//! - `linspace` (the original app's grid, for comparison): `S = floor(T·fs + 1e-9)` samples
//!   at `t_i = i·T/(S−1)` (numpy `linspace(0, T, S)`, last sample exactly `T`), i.e. the real
//!   rate is `(S−1)/T` (2047.8 Hz for 5 s at 2048 Hz).
//!
//! `dt = t_1 − t_0` is the step used everywhere (the Welch rate is `1/dt`).

/// Which grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    Uniform,
    Linspace,
}

impl GridKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "uniform" => Some(Self::Uniform),
            "linspace" => Some(Self::Linspace),
            _ => None,
        }
    }
}

/// A uniform sample grid starting at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeGrid {
    pub kind: GridKind,
    /// Number of samples S.
    pub len: usize,
    /// Nominal sample rate (Hz).
    pub fs_hz: f64,
    /// Record length T (s).
    pub duration_s: f64,
    /// Step `t_1 − t_0` (s).
    pub dt_s: f64,
}

impl TimeGrid {
    /// Number of samples of a grid (may be < 2; the caller checks).
    pub fn sample_count(kind: GridKind, duration_s: f64, fs_hz: f64) -> f64 {
        match kind {
            GridKind::Uniform => (duration_s * fs_hz).round(),
            GridKind::Linspace => (duration_s * fs_hz + 1e-9).floor(),
        }
    }

    /// The grid; `len ≥ 2` is required.
    pub fn new(kind: GridKind, duration_s: f64, fs_hz: f64, len: usize) -> Self {
        let dt_s = match kind {
            GridKind::Uniform => 1.0 / fs_hz,
            GridKind::Linspace => duration_s / (len as f64 - 1.0),
        };
        Self {
            kind,
            len,
            fs_hz,
            duration_s,
            dt_s,
        }
    }

    /// Time of sample `i` (s).
    #[inline]
    pub fn t(&self, i: usize) -> f64 {
        match self.kind {
            GridKind::Uniform => i as f64 / self.fs_hz,
            GridKind::Linspace => {
                if i + 1 == self.len {
                    self.duration_s
                } else {
                    i as f64 * self.dt_s
                }
            }
        }
    }

    /// Time of the last sample (s).
    pub fn t_last(&self) -> f64 {
        self.t(self.len - 1)
    }

    /// The effective sample rate `1/dt` (Hz).
    pub fn effective_rate_hz(&self) -> f64 {
        1.0 / self.dt_s
    }

    /// All sample times.
    pub fn times(&self) -> Vec<f64> {
        (0..self.len).map(|i| self.t(i)).collect()
    }

    /// Index `k` of the last sample with `t_k ≤ t` (None if `t < 0`), clamped to `len − 1`.
    pub fn index_at_or_before(&self, t: f64) -> Option<usize> {
        if t < 0.0 {
            return None;
        }
        let mut k = ((t / self.dt_s).floor() as usize).min(self.len - 1);
        while k > 0 && self.t(k) > t {
            k -= 1;
        }
        while k + 1 < self.len && self.t(k + 1) <= t {
            k += 1;
        }
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_match_the_spec() {
        let n = TimeGrid::sample_count(GridKind::Linspace, 5.0, 2048.0) as usize;
        assert_eq!(n, 10240);
        let g = TimeGrid::new(GridKind::Linspace, 5.0, 2048.0, n);
        assert!((g.effective_rate_hz() - 2047.8).abs() < 1e-9);
        assert_eq!(g.t_last(), 5.0);
        let u = TimeGrid::new(GridKind::Uniform, 5.0, 2048.0, 10240);
        assert_eq!(u.t(2048), 1.0);
        assert_eq!(u.index_at_or_before(0.25), Some(512));
        assert_eq!(u.index_at_or_before(0.2501), Some(512));
        assert_eq!(u.index_at_or_before(99.0), Some(10239));
    }
}
