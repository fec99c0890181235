mod common;

use chrono::Duration;
use clinicdesk_domain::ServiceType::*;
use clinicdesk_recommend::*;
use common::*;
use std::sync::OnceLock;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        Model::build(&structured(1200, 7), &catalogue(), &[], today())
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn none() -> Profile {
    Profile::default()
}

fn rec(
    m: &Model,
    h: &clinicdesk_domain::history::CustomerHistory,
    p: &Profile,
    kind: Kind,
    alg: Algorithm,
    fb: &[Feedback],
) -> Vec<Recommendation> {
    recommend(m, h, p, Request::new(kind, 5, alg), fb, today())
}

fn codes(recs: &[Recommendation]) -> Vec<&str> {
    recs.iter().map(|r| r.item.code.as_str()).collect()
}

fn score_of(recs: &[Recommendation], code: &str) -> Option<f64> {
    recs.iter().find(|r| r.item.code == code).map(|r| r.score)
}

fn lymph_regular() -> clinicdesk_domain::history::CustomerHistory {
    let mut h = customer("lymph-only");
    h.visits = regular("2025-12-02", 3, 7, 10, Lymph);
    h
}

#[test]
fn collaborative_finds_the_service_used_with_theirs() {
    let h = lymph_regular();
    let recs = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &[],
    );
    assert_eq!(codes(&recs)[..2], ["lymph", "red"], "{recs:#?}");
    let red = &recs[1];
    assert!(
        red.reasons
            .iter()
            .any(|r| r.starts_with("림프 순환 꾸준히 이용 고객")
                && r.ends_with("레드 테라피도 꾸준히 이용")),
        "{:?}",
        red.reasons
    );
    assert!(red
        .reasons
        .contains(&"아직 이용하지 않은 서비스".to_string()));

    // The same customer in a clinic where lymph goes with brain feedback: the neighbour follows
    // the data, not a rule.
    let other = Model::build(
        &structured_with(1200, 7, GROUPS_LYMPH_BRAIN),
        &catalogue(),
        &[],
        today(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let recs = rec(
        &other,
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &[],
    );
    assert_eq!(codes(&recs)[..2], ["lymph", "brain"], "{recs:#?}");
}

#[test]
fn content_based_follows_health_interests_and_goals() {
    let h = customer("new");
    let top = |p: Profile| {
        let recs = rec(model(), &h, &p, Kind::Service, Algorithm::ContentBased, &[]);
        recs.first()
            .map(|r| (r.item.code.clone(), r.reasons.clone()))
            .unwrap_or_default()
    };
    let (code, reasons) = top(Profile {
        health_interests: vec!["sleep_quality".into(), "stress_management".into()],
        ..none()
    });
    assert_eq!(code, "brain");
    assert!(
        reasons[0].contains("'수면 개선'") && reasons[0].contains("'스트레스 관리'"),
        "{reasons:?}"
    );

    let (code, reasons) = top(Profile {
        health_goals: Some("체중 감량 및 체력 향상".into()),
        ..none()
    });
    assert_eq!(code, "ai_bike");
    assert!(
        reasons.iter().any(|r| r.contains("체중 감량 및 체력 향상")),
        "{reasons:?}"
    );

    assert_eq!(
        top(Profile {
            health_interests: vec!["skin_care".into()],
            ..none()
        })
        .0,
        "red"
    );
    assert_eq!(
        top(Profile {
            health_goals: Some("어깨·목 통증 완화".into()),
            ..none()
        })
        .0,
        "pulse"
    );
    assert_eq!(
        top(Profile {
            health_goals: Some("부종 관리와 혈액순환 개선".into()),
            ..none()
        })
        .0,
        "lymph"
    );
}

#[test]
fn preferred_intensity_can_turn_the_ranking() {
    let h = customer("new");
    let top = |intensity: &str| {
        let p = Profile {
            health_interests: vec!["circulation".into(), "fitness".into()],
            preferred_intensity: Some(intensity.into()),
            ..none()
        };
        rec(model(), &h, &p, Kind::Service, Algorithm::ContentBased, &[])[0]
            .item
            .code
            .clone()
    };
    assert_eq!(top("high"), "ai_bike");
    assert_eq!(top("low"), "lymph");
}

#[test]
fn hybrid_blends_history_and_interests_by_how_much_history_there_is() {
    let p = Profile {
        health_interests: vec!["focus".into(), "sleep_quality".into()],
        ..none()
    };
    let top = |h: &clinicdesk_domain::history::CustomerHistory, alg| {
        codes(&rec(model(), h, &p, Kind::Service, alg, &[]))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    // No history: the interests decide.
    assert_eq!(top(&customer("none"), Algorithm::Hybrid)[0], "brain");
    // Twelve lymph visits: the history decides.
    let mut regular_customer = customer("twelve-visits");
    regular_customer.visits = regular("2025-12-02", 12, 7, 10, Lymph);
    assert_eq!(top(&regular_customer, Algorithm::Hybrid)[0], "lymph");

    // One lymph visit: collaborative alone puts brain third or lower, content alone puts it
    // first; the blend keeps both the service they use and the one their goals ask for on top.
    let mut newcomer = customer("one-visit");
    newcomer.visits = regular("2025-12-02", 1, 7, 10, Lymph);
    let cf_order = top(&newcomer, Algorithm::Collaborative);
    let cb_order = top(&newcomer, Algorithm::ContentBased);
    let hy_order = top(&newcomer, Algorithm::Hybrid);
    assert_eq!(cf_order[0], "lymph");
    assert!(
        cf_order.iter().position(|c| c == "brain") >= Some(2),
        "{cf_order:?}"
    );
    assert_eq!(cb_order[0], "brain");
    let mut top2 = hy_order[..2].to_vec();
    top2.sort();
    assert_eq!(top2, ["brain", "lymph"], "{hy_order:?}");

    for h in [&newcomer, &regular_customer] {
        let cf = rec(model(), h, &p, Kind::Service, Algorithm::Collaborative, &[]);
        let cb = rec(model(), h, &p, Kind::Service, Algorithm::ContentBased, &[]);
        let hy = rec(model(), h, &p, Kind::Service, Algorithm::Hybrid, &[]);
        // Each hybrid score lies between its two parts, and both kinds of reason survive.
        for code in ["brain", "lymph"] {
            let (a, b, c) = (
                score_of(&cf, code),
                score_of(&cb, code),
                score_of(&hy, code),
            );
            let (a, b, c) = (a.unwrap_or(0.0), b.unwrap_or(0.0), c.unwrap_or(-1.0));
            assert!(
                a.min(b) - 1e-3 <= c && c <= a.max(b) + 1e-3,
                "{code}: {a} {b} {c}"
            );
        }
        let reasons = |code: &str| {
            hy.iter()
                .find(|r| r.item.code == code)
                .map(|r| r.reasons.clone())
                .unwrap_or_default()
        };
        assert!(
            reasons("brain").iter().any(|r| r.contains("건강 관심사")),
            "{:?}",
            reasons("brain")
        );
        assert!(
            reasons("lymph")
                .iter()
                .any(|r| r.contains("림프 순환") && r.contains("회 이용")),
            "{:?}",
            reasons("lymph")
        );
    }
}

#[test]
fn a_rejected_service_stays_away_for_thirty_days_and_its_neighbour_drops() {
    let h = lymph_regular();
    let before = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &[],
    );
    let red = before
        .iter()
        .find(|r| r.item.code == "red")
        .cloned()
        .unwrap_or_else(|| panic!("red"));
    let fb = vec![Feedback {
        recommendation_id: red.recommendation_id.clone(),
        customer_id: h.customer_id.clone(),
        kind: Kind::Service,
        item: "red".into(),
        action: Action::Rejected,
        feedback_score: None,
        at: today(),
    }];
    let after = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &fb,
    );
    assert!(!codes(&after).contains(&"red"), "{after:#?}");
    let (l0, l1) = (score_of(&before, "lymph"), score_of(&after, "lymph"));
    assert!(l1 < l0, "lymph {l0:?} → {l1:?}");
    let lymph = after
        .iter()
        .find(|r| r.item.code == "lymph")
        .map(|r| r.reasons.clone())
        .unwrap_or_default();
    assert!(
        lymph.iter().any(|r| r.contains("거절하신 '레드 테라피'")),
        "{lymph:?}"
    );

    let on = |days: i64| {
        recommend(
            model(),
            &h,
            &none(),
            Request::new(Kind::Service, 5, Algorithm::Collaborative),
            &fb,
            today() + Duration::days(days),
        )
    };
    assert!(!codes(&on(REJECT_SUPPRESS_DAYS - 1)).contains(&"red"));
    assert!(codes(&on(REJECT_SUPPRESS_DAYS)).contains(&"red"));

    // Someone else's rejection changes nothing for this customer.
    let theirs = vec![Feedback {
        customer_id: "someone-else".into(),
        ..fb[0].clone()
    }];
    assert_eq!(
        rec(
            model(),
            &h,
            &none(),
            Kind::Service,
            Algorithm::Collaborative,
            &theirs
        ),
        before
    );
    // A later acceptance of the same item lifts the rejection.
    let mut changed = fb.clone();
    changed.push(Feedback {
        action: Action::Accepted,
        at: today(),
        ..fb[0].clone()
    });
    changed[0].at = today() - Duration::days(1);
    assert!(codes(&rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &changed
    ))
    .contains(&"red"));
}

