//! `train`: fits a new customer model (segments with personas, churn) on the clinic's data and
//! stores it as the newest version, which every server and desktop then serves (it syncs like
//! any fact). Prints what the training measured on held-out data, so a person can judge it.

use crate::DatabaseArgs;
use clinicdesk_store::Actor;

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(args: TrainArgs) -> anyhow::Result<()> {
    let db = args.database.administered()?.open().await?;
    let now = chrono::Utc::now();
    let today = clinicdesk_domain::follow_up::kst_day(now);
    let outcome = clinicdesk_api::customer_model::train_and_store(
        &db,
        &Actor::system("train"),
        today,
        now,
        |p| eprintln!("{:>3.0}% {}", p.fraction * 100.0, p.detail),
    )
    .await;
    db.close().await;
    let (stored, report) =
        outcome.map_err(|e| anyhow::anyhow!("{}", e.0.render(clinicdesk_domain::Lang::Ko)))?;
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
            if m.beats_baseline { "beats the baseline" } else { "does NOT beat the baseline" },
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
    Ok(())
}
