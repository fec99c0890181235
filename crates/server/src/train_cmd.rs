//! `train`: fits a new customer model (segments with personas, churn) on the clinic's data and
//! stores it as the newest version, which every server and desktop then serves (it syncs like
//! any fact). Prints what the training measured on held-out data, so a person can judge it,
//! and, on the same database, how the other two models the clinic serves do on held-out data:
//! recommendations (leave-last-out against the most popular items) and the revenue and visit
//! forecast (the last 28 days against the seasonal-naive forecast). Each figure is printed
//! with its baseline and says plainly whether it beats it; one that does not is not hidden.

use crate::DatabaseArgs;
use chrono::{Duration, NaiveDate};
use clinicdesk_forecast::{Accuracy, Backtest, DEFAULT_HOLDOUT_DAYS};
use clinicdesk_recommend::{Algorithm, Catalogue, EvaluationReport, Metric, PackageItem, Section};
use clinicdesk_store::{clinic_stats, histories, packages, Actor, Db};

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The clinic day the data is read as of (YYYY-MM-DD). Default: today (KST). Set it to
    /// the `--today` a demo data set was generated with to reproduce a report on it.
    #[arg(long)]
    today: Option<NaiveDate>,
}

/// Days of history the forecast is fitted on, as the forecast endpoint does: half a year up
/// to yesterday (today is still under way).
const FORECAST_HISTORY_DAYS: i64 = 182;

fn verdict(beats: bool) -> &'static str {
    if beats {
        "beats the baseline"
    } else {
        "does NOT beat the baseline"
    }
}

pub async fn run(args: TrainArgs) -> anyhow::Result<()> {
    let db = args.database.administered()?.open().await?;
    let now = chrono::Utc::now();
    let today = args
        .today
        .unwrap_or_else(|| clinicdesk_domain::follow_up::kst_day(now));
    let outcome = clinicdesk_api::customer_model::train_and_store(
        &db,
        &Actor::system("train"),
        today,
        now,
        |p| eprintln!("{:>3.0}% {}", p.fraction * 100.0, p.detail),
    )
    .await;
    let (stored, report) = match outcome {
        Ok(done) => done,
        Err(e) => {
            db.close().await;
            anyhow::bail!("{}", e.0.render(clinicdesk_domain::Lang::Ko));
        }
    };
    println!(
        "model {} trained on {} customers (data as of {})",
        stored.version, report.n_customers, report.data_as_of
    );
    println!("segments: k = {} chosen by {}", report.k, report.criterion);
    for s in &report.per_k {
        match (s.inertia, s.silhouette) {
            (Some(i), Some(sil)) => println!("  k = {}: inertia {i:.1}, silhouette {sil:.3}", s.k),
            _ => println!(
                "  k = {}: skipped ({})",
                s.k,
                s.skipped.as_deref().unwrap_or("?")
            ),
        }
    }
    println!("silhouette {:.3}", report.silhouette);
    for c in &report.clusters {
        println!(
            "  segment {} {} ({}): {} customers, {:.1}%",
            c.cluster_id,
            c.persona,
            c.persona_en,
            c.size,
            c.share * 100.0
        );
    }
    match (&report.churn, &report.churn_unavailable) {
        (Some(m), _) => println!(
            "churn: held-out AUC {:.3} against {:.3} for {} ({}); trained at {} on {} customers ({} churned), tested at {} on {} ({} churned)",
            m.auc,
            m.baseline_auc,
            m.baseline,
            verdict(m.beats_baseline),
            m.train_cutoff,
            m.n_train,
            m.positives_train,
            m.test_cutoff,
            m.n_test,
            m.positives_test
        ),
        (None, Some(why)) => println!("churn: no model ({})", why.reason_en),
        (None, None) => println!("churn: no model"),
    }

    let evaluated = async {
        print_recommendations(&db, today).await?;
        print_forecasts(&db, today).await
    }
    .await;
    db.close().await;
    evaluated
}

/// Leave-last-out hit-rates of the recommender on every live customer's history, against the
/// most popular items (`clinicdesk_recommend::evaluate`); the catalogue is the clinic's stored
/// package templates and the standard services, as the recommendation endpoints offer them.
async fn print_recommendations(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    let (histories, templates) = {
        let mut conn = db.conn().await?;
        (
            histories::all(&mut conn).await?,
            packages::list_templates(&mut conn).await?,
        )
    };
    let catalogue = Catalogue::with_packages(templates.iter().map(PackageItem::from).collect());
    let report = tokio::task::spawn_blocking(move || {
        clinicdesk_recommend::evaluate(&histories, &catalogue, today)
    })
    .await??;
    print_recommendation_report(&report);
    Ok(())
}

