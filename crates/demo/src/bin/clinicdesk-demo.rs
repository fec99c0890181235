//! Fills a ClinicDesk database with the demo data set:
//! `clinicdesk-demo --database-url sqlite:///tmp/demo.db --customers 300 --seed 20240601 [--today 2024-06-01]`.

use chrono::NaiveDate;
use clap::Parser;
use clinicdesk_demo::{ensure_demo_users, seed_if_empty, DemoOptions, DEMO_PASSWORD, DEMO_USERS};
use clinicdesk_store::Db;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "clinicdesk-demo",
    about = "Generate ClinicDesk demo data (only into a database without customers)"
)]
struct Args {
    /// `sqlite://path` (created if missing) or `postgres://user:pass@host/db`
    #[arg(long, env = "CLINICDESK_DATABASE_URL")]
    database_url: String,
    /// Number of customers to generate
    #[arg(long, default_value_t = DemoOptions::default().customers)]
    customers: usize,
    /// RNG seed: the same seed and `--today` give the same data set
    #[arg(long, default_value_t = DemoOptions::default().seed)]
    seed: u64,
    /// The day the data set ends on (YYYY-MM-DD); defaults to the local date
    #[arg(long)]
    today: Option<NaiveDate>,
    /// The key rings of the server that will serve this database (its audit events are sealed
    /// with the server's audit key); the server's default is `<data-dir>/secrets`.
    #[arg(long, env = "CLINICDESK_SECRETS_DIR", default_value = "data/secrets")]
    secrets_dir: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "clinicdesk_demo=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let started = Instant::now();
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let audit_keys = clinicdesk_security::secrets::configured_ring(
        &args.secrets_dir,
        clinicdesk_security::secrets::AUDIT_KEYS,
    )?;
    let db = Db::open(&args.database_url, audit_keys).await?;
    let created = ensure_demo_users(&db).await?;
    println!(
        "demo users: {} (password \"{DEMO_PASSWORD}\"), {created} created",
        DEMO_USERS
            .iter()
            .map(|u| u.0)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let opts = DemoOptions {
        customers: args.customers,
        seed: args.seed,
    };
    match seed_if_empty(&db, today, &opts).await? {
        Some(s) => println!(
            "seeded {} customers, {} package purchases, {} visits, {} interactions (today = {today}, seed = {}) in {:.2}s",
            s.customers,
            s.purchases,
            s.visits,
            s.interactions,
            args.seed,
            started.elapsed().as_secs_f64()
        ),
        None => println!(
            "the database already has customers: nothing generated ({:.2}s)",
            started.elapsed().as_secs_f64()
        ),
    }
    db.close().await;
    Ok(())
}
