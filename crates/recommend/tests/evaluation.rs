mod common;

use clinicdesk_recommend::*;
use common::*;

fn show(label: &str, r: &EvaluationReport) {
    println!(
        "== {label}: {} service customers, {} package customers ({:?} targets excluded by the holding rules)",
        r.services.customers_evaluated, r.packages.customers_evaluated, r.packages.targets_excluded_by_rules
    );
    for (name, s) in [("services", &r.services), ("packages", &r.packages)] {
        for a in &s.results {
            for m in &a.metrics {
                println!(
                    "{name:8} {:13} @{}: {:.3} vs popular {:.3} (diff {:+.3}, z {:.2}) beats={} loses={}",
                    a.algorithm.as_str(), m.k, m.hit_rate, m.baseline_hit_rate, m.difference, m.z, m.beats_baseline, m.loses_to_baseline
                );
            }
        }
    }
}

#[test]
fn on_structured_data_the_recommenders_beat_popularity() {
    let r =
        evaluate(&structured(1500, 21), &catalogue(), today()).unwrap_or_else(|e| panic!("{e}"));
    show("structured", &r);
    assert!(r.services.customers_evaluated > 1000);
    assert!(
        r.packages.customers_evaluated > 100,
        "{}",
        r.packages.customers_evaluated
    );
    for alg in [Algorithm::Collaborative, Algorithm::Hybrid] {
        for k in SERVICE_KS {
            let m = r
                .services
                .metric(alg, k)
                .unwrap_or_else(|| panic!("metric"));
            assert!(m.beats_baseline, "{alg:?}@{k}: {m:?}");
        }
        let m = r
            .packages
            .metric(alg, PACKAGE_K)
            .unwrap_or_else(|| panic!("metric"));
        assert!(m.beats_baseline, "packages {alg:?}: {m:?}");
    }
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("hit-rate@5 is always 1.0")));
}

#[test]
fn on_random_data_nothing_beats_popularity() {
    let r = evaluate(&random(1500, 22), &catalogue(), today()).unwrap_or_else(|e| panic!("{e}"));
    show("random", &r);
    for s in [&r.services, &r.packages] {
        for a in &s.results {
            for m in &a.metrics {
                assert!(!m.beats_baseline, "{:?}: {m:?}", a.algorithm);
                // Without structure, nothing can be much better than chance.
                assert!(m.difference < 0.08, "{:?}: {m:?}", a.algorithm);
            }
        }
    }
}

#[test]
fn too_few_customers_give_no_verdict() {
    let r = evaluate(&structured(12, 5), &catalogue(), today()).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.services.customers_evaluated < MIN_CUSTOMERS_FOR_VERDICT);
    for a in &r.services.results {
        assert!(a.metrics.iter().all(|m| !m.beats_baseline));
    }
    assert!(r.notes.iter().any(|n| n.contains("no verdict")));
}

#[test]
fn profiles_reach_content_based_scoring_only() {
    let histories = structured(400, 9);
    let plain = evaluate(&histories, &catalogue(), today()).unwrap_or_else(|e| panic!("{e}"));
    // Everyone claims to want exercise, whatever they actually use.
    let profiles = histories
        .iter()
        .map(|h| {
            (
                h.customer_id.clone(),
                Profile {
                    health_interests: vec!["fitness".into()],
                    ..Profile::default()
                },
            )
        })
        .collect();
    let told = evaluate_with_profiles(&histories, &profiles, &catalogue(), today())
        .unwrap_or_else(|e| panic!("{e}"));
    let at1 = |r: &EvaluationReport, a| r.services.metric(a, 1).map(|m| m.hit_rate).unwrap_or(-1.0);
    assert_eq!(
        at1(&plain, Algorithm::Collaborative),
        at1(&told, Algorithm::Collaborative)
    );
    assert!(at1(&told, Algorithm::ContentBased) < at1(&plain, Algorithm::ContentBased) - 0.1);
}
