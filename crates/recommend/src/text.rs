//! Korean wording shared by every reason sentence, so dates, hours and money read the same way
//! in a service, package or schedule recommendation.

use chrono::{Datelike, NaiveDate, Weekday};

pub(crate) fn weekday_ko(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

/// "12월 10일 (목)"
pub(crate) fn date_ko(d: NaiveDate) -> String {
    format!(
        "{}월 {}일 ({})",
        d.month(),
        d.day(),
        weekday_ko(d.weekday())
    )
}

/// [`date_ko`], with the year when it is not `today`'s: "2024년 12월 24일 (화)". Past dates
/// in reasons can be a year or more back, and "12월 24일" alone would read as this year.
pub(crate) fn date_ko_near(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        date_ko(d)
    } else {
        format!("{}년 {}", d.year(), date_ko(d))
    }
}

/// "오전 10시", "오후 2시". Noon reads "오후 12시" as Korean clocks and booking apps say it.
pub(crate) fn hour_ko(hour: u8) -> String {
    match hour {
        0..=11 => format!("오전 {hour}시"),
        12 => "오후 12시".to_string(),
        _ => format!("오후 {}시", hour - 12),
    }
}

/// The part of day a booking screen groups hours by ("화요일 오전").
pub(crate) fn day_part_ko(hour: u8) -> &'static str {
    match hour {
        0..=11 => "오전",
        12..=17 => "오후",
        _ => "저녁",
    }
}

/// "1,500,000원"
pub(crate) fn won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    out.push('원');
    out
}

pub(crate) fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round() as i64)
}

/// Korean object particle for a name: 을 after a final consonant, 를 otherwise (and after
/// Latin letters or digits, which read without a batchim often enough not to matter).
pub(crate) fn object_particle(word: &str) -> &'static str {
    match word.chars().last() {
        Some(c @ '가'..='힣') => {
            if (c as u32 - '가' as u32).is_multiple_of(28) {
                "를"
            } else {
                "을"
            }
        }
        _ => "를",
    }
}

/// 과/와 ("with") by the same rule.
pub(crate) fn with_particle(word: &str) -> &'static str {
    match object_particle(word) {
        "을" => "과",
        _ => "와",
    }
}

/// 이/가 by the same rule.
pub(crate) fn subject_particle(word: &str) -> &'static str {
    match word.chars().last() {
        Some(c @ '가'..='힣') => {
            if (c as u32 - '가' as u32).is_multiple_of(28) {
                "가"
            } else {
                "이"
            }
        }
        _ => "가",
    }
}

/// Scores leave the crate rounded so that the same inputs serialise to the same bytes on every
/// platform and a list is not reordered by the last bits of a float.
pub(crate) fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_formats() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 11).unwrap_or_default();
        assert_eq!(date_ko(d), "12월 11일 (목)");
        assert_eq!(hour_ko(10), "오전 10시");
        assert_eq!(hour_ko(12), "오후 12시");
        assert_eq!(hour_ko(14), "오후 2시");
        assert_eq!(won(1_500_000), "1,500,000원");
        assert_eq!(won(40_000), "40,000원");
        assert_eq!(won(-250), "-250원");
        assert_eq!(object_particle("레드 테라피"), "를");
        assert_eq!(object_particle("림프 순환"), "을");
        assert_eq!(subject_particle("브레인 피드백"), "이");
        assert_eq!(percent(0.654), "65%");
        assert_eq!(with_particle("AI 바이크"), "와");
        assert_eq!(with_particle("림프 순환"), "과");
        let jan = NaiveDate::from_ymd_opt(2024, 12, 24).unwrap_or_default();
        assert_eq!(date_ko_near(jan, d), "2024년 12월 24일 (화)");
        assert_eq!(date_ko_near(d, d), "12월 11일 (목)");
    }
}