fn print_recommendation_report(r: &EvaluationReport) {
    println!(
        "recommendations: leave-last-out as of {} against the most popular items (the same list for everyone); a verdict needs a paired z ≥ 1.96 on ≥ {} customers",
        r.today,
        clinicdesk_recommend::MIN_CUSTOMERS_FOR_VERDICT
    );
    print_section("packages", &r.packages);
    print_section("services", &r.services);
    for note in &r.notes {
        println!("  note: {note}");
    }
}

fn metric_line(m: &Metric) -> String {
    let verdict = if m.beats_baseline {
        "beats the baseline".to_string()
    } else if m.loses_to_baseline {
        "does NOT beat the baseline: significantly worse".to_string()
    } else {
        "does NOT beat the baseline".to_string()
    };
    format!(
        "hit-rate@{} {:.3} against {:.3} ({:+.3}, z {:.2}; {verdict})",
        m.k, m.hit_rate, m.baseline_hit_rate, m.difference, m.z
    )
}

fn print_section(name: &str, s: &Section) {
    println!(
        "  {name}: held out the {} — {} customers",
        s.held_out, s.customers_evaluated
    );
    for alg in Algorithm::ALL {
        let Some(result) = s.results.iter().find(|r| r.algorithm == alg) else {
            continue;
        };
        for m in &result.metrics {
            println!("    {:<13} {}", alg.as_str(), metric_line(m));
        }
    }
}

/// The daily revenue (visits paid + package sales kept) and visit series the forecast endpoint
/// fits — from the first day with something counted, at most [`FORECAST_HISTORY_DAYS`] back,
/// to yesterday; days without rows are 0 (closed Sundays are real zeros).
async fn daily_series(
    db: &Db,
    today: NaiveDate,
) -> anyhow::Result<(Vec<(NaiveDate, f64)>, Vec<(NaiveDate, f64)>)> {
    let end = today - Duration::days(1);
    let start = end - Duration::days(FORECAST_HISTORY_DAYS - 1);
    let mut conn = db.conn().await?;
    let visits = clinic_stats::visits_by_day(&mut conn, start, end).await?;
    let sales = clinic_stats::sales_by_day(&mut conn, start, end).await?;
    drop(conn);
    let days = FORECAST_HISTORY_DAYS as usize;
    let (mut revenue, mut count) = (vec![0.0; days], vec![0.0; days]);
    let (mut first_revenue, mut first_visit) = (None::<NaiveDate>, None::<NaiveDate>);
    let index = |d: NaiveDate| usize::try_from((d - start).num_days()).ok();
    for v in &visits {
        if let Some(i) = index(v.day).filter(|i| *i < days) {
            revenue[i] += v.revenue as f64;
            count[i] += v.visits as f64;
            if v.visits > 0 {
                first_visit = Some(first_visit.map_or(v.day, |f| f.min(v.day)));
                first_revenue = Some(first_revenue.map_or(v.day, |f| f.min(v.day)));
            }
        }
    }
    for s in &sales {
        if let Some(i) = index(s.day).filter(|i| *i < days) {
            revenue[i] += s.revenue as f64;
            if s.purchases > 0 || s.revenue != 0 {
                first_revenue = Some(first_revenue.map_or(s.day, |f| f.min(s.day)));
            }
        }
    }
    let from = |first: Option<NaiveDate>, values: &[f64]| -> Vec<(NaiveDate, f64)> {
        let Some(first) = first else {
            return Vec::new();
        };
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (start + Duration::days(i as i64), *v))
            .filter(|(d, _)| *d >= first)
            .collect()
    };
    Ok((from(first_revenue, &revenue), from(first_visit, &count)))
}

fn accuracy_line(a: &Accuracy, unit: &str) -> String {
    let mape = a
        .mape
        .map_or_else(|| "n/a".to_string(), |m| format!("{m:.1}%"));
    format!("MAPE {mape}, MAE {:.1} {unit}, sMAPE {:.1}", a.mae, a.smape)
}

