//! Schedule recommendations: the customer's next visits, on the weekday and at the hour they
//! usually come, spaced by their usual interval — or closer, when a package would otherwise
//! expire with sessions left.

use crate::catalogue::{idx, N};
use crate::feedback::{slot_code, Personal};
use crate::model::{decay, Model, CUSTOMER_HALF_LIFE_DAYS};
use crate::serve::Candidate;
use crate::services::Scored;
use crate::text::{date_ko, date_ko_near, hour_ko, percent, weekday_ko};
use crate::types::ScheduleSlot;
use crate::view::View;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use clinicdesk_domain::ServiceType;
use std::collections::BTreeMap;

/// Each later slot in a plan is less certain than the one before.
pub const LATER_SLOT_FACTOR: f64 = 0.92;
/// The routine is read from this many latest visit days.
const ROUTINE_DAYS: usize = 20;
/// Share of a weekday's weight every other weekday keeps, so a Thursday regular can still be
/// offered a Wednesday when Thursday is rejected or far from the due date.
const WEEKDAY_SMOOTHING: f64 = 0.05;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

struct Urgent {
    name: String,
    expiry: NaiveDate,
    remaining: [i64; N],
    step: i64,
    /// Visits per week needed to use every session by the expiry date.
    per_week: f64,
    days_left: i64,
}

struct Routine {
    /// Recent visit days with the services taken and the first hour of that day.
    days: BTreeMap<NaiveDate, ([bool; N], Option<u8>)>,
    hour_w: [[f64; 24]; 7],
}

impl Routine {
    fn new(view: &View) -> Routine {
        let mut all: BTreeMap<NaiveDate, ([bool; N], Option<u8>)> = BTreeMap::new();
        for v in view.history.visits.iter().filter(|v| v.date <= view.today) {
            let e = all.entry(v.date).or_insert(([false; N], None));
            e.0[idx(v.service)] = true;
            if let Some(h) = v.hour.filter(|h| *h < 24) {
                e.1 = Some(e.1.map_or(h, |old| old.min(h)));
            }
        }
        let mut hour_w = [[0.0; 24]; 7];
        for (d, (_, h)) in &all {
            if let Some(h) = h {
                hour_w[d.weekday().num_days_from_monday() as usize][*h as usize] +=
                    decay(view.today, *d, CUSTOMER_HALF_LIFE_DAYS);
            }
        }
        let skip = all.len().saturating_sub(ROUTINE_DAYS);
        let days = all.into_iter().skip(skip).collect();
        Routine { days, hour_w }
    }

    /// Services taken on at least half of the recent visit days (on this weekday when there
    /// are two or more of those, else overall), most frequent first.
    fn usual_services(&self, w: usize) -> Vec<ServiceType> {
        let on_day: Vec<&[bool; N]> = self
            .days
            .iter()
            .filter(|(d, _)| d.weekday().num_days_from_monday() as usize == w)
            .map(|(_, (s, _))| s)
            .collect();
        let pool: Vec<&[bool; N]> = if on_day.len() >= 2 {
            on_day
        } else {
            self.days.values().map(|(s, _)| s).collect()
        };
        if pool.len() < 2 {
            return Vec::new();
        }
        let mut counts: Vec<(ServiceType, usize)> = ServiceType::ALL
            .into_iter()
            .map(|s| (s, pool.iter().filter(|d| d[idx(s)]).count()))
            .filter(|(_, c)| c * 2 >= pool.len())
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        counts.into_iter().map(|(s, _)| s).take(3).collect()
    }

    /// (hour, days on this weekday with that first hour, days on this weekday with an hour).
    fn hour_on(&self, w: usize) -> Option<(u8, usize, usize)> {
        let row = &self.hour_w[w];
        let best = (0..24)
            .filter(|h| row[*h] > 0.0)
            .max_by(|a, b| row[*a].total_cmp(&row[*b]).then(b.cmp(a)))?;
        let hours: Vec<u8> = self
            .days
            .iter()
            .filter(|(d, _)| d.weekday().num_days_from_monday() as usize == w)
            .filter_map(|(_, (_, h))| *h)
            .collect();
        let same = hours.iter().filter(|h| **h as usize == best).count();
        Some((best as u8, same, hours.len()))
    }

    fn any_hour(&self) -> Option<u8> {
        let mut row = [0.0; 24];
        for w in &self.hour_w {
            for (r, x) in row.iter_mut().zip(w) {
                *r += x;
            }
        }
        (0..24)
            .filter(|h| row[*h] > 0.0)
            .max_by(|a, b| row[*a].total_cmp(&row[*b]).then(b.cmp(a)))
            .map(|h| h as u8)
    }
}

