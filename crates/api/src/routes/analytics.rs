//! Managers' analytics over the whole clinic (issue 11): the dashboard (seed 003 §2.1 re-read
//! for a clinic), the revenue and visit forecast (§2.3) and the charts drawn from them. Every
//! figure comes from the day roll-ups (`clinic_stats`), which every write keeps current, so
//! nothing here is cached and nothing is stale after an edit.

use crate::auth::{Analytics, Authorized};
use crate::body::QueryMap;
use crate::envelope::{ok_serialized, ApiError, ApiResult};
use crate::openapi::schemas::{
    AnalyticsDashboard, ChartName, ChartParams, DashboardParams, ForecastParams, RevenueForecast,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use clinicdesk_analytics::dashboard::{
    dashboard as build_dashboard, CustomerActivity, DailyRow, Dashboard,
};
use clinicdesk_analytics::period::DashboardRange;
use clinicdesk_domain::{DomainError, ErrorCode, ServiceType};
use clinicdesk_forecast::{Backtest, Forecast, Insight};
use clinicdesk_store::clinic_stats;
use serde::Serialize;
use serde_json::json;

/// The dashboard's range from the query (`period`, or `start_date` and `end_date`).
fn range_of(q: &QueryMap, today: NaiveDate) -> Result<DashboardRange, ApiError> {
    Ok(DashboardRange::parse(
        q.text("period"),
        q.text("start_date"),
        q.text("end_date"),
        today,
    )
    .map_err(DomainError::from)?)
}

/// The day rows from `from` to `to`: one per day and service for visits, one per day for
/// sales and first-time customers (sales are not any one service's).
async fn daily_rows(
    conn: &mut clinicdesk_store::PooledConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DailyRow>, ApiError> {
    let mut rows: Vec<DailyRow> = clinic_stats::visits_by_day(conn, from, to)
        .await?
        .into_iter()
        .map(|v| DailyRow {
            date: v.day,
            service: Some(v.service),
            visits: v.visits,
            visit_revenue: v.revenue,
            purchases: 0,
            purchase_revenue: 0,
            new_customers: 0,
        })
        .collect();
    rows.extend(
        clinic_stats::sales_by_day(conn, from, to)
            .await?
            .into_iter()
            .map(|s| DailyRow {
                date: s.day,
                service: None,
                visits: 0,
                visit_revenue: 0,
                purchases: s.purchases,
                purchase_revenue: s.revenue,
                new_customers: 0,
            }),
    );
    rows.extend(
        clinic_stats::first_days(conn, from, to)
            .await?
            .into_iter()
            .map(|(date, n)| DailyRow {
                date,
                service: None,
                visits: 0,
                visit_revenue: 0,
                purchases: 0,
                purchase_revenue: 0,
                new_customers: n,
            }),
    );
    Ok(rows)
}

async fn dashboard_of(state: &AppState, range: &DashboardRange) -> Result<Dashboard, ApiError> {
    let current = range.range;
    let previous = current.previous();
    let mut conn = state.db.conn().await?;
    let rows = daily_rows(&mut conn, previous.start(), current.end()).await?;
    let a = clinic_stats::activity(&mut conn, current.start(), current.end()).await?;
    drop(conn);
    let activity = CustomerActivity {
        active: a.active,
        returning: a.returning,
        previous_active: a.previous_active,
    };
    Ok(build_dashboard(&rows, range, &activity).map_err(DomainError::from)?)
}

/// 경영 대시보드 (clinic dashboard)
///
/// 기간(`period`: `day`·`week`·`month`·`year` = 오늘까지 1·7·30·365일, 기본 `month`) 또는
/// `start_date`·`end_date`(둘 다, 최대 1,096일)의 매출(방문 결제 + 패키지 판매, 환불을 뺀
/// 금액)과 바로 앞 같은 길이 기간 대비 증감률, 구매, 방문, 고객(활동·처음 온·재방문, 유지율),
/// 서비스별 방문과 매출, 일별 추이. 증감률을 낼 수 없으면 `null`과 이유(`unavailable`)를
/// 줍니다. 관리자(manager, admin)만.
#[utoipa::path(get, path = "/analytics/dashboard",
    params(DashboardParams),
    responses((status = 200, body = AnalyticsDashboard)))]
pub async fn dashboard(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    q: QueryMap,
) -> ApiResult {
    let range = range_of(&q, state.today())?;
    Ok(ok_serialized(&dashboard_of(&state, &range).await?))
}

