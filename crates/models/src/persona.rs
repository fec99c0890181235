//! Names for clusters. A cluster number means nothing to a receptionist; "이탈 위험 고객" does.
//!
//! Each archetype below is a direction in the scaled feature space (the centroid there is
//! already "how many standard deviations from the average customer"), e.g. "정기 방문 고객" =
//! +visits_90d +visits_per_month −recency_days. A centroid's score for an archetype is its
//! projection on that direction, w·z / ‖w‖: how far the cluster lies that way. Projection
//! (rather than a mean of the z-scores) lets a cluster that is high on all three "regular"
//! signs outscore one that is high on a single sign by the same amount.
//! Clusters and archetypes are then matched greedily, best score first, each used once, so
//! names are unique within a model and the most clear-cut cluster gets its name first. There
//! are more archetypes (9) than the largest k (8), so every cluster gets a name.
//!
//! The description is built from the centroid's standout features (|z| ≥ 0.5, at most three,
//! largest first) with the cluster's value and the overall mean in the feature's own unit, so
//! it can be checked against the numbers.

use crate::features::{Feature, N_FEATURES};
use crate::scaler::Scaler;
use serde::{Deserialize, Serialize};

/// A named cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    pub cluster_id: usize,
    /// Stable English key (`loyal_vip`, `at_risk`, …) for code and styling.
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// One Korean sentence.
    pub description: String,
    pub description_en: String,
    /// Training customers in the cluster, and their share of all training customers.
    pub size: usize,
    pub share: f64,
}

struct Archetype {
    key: &'static str,
    name: &'static str,
    name_en: &'static str,
    weights: &'static [(Feature, f64)],
}

use Feature::*;

/// `typical` has no weights: its score is computed apart (see [`archetype_score`]).
const ARCHETYPES: [Archetype; 9] = [
    Archetype {
        key: "loyal_vip",
        name: "충성 VIP 고객",
        name_en: "Loyal VIP",
        weights: &[(Revenue365d, 1.0), (Visits90d, 1.0), (TenureDays, 1.0)],
    },
    Archetype {
        key: "regular",
        name: "정기 방문 고객",
        name_en: "Regular visitor",
        weights: &[(Visits90d, 1.0), (VisitsPerMonth, 1.0), (RecencyDays, -1.0)],
    },
    Archetype {
        key: "package_focused",
        name: "패키지 중심 고객",
        name_en: "Package-focused",
        weights: &[(PackageShare, 1.0)],
    },
    Archetype {
        key: "at_risk",
        name: "이탈 위험 고객",
        name_en: "At risk of churn",
        // Used to come often, has not lately: a habit breaking.
        weights: &[(VisitsPerMonth, 1.0), (RecencyDays, 1.0), (Visits90d, -1.0)],
    },
    Archetype {
        key: "dormant",
        name: "휴면 고객",
        name_en: "Dormant",
        // Absence counts double: dormancy is about how long, not how often they once came.
        weights: &[
            (RecencyDays, 2.0),
            (Visits90d, -1.0),
            (VisitsPerMonth, -1.0),
        ],
    },
    Archetype {
        key: "new_explorer",
        name: "신규 탐색 고객",
        name_en: "New explorer",
        weights: &[(TenureDays, -2.0), (ServiceDiversity, 1.0)],
    },
    Archetype {
        key: "occasional",
        name: "가끔 방문 고객",
        name_en: "Occasional visitor",
        weights: &[
            (Visits90d, -1.0),
            (VisitsPerMonth, -1.0),
            (PackageShare, -1.0),
        ],
    },
    Archetype {
        key: "multi_service",
        name: "다양한 서비스 이용 고객",
        name_en: "Multi-service user",
        weights: &[(ServiceDiversity, 1.0)],
    },
    Archetype {
        key: "typical",
        name: "일반 고객",
        name_en: "Typical customer",
        weights: &[],
    },
];

/// A feature is a "standout" from this many standard deviations; below it the description
/// would be narrating noise.
pub const STANDOUT_Z: f64 = 0.5;

