//! Offline evaluation by leave-last-out: hide each customer's latest event, build the model on
//! everything else, and check whether the hidden item is among the top k recommended — for
//! each algorithm and for a most-popular baseline, on the same customers.

use crate::catalogue::{Catalogue, Profile};
use crate::error::RecommendError;
use crate::model::Model;
use crate::packages::excluded_for;
use crate::serve::recommend;
use crate::text::round3;
use crate::types::{Algorithm, Kind, Request};
use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MIN_VISITS_FOR_SERVICE_EVAL: usize = 3;
pub const MIN_PURCHASES_FOR_PACKAGE_EVAL: usize = 2;
/// With five services top-5 always contains the held-out one, so services are judged at 1 and
/// 3. Packages (about eight templates) are judged at 5.
pub const SERVICE_KS: [usize; 2] = [1, 3];
pub const PACKAGE_K: usize = 5;
/// A verdict on fewer customers than this is noise; `beats_baseline` stays false.
pub const MIN_CUSTOMERS_FOR_VERDICT: usize = 20;
/// Two-sided 5 % on the paired difference of hits (normal approximation).
pub const Z_CRITICAL: f64 = 1.96;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The cut-off: hit-rate@k.
    pub k: usize,
    pub hit_rate: f64,
    pub baseline_hit_rate: f64,
    /// `hit_rate - baseline_hit_rate`; negative is a loss and is reported as such.
    pub difference: f64,
    /// Paired z statistic of the difference (per customer: hit minus baseline hit).
    pub z: f64,
    /// Higher than the baseline with z ≥ 1.96 on at least 20 customers.
    pub beats_baseline: bool,
    /// Lower than the baseline with z ≤ -1.96 on at least 20 customers.
    pub loses_to_baseline: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmResult {
    pub algorithm: Algorithm,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// What was held out and from whom.
    pub held_out: String,
    pub customers_evaluated: usize,
    /// Always `most_popular`: the item(s) with the most (decayed) visits or purchases in the
    /// training data, the same list for everybody.
    pub baseline: String,
    pub results: Vec<AlgorithmResult>,
    /// Packages only: held-out purchases of a package the holding rules would not have
    /// offered that day (bought while unused sessions of it, or of all its services, were
    /// held). Every one is a miss for the algorithms and not for the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_excluded_by_rules: Option<usize>,
}

