//! End-to-end tests on synthetic clinics with known structure (see `common`): three kinds of
//! customer, generated from a fixed seed, so each test knows the right answer.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_models::*;
use common::{clinic, today, Generator, Kind};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const PER_KIND: usize = 120;

fn trained_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 3, 0, 0)
        .single()
        .expect("valid time")
}

struct Fixture {
    histories: Vec<CustomerHistory>,
    kinds: Vec<Kind>,
    artifact: Artifact,
    report: TrainReport,
    progress: Vec<TrainProgress>,
}

/// One training shared by the tests that only read it.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (histories, kinds) = clinic(common::SEED, PER_KIND);
        let mut progress = Vec::new();
        let (artifact, report) = train(&histories, today(), "test-1", trained_at(), &mut |p| {
            progress.push(p)
        })
        .expect("training on 360 customers succeeds");
        Fixture {
            histories,
            kinds,
            artifact,
            report,
            progress,
        }
    })
}

/// Cluster of each training customer, through the public serving path.
fn clusters_by_kind(f: &Fixture) -> HashMap<Kind, HashMap<usize, usize>> {
    let mut out: HashMap<Kind, HashMap<usize, usize>> = HashMap::new();
    for (h, kind) in f.histories.iter().zip(&f.kinds) {
        let a = predict(&f.artifact, &Profile::from_history(h, today())).expect("valid profile");
        *out.entry(*kind)
            .or_default()
            .entry(a.cluster_id)
            .or_default() += 1;
    }
    out
}

fn majority(counts: &HashMap<usize, usize>) -> (usize, usize) {
    counts
        .iter()
        .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
        .map(|(c, n)| (*c, *n))
        .expect("non-empty")
}