fn archetype_score(a: &Archetype, z: &[f64]) -> f64 {
    if a.weights.is_empty() {
        // Positive only when no feature stands out: the cluster of average customers.
        let max_abs = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        return STANDOUT_Z - max_abs;
    }
    let norm: f64 = a.weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    a.weights.iter().map(|(f, w)| w * z[f.index()]).sum::<f64>() / norm
}

/// Name every cluster. `centroids_z` are in the scaled space; `sizes` the training members.
pub fn name_clusters(centroids_z: &[Vec<f64>], scaler: &Scaler, sizes: &[usize]) -> Vec<Persona> {
    let k = centroids_z.len();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(k * ARCHETYPES.len());
    for (c, z) in centroids_z.iter().enumerate() {
        for (a, arch) in ARCHETYPES.iter().enumerate() {
            pairs.push((archetype_score(arch, z), c, a));
        }
    }
    // Best score first; equal scores fall back to cluster and archetype order so the result
    // never depends on sort stability.
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut chosen: Vec<Option<usize>> = vec![None; k];
    let mut used = [false; ARCHETYPES.len()];
    for (_, c, a) in pairs {
        if chosen[c].is_none() && !used[a] {
            chosen[c] = Some(a);
            used[a] = true;
        }
    }
    let total: usize = sizes.iter().sum();
    centroids_z
        .iter()
        .enumerate()
        .map(|(c, z)| {
            // k ≤ 8 < 9 archetypes, so every cluster found a free one; the fallback only
            // guards against a caller passing more clusters than archetypes.
            let arch = &ARCHETYPES[chosen[c].unwrap_or(ARCHETYPES.len() - 1)];
            let raw = scaler.inverse_row(z);
            let (description, description_en) = describe(z, &raw, &scaler.mean);
            let size = sizes.get(c).copied().unwrap_or(0);
            Persona {
                cluster_id: c,
                key: arch.key.to_string(),
                name: arch.name.to_string(),
                name_en: arch.name_en.to_string(),
                description,
                description_en,
                size,
                share: if total > 0 {
                    size as f64 / total as f64
                } else {
                    0.0
                },
            }
        })
        .collect()
}

struct Wording {
    subject: &'static str,
    particle: &'static str,
    /// (connective, adnominal) forms of the predicate when the value is high / low.
    high: (&'static str, &'static str),
    low: (&'static str, &'static str),
}

fn wording(f: Feature) -> Wording {
    const MANY: (&str, &str) = ("많고", "많은");
    const FEW: (&str, &str) = ("적고", "적은");
    const HIGH: (&str, &str) = ("높고", "높은");
    const LOW: (&str, &str) = ("낮고", "낮은");
    const LONG: (&str, &str) = ("길고", "긴");
    const SHORT: (&str, &str) = ("짧고", "짧은");
    let (subject, particle, high, low) = match f {
        Age => ("연령", "이", HIGH, LOW),
        TenureDays => ("가입 기간", "이", LONG, SHORT),
        RecencyDays => ("마지막 방문 후 경과일", "이", LONG, SHORT),
        Visits90d => ("최근 90일 방문", "이", MANY, FEW),
        VisitsPerMonth => ("월평균 방문", "이", MANY, FEW),
        Revenue365d => ("최근 1년 결제액", "이", ("크고", "큰"), ("작고", "작은")),
        PackageShare => ("패키지 이용 비중", "이", HIGH, LOW),
        ServiceDiversity => ("이용 서비스 종류", "가", MANY, FEW),
        AvgRating => ("평균 만족도", "가", HIGH, LOW),
    };
    Wording {
        subject,
        particle,
        high,
        low,
    }
}

/// The standout features of a centroid, largest |z| first.
pub fn standouts(z: &[f64]) -> Vec<Feature> {
    let mut idx: Vec<usize> = (0..N_FEATURES.min(z.len()))
        .filter(|&i| z[i].abs() >= STANDOUT_Z)
        .collect();
    idx.sort_by(|&a, &b| z[b].abs().total_cmp(&z[a].abs()).then(a.cmp(&b)));
    idx.truncate(3);
    idx.into_iter().map(|i| Feature::ALL[i]).collect()
}