fn print_backtest(name: &str, unit: &str, b: &Backtest) {
    let mape_beats = match (b.model.mape, b.baseline.mape) {
        (Some(m), Some(base)) => Some(m < base),
        _ => None,
    };
    let m = &b.fitted_model;
    println!(
        "  {name}: {} (α {:.2}, β {:.2}, γ {:.2}, φ {:.2}) fitted on {} days to {}, scored on the {} days after ({} of them with actual 0, where MAPE is undefined: it is over the other {})",
        m.name,
        m.alpha,
        m.beta,
        m.gamma,
        m.phi,
        b.train_days,
        b.train_end,
        b.holdout_days,
        b.zero_actual_days,
        b.model.mape_days
    );
    println!("    Holt-Winters   {}", accuracy_line(&b.model, unit));
    println!("    seasonal naive {}", accuracy_line(&b.baseline, unit));
    println!(
        "    MAPE: {}; MAE: {}",
        mape_beats.map_or("no verdict (no open day held out)", verdict),
        verdict(b.beats_baseline)
    );
}

/// Holt-Winters on the daily revenue and visits, fitted on all but the last 28 days and scored
/// on them against the seasonal-naive forecast (`clinicdesk_forecast::backtest`, the same
/// check the forecast endpoint reports as its `accuracy`).
async fn print_forecasts(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    let (revenue, visits) = daily_series(db, today).await?;
    println!(
        "forecast: the last {DEFAULT_HOLDOUT_DAYS} days to {} held out; baseline = seasonal naive (each held-out day gets the same weekday of the last training week)",
        today - Duration::days(1)
    );
    for (name, unit, series) in [("revenue", "KRW", revenue), ("visits", "visits", visits)] {
        match clinicdesk_forecast::backtest(&series, DEFAULT_HOLDOUT_DAYS) {
            Ok(b) => print_backtest(name, unit, &b),
            Err(e) => println!("  {name}: no check ({e})"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    #[test]
    fn a_loss_is_said_as_such() {
        let m = |hit_rate: f64, beats: bool, loses: bool| Metric {
            k: 5,
            hit_rate,
            baseline_hit_rate: 0.8,
            difference: hit_rate - 0.8,
            z: 0.0,
            beats_baseline: beats,
            loses_to_baseline: loses,
        };
        let win = metric_line(&m(0.9, true, false));
        assert!(
            win.contains("hit-rate@5 0.900 against 0.800") && win.ends_with("beats the baseline)")
        );
        assert!(metric_line(&m(0.85, false, false)).ends_with("does NOT beat the baseline)"));
        assert!(metric_line(&m(0.6, false, true))
            .contains("does NOT beat the baseline: significantly worse"));
    }

    async fn sum(db: &Db, sql: &str, from: NaiveDate, to: NaiveDate) -> f64 {
        let n: Option<i64> = sqlx::query(sql)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get("n");
        n.unwrap_or(0) as f64
    }

    /// The series the forecast check scores are the clinic's facts, day by day, up to
    /// yesterday: what the roll-ups hold equals what the visits and sales say.
    #[tokio::test]
    async fn the_daily_series_add_up_to_the_facts() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::open(&url, clinicdesk_security::KeyRing::generate())
            .await
            .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let opts = clinicdesk_demo::DemoOptions {
            customers: 120,
            seed: 7,
        };
        clinicdesk_demo::seed(&db, today, &opts).await.unwrap();
        let (revenue, visits) = daily_series(&db, today).await.unwrap();
        let yesterday = today - Duration::days(1);
        for series in [&revenue, &visits] {
            assert!(!series.is_empty() && series.len() <= FORECAST_HISTORY_DAYS as usize);
            assert_eq!(series.last().unwrap().0, yesterday);
            assert!(series
                .windows(2)
                .all(|w| w[1].0 == w[0].0 + Duration::days(1)));
        }
        // Sundays are closed: no visits, no revenue.
        for (d, v) in visits.iter().chain(&revenue) {
            if chrono::Datelike::weekday(d) == chrono::Weekday::Sun {
                assert_eq!(*v, 0.0, "{d}");
            }
        }
        let from = visits[0].0;
        let live = "FROM service_sessions s WHERE s.service_date BETWEEN $1 AND $2 AND NOT EXISTS \
                    (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)";
        let counted: f64 = visits.iter().map(|p| p.1).sum();
        assert_eq!(
            counted,
            sum(
                &db,
                &format!("SELECT COUNT(*) AS n {live}"),
                from,
                yesterday
            )
            .await
        );
        let from = revenue[0].0;
        let paid = sum(
            &db,
            &format!("SELECT SUM(s.amount) AS n {live}"),
            from,
            yesterday,
        )
        .await;
        let sold = sum(
            &db,
            "SELECT SUM(price_paid) AS n FROM package_purchases WHERE purchase_date BETWEEN $1 AND $2",
            from,
            yesterday,
        )
        .await;
        assert!(sold > 0.0);
        assert_eq!(revenue.iter().map(|p| p.1).sum::<f64>(), paid + sold);
        db.close().await;
    }
}