#[test]
fn an_accepted_service_lifts_its_neighbours_and_ignoring_lowers_the_item() {
    let mut h = customer("brain-user");
    h.visits = regular("2025-12-01", 4, 7, 14, Brain);
    let before = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &[],
    );
    let accept = vec![Feedback {
        recommendation_id: "rec_x".into(),
        customer_id: h.customer_id.clone(),
        kind: Kind::Service,
        item: "brain".into(),
        action: Action::Accepted,
        feedback_score: Some(5),
        at: today() - Duration::days(2),
    }];
    let after = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &accept,
    );
    let (p0, p1) = (
        score_of(&before, "pulse").unwrap_or(0.0),
        score_of(&after, "pulse").unwrap_or(0.0),
    );
    assert!(p1 > p0, "pulse {p0} → {p1}");
    assert!(after.iter().any(|r| r
        .reasons
        .iter()
        .any(|s| s.contains("수락하신 '브레인 피드백'"))));
    // An acceptance scored 1–2 is not a reason to push similar items.
    let disliked = vec![Feedback {
        feedback_score: Some(1),
        ..accept[0].clone()
    }];
    assert_eq!(
        score_of(
            &rec(
                model(),
                &h,
                &none(),
                Kind::Service,
                Algorithm::Collaborative,
                &disliked
            ),
            "pulse"
        ),
        Some(p0)
    );

    let ignore = vec![Feedback {
        item: "pulse".into(),
        action: Action::Ignored,
        ..accept[0].clone()
    }];
    let ignored = rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::Collaborative,
        &ignore,
    );
    let p2 = score_of(&ignored, "pulse").unwrap_or(0.0);
    assert!((p2 - p0 * IGNORE_FACTOR).abs() < 0.002, "{p0} → {p2}");
}

