//! Additive Holt-Winters with a weekly season: the recursions, the heuristic
//! start, the analytic forecast variance and the parameter search.
//!
//! Parameters are in the Holt-Winters ("component") form that statsmodels'
//! `ExponentialSmoothing` uses, so fixtures can be compared one to one:
//!
//! ```text
//! ŷ_t  = l_{t-1} + φ b_{t-1} + s_{t-7}                 one-step forecast
//! l_t  = α (y_t − s_{t-7}) + (1 − α)(l_{t-1} + φ b_{t-1})
//! b_t  = β (l_t − l_{t-1}) + (1 − β) φ b_{t-1}
//! s_t  = γ (y_t − l_{t-1} − φ b_{t-1}) + (1 − γ) s_{t-7}
//! ```
//!
//! This is the same model as the additive-error state-space ETS(A,A(d),A) with
//! its trend coefficient β_ETS = α β (statsmodels' `ETSModel` and Hyndman et
//! al. use β_ETS); `beta_ets` converts.

use crate::optimise::nelder_mead;

/// Days in one season.
pub const PERIOD: usize = 7;

/// Shortest series the heuristic start can handle: two full weeks plus the
/// three days lost at each end of the centred 7-day moving average, so that
/// ten de-seasonalised points are left for the level/trend regression.
pub const MIN_DAYS: usize = 10 + 2 * (PERIOD / 2);

/// The admissible damping range. statsmodels' default bounds, kept so that
/// our optimum and its are optima of the same problem; below 0.8 the trend
/// dies out within days, and at 1 the model is the undamped one.
pub const PHI_MIN: f64 = 0.8;
pub const PHI_MAX: f64 = 0.995;

/// Smoothing parameters in Holt-Winters form; `phi` is 1 for an undamped trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

impl Params {
    /// The trend smoothing coefficient of the error-correction (ETS) form.
    pub fn beta_ets(&self) -> f64 {
        self.alpha * self.beta
    }

    pub fn damped(&self) -> bool {
        self.phi < 1.0
    }
}

/// Level, trend and seasonal states before the first observation. `season[p]`
/// is the seasonal state used for observation `p` (and every 7th after it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InitialState {
    pub level: f64,
    pub trend: f64,
    pub season: [f64; PERIOD],
}

/// Initial states by the heuristic of Hyndman et al. (FPP3 §8.6 notes, and
/// "Forecasting with Exponential Smoothing" §2.6.1), exactly as statsmodels'
/// `initialization_method="heuristic"` computes them:
///
/// 1. take the first `7·k` days, k = max(min(5, n div 7), 3) (fewer if the
///    series is shorter);
/// 2. a centred 7-day moving average is the trend-cycle; the series minus it,
///    averaged per day of the week over the cycles and centred to sum to zero,
///    is the initial season;
/// 3. a straight line fitted by least squares to the first ten moving-average
///    values against x = 1..10 gives the initial level (its value at x = 0)
///    and trend (its slope).
///
/// The heuristic, rather than estimating the nine initial states by least
/// squares, keeps the search to 3–4 parameters: cheap, deterministic and far
/// less prone to over-fitting a 90-day history.
///
/// Returns `None` for fewer than [`MIN_DAYS`] values.
pub fn heuristic_init(y: &[f64]) -> Option<InitialState> {
    let n = y.len();
    if n < MIN_DAYS {
        return None;
    }
    let half = PERIOD / 2;
    let cycles = (n / PERIOD).min(5).max(MIN_DAYS.div_ceil(PERIOD));
    let len = n.min(PERIOD * cycles);
    let window = &y[..len];

    // ma[i] is centred on day i + half.
    let ma: Vec<f64> = window
        .windows(PERIOD)
        .map(|w| w.iter().sum::<f64>() / PERIOD as f64)
        .collect();

    let mut sums = [0.0; PERIOD];
    let mut counts = [0usize; PERIOD];
    for (i, m) in ma.iter().enumerate() {
        let t = i + half;
        sums[t % PERIOD] += window[t] - m;
        counts[t % PERIOD] += 1;
    }
    let mut season = [0.0; PERIOD];
    for p in 0..PERIOD {
        // Every weekday has at least one centred point once n >= MIN_DAYS.
        season[p] = sums[p] / counts[p].max(1) as f64;
    }
    let mean = season.iter().sum::<f64>() / PERIOD as f64;
    for s in &mut season {
        *s -= mean;
    }

    // Least squares on x = 1..10: x̄ = 5.5, Σ(x − x̄)² = 82.5.
    let pts = &ma[..10];
    let y_bar = pts.iter().sum::<f64>() / 10.0;
    let sxy: f64 = pts
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64 + 1.0 - 5.5) * (v - y_bar))
        .sum();
    let trend = sxy / 82.5;
    let level = y_bar - trend * 5.5;
    Some(InitialState {
        level,
        trend,
        season,
    })
}