fn slot_label(slot: &str) -> Option<&'static str> {
    match slot {
        "morning" => Some("오전"),
        "afternoon" => Some("오후"),
        "evening" => Some("저녁"),
        "weekend" => Some("주말"),
        _ => None,
    }
}

/// Start hour for a preferred part of day: the middle of the clinic's usual morning,
/// afternoon and after-work blocks.
fn slot_hour(slot: &str) -> Option<u8> {
    match slot {
        "morning" => Some(10),
        "afternoon" => Some(14),
        "evening" => Some(18),
        _ => None,
    }
}

fn preferred_weekdays(slots: &[String]) -> Option<[f64; 7]> {
    let weekend = slots.iter().any(|s| s == "weekend");
    let daytime = slots.iter().any(|s| slot_hour(s).is_some());
    match (weekend, daytime) {
        (false, false) => None,
        (true, false) => Some([0.2, 0.2, 0.2, 0.2, 0.2, 1.0, 1.0]),
        (true, true) => Some([0.8, 0.8, 0.8, 0.8, 0.8, 1.0, 1.0]),
        (false, true) => Some([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]),
    }
}

pub(crate) fn candidates(
    model: &Model,
    view: &View,
    services: &[Scored; N],
    count: usize,
    personal: &Personal,
) -> Vec<Candidate> {
    let today = view.today;
    let routine = Routine::new(view);
    let (wd_w, wd_n, recent_days) = view.weekday_profile();
    let has_routine = view.days.len() >= 2;
    let pop_wd: [f64; 7] = model.weekday_hour.map(|row| row.iter().sum());
    let pop_total: f64 = pop_wd.iter().sum();
    let pop_max = pop_wd.iter().cloned().fold(0.0, f64::max);
    let pref = preferred_weekdays(&view.profile.preferred_time_slots);

    let mut wf = [0.0f64; 7];
    if has_routine {
        let total: f64 = wd_w.iter().sum();
        for w in 0..7 {
            wf[w] = wd_w[w] + WEEKDAY_SMOOTHING * total;
        }
    } else {
        for w in 0..7 {
            let pop = if pop_max > 0.0 {
                pop_wd[w] / pop_max
            } else {
                1.0
            };
            // What they told us outranks what others do: the population only orders the
            // days within their stated preference.
            wf[w] = match pref {
                Some(p) => p[w] * (0.75 + 0.25 * pop),
                None => pop,
            };
        }
        // One visit is a hint about the weekday, not a routine.
        if let Some(d) = view.days.first() {
            wf[d.weekday().num_days_from_monday() as usize] += 0.5;
        }
    }
    let wf_max = wf.iter().cloned().fold(0.0, f64::max);
    if wf_max > 0.0 {
        wf.iter_mut().for_each(|x| *x /= wf_max);
    } else {
        wf = [1.0; 7];
    }

    let pref_hour = view
        .profile
        .preferred_time_slots
        .iter()
        .find_map(|s| slot_hour(s));
    let hour_for = |w: usize| -> u8 {
        if let Some((h, _, _)) = routine.hour_on(w) {
            return h;
        }
        if let Some(h) = routine.any_hour().or(pref_hour) {
            return h;
        }
        let row = &model.weekday_hour[w];
        (0..24)
            .filter(|h| row[*h] > 0.0)
            .max_by(|a, b| row[*a].total_cmp(&row[*b]).then(b.cmp(a)))
            .map_or(10, |h| h as u8)
    };

    let interval = view
        .interval
        .unwrap_or(model.typical_interval_days)
        .clamp(1, 60);
    let mut urgent = view
        .holdings
        .iter()
        .filter(|h| h.status_rank(today) <= 1 && h.remaining_total() > 0 && h.expiry > today)
        .map(|h| {
            let days_left = (h.expiry - today).num_days();
            (h, days_left as f64 / h.remaining_total() as f64)
        })
        .filter(|(_, pace)| *pace < interval as f64)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(h, pace)| Urgent {
            name: h.name.clone(),
            expiry: h.expiry,
            remaining: h.remaining,
            step: (pace.floor() as i64).max(1),
            per_week: 7.0 / pace,
            days_left: (h.expiry - today).num_days(),
        });

    let fallback_service = ServiceType::ALL
        .into_iter()
        .filter(|s| model.offers(*s) && services[idx(*s)].score > 0.0)
        .max_by(|a, b| {
            services[idx(*a)]
                .score
                .total_cmp(&services[idx(*b)].score)
                .then(b.as_str().cmp(a.as_str()))
        });

    let anchor = view.days.last().copied().unwrap_or(today);
    let step_now = |u: &Option<Urgent>| u.as_ref().map_or(interval, |u| u.step);
    let tomorrow = today + Duration::days(1);
    let mut due = anchor + Duration::days(step_now(&urgent));
    // Overdue (or never came): the next visit is "as soon as suits them", i.e. the first of
    // their best weekdays from tomorrow — not a date in the past pulled forward to tomorrow,
    // which would rank a day they never come on above their usual one.
    let overdue = due < tomorrow || view.days.is_empty();
    if overdue {
        let best = (0..7).map(|k| tomorrow + Duration::days(k)).max_by(|a, b| {
            let (wa, wb) = (
                wf[a.weekday().num_days_from_monday() as usize],
                wf[b.weekday().num_days_from_monday() as usize],
            );
            wa.total_cmp(&wb).then(b.cmp(a))
        });
        due = best.unwrap_or(tomorrow);
    }
    let mut prev = today;
    let mut out: Vec<Candidate> = Vec::new();
    let mut guard = 0;
    while out.len() < count && guard < count * 4 + 8 {
        guard += 1;
        let step = step_now(&urgent);
        let half = (step / 2).max(3);
        let lo = (due - Duration::days(half)).max(prev + Duration::days(1));
        let mut hi = (due + Duration::days(half)).max(lo);
        if let Some(u) = &urgent {
            hi = hi.min(u.expiry).max(lo);
        }
        let sigma = (step as f64 / 3.0).max(1.5);
        // A package running out forces visits off the usual weekday; the weekday then only
        // breaks ties instead of vetoing days.
        let weekday_weight = |w: usize| {
            if urgent.is_some() {
                0.5 + 0.5 * wf[w]
            } else {
                wf[w]
            }
        };
        let mut best: Option<(NaiveDate, u8, f64, Vec<String>)> = None;
        let mut d = lo;
        while d <= hi {
            let w = d.weekday().num_days_from_monday() as usize;
            let off = (d - due).num_days() as f64;
            let base = weekday_weight(w) * (-(off * off) / (2.0 * sigma * sigma)).exp();
            let hour = hour_for(w);
            if let Some((s, fb)) = personal.adjust(model, &slot_code(d, hour), base) {
                if best.as_ref().is_none_or(|b| s > b.2) {
                    best = Some((d, hour, s, fb));
                }
            }
            d += Duration::days(1);
        }
        let Some((date, hour, s, fb)) = best else {
            due = hi + Duration::days(1);
            continue;
        };
        let k = out.len();
        let w = date.weekday().num_days_from_monday() as usize;
        let mut reasons = vec![format!(
            "{}: {} {}",
            if k == 0 {
                "다음 방문 추천".to_string()
            } else {
                format!("{}번째 방문 추천", k + 1)
            },
            date_ko(date),
            hour_ko(hour)
        )];
        let wname = weekday_ko(WEEKDAYS[w]);
        if has_routine && wd_n[w] > 0 {
            reasons.push(format!(
                "주로 {wname}요일에 방문 (최근 방문 {recent_days}일 중 {}일)",
                wd_n[w]
            ));
        }
        if let Some((h, same, of)) = routine.hour_on(w).filter(|(_, _, of)| *of > 0) {
            reasons.push(format!(
                "{wname}요일에는 주로 {} 시작 ({of}일 중 {same}일)",
                hour_ko(h)
            ));
        }
        let mut slot_services: Vec<ServiceType> = Vec::new();
        let mut urgent_used = false;
        if let Some(u) = urgent.as_mut().filter(|u| date <= u.expiry) {
            let usual = routine.usual_services(w);
            let mut pick: Vec<ServiceType> = usual
                .into_iter()
                .filter(|s| u.remaining[idx(*s)] > 0)
                .collect();
            if pick.is_empty() {
                if let Some(s) = ServiceType::ALL
                    .into_iter()
                    .filter(|s| u.remaining[idx(*s)] > 0)
                    .max_by_key(|s| (u.remaining[idx(*s)], std::cmp::Reverse(idx(*s))))
                {
                    pick.push(s);
                }
            }
            let left: i64 = u.remaining.iter().sum();
            reasons.push(format!(
                "{} 잔여 {left}회가 {} 만료 — 남은 {}일 안에 모두 쓰려면 주 {:.1}회 방문 필요",
                u.name,
                date_ko_near(u.expiry, today),
                u.days_left,
                u.per_week
            ));
            for s in &pick {
                u.remaining[idx(*s)] -= 1;
            }
            slot_services = pick;
            urgent_used = true;
        }
        if urgent
            .as_ref()
            .is_some_and(|u| u.remaining.iter().sum::<i64>() <= 0 || date >= u.expiry)
        {
            urgent = None;
        }
        if !urgent_used {
            if let Some(i) = view.interval {
                reasons.push(if k > 0 {
                    format!("평균 방문 간격 {i}일 기준")
                } else if overdue {
                    format!(
                        "마지막 방문 {} 이후 {}일 지남 (평균 방문 간격 {i}일)",
                        date_ko_near(anchor, today),
                        (today - anchor).num_days()
                    )
                } else {
                    format!(
                        "평균 방문 간격 {i}일 — 마지막 방문 {}",
                        date_ko_near(anchor, today)
                    )
                });
            }
            slot_services = routine.usual_services(w);
            if !slot_services.is_empty() {
                let names: Vec<String> = slot_services
                    .iter()
                    .map(|s| model.service_name(*s))
                    .collect();
                reasons.push(format!("방문 때 주로 받으신 서비스: {}", names.join("·")));
            }
        }
        slot_services.retain(|s| model.offers(*s));
        if slot_services.is_empty() {
            if let Some(s) = fallback_service {
                slot_services.push(s);
                if let Some(r) = services[idx(s)].reasons.first() {
                    reasons.push(format!("추천 서비스 {}: {r}", model.service_name(s)));
                }
            }
        }
        if !has_routine {
            let labels: Vec<&str> = view
                .profile
                .preferred_time_slots
                .iter()
                .filter_map(|s| slot_label(s))
                .collect();
            if !labels.is_empty() {
                reasons.push(format!(
                    "방문 기록이 부족해 선호 시간대({}) 기준",
                    labels.join("·")
                ));
            }
            if pop_total > 0.0 {
                reasons.push(format!(
                    "전체 방문 중 {wname}요일 비중 {}",
                    percent(pop_wd[w] / pop_total)
                ));
            }
        }
        reasons.extend(fb);
        let names: Vec<String> = slot_services
            .iter()
            .map(|s| model.service_name(*s))
            .collect();
        let duration = slot_services
            .iter()
            .map(|s| model.service_duration(*s))
            .sum();
        let mut name = format!("{} {}", date_ko(date), hour_ko(hour));
        if !names.is_empty() {
            name.push_str(" · ");
            name.push_str(&names.join("·"));
        }
        out.push(Candidate {
            code: slot_code(date, hour),
            name,
            score: (s * LATER_SLOT_FACTOR.powi(k as i32)).clamp(0.0, 1.0),
            reasons,
            service_details: None,
            package_details: None,
            schedule: Some(ScheduleSlot {
                date,
                weekday: wname.to_string(),
                hour,
                time: format!("{hour:02}:00"),
                services: slot_services,
                service_names: names,
                duration_minutes: duration,
            }),
        });
        prev = date;
        due = date + Duration::days(step_now(&urgent));
    }
    out
}

