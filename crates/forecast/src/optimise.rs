//! A small deterministic Nelder–Mead minimiser on the unit cube.
//!
//! Hand-written rather than a dependency: the problem is 3–4 dimensional and
//! cheap to evaluate, and the method is forty lines. Points are clamped to
//! [0, 1] as they are proposed, so the objective is only ever evaluated
//! inside the admissible region and parameters can settle exactly on a bound
//! (β = 0 or γ = 0 are common optima for short clinic series).

/// Minimises `f` from `x0`, with an initial simplex of edge `step` (turned
/// inwards where it would leave the cube), for at most `max_evals`
/// evaluations. Returns the best vertex and its value.
pub fn nelder_mead(
    f: &impl Fn(&[f64]) -> f64,
    x0: &[f64],
    step: f64,
    max_evals: usize,
) -> (Vec<f64>, f64) {
    let n = x0.len();
    let clamp = |x: Vec<f64>| -> Vec<f64> { x.into_iter().map(|v| v.clamp(0.0, 1.0)).collect() };

    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let start = clamp(x0.to_vec());
    simplex.push((start.clone(), f(&start)));
    for i in 0..n {
        let mut x = start.clone();
        x[i] = if x[i] + step <= 1.0 {
            x[i] + step
        } else {
            x[i] - step
        };
        let x = clamp(x);
        let v = f(&x);
        simplex.push((x, v));
    }
    let mut evals = n + 1;

    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[n].1;
        let spread = simplex
            .iter()
            .skip(1)
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0_f64, f64::max);
        if (worst - best).abs() <= 1e-12 * best.abs().max(1e-300) && spread <= 1e-9 {
            break;
        }
        if spread <= 1e-12 {
            // Collapsed onto a face of the cube: only a restart can move on.
            break;
        }

        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / n as f64)
            .collect();
        let towards = |coef: f64| -> Vec<f64> {
            clamp(
                centroid
                    .iter()
                    .zip(&simplex[n].0)
                    .map(|(c, w)| c + coef * (c - w))
                    .collect(),
            )
        };

        let xr = towards(1.0);
        let fr = f(&xr);
        evals += 1;
        if fr < simplex[0].1 {
            let xe = towards(2.0);
            let fe = f(&xe);
            evals += 1;
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
            continue;
        }
        // Contract: outside if the reflection beat the worst, inside otherwise.
        let (xc, fc) = if fr < simplex[n].1 {
            let x = towards(0.5);
            let v = f(&x);
            (x, v)
        } else {
            let x = towards(-0.5);
            let v = f(&x);
            (x, v)
        };
        evals += 1;
        if fc < simplex[n].1.min(fr) {
            simplex[n] = (xc, fc);
            continue;
        }
        // Shrink everything towards the best vertex.
        let x_best = simplex[0].0.clone();
        for vertex in simplex.iter_mut().skip(1) {
            let x = clamp(
                x_best
                    .iter()
                    .zip(&vertex.0)
                    .map(|(b, v)| b + 0.5 * (v - b))
                    .collect(),
            );
            let v = f(&x);
            *vertex = (x, v);
            evals += 1;
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    (x, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_an_interior_minimum() {
        let f =
            |x: &[f64]| (x[0] - 0.3).powi(2) + 10.0 * (x[1] - 0.7).powi(2) + (x[2] - 0.45).powi(2);
        let (x, v) = nelder_mead(&f, &[0.9, 0.1, 0.9], 0.1, 2000);
        assert!(v < 1e-12, "{v}");
        for (got, want) in x.iter().zip([0.3, 0.7, 0.45]) {
            assert!((got - want).abs() < 1e-5, "{x:?}");
        }
    }

    #[test]
    fn settles_on_a_bound_when_the_minimum_is_outside() {
        // Unconstrained minimum at (−0.5, 1.5): the constrained one is (0, 1).
        let f = |x: &[f64]| (x[0] + 0.5).powi(2) + (x[1] - 1.5).powi(2);
        let (x, _) = nelder_mead(&f, &[0.5, 0.5], 0.1, 2000);
        assert!(x[0].abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6, "{x:?}");
    }
}
