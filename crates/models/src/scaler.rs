//! Standard scaling: each feature minus its training mean, divided by its training standard
//! deviation (population form, as scikit-learn's `StandardScaler`). Without it revenue, in
//! hundreds of thousands of won, would decide every k-means distance alone.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl Scaler {
    /// Fit on the rows of `x`. A constant column gets std 1 so it scales to all zeros instead
    /// of dividing by zero; "constant" allows rounding noise relative to the column's size.
    pub fn fit(x: ArrayView2<f64>) -> Scaler {
        let n = x.nrows().max(1) as f64;
        let mut mean = Vec::with_capacity(x.ncols());
        let mut std = Vec::with_capacity(x.ncols());
        for col in x.axis_iter(Axis(1)) {
            let m = col.sum() / n;
            // Two passes: the one-pass formula loses all precision on revenue-sized numbers.
            let var = col.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
            let s = var.sqrt();
            mean.push(m);
            std.push(if s > 1e-9 * (1.0 + m.abs()) { s } else { 1.0 });
        }
        Scaler { mean, std }
    }

    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    pub fn transform_row(&self, row: &[f64]) -> Vec<f64> {
        row.iter()
            .zip(self.mean.iter().zip(&self.std))
            .map(|(v, (m, s))| (v - m) / s)
            .collect()
    }

    pub fn inverse_row(&self, z: &[f64]) -> Vec<f64> {
        z.iter()
            .zip(self.mean.iter().zip(&self.std))
            .map(|(v, (m, s))| v * s + m)
            .collect()
    }

    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = x.to_owned();
        for (j, mut col) in out.axis_iter_mut(Axis(1)).enumerate() {
            let (m, s) = (self.mean[j], self.std[j]);
            col.mapv_inplace(|v| (v - m) / s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scales_to_zero_mean_unit_std_and_leaves_constant_columns_at_zero() {
        let x = array![
            [1.0, 5.0, 1e6],
            [3.0, 5.0, 1e6 + 2.0],
            [5.0, 5.0, 1e6 + 4.0]
        ];
        let s = Scaler::fit(x.view());
        assert_eq!(s.mean[0], 3.0);
        assert!((s.std[0] - (8.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.std[1], 1.0);
        assert!((s.std[2] - s.std[0]).abs() < 1e-9);
        let z = s.transform(x.view());
        for j in 0..3 {
            let col = z.column(j);
            assert!(col.sum().abs() < 1e-9);
        }
        assert!(z.column(1).iter().all(|v| *v == 0.0));
        let back = s.inverse_row(&s.transform_row(&[4.0, 5.0, 1e6 + 1.0]));
        assert!((back[0] - 4.0).abs() < 1e-12 && (back[2] - (1e6 + 1.0)).abs() < 1e-6);
    }
}