/// What a forecast counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Metric {
    Revenue,
    Visits,
}

/// Days of history a forecast is fitted on: half a year, enough for the weekly season and a
/// trend without dragging in last year's.
const HISTORY_DAYS: i64 = 182;
/// Days of history shown beside a forecast.
const SHOWN_DAYS: i64 = 56;

#[derive(Serialize)]
struct ForecastAnswer {
    metric: Metric,
    service: Option<ServiceType>,
    /// `KRW` or `visits`.
    unit: &'static str,
    /// What the series counts, in Korean.
    scope: String,
    history_start: NaiveDate,
    history_end: NaiveDate,
    /// The last weeks of the history, for a chart.
    history: Vec<HistoryPoint>,
    forecast: Forecast,
    insights: Vec<Insight>,
    /// How the model did on the last four weeks held out; `None` (with the reason) while the
    /// history is too short to hold four weeks out and still fit.
    accuracy: Option<Backtest>,
    accuracy_unavailable: Option<String>,
}

#[derive(Serialize)]
struct HistoryPoint {
    date: NaiveDate,
    value: f64,
}

/// The series a forecast fits: each day from the clinic's first recorded day (at most
/// [`HISTORY_DAYS`] back) to yesterday — today is still under way, and a half day would read
/// as a fall.
async fn series(
    state: &AppState,
    metric: Metric,
    service: Option<ServiceType>,
) -> Result<(NaiveDate, NaiveDate, Vec<(NaiveDate, f64)>), ApiError> {
    let end = state.today() - Duration::days(1);
    let start = end - Duration::days(HISTORY_DAYS - 1);
    let mut conn = state.db.conn().await?;
    let rows = daily_rows(&mut conn, start, end).await?;
    drop(conn);
    // The series starts on the first day with something it counts.
    let counts = |r: &&DailyRow| match (service, metric) {
        (Some(s), _) => r.service == Some(s) && r.visits > 0,
        (None, Metric::Visits) => r.visits > 0,
        (None, Metric::Revenue) => r.visits > 0 || r.purchases > 0 || r.purchase_revenue != 0,
    };
    let first = rows.iter().filter(counts).map(|r| r.date).min();
    let Some(first) = first else {
        return Err(insufficient(0));
    };
    let days = (end - first).num_days() + 1;
    let mut values = vec![0.0; usize::try_from(days).unwrap_or(0)];
    for r in &rows {
        let Some(i) = usize::try_from((r.date - first).num_days()).ok() else {
            continue;
        };
        let Some(slot) = values.get_mut(i) else {
            continue;
        };
        if service.is_some() && r.service != service {
            continue;
        }
        *slot += match metric {
            Metric::Visits => r.visits as f64,
            Metric::Revenue if service.is_some() => r.visit_revenue as f64,
            Metric::Revenue => (r.visit_revenue + r.purchase_revenue) as f64,
        };
    }
    let series = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (first + Duration::days(i as i64), v))
        .collect();
    Ok((first, end, series))
}

fn insufficient(days: usize) -> ApiError {
    ApiError(
        DomainError::new(ErrorCode::InsufficientData)
            .with_message(format!(
                "예측에는 기록된 날이 {} 이상 필요합니다 (지금 {days}일)",
                clinicdesk_forecast::hw::MIN_DAYS
            ))
            .with_details(json!({"days": days, "needed": clinicdesk_forecast::hw::MIN_DAYS})),
    )
}

fn forecast_error(e: clinicdesk_forecast::ForecastError) -> ApiError {
    match e {
        clinicdesk_forecast::ForecastError::InsufficientData { days, .. } => insufficient(days),
        other => ApiError(DomainError::internal(format!("forecast: {other}"))),
    }
}