impl Section {
    pub fn metric(&self, algorithm: Algorithm, k: usize) -> Option<&Metric> {
        self.results
            .iter()
            .find(|r| r.algorithm == algorithm)?
            .metrics
            .iter()
            .find(|m| m.k == k)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub today: NaiveDate,
    pub services: Section,
    pub packages: Section,
    pub notes: Vec<String>,
}

/// [`evaluate_with_profiles`] without profiles: content-based then works from past services
/// and preferred services only.
pub fn evaluate(
    histories: &[CustomerHistory],
    catalogue: &Catalogue,
    today: NaiveDate,
) -> Result<EvaluationReport, RecommendError> {
    evaluate_with_profiles(histories, &BTreeMap::new(), catalogue, today)
}

/// Leave-last-out evaluation.
///
/// Services: customers with at least three visits (on or before `today`) lose their last
/// visit, and everything on or after its day (other visits that day, purchases); the model is
/// built on all customers with those cuts, and each is served as of the held-out day.
/// Packages: customers with at least two purchases lose their last purchase and everything on
/// or after its day, the same way. Feedback is not used (there is none for the past).
///
/// Other customers' later events stay in the training data — the usual leave-last-out
/// compromise; a strict time split would be fairer and is noted in the report.
pub fn evaluate_with_profiles(
    histories: &[CustomerHistory],
    profiles: &BTreeMap<String, Profile>,
    catalogue: &Catalogue,
    today: NaiveDate,
) -> Result<EvaluationReport, RecommendError> {
    let empty = Profile::default();
    let profile_of = |h: &CustomerHistory| profiles.get(&h.customer_id).unwrap_or(&empty);

    // Services.
    let mut train = Vec::with_capacity(histories.len());
    let mut cases = Vec::new();
    for h in histories {
        let live: Vec<_> = h.visits.iter().filter(|v| v.date <= today).collect();
        match live.last() {
            Some(last) if live.len() >= MIN_VISITS_FOR_SERVICE_EVAL => {
                cases.push((train.len(), last.service, last.date));
                train.push(cut(h, last.date));
            }
            _ => train.push(h.clone()),
        }
    }
    let model = Model::build(&train, catalogue, &[], today)?;
    let popular = model.popular_services();
    let max_k = SERVICE_KS.iter().copied().max().unwrap_or(1);
    let mut hits: Vec<Vec<Vec<bool>>> = vec![vec![Vec::new(); SERVICE_KS.len()]; 3];
    let mut base: Vec<Vec<bool>> = vec![Vec::new(); SERVICE_KS.len()];
    for (i, target, day) in &cases {
        let h = &train[*i];
        for (a, alg) in Algorithm::ALL.into_iter().enumerate() {
            let recs = recommend(
                &model,
                h,
                profile_of(h),
                Request::new(Kind::Service, max_k, alg),
                &[],
                *day,
            );
            for (n, k) in SERVICE_KS.iter().enumerate() {
                hits[a][n].push(recs.iter().take(*k).any(|r| r.item.code == target.as_str()));
            }
        }
        for (n, k) in SERVICE_KS.iter().enumerate() {
            base[n].push(popular.iter().take(*k).any(|s| s == target));
        }
    }
    let services = Section {
        held_out: format!(
            "last visit of each customer with ≥ {MIN_VISITS_FOR_SERVICE_EVAL} visits"
        ),
        customers_evaluated: cases.len(),
        baseline: "most_popular".into(),
        targets_excluded_by_rules: None,
        results: Algorithm::ALL
            .into_iter()
            .enumerate()
            .map(|(a, algorithm)| AlgorithmResult {
                algorithm,
                metrics: SERVICE_KS
                    .iter()
                    .enumerate()
                    .map(|(n, k)| metric(*k, &hits[a][n], &base[n]))
                    .collect(),
            })
            .collect(),
    };

    // Packages.
    let mut train = Vec::with_capacity(histories.len());
    let mut cases = Vec::new();
    let mut unknown_targets = 0usize;
    let known = |id: &str, name: &str| {
        catalogue
            .packages
            .iter()
            .find(|p| p.id == id)
            .or_else(|| catalogue.packages.iter().find(|p| p.name == name))
            .map(|p| p.id.clone())
    };
    for h in histories {
        let live: Vec<_> = h.purchases.iter().filter(|p| p.date <= today).collect();
        match live.last() {
            Some(last) if live.len() >= MIN_PURCHASES_FOR_PACKAGE_EVAL => {
                match known(&last.package_id, &last.package_name) {
                    Some(id) => {
                        cases.push((train.len(), id, last.date));
                        train.push(cut(h, last.date));
                    }
                    None => {
                        // Nothing can recommend a retired template; counting these as
                        // misses for everyone would only dilute both rates.
                        unknown_targets += 1;
                        train.push(h.clone());
                    }
                }
            }
            _ => train.push(h.clone()),
        }
    }
    let model = Model::build(&train, catalogue, &[], today)?;
    let popular: Vec<String> = model
        .popular_packages()
        .into_iter()
        .map(|k| catalogue.packages[k].id.clone())
        .collect();
    let mut phits: Vec<Vec<bool>> = vec![Vec::new(); 3];
    let mut pbase: Vec<bool> = Vec::new();
    let mut excluded = 0usize;
    for (i, target, day) in &cases {
        let h = &train[*i];
        if model
            .package_index(target, "")
            .is_some_and(|k| excluded_for(&model, h, k, *day))
        {
            excluded += 1;
        }
        for (a, alg) in Algorithm::ALL.into_iter().enumerate() {
            let recs = recommend(
                &model,
                h,
                profile_of(h),
                Request::new(Kind::Package, PACKAGE_K, alg),
                &[],
                *day,
            );
            phits[a].push(recs.iter().any(|r| &r.item.code == target));
        }
        pbase.push(popular.iter().take(PACKAGE_K).any(|p| p == target));
    }
    let packages = Section {
        held_out: format!(
            "last purchase of each customer with ≥ {MIN_PURCHASES_FOR_PACKAGE_EVAL} purchases"
        ),
        customers_evaluated: cases.len(),
        baseline: "most_popular".into(),
        targets_excluded_by_rules: Some(excluded),
        results: Algorithm::ALL
            .into_iter()
            .enumerate()
            .map(|(a, algorithm)| AlgorithmResult {
                algorithm,
                metrics: vec![metric(PACKAGE_K, &phits[a], &pbase)],
            })
            .collect(),
    };

    let mut notes = vec![
        "With five services hit-rate@5 is always 1.0, so services are reported at @1 and @3."
            .to_string(),
        format!(
            "Packages: hit-rate@{PACKAGE_K} of the next purchase among {} templates; the \
             holding rules (no re-sale of an active package) apply to the algorithms but not \
             to the baseline.",
            catalogue.packages.len()
        ),
        "Leave-last-out keeps other customers' later events in training; a strict time split \
         would be stricter."
            .to_string(),
    ];
    if excluded > 0 {
        notes.push(format!(
            "{excluded} of {} held-out purchases were of packages the holding rules would not \
             offer that day; they count as misses for every algorithm.",
            packages.customers_evaluated
        ));
    }
    if unknown_targets > 0 {
        notes.push(format!(
            "{unknown_targets} customers were skipped for packages: their last purchase is of a \
             template no longer in the catalogue."
        ));
    }
    for (name, s) in [("services", &services), ("packages", &packages)] {
        if s.customers_evaluated < MIN_CUSTOMERS_FOR_VERDICT {
            notes.push(format!(
                "Only {} customers could be evaluated for {name}: no verdict (beats_baseline \
                 is false).",
                s.customers_evaluated
            ));
        }
    }
    Ok(EvaluationReport {
        today,
        services,
        packages,
        notes,
    })
}

/// The history as known before `day`: visits and purchases strictly earlier.
fn cut(h: &CustomerHistory, day: NaiveDate) -> CustomerHistory {
    CustomerHistory {
        visits: h.visits.iter().filter(|v| v.date < day).cloned().collect(),
        purchases: h
            .purchases
            .iter()
            .filter(|p| p.date < day)
            .cloned()
            .collect(),
        ..h.clone()
    }
}

fn metric(k: usize, hits: &[bool], base: &[bool]) -> Metric {
    let n = hits.len().min(base.len());
    if n == 0 {
        return Metric {
            k,
            hit_rate: 0.0,
            baseline_hit_rate: 0.0,
            difference: 0.0,
            z: 0.0,
            beats_baseline: false,
            loses_to_baseline: false,
        };
    }
    let nf = n as f64;
    let rate = hits[..n].iter().filter(|h| **h).count() as f64 / nf;
    let brate = base[..n].iter().filter(|h| **h).count() as f64 / nf;
    let diffs: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from(hits[i])) - f64::from(u8::from(base[i])))
        .collect();
    let mean = diffs.iter().sum::<f64>() / nf;
    let var = (diffs.iter().map(|d| d * d).sum::<f64>() / nf - mean * mean).max(0.0);
    let se = (var / nf).sqrt();
    // Every customer moved the same way: the statistic is unbounded; 99 keeps it finite for
    // JSON while reading as "certain".
    let z = if se > 0.0 {
        (mean / se).clamp(-99.0, 99.0)
    } else if mean > 0.0 {
        99.0
    } else if mean < 0.0 {
        -99.0
    } else {
        0.0
    };
    let enough = n >= MIN_CUSTOMERS_FOR_VERDICT;
    Metric {
        k,
        hit_rate: round3(rate),
        baseline_hit_rate: round3(brate),
        difference: round3(rate - brate),
        z: round3(z),
        beats_baseline: enough && z >= Z_CRITICAL,
        loses_to_baseline: enough && z <= -Z_CRITICAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_needs_a_significant_paired_difference() {
        let a = vec![true; 30];
        let b = vec![false; 30];
        let m = metric(1, &a, &b);
        assert!(m.beats_baseline && m.z > 50.0);
        // One more hit in thirty is no evidence.
        let mut c = vec![false; 30];
        c[0] = true;
        let m = metric(1, &c, &b);
        assert!(!m.beats_baseline && m.difference > 0.0);
        // Too few customers: no verdict even when all hit.
        let m = metric(1, &a[..10], &b[..10]);
        assert!(!m.beats_baseline);
        let m = metric(1, &b, &a);
        assert!(m.loses_to_baseline && m.difference < 0.0);
    }
}