/// The result of running the recursions over a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Smoothed {
    /// One-step-ahead forecasts ŷ_t, aligned with the input.
    pub fitted: Vec<f64>,
    pub sse: f64,
    /// States after the last observation.
    pub level: f64,
    pub trend: f64,
    /// `season[t % 7]` is the latest seasonal state for day index t.
    pub season: [f64; PERIOD],
    /// Number of observations smoothed (the next forecast is for index `n`).
    pub n: usize,
}

/// Runs the Holt-Winters recursions over `y`.
pub fn smooth(y: &[f64], p: &Params, init: &InitialState) -> Smoothed {
    let mut fitted = Vec::with_capacity(y.len());
    let (level, trend, season, sse) = run(y, p, init, |f| fitted.push(f));
    Smoothed {
        fitted,
        sse,
        level,
        trend,
        season,
        n: y.len(),
    }
}

/// SSE only; the optimiser's inner loop, so it does not allocate.
pub fn sse(y: &[f64], p: &Params, init: &InitialState) -> f64 {
    run(y, p, init, |_| {}).3
}

fn run(
    y: &[f64],
    p: &Params,
    init: &InitialState,
    mut on_fitted: impl FnMut(f64),
) -> (f64, f64, [f64; PERIOD], f64) {
    let Params {
        alpha,
        beta,
        gamma,
        phi,
    } = *p;
    let mut l = init.level;
    let mut b = init.trend;
    let mut s = init.season;
    let mut sse = 0.0;
    for (t, &yt) in y.iter().enumerate() {
        let pos = t % PERIOD;
        let base = l + phi * b;
        let f = base + s[pos];
        on_fitted(f);
        let e = yt - f;
        sse += e * e;
        let l_new = alpha * (yt - s[pos]) + (1.0 - alpha) * base;
        b = beta * (l_new - l) + (1.0 - beta) * phi * b;
        s[pos] = gamma * (yt - base) + (1.0 - gamma) * s[pos];
        l = l_new;
    }
    (l, b, s, sse)
}

impl Smoothed {
    /// Point forecasts for the next `h` days:
    /// ŷ_{n+j} = l_n + (φ + … + φ^j) b_n + s (latest for that weekday).
    pub fn forecast_mean(&self, p: &Params, h: usize) -> Vec<f64> {
        let mut damp_sum = 0.0;
        let mut phi_pow = 1.0;
        (1..=h)
            .map(|j| {
                phi_pow *= p.phi;
                damp_sum += phi_pow;
                self.level + damp_sum * self.trend + self.season[(self.n + j - 1) % PERIOD]
            })
            .collect()
    }
}

/// Forecast-error variance of steps 1..=h relative to the one-step variance σ².
///
/// For the additive-error models of "class 1" (Hyndman, Koehler, Ord & Snyder
/// 2008, ch. 6; FPP3 table 9.8) the h-step error is a linear combination of
/// future innovations, so
///
/// ```text
/// Var(e_{n+h}) = σ² (1 + Σ_{j=1}^{h-1} c_j²),   c_j = α + β_ETS φ_j + γ·[j ≡ 0 mod 7],
/// φ_j = φ + φ² + … + φ^j   (= j when undamped).
/// ```
///
/// Summing c_j² is algebraically the closed form of the table and has no
/// 0/0 at φ = 1.
pub fn relative_variance(p: &Params, h: usize) -> Vec<f64> {
    let beta_ets = p.beta_ets();
    let mut out = Vec::with_capacity(h);
    let mut acc = 1.0;
    let mut phi_j = 0.0;
    let mut phi_pow = 1.0;
    for step in 1..=h {
        out.push(acc);
        // Prepare c_j for j = step, used from step + 1 on.
        phi_pow *= p.phi;
        phi_j += phi_pow;
        let seasonal = if step % PERIOD == 0 { p.gamma } else { 0.0 };
        let c = p.alpha + beta_ets * phi_j + seasonal;
        acc += c * c;
    }
    out
}

/// Which trend the search fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendKind {
    Additive,
    Damped,
}