async fn forecast_of(state: &AppState, q: &QueryMap) -> Result<ForecastAnswer, ApiError> {
    let days = q.int("days", 30, 1, 90)?;
    let metric = match q.one_of("metric", &["revenue", "visits"])?.as_deref() {
        Some("visits") => Metric::Visits,
        _ => Metric::Revenue,
    };
    let service = q
        .one_of("service", &ServiceType::CODES)?
        .and_then(|s| ServiceType::parse(&s));
    let (start, end, series) = series(state, metric, service).await?;
    let fitted = clinicdesk_forecast::fit(&series).map_err(forecast_error)?;
    let forecast = fitted.forecast(days as usize).map_err(forecast_error)?;
    let insights = clinicdesk_forecast::insights(&fitted, &forecast);
    let holdout = clinicdesk_forecast::DEFAULT_HOLDOUT_DAYS;
    let (accuracy, accuracy_unavailable) = match clinicdesk_forecast::backtest(&series, holdout) {
        Ok(b) => (Some(b), None),
        Err(clinicdesk_forecast::ForecastError::InsufficientData { .. }) => (
            None,
            Some(format!(
                "정확도 점검에는 최근 {holdout}일을 떼고도 {}일이 남아야 합니다 (지금 {}일)",
                clinicdesk_forecast::hw::MIN_DAYS,
                series.len()
            )),
        ),
        Err(e) => return Err(forecast_error(e)),
    };
    let shown_from = end - Duration::days(SHOWN_DAYS - 1);
    let scope = match (metric, service) {
        (Metric::Visits, None) => "모든 서비스의 방문 수".to_string(),
        (Metric::Visits, Some(s)) => format!("{}의 방문 수", s.info().name),
        (Metric::Revenue, None) => "매출 (방문 결제 + 패키지 판매, 환불 제외)".to_string(),
        (Metric::Revenue, Some(s)) => {
            format!(
                "{}의 방문 결제 매출 (패키지 판매는 서비스별로 나눌 수 없어 제외)",
                s.info().name
            )
        }
    };
    Ok(ForecastAnswer {
        metric,
        service,
        unit: match metric {
            Metric::Revenue => "KRW",
            Metric::Visits => "visits",
        },
        scope,
        history_start: start,
        history_end: end,
        history: series
            .iter()
            .filter(|(d, _)| *d >= shown_from)
            .map(|(date, value)| HistoryPoint {
                date: *date,
                value: *value,
            })
            .collect(),
        forecast,
        insights,
        accuracy,
        accuracy_unavailable,
    })
}

/// 매출·방문 예측 (revenue or visit forecast)
///
/// 어제까지 최대 182일의 일별 실적으로 Holt-Winters(가법, 주간 계절성; 감쇠 추세와 비교해
/// AICc로 선택)를 맞추고 `days`(1–90, 기본 30)일을 80%·95% 예측 구간과 함께 내다봅니다.
/// `metric`: `revenue`(기본) 또는 `visits`; `service`를 주면 그 서비스만 (매출은 방문
/// 결제만). 최근 4주를 떼어 두고 맞춘 예측과 계절 단순 예측(지난주 같은 요일)을 비교한
/// 정확도(`accuracy`)도 함께 줍니다. 기록된 날이 16일보다 적으면 400 `INSUFFICIENT_DATA`.
#[utoipa::path(get, path = "/analytics/forecast",
    params(ForecastParams),
    responses((status = 200, body = RevenueForecast)),
    extensions(("x-errors" = json!(["INSUFFICIENT_DATA"]))))]
pub async fn forecast(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    q: QueryMap,
) -> ApiResult {
    Ok(ok_serialized(&forecast_of(&state, &q).await?))
}

fn weekday_of(d: NaiveDate) -> Weekday {
    d.weekday()
}