#[test]
fn kmeans_finds_the_three_kinds_of_customer() {
    let f = fixture();
    let r = &f.report;
    eprintln!(
        "k = {}, silhouette = {:.3}, per k: {:?}",
        r.k,
        r.silhouette,
        r.per_k
            .iter()
            .map(|s| (
                s.k,
                s.inertia.map(|i| i.round()),
                s.silhouette.map(|x| (x * 1000.0).round() / 1000.0)
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(r.k, 3, "three kinds were generated");
    assert!(r.silhouette > 0.45, "silhouette {}", r.silhouette);
    // k = 3 won on silhouette, every k was measured, and inertia falls as k grows (elbow data).
    assert_eq!(
        r.per_k.iter().map(|s| s.k).collect::<Vec<_>>(),
        (2..=8).collect::<Vec<_>>()
    );
    let best = r
        .per_k
        .iter()
        .filter_map(|s| s.silhouette)
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(best, r.silhouette);
    let inertias: Vec<f64> = r
        .per_k
        .iter()
        .map(|s| s.inertia.expect("measured"))
        .collect();
    assert!(inertias.windows(2).all(|w| w[1] < w[0]), "{inertias:?}");
    assert!(r.criterion.contains("silhouette"));

    // Each kind lives (almost entirely) in its own cluster.
    let by_kind = clusters_by_kind(f);
    let mut majorities = HashSet::new();
    for kind in [Kind::Regular, Kind::Occasional, Kind::Fading] {
        let (cluster, n) = majority(&by_kind[&kind]);
        assert!(
            n as f64 >= 0.95 * PER_KIND as f64,
            "{kind:?}: {:?}",
            by_kind[&kind]
        );
        majorities.insert(cluster);
    }
    assert_eq!(majorities.len(), 3);
}

#[test]
fn personas_are_named_for_what_the_clusters_are() {
    let f = fixture();
    let by_kind = clusters_by_kind(f);
    let key_of = |kind: Kind| {
        let (c, _) = majority(&by_kind[&kind]);
        f.artifact.personas[c].key.clone()
    };
    let regular = key_of(Kind::Regular);
    let occasional = key_of(Kind::Occasional);
    let fading = key_of(Kind::Fading);
    eprintln!("regular → {regular}, occasional → {occasional}, fading → {fading}");
    assert!(["regular", "loyal_vip", "package_focused"].contains(&regular.as_str()));
    assert_eq!(occasional, "occasional");
    assert!(["at_risk", "dormant"].contains(&fading.as_str()));

    let names: HashSet<&str> = f
        .artifact
        .personas
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names.len(), f.artifact.personas.len());
    for p in &f.artifact.personas {
        eprintln!("{} ({}): {}", p.name, p.name_en, p.description);
        assert!(
            p.description.ends_with("고객군입니다."),
            "{}",
            p.description
        );
        assert!(p.name.chars().any(|c| ('가'..='힣').contains(&c)));
        assert!(!p.name_en.is_empty() && p.description_en.starts_with("Customers"));
    }
    // The fading customers' description speaks of their absence.
    let (c, _) = majority(&by_kind[&Kind::Fading]);
    assert!(f.artifact.personas[c]
        .description
        .contains("마지막 방문 후 경과일"));
    // Sizes add up to the customers trained on.
    let total: usize = f.artifact.personas.iter().map(|p| p.size).sum();
    assert_eq!(total, 3 * PER_KIND);
}

#[test]
fn a_new_typical_member_of_each_kind_lands_in_its_group() {
    let f = fixture();
    let by_kind = clusters_by_kind(f);
    // Customers the model never saw, from another seed.
    let mut g = Generator::new(999);
    for kind in [Kind::Regular, Kind::Occasional, Kind::Fading] {
        let (expected, _) = majority(&by_kind[&kind]);
        let profiles: Vec<Profile> = (0..20)
            .map(|_| Profile::from_history(&g.of(kind), today()))
            .collect();
        let results = predict_batch(&f.artifact, &profiles);
        let hits = results
            .iter()
            .filter(|r| r.as_ref().map(|a| a.cluster_id) == Ok(expected))
            .count();
        assert!(hits >= 18, "{kind:?}: {hits}/20 in cluster {expected}");
    }

    // A hand-written weekly package customer, posted as the API body.
    let posted: Profile = serde_json::from_value(json!({
        "age": 58, "tenure_days": 800, "recency_days": 4, "visits_90d": 12,
        "visits_per_month": 4.2, "revenue_365d": 3_000_000, "package_share": 0.9,
        "service_diversity": 3, "avg_rating": 4.6
    }))
    .expect("valid body");
    let a = predict(&f.artifact, &posted).expect("valid profile");
    let (regular_cluster, _) = majority(&by_kind[&Kind::Regular]);
    assert_eq!(a.cluster_id, regular_cluster);
    assert_eq!(a.persona, f.artifact.personas[regular_cluster].name);
    // Closer to its own centroid than an unusual member would be.
    assert!(a.distance < 2.0, "distance {}", a.distance);
}

#[test]
fn missing_optional_values_are_imputed_with_the_training_means() {
    let f = fixture();
    let means = &f.artifact.imputation_means;
    let mut with_gaps: Profile = serde_json::from_value(json!({
        "tenure_days": 500, "recency_days": 30, "visits_90d": 2,
        "visits_per_month": 1.0, "revenue_365d": 400_000, "service_diversity": 1
    }))
    .expect("optional fields may be absent");
    let gaps = predict(&f.artifact, &with_gaps).expect("valid");
    with_gaps.age = Some(means[Feature::Age.index()]);
    with_gaps.package_share = Some(means[Feature::PackageShare.index()]);
    with_gaps.avg_rating = Some(means[Feature::AvgRating.index()]);
    let filled = predict(&f.artifact, &with_gaps).expect("valid");
    assert_eq!(gaps, filled);
}

#[test]
fn churn_beats_the_recency_baseline_on_a_later_quarter() {
    let f = fixture();
    let m = f.report.churn.as_ref().expect("enough history for churn");
    eprintln!(
        "churn AUC {:.3} vs recency baseline {:.3}; train {} rows ({} churned), test {} rows ({} churned); precision {:?} recall {:.3} at {}",
        m.auc, m.baseline_auc, m.n_train, m.positives_train, m.n_test, m.positives_test,
        m.precision_at_threshold, m.recall_at_threshold, f.artifact.churn.as_ref().map_or(0.0, |c| c.threshold)
    );
    assert_eq!(m.train_cutoff, today() - Duration::days(180));
    assert_eq!(m.test_cutoff, today() - Duration::days(90));
    // The baseline is a real competitor here (fading customers do have long gaps) ...
    assert!(m.baseline_auc > 0.75, "baseline {}", m.baseline_auc);
    // ... and the model, which also sees the slow-down against the customer's own habit,
    // ranks better.
    assert!(m.beats_baseline);
    assert!(
        m.auc > m.baseline_auc + 0.03,
        "{} vs {}",
        m.auc,
        m.baseline_auc
    );
    assert!(m.positives_test >= 10 && m.positives_test < m.n_test);
    let served = f.artifact.churn.as_ref().expect("model");
    assert_eq!(served.fitted_cutoff, m.test_cutoff);
    // The habit-breaking signs push towards churn.
    assert!(served.coefficients[Feature::RecencyDays.index()] > 0.0);
    assert!(served.coefficients[Feature::Visits90d.index()] < 0.0);
}

#[test]
fn churn_risk_separates_fading_customers_from_regulars() {
    let f = fixture();
    let mut g = Generator::new(7);
    // Ten of each, never seen in training. The fading ones made their last visit in the past
    // two weeks after months of growing gaps: by the label's definition they are about to
    // churn, and today's features can show it.
    let regulars: Vec<ChurnPrediction> = (0..10)
        .map(|_| churn_probability(&f.artifact, &g.regular(), today()).expect("model present"))
        .collect();
    let fading: Vec<ChurnPrediction> = (0..10)
        .map(|i| {
            churn_probability(&f.artifact, &g.fading_stopping(2 + i), today())
                .expect("model present")
        })
        .collect();
    let mean =
        |v: &[ChurnPrediction]| v.iter().map(|p| p.probability).sum::<f64>() / v.len() as f64;
    eprintln!(
        "regulars {:?}\nfading {:?}",
        regulars
            .iter()
            .map(|p| (p.probability * 100.0).round())
            .collect::<Vec<_>>(),
        fading
            .iter()
            .map(|p| ((p.probability * 100.0).round(), p.active))
            .collect::<Vec<_>>()
    );
    assert!(regulars
        .iter()
        .all(|p| p.active && p.risk_level == RiskLevel::Low));
    assert!(
        mean(&fading) > mean(&regulars) + 0.3,
        "{} vs {}",
        mean(&fading),
        mean(&regulars)
    );
    let flagged = fading
        .iter()
        .filter(|p| p.risk_level != RiskLevel::Low)
        .count();
    assert!(flagged >= 7, "{flagged}/10 fading customers flagged");

    // Someone gone for 200 days is outside the model's population and always high risk.
    let lapsed = churn_probability(&f.artifact, &g.fading_stopping(200), today()).expect("model");
    assert!(!lapsed.active);
    assert_eq!(lapsed.risk_level, RiskLevel::High);

    let fa = fading
        .iter()
        .max_by(|a, b| a.probability.total_cmp(&b.probability))
        .expect("ten");
    // The explanation: at most three factors, largest first, the first pushing towards churn,
    // each with its Korean label.
    assert!(!fa.factors.is_empty() && fa.factors.len() <= 3);
    assert!(fa.factors[0].raises_risk);
    assert!(fa
        .factors
        .windows(2)
        .all(|w| w[0].contribution.abs() >= w[1].contribution.abs()));
    let labels: Vec<&str> = fa.factors.iter().map(|x| x.label_ko).collect();
    assert!(labels
        .iter()
        .all(|l| l.chars().any(|c| ('가'..='힣').contains(&c))));
    // The contribution is exactly coefficient × standardised value.
    let served = f.artifact.churn.as_ref().expect("model");
    for x in &fa.factors {
        let i = Feature::ALL
            .iter()
            .position(|ft| ft.name() == x.feature)
            .expect("known");
        assert!((x.contribution - served.coefficients[i] * x.z).abs() < 1e-12);
    }
    // Thresholds as documented.
    assert_eq!(served.risk_level(0.29), RiskLevel::Low);
    assert_eq!(served.risk_level(0.3), RiskLevel::Medium);
    assert_eq!(served.risk_level(0.6), RiskLevel::High);
}

#[test]
fn artifact_round_trips_exactly() {
    let f = fixture();
    let bytes = f.artifact.to_json();
    let back = Artifact::from_json(&bytes).expect("own output loads");
    assert_eq!(back, f.artifact);
    assert_eq!(back.to_json(), bytes);
    let p = Profile::from_history(&f.histories[0], today());
    assert_eq!(predict(&back, &p), predict(&f.artifact, &p));
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(v["format_version"], json!(FORMAT_VERSION));
    assert_eq!(v["model_version"], json!("test-1"));
    assert_eq!(v["trained_at"], json!("2026-03-01T03:00:00Z"));
    assert_eq!(
        v["feature_names"].as_array().map(Vec::len),
        Some(N_FEATURES)
    );
    assert_eq!(v["data_fingerprint"].as_str().map(str::len), Some(64));
}

#[test]
fn the_same_data_gives_the_same_model_and_other_data_another_fingerprint() {
    let f = fixture();
    let (again, _) =
        train(&f.histories, today(), "test-1", trained_at(), &mut |_| {}).expect("trains");
    assert_eq!(again.to_json(), f.artifact.to_json());

    let mut changed = f.histories.clone();
    changed[5].visits.pop();
    assert_ne!(
        artifact::data_fingerprint(&changed, today()),
        f.artifact.data_fingerprint
    );
    // Order of the input does not matter to the fingerprint.
    let mut reversed = f.histories.clone();
    reversed.reverse();
    assert_eq!(
        artifact::data_fingerprint(&reversed, today()),
        f.artifact.data_fingerprint
    );
}

fn mutate(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&fixture().artifact.to_json()).expect("json");
    f(&mut v);
    serde_json::to_vec(&v).expect("serialise")
}

fn refused(bytes: &[u8]) -> ArtifactError {
    let err = Artifact::from_json(bytes).expect_err("must be refused");
    let text = err.to_string();
    // Both languages, every time.
    assert!(text.contains(" / "), "{text}");
    assert!(text.chars().any(|c| ('가'..='힣').contains(&c)), "{text}");
    assert!(text.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
    err
}

#[test]
fn every_corrupt_or_mismatched_file_is_refused_with_its_reason() {
    use ArtifactError as E;

    assert!(matches!(refused(b"not json"), E::Json { .. }));
    let good = fixture().artifact.to_json();
    assert!(matches!(refused(&good[..good.len() / 2]), E::Json { .. }));
    assert!(matches!(refused(b""), E::Json { .. }));

    let e = refused(&mutate(|v| v["format_version"] = json!(2)));
    assert_eq!(
        e,
        E::UnsupportedFormat {
            found: 2,
            supported: 1
        }
    );
    assert!(e.to_string().contains("2"));

    match refused(&mutate(|v| v["format_version"] = json!("one"))) {
        E::Json { path, .. } => assert_eq!(path, "format_version"),
        other => panic!("{other:?}"),
    }
    match refused(&mutate(|v| {
        if let Some(o) = v.as_object_mut() {
            o.remove("scaler");
        }
    })) {
        E::Json { detail, .. } => assert!(detail.contains("scaler"), "{detail}"),
        other => panic!("{other:?}"),
    }
    match refused(&mutate(|v| v["centroids"][1][2] = Value::Null)) {
        E::Json { path, .. } => assert_eq!(path, "centroids[1][2]"),
        other => panic!("{other:?}"),
    }
    // A number too large for f64, written by hand.
    let text = String::from_utf8(good.clone()).expect("utf8");
    let huge = text.replacen("\"intercept\": ", "\"intercept\": 1e999", 1);
    let huge = huge.replacen("1e999", "1e999 + 0 * ", 0);
    let idx = huge.find("\"intercept\": 1e999").expect("inserted");
    let end = huge[idx..].find(',').expect("field end") + idx;
    let huge = format!("{}\"intercept\": 1e999{}", &huge[..idx], &huge[end..]);
    assert!(matches!(refused(huge.as_bytes()), E::Json { .. }));

    let e = refused(&mutate(|v| {
        if let Some(a) = v["feature_names"].as_array_mut() {
            a.swap(0, 1);
        }
    }));
    match e {
        E::FeatureMismatch { expected, found } => {
            assert_eq!(expected[0], "age");
            assert_eq!(found[0], "tenure_days");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        refused(&mutate(|v| {
            if let Some(a) = v["feature_names"].as_array_mut() {
                a.pop();
            }
        })),
        E::FeatureMismatch { .. }
    ));

    assert_eq!(
        refused(&mutate(|v| {
            if let Some(a) = v["centroids"][0].as_array_mut() {
                a.pop();
            }
        })),
        E::Dimension {
            what: "centroids[0]".into(),
            expected: N_FEATURES,
            found: N_FEATURES - 1
        }
    );
    assert!(matches!(
        refused(&mutate(|v| {
            if let Some(a) = v["scaler"]["mean"].as_array_mut() {
                a.pop();
            }
        })),
        E::Dimension { what, .. } if what == "scaler.mean"
    ));
    for bad_std in [json!(-1.0), json!(0.0)] {
        assert!(matches!(
            refused(&mutate(|v| v["scaler"]["std"][3] = bad_std.clone())),
            E::Invalid { what, .. } if what == "scaler.std"
        ));
    }
    assert!(matches!(
        refused(&mutate(|v| v["imputation_means"][8] = json!(9.0))),
        E::Invalid { what, detail } if what == "imputation_means" && detail.contains("avg_rating")
    ));
    assert_eq!(
        refused(&mutate(|v| {
            if let Some(a) = v["centroids"].as_array_mut() {
                a.truncate(1);
            }
            if let Some(a) = v["personas"].as_array_mut() {
                a.truncate(1);
            }
            v["segmentation"]["k"] = json!(1);
        })),
        E::TooFewClusters { k: 1 }
    );
    assert!(matches!(
        refused(&mutate(|v| {
            if let Some(a) = v["personas"].as_array_mut() {
                a.pop();
            }
        })),
        E::Dimension { what, .. } if what == "personas"
    ));
    let first_name = fixture().artifact.personas[0].name.clone();
    assert_eq!(
        refused(&mutate(
            |v| v["personas"][1]["name"] = json!(first_name.clone())
        )),
        E::DuplicatePersona { name: first_name }
    );
    assert!(matches!(
        refused(&mutate(|v| v["segmentation"]["k"] = json!(4))),
        E::Dimension { what, .. } if what.starts_with("segmentation.k")
    ));
    assert!(matches!(
        refused(&mutate(|v| {
            if let Some(a) = v["churn"]["coefficients"].as_array_mut() {
                a.pop();
            }
        })),
        E::Dimension { what, .. } if what == "churn.coefficients"
    ));
    assert!(matches!(
        refused(&mutate(|v| v["churn"]["metrics"]["auc"] = json!(1.5))),
        E::Invalid { what, .. } if what == "churn.metrics.auc"
    ));
    assert!(matches!(
        refused(&mutate(|v| v["churn"]["risk_medium"] = json!(0.7))),
        E::Invalid { .. }
    ));
    assert!(matches!(
        refused(&mutate(|v| v["churn"]["metrics"]["beats_baseline"] = json!(false))),
        E::Invalid { what, .. } if what == "churn.metrics.beats_baseline"
    ));
    assert!(matches!(
        refused(&mutate(|v| {
            v["churn"] = Value::Null;
            v["churn_unavailable"] = Value::Null;
        })),
        E::Invalid { what, .. } if what == "churn"
    ));
    assert!(matches!(
        refused(&mutate(|v| v["data_fingerprint"] = json!("abc"))),
        E::Invalid { what, .. } if what == "data_fingerprint"
    ));
    assert!(matches!(
        refused(&mutate(|v| v["model_version"] = json!(" "))),
        E::Invalid { what, .. } if what == "model_version"
    ));

    // Still a perfectly plausible file, but not the one training wrote.
    let nudged = mutate(|v| {
        let x = v["churn"]["intercept"].as_f64().expect("number");
        v["churn"]["intercept"] = json!(x + 0.001);
    });
    assert!(matches!(refused(&nudged), E::ChecksumMismatch { .. }));
    let renamed = mutate(|v| v["personas"][0]["description"] = json!("좋은 고객입니다."));
    assert!(matches!(refused(&renamed), E::ChecksumMismatch { .. }));
}

#[test]
fn structural_checks_hold_even_when_the_checksum_is_recomputed() {
    let good = fixture().artifact.clone();

    let mut dup = good.clone();
    dup.personas[1].name = dup.personas[0].name.clone();
    let e = Artifact::from_json(&dup.seal().to_json()).expect_err("duplicate names");
    assert!(matches!(e, ArtifactError::DuplicatePersona { .. }));

    let mut short = good.clone();
    short.centroids[2].pop();
    let e = Artifact::from_json(&short.seal().to_json()).expect_err("short centroid");
    assert!(matches!(e, ArtifactError::Dimension { .. }));

    let mut features = good.clone();
    features.feature_names[8] = "satisfaction".into();
    let e = Artifact::from_json(&features.seal().to_json()).expect_err("renamed feature");
    assert!(matches!(e, ArtifactError::FeatureMismatch { .. }));
    assert!(e.to_string().contains("satisfaction"));

    let mut nan = good.clone();
    nan.centroids[0][0] = f64::NAN;
    assert!(matches!(
        nan.validate(),
        Err(ArtifactError::NotFinite { .. })
    ));

    // And an honest re-seal of an unchanged model is of course accepted.
    assert!(Artifact::from_json(&good.seal().to_json()).is_ok());
}

#[test]
fn too_few_customers_is_refused_with_the_minimum() {
    let (mut histories, _) = clinic(3, 10);
    histories.truncate(MIN_CUSTOMERS - 1);
    // Customers registered after `today` do not count towards the minimum.
    let mut g = Generator::new(4);
    for _ in 0..5 {
        let mut h = g.regular();
        h.registered = today() + Duration::days(3);
        histories.push(h);
    }
    let err = train(&histories, today(), "v", trained_at(), &mut |_| {}).expect_err("too few");
    assert_eq!(
        err,
        ModelError::InsufficientData {
            what: "customers",
            found: MIN_CUSTOMERS - 1,
            minimum: MIN_CUSTOMERS
        }
    );
    assert!(err.to_string().contains(&MIN_CUSTOMERS.to_string()));
    assert!(matches!(
        train(&histories, today(), "", trained_at(), &mut |_| {}),
        Err(ModelError::InvalidArgument {
            what: "model_version",
            ..
        })
    ));
}

#[test]
fn a_young_clinic_gets_segments_but_no_churn_model() {
    // Every customer registered 100 days ago: nobody was active at either churn cut-off.
    let (histories, _) = clinic(11, 20);
    let start = today() - Duration::days(100);
    let young: Vec<CustomerHistory> = histories
        .into_iter()
        .map(|mut h| {
            h.registered = start;
            h.visits.retain(|v| v.date >= start);
            h.purchases.retain(|p| p.date >= start);
            h
        })
        .collect();
    let (artifact, report) =
        train(&young, today(), "young", trained_at(), &mut |_| {}).expect("segments still train");
    assert!(artifact.churn.is_none() && report.churn.is_none());
    let why = report.churn_unavailable.as_ref().expect("reason recorded");
    assert!(why.reason_en.contains("at least 10"), "{}", why.reason_en);
    let loaded = Artifact::from_json(&artifact.to_json()).expect("valid without churn");
    match churn_probability(&loaded, &young[0], today()) {
        Err(ModelError::ChurnUnavailable { reason_ko, .. }) => assert!(reason_ko.contains("최소")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn progress_rises_to_one_through_every_stage() {
    let p = &fixture().progress;
    assert!(p.len() > 10);
    assert!(p.windows(2).all(|w| w[1].fraction >= w[0].fraction));
    assert!(p[0].fraction < 0.1);
    let last = p.last().expect("reports");
    assert_eq!((last.stage, last.fraction), (TrainStage::Done, 1.0));
    assert_eq!(
        p.iter()
            .filter(|x| x.stage == TrainStage::Clustering)
            .count(),
        7
    );
    for stage in [
        TrainStage::Features,
        TrainStage::Personas,
        TrainStage::Churn,
    ] {
        assert!(p.iter().any(|x| x.stage == stage), "{stage:?}");
    }
}

#[test]
fn posted_profiles_are_validated_field_by_field() {
    let f = fixture();
    let good = Profile::from_history(&f.histories[1], today());
    let mut bad = good.clone();
    bad.package_share = Some(1.2);
    bad.recency_days = -3.0;
    let err = predict(&f.artifact, &bad).expect_err("invalid");
    assert_eq!(err.fields(), vec!["recency_days", "package_share"]);
    assert!(err.to_string().contains("recency_days"));

    let batch = predict_batch(&f.artifact, &[good.clone(), bad.clone(), good]);
    assert!(batch[0].is_ok() && batch[2].is_ok());
    assert_eq!(
        batch[1].as_ref().err().map(ProfileError::fields),
        Some(vec!["recency_days", "package_share"])
    );

    match churn_for_profile(&f.artifact, &bad, true) {
        Err(ModelError::InvalidProfile(e)) => assert_eq!(e.fields().len(), 2),
        other => panic!("{other:?}"),
    }
    // Every computed profile of the training data is valid.
    for h in &f.histories {
        assert!(Profile::from_history(h, today()).validate().is_ok());
    }
}