#[test]
fn clinic_wide_rejections_lower_an_item_for_everyone() {
    let histories = structured(400, 3);
    let fb: Vec<Feedback> = (0..30)
        .map(|i| Feedback {
            recommendation_id: format!("r{i}"),
            customer_id: format!("c{i:05}"),
            kind: Kind::Service,
            item: "red".into(),
            action: Action::Rejected,
            feedback_score: None,
            at: today() - Duration::days(3),
        })
        .collect();
    let plain =
        Model::build(&histories, &catalogue(), &[], today()).unwrap_or_else(|e| panic!("{e}"));
    let told =
        Model::build(&histories, &catalogue(), &fb, today()).unwrap_or_else(|e| panic!("{e}"));
    let h = lymph_regular();
    let a = score_of(
        &rec(
            &plain,
            &h,
            &none(),
            Kind::Service,
            Algorithm::Collaborative,
            &[],
        ),
        "red",
    )
    .unwrap_or(0.0);
    let b = score_of(
        &rec(
            &told,
            &h,
            &none(),
            Kind::Service,
            Algorithm::Collaborative,
            &[],
        ),
        "red",
    )
    .unwrap_or(0.0);
    assert!(b < a && b >= a * 0.9 - 0.001, "{a} → {b}");
}

#[test]
fn schedule_suggests_the_usual_weekday_and_hour() {
    // Every Thursday at 10 for eight weeks; today is Friday 5 December 2025.
    let mut h = customer("thursday");
    h.visits = regular("2025-12-04", 8, 7, 10, Lymph);
    let recs = rec(model(), &h, &none(), Kind::Schedule, Algorithm::Hybrid, &[]);
    assert_eq!(recs.len(), 5);
    assert_eq!(
        recs[0].reasons[0],
        "다음 방문 추천: 12월 11일 (목) 오전 10시"
    );
    assert_eq!(recs[0].item.code, "2025-12-11T10");
    for (k, r) in recs.iter().enumerate() {
        let slot = r.schedule.as_ref().unwrap_or_else(|| panic!("slot"));
        assert_eq!(slot.weekday, "목");
        assert_eq!(slot.hour, 10);
        assert_eq!(slot.date, day("2025-12-11") + Duration::days(7 * k as i64));
        assert_eq!(slot.services, vec![Lymph]);
    }
    assert!(
        recs[0]
            .reasons
            .iter()
            .any(|r| r == "주로 목요일에 방문 (최근 방문 8일 중 8일)"),
        "{:?}",
        recs[0].reasons
    );
    assert!(recs[0]
        .reasons
        .iter()
        .any(|r| r.contains("평균 방문 간격 7일")));

    // Every other Tuesday at 2 pm: the next one is two weeks after the last.
    let mut h = customer("tuesday");
    h.visits = regular("2025-11-25", 6, 14, 14, Brain);
    let recs = rec(model(), &h, &none(), Kind::Schedule, Algorithm::Hybrid, &[]);
    let slot = recs[0].schedule.clone().unwrap_or_else(|| panic!("slot"));
    assert_eq!(
        (slot.date, slot.hour, slot.weekday.as_str()),
        (day("2025-12-09"), 14, "화")
    );
    assert_eq!(
        recs[1].schedule.as_ref().map(|s| s.date),
        Some(day("2025-12-23"))
    );

    // Rejecting the proposed slot moves the visit to a neighbouring day.
    let fb = vec![Feedback {
        recommendation_id: recs[0].recommendation_id.clone(),
        customer_id: h.customer_id.clone(),
        kind: Kind::Schedule,
        item: recs[0].item.code.clone(),
        action: Action::Rejected,
        feedback_score: None,
        at: today(),
    }];
    let moved = rec(model(), &h, &none(), Kind::Schedule, Algorithm::Hybrid, &fb);
    assert_ne!(moved[0].item.code, recs[0].item.code);
    let d = moved[0]
        .schedule
        .as_ref()
        .map(|s| s.date)
        .unwrap_or_default();
    assert!((d - day("2025-12-09")).num_days().abs() <= 7, "{d}");
}

