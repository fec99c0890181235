//! Times fit + 30-day forecast (+ insights) on a 90-day series, the figure the
//! seed's statsmodels service is compared with. Not a test: wall-clock numbers
//! depend on the machine.
//!
//!     cargo run --release -p clinicdesk-forecast --example timing

use chrono::{Days, NaiveDate};
use std::time::Instant;

fn main() -> Result<(), clinicdesk_forecast::ForecastError> {
    // Same shape as the timing series of fixtures/make_fixtures.py, with a
    // deterministic wiggle in place of numpy's noise.
    let start = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default();
    let weekly = [0.0, 2.0, 1.0, 3.0, 6.0, 14.0, -22.0];
    let series: Vec<(NaiveDate, f64)> = (0..90u64)
        .map(|i| {
            let noise = ((i * 7919 % 23) as f64 - 11.0) * 0.5;
            (
                start + Days::new(i),
                40.0 + 0.3 * i as f64 + weekly[(i % 7) as usize] + noise,
            )
        })
        .collect();

    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..51 {
        let t0 = Instant::now();
        let fitted = clinicdesk_forecast::fit(&series)?;
        let forecast = fitted.forecast(30)?;
        let insights = clinicdesk_forecast::insights(&fitted, &forecast);
        runs.push(t0.elapsed().as_secs_f64() * 1e3);
        last = Some((forecast, insights));
    }
    runs.sort_by(f64::total_cmp);
    println!(
        "fit (damped + undamped, AICc) + 30-day forecast + insights on 90 days: median {:.3} ms, min {:.3} ms, max {:.3} ms ({} runs)",
        runs[runs.len() / 2],
        runs[0],
        runs[runs.len() - 1],
        runs.len()
    );

    let t0 = Instant::now();
    let bt = clinicdesk_forecast::backtest(&series, clinicdesk_forecast::DEFAULT_HOLDOUT_DAYS)?;
    println!(
        "backtest (28-day hold-out): {:.3} ms; MAE model {:.2} vs seasonal naive {:.2}, beats_baseline={}",
        t0.elapsed().as_secs_f64() * 1e3,
        bt.model.mae,
        bt.baseline.mae,
        bt.beats_baseline
    );
    if let Some((forecast, insights)) = last {
        println!(
            "chosen: {} {:?}",
            forecast.model.name, forecast.model.candidates
        );
        for i in insights {
            println!("- {}", i.message);
        }
    }
    Ok(())
}