/// Maps a point of the unit cube onto the admissible region
/// 0 ≤ α ≤ 1, 0 ≤ β ≤ α, 0 ≤ γ ≤ 1 − α, PHI_MIN ≤ φ ≤ PHI_MAX.
///
/// β ≤ α and γ ≤ 1 − α are statsmodels' constraints for this form (γ ≤ 1 − α is
/// also the usual ETS region); scaling the later coordinates by the earlier
/// ones turns that triangle into a box the simplex can be clamped to.
fn from_unit(u: &[f64], kind: TrendKind) -> Params {
    let alpha = u[0];
    Params {
        alpha,
        beta: u[1] * alpha,
        gamma: u[2] * (1.0 - alpha),
        phi: match kind {
            TrendKind::Additive => 1.0,
            TrendKind::Damped => PHI_MIN + u[3] * (PHI_MAX - PHI_MIN),
        },
    }
}

/// The least-SSE parameters for `y` from the given start, found by a coarse
/// grid over the admissible region followed by Nelder–Mead from the three best
/// grid points (each restarted until it stops improving). Deterministic: no
/// random starts, a fixed grid, a fixed iteration budget.
pub fn optimise(y: &[f64], init: &InitialState, kind: TrendKind) -> (Params, f64) {
    let dims = match kind {
        TrendKind::Additive => 3,
        TrendKind::Damped => 4,
    };
    let objective = |u: &[f64]| {
        let v = sse(y, &from_unit(u, kind), init);
        // A non-finite SSE (overflow on wild data) must lose, not poison the simplex.
        if v.is_finite() {
            v
        } else {
            f64::MAX
        }
    };

    const A: [f64; 4] = [0.05, 0.25, 0.5, 0.8];
    const B: [f64; 3] = [0.02, 0.3, 0.8];
    const G: [f64; 3] = [0.02, 0.3, 0.7];
    const P: [f64; 3] = [0.1, 0.5, 0.95];
    let phis: &[f64] = if dims == 4 { &P } else { &[0.0] };
    let mut grid: Vec<(f64, Vec<f64>)> = Vec::new();
    for &a in &A {
        for &b in &B {
            for &g in &G {
                for &ph in phis {
                    let mut u = vec![a, b, g];
                    if dims == 4 {
                        u.push(ph);
                    }
                    grid.push((objective(&u), u));
                }
            }
        }
    }
    grid.sort_by(|x, y| x.0.total_cmp(&y.0));

    let mut best: Option<(f64, Vec<f64>)> = None;
    for (f0, u0) in grid.into_iter().take(3) {
        let (mut u, mut f) = (u0, f0);
        for _ in 0..5 {
            let (u_new, f_new) = nelder_mead(&objective, &u, 0.1, 600);
            let improved = f - f_new > 1e-10 * f.abs().max(f64::MIN_POSITIVE);
            if f_new <= f {
                u = u_new;
                f = f_new;
            }
            if !improved {
                break;
            }
        }
        if best.as_ref().is_none_or(|(bf, _)| f < *bf) {
            best = Some((f, u));
        }
    }
    match best {
        Some((f, u)) => (from_unit(&u, kind), f),
        // The grid is never empty; this keeps the function total without a panic.
        None => {
            let u = vec![0.5; dims];
            (from_unit(&u, kind), objective(&u))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(n: usize, slope: f64) -> Vec<f64> {
        let w = [0.0, 2.0, 1.0, 3.0, 6.0, 14.0, -22.0];
        (0..n).map(|t| 40.0 + slope * t as f64 + w[t % 7]).collect()
    }

    #[test]
    fn heuristic_recovers_an_exact_line_and_season() {
        let y = weekly(35, 0.5);
        let init = heuristic_init(&y).unwrap();
        // The 7-day moving average of a line plus a zero-mean season is the
        // line, so the season and slope come back exactly.
        assert!((init.trend - 0.5).abs() < 1e-12, "{init:?}");
        // Level at x = 0 is one step before the first centred point (day 3),
        // and the season's mean moves into the level.
        let w = [0.0, 2.0, 1.0, 3.0, 6.0, 14.0, -22.0];
        let mean = w.iter().sum::<f64>() / 7.0;
        assert!(
            (init.level - (40.0 + mean + 0.5 * 2.0)).abs() < 1e-12,
            "{init:?}"
        );
        for (got, want) in init.season.iter().zip(w) {
            assert!((got - (want - mean)).abs() < 1e-12);
        }
    }

    #[test]
    fn heuristic_needs_min_days() {
        assert!(heuristic_init(&weekly(MIN_DAYS - 1, 0.0)).is_none());
        assert!(heuristic_init(&weekly(MIN_DAYS, 0.0)).is_some());
    }

    #[test]
    fn exact_start_reproduces_a_noiseless_series_and_continues_it() {
        let w = [0.0, 2.0, 1.0, 3.0, 6.0, 14.0, -22.0];
        let mean = w.iter().sum::<f64>() / 7.0;
        let truth = weekly(84, 0.3);
        // The states "before day 0": level and slope of the line at day −1,
        // the zero-mean season by day index.
        let init = InitialState {
            level: 40.0 + mean - 0.3,
            trend: 0.3,
            season: std::array::from_fn(|p| w[p] - mean),
        };
        for phi in [1.0, 0.9] {
            let p = Params {
                alpha: 0.3,
                beta: 0.1,
                gamma: 0.1,
                phi,
            };
            let y: Vec<f64> = if phi == 1.0 {
                truth[..70].to_vec()
            } else {
                // A damped model is exact on a damped line.
                let mut l = init.level;
                let mut b = init.trend;
                (0..70)
                    .map(|t| {
                        b *= phi;
                        l += b;
                        l + init.season[t % 7]
                    })
                    .collect()
            };
            let sm = smooth(&y, &p, &init);
            assert!(sm.sse < 1e-18, "phi={phi}: sse {}", sm.sse);
            for (f, v) in sm.fitted.iter().zip(&y) {
                assert!((f - v).abs() < 1e-9);
            }
            let fc = sm.forecast_mean(&p, 14);
            if phi == 1.0 {
                for (j, f) in fc.iter().enumerate() {
                    assert!(
                        (f - truth[70 + j]).abs() < 1e-9,
                        "step {j}: {f} vs {}",
                        truth[70 + j]
                    );
                }
            } else {
                // Continue the damped line: the season lines up with t mod 7.
                let mut l = sm.level;
                let mut b = sm.trend;
                for (j, f) in fc.iter().enumerate() {
                    b *= phi;
                    l += b;
                    let want = l + init.season[(70 + j) % 7];
                    assert!((f - want).abs() < 1e-9, "step {j}: {f} vs {want}");
                }
            }
        }
    }

    #[test]
    fn variance_grows_with_horizon_and_matches_closed_form() {
        let p = Params {
            alpha: 0.3,
            beta: 0.2,
            gamma: 0.15,
            phi: 0.9,
        };
        let v = relative_variance(&p, 30);
        assert_eq!(v[0], 1.0);
        assert!(v.windows(2).all(|w| w[1] > w[0]));
        // FPP3 table 9.8, ETS(A,Ad,A).
        let (a, b, g, phi, m) = (p.alpha, p.beta_ets(), p.gamma, p.phi, 7.0_f64);
        for h in 1..=30usize {
            let hf = h as f64;
            let k = ((h - 1) / 7) as f64;
            let closed = 1.0
                + a * a * (hf - 1.0)
                + g * k * (2.0 * a + g)
                + b * phi * hf / (1.0 - phi).powi(2) * (2.0 * a * (1.0 - phi) + b * phi)
                - b * phi * (1.0 - phi.powf(hf)) / ((1.0 - phi).powi(2) * (1.0 - phi * phi))
                    * (2.0 * a * (1.0 - phi * phi) + b * phi * (1.0 + 2.0 * phi - phi.powf(hf)))
                + 2.0 * b * g * phi / ((1.0 - phi) * (1.0 - phi.powf(m)))
                    * (k * (1.0 - phi.powf(m)) - phi.powf(m) * (1.0 - phi.powf(m * k)));
            assert!(
                (v[h - 1] - closed).abs() < 1e-9 * closed,
                "h={h}: {} vs {closed}",
                v[h - 1]
            );
        }
    }

    #[test]
    fn optimiser_stays_in_the_admissible_region_and_beats_the_grid() {
        let mut y = weekly(90, 0.2);
        // Deterministic wiggle so the optimum is interior-ish.
        for (t, v) in y.iter_mut().enumerate() {
            *v += ((t * 37 % 11) as f64 - 5.0) * 0.8;
        }
        let init = heuristic_init(&y).unwrap();
        for kind in [TrendKind::Additive, TrendKind::Damped] {
            let (p, f) = optimise(&y, &init, kind);
            assert!((0.0..=1.0).contains(&p.alpha));
            assert!(p.beta >= 0.0 && p.beta <= p.alpha);
            assert!(p.gamma >= 0.0 && p.gamma <= 1.0 - p.alpha + 1e-15);
            match kind {
                TrendKind::Additive => assert_eq!(p.phi, 1.0),
                TrendKind::Damped => assert!((PHI_MIN..=PHI_MAX).contains(&p.phi)),
            }
            assert!((f - sse(&y, &p, &init)).abs() <= 1e-9 * f);
            let start = sse(&y, &from_unit(&[0.25, 0.3, 0.3, 0.5], kind), &init);
            assert!(f < start);
        }
    }
}