#[test]
fn schedule_uses_up_a_package_before_it_expires() {
    // Lymph every 14 days; a lymph package bought 9 Sep expires 8 Dec... use one expiring in
    // 20 days with 6 sessions left: the plan tightens to every 3 days.
    let mut h = customer("expiring");
    h.purchases = vec![purchase("2025-09-16", "lymph10")];
    h.visits = vec![
        package_visit("2025-09-16", 10, Lymph),
        package_visit("2025-09-30", 10, Lymph),
        package_visit("2025-10-14", 10, Lymph),
        package_visit("2025-10-28", 10, Lymph),
    ];
    // Expiry 2025-12-15: 10 days after today, 6 sessions left.
    let recs = rec(
        model(),
        &h,
        &none(),
        Kind::Schedule,
        Algorithm::Collaborative,
        &[],
    );
    assert!(
        recs[0]
            .reasons
            .iter()
            .any(|r| r.contains("림프 케어 10회 잔여 6회가 12월 15일 (월) 만료")),
        "{:?}",
        recs[0].reasons
    );
    let dates: Vec<_> = recs
        .iter()
        .filter_map(|r| r.schedule.as_ref().map(|s| s.date))
        .collect();
    let before_expiry = dates.iter().filter(|d| **d <= day("2025-12-15")).count();
    assert!(before_expiry >= 4, "{dates:?}");
    for r in &recs {
        if r.schedule
            .as_ref()
            .is_some_and(|s| s.date <= day("2025-12-15"))
        {
            assert_eq!(
                r.schedule.as_ref().map(|s| s.services.clone()),
                Some(vec![Lymph])
            );
        }
    }
}