/// The chart `name` with its data, from the same figures the JSON endpoints answer.
async fn chart_of(
    state: &AppState,
    name: &str,
    q: &QueryMap,
) -> Result<clinicdesk_charts::Chart, ApiError> {
    use clinicdesk_charts::{
        Chart, DatedValue, Granularity, HeatCell, MixUnit, RevenueTrend, ServiceMix, ServiceShare,
        VisitHeatmap,
    };
    let today = state.today();
    let period_label = |d: &Dashboard| format!("{} ~ {}", d.date_range.start(), d.date_range.end());
    Ok(match name {
        "revenue-trend" => {
            let range = range_of(q, today)?;
            let d = dashboard_of(state, &range).await?;
            let mut conn = state.db.conn().await?;
            let previous = range.range.previous();
            let before = daily_rows(&mut conn, previous.start(), previous.end()).await?;
            drop(conn);
            let mut by_day = vec![0.0; usize::try_from(previous.days()).unwrap_or(0)];
            for r in &before {
                if let Some(slot) = usize::try_from((r.date - previous.start()).num_days())
                    .ok()
                    .and_then(|i| by_day.get_mut(i))
                {
                    *slot += (r.visit_revenue + r.purchase_revenue) as f64;
                }
            }
            Chart::RevenueTrend(RevenueTrend {
                title: Some("매출 추이".into()),
                subtitle: Some(format!(
                    "{} · 방문 결제 + 패키지 판매, 환불 제외",
                    period_label(&d)
                )),
                granularity: Granularity::Daily,
                style: None,
                points: d
                    .daily_trend
                    .iter()
                    .map(|p| DatedValue {
                        date: p.date,
                        value: p.revenue as f64,
                    })
                    .collect(),
                // Drawn over the current days, day for day.
                previous: d
                    .daily_trend
                    .iter()
                    .zip(by_day)
                    .map(|(p, v)| DatedValue {
                        date: p.date,
                        value: v,
                    })
                    .collect(),
                current_label: Some("이번 기간".into()),
                previous_label: Some("이전 기간".into()),
            })
        }
        "service-mix" => {
            let range = range_of(q, today)?;
            let d = dashboard_of(state, &range).await?;
            Chart::ServiceMix(ServiceMix {
                title: Some("서비스별 방문".into()),
                subtitle: Some(period_label(&d)),
                unit: MixUnit::Count,
                items: d
                    .services
                    .iter()
                    .map(|s| ServiceShare {
                        service: s.name.to_string(),
                        value: s.visits as f64,
                    })
                    .collect(),
                max_items: None,
            })
        }
        "visit-heatmap" => {
            let range = range_of(q, today)?;
            let mut conn = state.db.conn().await?;
            let hours =
                clinic_stats::visits_by_hour(&mut conn, range.range.start(), range.range.end())
                    .await?;
            drop(conn);
            let mut cells: Vec<HeatCell> = Vec::new();
            let mut unknown = 0;
            for h in hours {
                let Ok(hour) = u8::try_from(h.hour) else {
                    unknown += h.visits;
                    continue;
                };
                let weekday = weekday_of(h.day);
                match cells
                    .iter_mut()
                    .find(|c| c.weekday == weekday && c.hour == hour)
                {
                    Some(c) => c.count += h.visits as f64,
                    None => cells.push(HeatCell {
                        weekday,
                        hour,
                        count: h.visits as f64,
                    }),
                }
            }
            let mut subtitle = format!(
                "{} ~ {} · 방문을 기록한 시각 기준",
                range.range.start(),
                range.range.end()
            );
            if unknown > 0 {
                subtitle.push_str(&format!(" (다른 날 입력한 {unknown}회 제외)"));
            }
            Chart::VisitHeatmap(VisitHeatmap {
                title: Some("요일·시간대별 방문".into()),
                subtitle: Some(subtitle),
                cells,
                hour_from: None,
                hour_to: None,
            })
        }
        "forecast" => {
            let f = forecast_of(state, q).await?;
            Chart::Forecast(clinicdesk_charts::Forecast {
                title: Some(match f.metric {
                    Metric::Revenue => "매출 예측".into(),
                    Metric::Visits => "방문 예측".into(),
                }),
                subtitle: Some(format!("{} · {}", f.scope, f.forecast.model.name)),
                unit: Some(match f.metric {
                    Metric::Revenue => clinicdesk_charts::ValueUnit::Krw,
                    Metric::Visits => clinicdesk_charts::ValueUnit::Count,
                }),
                granularity: Granularity::Daily,
                history: f
                    .history
                    .iter()
                    .map(|p| DatedValue {
                        date: p.date,
                        value: p.value,
                    })
                    .collect(),
                forecast: f
                    .forecast
                    .points
                    .iter()
                    .map(|p| clinicdesk_charts::ForecastPoint {
                        date: p.date,
                        value: p.value,
                        lower_80: p.lower80,
                        upper_80: p.upper80,
                        lower_95: p.lower95,
                        upper_95: p.upper95,
                    })
                    .collect(),
                today: Some(today),
            })
        }
        "allergen-distribution" | "grade-distribution" => {
            let mut conn = state.db.conn().await?;
            let all = clinicdesk_store::diagnoses::all_results(&mut conn).await?;
            drop(conn);
            let (positives, grades) = super::diagnoses::distributions(&all);
            let subtitle = Some(format!("지금까지의 진단 {}건", all.len()));
            if name == "grade-distribution" {
                Chart::GradeDistribution(clinicdesk_charts::GradeDistribution {
                    title: Some("검사 결과 등급 분포".into()),
                    subtitle,
                    counts: (0u8..)
                        .zip(grades)
                        .map(|(grade, count)| clinicdesk_charts::GradeCount {
                            grade,
                            count: u64::try_from(count).unwrap_or(0),
                        })
                        .collect(),
                })
            } else {
                let k = state.knowledge.current(&state.db).await?;
                Chart::AllergenDistribution(clinicdesk_charts::AllergenDistribution {
                    title: Some("양성(등급 2 이상)이 많은 항목".into()),
                    subtitle,
                    items: positives
                        .iter()
                        .map(|(code, count)| clinicdesk_charts::AllergenCount {
                            allergen: k
                                .allergen(code)
                                .map(|a| a.name_ko.clone())
                                .unwrap_or_else(|| code.clone()),
                            count: u64::try_from(*count).unwrap_or(0),
                        })
                        .collect(),
                    total_tested: u64::try_from(all.len()).ok(),
                    top: None,
                })
            }
        }
        "segment-scatter" | "churn-risk" => {
            let served = state.customer_model.required(&state.db).await?;
            let whole = state
                .whole_clinic
                .current(&state.db, Some(served), today)
                .await?;
            let Some(seg) = whole.segments.as_ref() else {
                return Err(ApiError::code(ErrorCode::ModelNotReady));
            };
            if name == "segment-scatter" {
                seg.scatter_chart(today)
            } else {
                seg.churn_chart(today).map_err(|reason| {
                    ApiError(DomainError::new(ErrorCode::InsufficientData).with_message(reason))
                })?
            }
        }
        _ => return Err(ApiError::code(ErrorCode::ChartNotFound)),
    })
}

