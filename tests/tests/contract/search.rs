//! Search correctness (issue 8): what the package-status filter means for a customer with
//! several packages, the package each row shows (expiry, what is left, sorting by expiry), an
//! expired package's `days_remaining`, and Korean search habits (initial consonants, several
//! words) within what each role may match on.

use super::cases::{new_customer, new_template, purchase, unique_name};
use super::harness::{unique_phone, Harness};
use super::privacy::urlencode;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(9)).date_naive()
}

fn days_from_today(n: i64) -> String {
    (today() + Duration::days(n)).to_string()
}

/// A random family name whose syllables start with none of ㅁ ㅅ ㅆ ㅇ ㅎ, the consonants the
/// given names below are told apart by: a family ending in, say, 수 would make `ㅅㅁ` match
/// both customers and fail the test on one run in a few.
fn random_family(syllables: usize) -> String {
    const INITIALS: [u32; 14] = [0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 15, 16, 17];
    let bits = uuid::Uuid::new_v4().as_u128();
    (0..syllables)
        .map(|i| {
            let n = (bits >> (i * 24)) as u32;
            let initial = INITIALS[(n % 14) as usize];
            let rest = (n / 14) % 588;
            char::from_u32(0xAC00 + initial * 588 + rest).unwrap_or('가')
        })
        .collect()
}

fn initials(name: &str) -> String {
    const CHOSEONG: [char; 19] = [
        'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ',
        'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
    ];
    name.chars()
        .map(|c| match c as u32 {
            n @ 0xAC00..=0xD7A3 => CHOSEONG[((n - 0xAC00) / 588) as usize],
            _ => c,
        })
        .collect()
}

fn rows(r: &super::harness::Resp) -> Vec<Value> {
    r.data()["customers"]
        .as_array()
        .expect("a customer list")
        .clone()
}