#[test]
fn a_newcomer_is_scheduled_by_their_stated_time_slots() {
    let p = Profile {
        preferred_time_slots: vec!["weekend".into()],
        ..none()
    };
    let recs = rec(
        model(),
        &customer("new"),
        &p,
        Kind::Schedule,
        Algorithm::Hybrid,
        &[],
    );
    let slot = recs[0].schedule.clone().unwrap_or_else(|| panic!("slot"));
    // Today is Friday: the first weekend day is tomorrow.
    assert_eq!(
        (slot.date, slot.weekday.as_str()),
        (day("2025-12-06"), "토")
    );
    assert!(
        recs[0]
            .reasons
            .iter()
            .any(|r| r.contains("선호 시간대(주말)")),
        "{:?}",
        recs[0].reasons
    );
    let p = Profile {
        preferred_time_slots: vec!["morning".into()],
        ..none()
    };
    let recs = rec(
        model(),
        &customer("new"),
        &p,
        Kind::Schedule,
        Algorithm::Hybrid,
        &[],
    );
    let slot = recs[0].schedule.clone().unwrap_or_else(|| panic!("slot"));
    assert_eq!(slot.hour, 10);
    assert!(!["토", "일"].contains(&slot.weekday.as_str()));
}

#[test]
fn packages_fit_usage_and_never_resell_an_active_one() {
    // A brain regular who has never bought: a brain package first, with its savings.
    let mut h = customer("brain-fan");
    h.visits = regular("2025-12-01", 10, 7, 14, Brain);
    let recs = rec(
        model(),
        &h,
        &none(),
        Kind::Package,
        Algorithm::Collaborative,
        &[],
    );
    assert_eq!(recs[0].item.code, "brain20", "{recs:#?}");
    let d = recs[0]
        .package_details
        .clone()
        .unwrap_or_else(|| panic!("details"));
    assert_eq!((d.list_price, d.savings), (1_200_000, 200_000));
    assert!(
        recs[0]
            .reasons
            .iter()
            .any(|r| r.contains("최근 180일 이용 10회 중 10회(100%)")),
        "{:?}",
        recs[0].reasons
    );

    // Holding a lymph package with 8 of 10 left and 60 days to go: not offered again.
    let mut h = customer("holder");
    h.purchases = vec![purchase("2025-11-04", "lymph10")];
    h.visits = vec![
        package_visit("2025-11-11", 10, Lymph),
        package_visit("2025-11-18", 10, Lymph),
    ];
    for alg in Algorithm::ALL {
        let recs = rec(model(), &h, &none(), Kind::Package, alg, &[]);
        assert!(
            !codes(&recs).contains(&"lymph10"),
            "{alg:?}: {:?}",
            codes(&recs)
        );
    }
    // A premium package whose red sessions are used up but which is otherwise active is not
    // sold again either (rule 1: the same package, still active).
    let mut premium = customer("premium-holder");
    premium.purchases = vec![purchase("2025-10-01", "premium")];
    premium.visits = (0..10)
        .map(|k| {
            package_visit(
                &(day("2025-10-02") + Duration::days(6 * k)).to_string(),
                11,
                Red,
            )
        })
        .collect();
    for alg in Algorithm::ALL {
        let recs = rec(model(), &premium, &none(), Kind::Package, alg, &[]);
        assert!(
            !codes(&recs).contains(&"premium"),
            "{alg:?}: {:?}",
            codes(&recs)
        );
        // Red is used up, so a red package is a sensible offer.
        assert!(
            codes(&recs).contains(&"red10"),
            "{alg:?}: {:?}",
            codes(&recs)
        );
    }

    // Weekly visits until late January leave 3 of 10 with 11 days to go: now it is a renewal.
    let later = day("2026-01-22");
    let mut d = day("2025-11-25");
    while h.visits.len() < 7 {
        h.visits.push(package_visit(&d.to_string(), 10, Lymph));
        d += Duration::days(7);
    }
    let recs = recommend(
        model(),
        &h,
        &none(),
        Request::new(Kind::Package, 5, Algorithm::Collaborative),
        &[],
        later,
    );
    let renewal = recs
        .iter()
        .find(|r| r.item.code == "lymph10")
        .unwrap_or_else(|| panic!("{recs:#?}"));
    assert!(
        renewal.reasons[0].contains("재구매 시점"),
        "{:?}",
        renewal.reasons
    );
    assert_eq!(
        renewal
            .package_details
            .as_ref()
            .and_then(|d| d.holding.as_ref())
            .map(|x| x.status.as_str()),
        Some("expiring")
    );

    // Someone who comes once a month would use a quarter of neither the yearly VIP package
    // (120 sessions) nor the 40-session premium one.
    let mut monthly = customer("monthly");
    monthly.visits = regular("2025-12-01", 5, 30, 10, Lymph);
    for alg in Algorithm::ALL {
        let recs = rec(model(), &monthly, &none(), Kind::Package, alg, &[]);
        assert!(!recs.is_empty());
        assert!(
            !codes(&recs).contains(&"vip") && !codes(&recs).contains(&"premium"),
            "{:?}",
            codes(&recs)
        );
    }

    // A VIP with sessions of everything left is offered no package at all.
    let mut vip = customer("vip");
    vip.purchases = vec![purchase("2025-10-01", "vip")];
    vip.visits = regular("2025-12-01", 8, 7, 11, Lymph);
    assert_eq!(
        rec(
            model(),
            &vip,
            &none(),
            Kind::Package,
            Algorithm::Hybrid,
            &[]
        ),
        vec![]
    );
}