/// Seed 000's `suggested_schedule` for one service: frequency from the customer's own interval
/// with that service (else their overall interval, else the clinic's typical one), and their
/// two most frequent weekday and part of day.
pub(crate) fn suggested(
    model: &Model,
    view: &View,
    s: ServiceType,
) -> crate::types::SuggestedSchedule {
    let days: Vec<NaiveDate> = {
        let mut d: Vec<NaiveDate> = view
            .history
            .visits
            .iter()
            .filter(|v| v.service == s && v.date <= view.today)
            .map(|v| v.date)
            .collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let interval = crate::model::median_interval(&days)
        .or(view.interval)
        .unwrap_or(model.typical_interval_days);
    let frequency = match interval {
        i64::MIN..=2 => "주 3회".to_string(),
        3..=4 => "주 2회".to_string(),
        5..=10 => "주 1회".to_string(),
        11..=17 => "2주 1회".to_string(),
        18..=24 => "3주 1회".to_string(),
        _ => "월 1회".to_string(),
    };
    let mut slots: BTreeMap<(usize, &'static str), f64> = BTreeMap::new();
    for v in view.history.visits.iter().filter(|v| v.date <= view.today) {
        if let Some(h) = v.hour.filter(|h| *h < 24) {
            *slots
                .entry((
                    v.date.weekday().num_days_from_monday() as usize,
                    crate::text::day_part_ko(h),
                ))
                .or_default() += decay(view.today, v.date, CUSTOMER_HALF_LIFE_DAYS);
        }
    }
    if slots.is_empty() {
        for (w, row) in model.weekday_hour.iter().enumerate() {
            for (h, x) in row.iter().enumerate() {
                if *x > 0.0 {
                    *slots
                        .entry((w, crate::text::day_part_ko(h as u8)))
                        .or_default() += x;
                }
            }
        }
    }
    let mut ranked: Vec<((usize, &str), f64)> = slots.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    crate::types::SuggestedSchedule {
        frequency,
        duration: format!("{}분", model.service_duration(s)),
        best_times: ranked
            .into_iter()
            .take(2)
            .map(|((w, part), _)| format!("{}요일 {part}", weekday_ko(WEEKDAYS[w])))
            .collect(),
    }
}
