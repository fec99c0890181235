//! Every customer's totals, sorted once, for the percentiles of customer analytics. Reading a
//! hundred thousand roll-up rows on every request would cost more than the analysis itself, so
//! the population is kept while the customers' search revision and the day stand still — any
//! write to any customer's record or roll-up raises that revision, so it is never stale.

use crate::envelope::ApiError;
use chrono::NaiveDate;
use clinicdesk_analytics::{PeerSummary, Population};
use clinicdesk_store::{stats, Db};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct PeerPopulation {
    kept: Mutex<Option<(i64, NaiveDate, Arc<Population>)>>,
}

impl PeerPopulation {
    pub async fn current(&self, db: &Db, today: NaiveDate) -> Result<Arc<Population>, ApiError> {
        let mut conn = db.conn().await?;
        let revision = stats::revision(&mut conn).await?;
        if let Some((r, d, p)) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if *r == revision && *d == today {
                return Ok(p.clone());
            }
        }
        let totals = stats::peer_totals(&mut conn).await?;
        drop(conn);
        let population = Arc::new(Population::new(totals.into_iter().map(|t| PeerSummary {
            revenue: t.revenue,
            visits: t.visits,
            days_since_last_visit: t.last_visit.map(|d| (today - d).num_days()),
            average_rating:
                (t.rating_count > 0).then(|| t.rating_sum as f64 / t.rating_count as f64),
        })));
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((revision, today, population.clone()));
        Ok(population)
    }
}