#[test]
fn a_rejected_or_accepted_package_is_not_offered_again_soon() {
    let mut h = customer("brain-fan");
    h.visits = regular("2025-12-01", 10, 7, 14, Brain);
    let before = rec(model(), &h, &none(), Kind::Package, Algorithm::Hybrid, &[]);
    for action in [Action::Rejected, Action::Accepted] {
        let fb = vec![Feedback {
            recommendation_id: before[0].recommendation_id.clone(),
            customer_id: h.customer_id.clone(),
            kind: Kind::Package,
            item: before[0].item.code.clone(),
            action,
            feedback_score: None,
            at: today(),
        }];
        let after = rec(model(), &h, &none(), Kind::Package, Algorithm::Hybrid, &fb);
        assert!(
            !codes(&after).contains(&before[0].item.code.as_str()),
            "{action:?}"
        );
    }
}

#[test]
fn recommendation_ids_are_deterministic_and_distinct() {
    let h = lymph_regular();
    let a = rec(model(), &h, &none(), Kind::Service, Algorithm::Hybrid, &[]);
    let b = rec(model(), &h, &none(), Kind::Service, Algorithm::Hybrid, &[]);
    assert_eq!(a, b);
    for r in &a {
        assert_eq!(
            r.recommendation_id,
            recommendation_id("lymph-only", Kind::Service, &r.item.code, today())
        );
        assert!(r.recommendation_id.starts_with("rec_") && r.recommendation_id.len() == 16);
        assert!(r.recommendation_id[4..]
            .chars()
            .all(|c| c.is_ascii_hexdigit()));
    }
    let mut ids: Vec<&str> = a.iter().map(|r| r.recommendation_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), a.len());
    assert_ne!(
        recommendation_id("c1", Kind::Service, "red", today()),
        recommendation_id("c1", Kind::Service, "red", today() + Duration::days(1))
    );
    assert_ne!(
        recommendation_id("c1", Kind::Service, "red", today()),
        recommendation_id("c2", Kind::Service, "red", today())
    );
    // Pinned to FNV-1a (value computed independently of this crate): stored ids keep meaning
    // the same thing across releases and platforms.
    assert_eq!(
        recommendation_id("c1", Kind::Service, "red", day("2025-12-05")),
        "rec_a8f1cfc4bda9"
    );
}