/// One Korean and one English sentence about a centroid.
pub fn describe(z: &[f64], raw: &[f64], mean: &[f64]) -> (String, String) {
    let features = standouts(z);
    if features.is_empty() {
        return (
            "모든 지표가 전체 평균에 가까운 고객군입니다.".to_string(),
            "Customers close to the overall average on every measure.".to_string(),
        );
    }
    let mut ko = Vec::with_capacity(features.len());
    let mut en = Vec::with_capacity(features.len());
    for (n, f) in features.iter().enumerate() {
        let i = f.index();
        let w = wording(*f);
        let high = z[i] > 0.0;
        let (conn, adn) = if high { w.high } else { w.low };
        let last = n + 1 == features.len();
        ko.push(format!(
            "{}({}, 전체 평균 {}){} {}",
            w.subject,
            f.format_ko(raw[i]),
            f.format_ko(mean[i]),
            w.particle,
            if last { adn } else { conn }
        ));
        en.push(format!(
            "{} {} average ({} vs {})",
            f.info().label_en,
            if high { "above" } else { "below" },
            f.format_en(raw[i]),
            f.format_en(mean[i])
        ));
    }
    let en_text = match en.len() {
        1 => en[0].clone(),
        _ => {
            let (last, rest) = en
                .split_last()
                .map_or((String::new(), &en[..0]), |(l, r)| (l.clone(), r));
            format!("{} and {}", rest.join(", "), last)
        }
    };
    (
        format!("{} 고객군입니다.", ko.join(" ")),
        format!("Customers with {en_text}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_scaler() -> Scaler {
        Scaler {
            mean: vec![40.0, 400.0, 30.0, 4.0, 2.0, 500_000.0, 0.4, 2.0, 4.0],
            std: vec![10.0, 200.0, 40.0, 3.0, 1.5, 400_000.0, 0.3, 1.0, 0.5],
        }
    }

    fn z(pairs: &[(Feature, f64)]) -> Vec<f64> {
        let mut v = vec![0.0; N_FEATURES];
        for (f, x) in pairs {
            v[f.index()] = *x;
        }
        v
    }

    #[test]
    fn archetypes_are_recognised_from_their_signature() {
        let centroids = vec![
            z(&[(PackageShare, 1.8), (Visits90d, 1.0), (RecencyDays, -0.6)]),
            z(&[
                (RecencyDays, 2.0),
                (Visits90d, -1.2),
                (VisitsPerMonth, -0.8),
            ]),
            z(&[(TenureDays, -1.5), (ServiceDiversity, 0.6)]),
            z(&[(Age, 0.1)]),
        ];
        let p = name_clusters(&centroids, &unit_scaler(), &[10, 20, 30, 40]);
        let keys: Vec<&str> = p.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["package_focused", "dormant", "new_explorer", "typical"]
        );
        assert_eq!(p[1].size, 20);
        assert!((p[3].share - 0.4).abs() < 1e-12);
    }

    #[test]
    fn names_stay_unique_when_clusters_look_alike() {
        let same = z(&[(PackageShare, 1.5)]);
        let centroids = vec![same.clone(); 8];
        let p = name_clusters(&centroids, &unit_scaler(), &[1; 8]);
        let mut names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 8);
        assert_eq!(p[0].key, "package_focused");
    }

    #[test]
    fn description_names_standouts_with_values_in_their_units() {
        let s = unit_scaler();
        let zc = z(&[(Visits90d, 2.0), (PackageShare, 1.0), (RecencyDays, -0.2)]);
        let raw = s.inverse_row(&zc);
        let (ko, en) = describe(&zc, &raw, &s.mean);
        assert_eq!(
            ko,
            "최근 90일 방문(10.0회, 전체 평균 4.0회)이 많고 \
             패키지 이용 비중(70%, 전체 평균 40%)이 높은 고객군입니다."
        );
        assert!(en.contains("visits in the last 90 days above average (10.0 vs 4.0)"));
        let (flat, _) = describe(&[0.1; N_FEATURES], &s.mean, &s.mean);
        assert!(flat.contains("평균에 가까운"));
    }
}