fn ids(r: &super::harness::Resp) -> Vec<String> {
    rows(r)
        .iter()
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

fn consented(name: &str) -> Value {
    json!({"name": name, "consent": {"privacy": true}})
}

/// A customer holding an active and an expired package is `active` only; `expired` lists the
/// customers left with no usable package (past the date, or every session used); each row
/// shows the package that decides its status, with its expiry, and sorts by it.
pub async fn package_status_is_the_customers_best_package(h: &Harness) {
    let tag = unique_name("패키지상태");
    let staff = h.token("staff").await;
    let month = new_template(h, json!({"brain": 4, "pulse": 4}), 30).await;
    let single = new_template(h, json!({"red": 1}), 90).await;
    let customer = |suffix: &'static str| {
        let name = format!("{tag}{suffix}");
        async move { new_customer(h, consented(&name)).await.0 }
    };
    let both = customer("가").await;
    let lapsed = customer("나").await;
    let used_up = customer("다").await;
    let renewing = customer("라").await;
    let none = customer("마").await;

    // both: expired ten days ago, and a fresh one.
    let old = purchase(h, &both, &month, Some(days_from_today(-40))).await;
    let fresh = purchase(h, &both, &month, None).await;
    // lapsed: two expired, the later one ended three days ago.
    purchase(h, &lapsed, &month, Some(days_from_today(-50))).await;
    let last_ended = purchase(h, &lapsed, &month, Some(days_from_today(-33))).await;
    // used_up: its one session used today, the date still far.
    let spent = purchase(h, &used_up, &single, None).await;
    h.post(
        &format!("/api/v1/customers/{used_up}/sessions"),
        &staff,
        json!({"service_type": "red", "package_usage_id": spent["package_usage_id"]}),
    )
    .await
    .expect(201);
    // renewing: expired, and one expiring in five days (within 14).
    purchase(h, &renewing, &month, Some(days_from_today(-45))).await;
    let soon = purchase(h, &renewing, &month, Some(days_from_today(-25))).await;

    // The expired package's days are negative, never 0 ("expires today").
    let packages = h
        .get(
            &format!("/api/v1/customers/{both}/packages?status=expired"),
            &staff,
        )
        .await;
    packages.expect(200);
    let expired = packages.data()["packages"].as_array().unwrap().clone();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["package_usage_id"], old["package_usage_id"]);
    assert_eq!(expired[0]["package_status"], "expired");
    assert_eq!(expired[0]["days_remaining"], -10);
    assert_eq!(expired[0]["expiry_date"], days_from_today(-10));
    assert_eq!(soon["days_remaining"], 5);
    assert_eq!(soon["package_status"], "expiring");

    let q = urlencode(&tag);
    let search = |params: &str| {
        let path = format!("/api/v1/customers/search?q={q}&{params}");
        let staff = staff.clone();
        async move {
            let r = h.get(&path, &staff).await;
            r.expect(200);
            r
        }
    };
    assert_eq!(ids(&search("package_status=active").await), [both.clone()]);
    assert_eq!(
        ids(&search("package_status=expiring").await),
        [renewing.clone()]
    );
    assert_eq!(
        ids(&search("package_status=expired").await),
        [lapsed.clone(), used_up.clone()],
        "no customer with a usable package is listed as expired"
    );
    let everyone = search("").await;
    assert_eq!(
        ids(&everyone),
        [&both, &lapsed, &used_up, &renewing, &none].map(|s| s.to_string())
    );

    // Each row shows the package that decides its status.
    let by_id = |r: &super::harness::Resp, id: &str| -> Value {
        rows(r)
            .into_iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    let row = by_id(&everyone, &both);
    assert_eq!(
        row["package"]["package_usage_id"],
        fresh["package_usage_id"]
    );
    assert_eq!(row["package"]["package_status"], "active");
    assert_eq!(row["package"]["expiry_date"], days_from_today(30));
    assert_eq!(row["package"]["days_remaining"], 30);
    assert_eq!(
        row["package"]["service_breakdown"]["brain"],
        json!({"total": 4, "used": 0, "remaining": 4})
    );
    assert_eq!(row["active_package"], fresh["package_name"]);
    assert_eq!(
        row["package_usage_summary"],
        "브레인 피드백 4회 남음 / 4회, 펄스 케어 4회 남음 / 4회"
    );
    let row = by_id(&everyone, &lapsed);
    assert_eq!(
        row["package"]["package_usage_id"], last_ended["package_usage_id"],
        "the package that ended last"
    );
    assert_eq!(row["package"]["package_status"], "expired");
    assert_eq!(row["package"]["expiry_date"], days_from_today(-3));
    assert_eq!(row["package"]["days_remaining"], -3);
    assert_eq!(row["active_package"], Value::Null, "nothing usable");
    assert_eq!(row["package_usage_summary"], Value::Null);
    let row = by_id(&everyone, &used_up);
    assert_eq!(row["package"]["package_status"], "expired");
    assert_eq!(row["package"]["remaining_sessions"], 0);
    assert_eq!(row["package"]["days_remaining"], 90, "used up, not lapsed");
    assert_eq!(
        by_id(&everyone, &renewing)["package"]["package_usage_id"],
        soon["package_usage_id"]
    );
    assert_eq!(by_id(&everyone, &none)["package"], Value::Null);

    // Sorting by that package's expiry: soonest first by default, no package last.
    let sorted = search("sort_by=package_expiry").await;
    assert_eq!(
        sorted.data()["filters_applied"]["sort_by"],
        "package_expiry"
    );
    assert_eq!(sorted.data()["filters_applied"]["sort_order"], "asc");
    assert_eq!(
        ids(&sorted),
        [&lapsed, &renewing, &both, &used_up, &none].map(|s| s.to_string())
    );
    assert_eq!(
        ids(&search("sort_by=package_expiry&sort_order=desc").await),
        [&used_up, &both, &renewing, &lapsed, &none].map(|s| s.to_string()),
        "no package stays last"
    );
    assert_eq!(
        ids(&search("package_status=expired&sort_by=package_expiry&sort_order=desc").await),
        [used_up.clone(), lapsed.clone()]
    );
    h.get(
        &format!("/api/v1/customers/search?q={q}&sort_by=expiry"),
        &staff,
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
}

/// Which of `ours` a search for `text` lists, in the order listed.
async fn found_among(
    h: &Harness,
    path: &str,
    token: &str,
    text: String,
    ours: [&str; 2],
) -> Vec<String> {
    let r = h.get(&format!("{path}{}", urlencode(&text)), token).await;
    r.expect(200);
    let mut found = ids(&r);
    found.retain(|id| ours.contains(&id.as_str()));
    found
}

/// Initial consonants (`ㄱㅁㅇ`, partial, mixed with syllables as typed) and several words
/// (`김 민`: each must match, in any field the role may match on) — on search and list alike.
pub async fn korean_initials_and_several_words(h: &Harness) {
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let family = random_family(3);
    let a_phone = unique_phone();
    // b's number ends differently, so the last four tell them apart.
    let tail: u32 = a_phone[a_phone.len() - 4..].parse().unwrap_or(0);
    let b_phone = format!(
        "{}{:04}",
        &a_phone[..a_phone.len() - 4],
        (tail + 1) % 10_000
    );
    let with_phone = |name: String, phone: &str| {
        let mut body = consented(&name);
        body["phone"] = json!(phone);
        body
    };
    let (a, _) = new_customer(h, with_phone(format!("{family}민영"), &a_phone)).await;
    let (b, _) = new_customer(h, with_phone(format!("{family}수민"), &b_phone)).await;
    let first: String = family.chars().take(1).collect();
    let rest: String = family.chars().skip(1).collect();

    for path in [
        "/api/v1/customers/search?size=100&q=",
        "/api/v1/customers?limit=100&search=",
    ] {
        for token in [&staff, &manager] {
            let ours = [a.as_str(), b.as_str()];
            let find = |text: String| found_among(h, path, token, text, ours);
            let both = [a.clone(), b.clone()];
            assert_eq!(find(initials(&family)).await, both, "{path}: initials");
            assert_eq!(
                find(format!("{}ㅁㅇ", initials(&family))).await,
                [a.clone()],
                "{path}: the whole name by initials"
            );
            let inside: String = initials(&format!("{family}민영")).chars().skip(1).collect();
            assert_eq!(
                find(inside).await,
                [a.clone()],
                "{path}: a run inside the name"
            );
            assert_eq!(
                find(format!("{first}{}ㅅ", initials(&rest))).await,
                [b.clone()],
                "{path}: a syllable then initials, as typed"
            );
            assert_eq!(
                find(format!("{family} 민")).await,
                both,
                "{path}: two words"
            );
            assert_eq!(
                find(format!("민 {family}")).await,
                both,
                "{path}: any order"
            );
            assert_eq!(
                find(format!("{family} 영")).await,
                [a.clone()],
                "{path}: every word must match"
            );
            assert_eq!(
                find(format!("{} ㅅㅁ", initials(&family))).await,
                [b.clone()],
                "{path}: initials as words"
            );
            assert_eq!(
                find(format!("{family} {}", &a_phone[a_phone.len() - 4..])).await,
                [a.clone()],
                "{path}: a name and the visible last four digits"
            );
            assert!(find(format!("{family} 호")).await.is_empty(), "{path}");
        }
        // A word is matched only where the role may match: staff cannot pair a name with
        // hidden phone digits (a manager can).
        let hidden = format!("{family} {}", &a_phone.replace('-', "")[..7]);
        let hidden_url = format!("{path}{}", urlencode(&hidden));
        assert!(!ids(&h.get(&hidden_url, &staff).await).contains(&a));
        assert!(ids(&h.get(&hidden_url, &manager).await).contains(&a));
    }
}