#[test]
fn related_services_by_lift_and_unknown_codes_are_errors() {
    let rel = related(model(), "lymph", 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rel[0].service.code, "red", "{rel:#?}");
    assert_eq!(rel[0].relation_type, RelationType::FrequentlyUsedTogether);
    assert!(rel[0].lift > 1.5 && rel[0].support >= MIN_SUPPORT);
    assert!(
        rel[0].reasons[0].starts_with("림프 순환 꾸준히 이용 고객"),
        "{:?}",
        rel[0].reasons
    );
    // Services used by different groups are not presented as used together.
    assert!(rel
        .iter()
        .all(|r| r.service.code != "brain" || r.relation_type == RelationType::SimilarEffect));
    assert!(rel.len() <= 3);
    let brain = related(model(), "brain", 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(brain[0].service.code, "pulse");

    assert_eq!(
        related(model(), "massage", 3),
        Err(RecommendError::UnknownService("massage".into()))
    );
    let mut cat = catalogue();
    cat.services.retain(|s| s.service != AiBike);
    cat.packages.retain(|p| !p.sessions.contains_key(&AiBike));
    let m = Model::build(&[], &cat, &[], today()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        related(&m, "ai_bike", 3).map(|_| ()),
        Err(RecommendError::UnknownService("ai_bike".into()))
    );
    // With no data at all, only effect similarity can relate services.
    let lymph = related(&m, "lymph", 5).unwrap_or_else(|e| panic!("{e}"));
    assert!(lymph
        .iter()
        .all(|r| r.relation_type == RelationType::SimilarEffect));
    assert!(!lymph.is_empty());
}

#[test]
fn cold_start_uses_popularity_and_empty_data_recommends_nothing() {
    let h = customer("nobody");
    let recs = rec(model(), &h, &none(), Kind::Service, Algorithm::Hybrid, &[]);
    assert_eq!(recs.len(), 5);
    assert!(recs[0].reasons[0].starts_with("이용 기록이 없어 전체 고객 이용 비중으로 추천"));
    assert!(recs[0].score <= COLD_START_SCALE + 1e-9);
    let empty = Model::build(&[], &catalogue(), &[], today()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rec(
            &empty,
            &h,
            &none(),
            Kind::Service,
            Algorithm::Collaborative,
            &[]
        ),
        vec![]
    );
}

#[test]
fn future_events_and_counts_are_handled() {
    let h = lymph_regular();
    let mut with_future = h.clone();
    with_future.visits.push(visit("2026-03-01", 10, AiBike));
    assert_eq!(
        rec(model(), &h, &none(), Kind::Service, Algorithm::Hybrid, &[]),
        rec(
            model(),
            &with_future,
            &none(),
            Kind::Service,
            Algorithm::Hybrid,
            &[]
        )
    );
    assert!(recommend(
        model(),
        &h,
        &none(),
        Request::new(Kind::Service, 0, Algorithm::Hybrid),
        &[],
        today()
    )
    .is_empty());
    let many = recommend(
        model(),
        &h,
        &none(),
        Request::new(Kind::Schedule, 500, Algorithm::Hybrid),
        &[],
        today(),
    );
    assert_eq!(many.len(), Request::MAX_COUNT);
}

#[test]
fn output_serialises_with_the_seed_field_names() {
    let h = lymph_regular();
    let r = &rec(
        model(),
        &h,
        &none(),
        Kind::Service,
        Algorithm::ContentBased,
        &[],
    )[0];
    let v = serde_json::to_value(r).unwrap_or_default();
    assert_eq!(v["type"], "service");
    assert_eq!(v["algorithm"], "content_based");
    assert_eq!(v["item"]["code"], "lymph");
    assert_eq!(v["item"]["name"], "림프 순환");
    assert!(v["recommendation_id"]
        .as_str()
        .is_some_and(|s| s.starts_with("rec_")));
    assert!(v["service_details"]["suggested_schedule"]["best_times"][0] == "화요일 오전");
    assert!(v.get("package_details").is_none());
    let back: Recommendation = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&back, r);
    let fb: Feedback = serde_json::from_str(
        r#"{"recommendation_id":"rec_1","customer_id":"c","type":"service","item":"red","action":"accepted","feedback_score":5,"at":"2025-12-05"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fb.action, Action::Accepted);
}

#[test]
fn profile_from_record_drops_health_data_without_consent() {
    let mut r =
        clinicdesk_domain::customer::CustomerRecord::new("c1".into(), "2025-01-01T00:00:00Z");
    r.health_interests = vec!["sleep_quality".into()];
    r.health_goals = Some("수면 개선".into());
    r.preferred_time_slots = vec!["morning".into()];
    let p = Profile::from_record(&r);
    assert!(p.health_interests.is_empty() && p.health_goals.is_none());
    assert_eq!(p.preferred_time_slots, vec!["morning".to_string()]);
    r.consent_health_data = true;
    assert_eq!(
        Profile::from_record(&r).health_interests,
        vec!["sleep_quality".to_string()]
    );
}