/// 차트 (a chart as SVG or PNG)
///
/// `name`: `revenue-trend`(매출 추이, 이전 기간과 함께), `service-mix`(서비스별 방문),
/// `visit-heatmap`(요일·시간대별 방문), `forecast`(예측과 구간), `allergen-distribution`
/// (양성이 많은 알레르기 항목), `grade-distribution`(검사 결과 등급 분포; 둘 다 지금까지의
/// 모든 진단, 개인을 알 수 있는 값 없음), `segment-scatter`(모델이 나눈 고객 세그먼트:
/// 월 평균 방문과 최근 1년 매출, 3,000명까지 고르게 뽑음), `churn-risk`(최근 90일 방문
/// 고객의 이탈 확률 분포와 모델의 위험 구간; 둘 다 모델이 없으면 503 `MODEL_NOT_READY`).
/// 기간과 예측의 매개변수는
/// 대시보드·예측과 같습니다. `format`: `svg`(기본) 또는 `png`; `width`·`height`는
/// 200–4000 픽셀(기본 1200×750). 한글 라벨은 함께 든 나눔고딕(OFL)으로 그립니다.
#[utoipa::path(get, path = "/charts/{name}",
    params(ChartName, ChartParams, DashboardParams, ForecastParams),
    responses(
        (status = 200, description = "SVG 또는 PNG 그림 (a chart)", content(
            ("image/svg+xml"), ("image/png")))),
    extensions(("x-errors" = json!(["CHART_NOT_FOUND", "INSUFFICIENT_DATA", "MODEL_NOT_READY"])),
        ("x-envelope" = json!(false))))]
pub async fn chart(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    Path(name): Path<String>,
    q: QueryMap,
) -> Result<Response, ApiError> {
    let format = match q.one_of("format", &["svg", "png"])?.as_deref() {
        Some("png") => clinicdesk_charts::Format::Png,
        _ => clinicdesk_charts::Format::Svg,
    };
    let width = q.int(
        "width",
        1200,
        i64::from(clinicdesk_charts::MIN_SIDE),
        i64::from(clinicdesk_charts::MAX_SIDE),
    )?;
    let height = q.int(
        "height",
        750,
        i64::from(clinicdesk_charts::MIN_SIDE),
        i64::from(clinicdesk_charts::MAX_SIDE),
    )?;
    let chart = chart_of(&state, &name, &q).await?;
    let rendered = clinicdesk_charts::render(&chart, format, (width as u32, height as u32))
        .map_err(|e| ApiError(DomainError::internal(format!("chart {name}: {e}"))))?;
    Ok((
        [
            (header::CONTENT_TYPE, rendered.content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        rendered.bytes,
    )
        .into_response())
}
