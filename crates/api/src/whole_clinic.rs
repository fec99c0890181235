//! What is computed over every customer at once, for recommendations, segments and their
//! charts: the recommender's tables (`clinicdesk_recommend::Model`), each customer's segment
//! under the served model with each segment's peer population, and the churn risk of every
//! active customer.
//!
//! Reading every history costs seconds at a hundred thousand customers, so the result is kept
//! while nothing it was computed from changes: the customers' search revision (raised by every
//! write to a customer or their roll-ups, here or by sync), the feedback (count and newest id),
//! the served model version, the package templates and the day. Any change to these rebuilds it
//! on the next request, so an answer is never stale after an edit; the cost of that rebuild is
//! in the benchmark report (`docs/ANALYTICS.md`).

use crate::envelope::ApiError;
use chrono::{Duration, NaiveDate};
use clinicdesk_analytics::{PeerSummary, Population};
use clinicdesk_domain::DomainError;
use clinicdesk_models::Artifact;
use clinicdesk_recommend::{Action, Catalogue, Feedback, Kind, Model, PackageItem};
use clinicdesk_store::recommendations::{self, StoredFeedback};
use clinicdesk_store::{histories, packages, stats, Db};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The most customers drawn in the segment scatter: more points only blacken the chart.
pub const SCATTER_SAMPLE: usize = 3000;

/// Every customer's segment under one model version.
pub struct Segments {
    pub model_version: String,
    pub artifact: Arc<Artifact>,
    /// Customer id → cluster id.
    pub cluster_of: HashMap<String, usize>,
    /// Per cluster: its members' summaries.
    pub peers: Vec<Arc<Population>>,
    /// (visits per month, revenue over the last year in KRW, cluster) of an even sample.
    pub scatter: Vec<(f64, f64, usize)>,
    pub customers: usize,
    /// Churn probability of each active customer (visited in the last 90 days).
    pub churn: Option<Vec<f64>>,
    /// The model's risk thresholds (medium from, high from).
    pub churn_thresholds: Option<(f64, f64)>,
}

impl Segments {
    /// The segment scatter: an even sample of customers by visits per month and the last
    /// year's revenue, coloured by segment.
    pub fn scatter_chart(&self, today: NaiveDate) -> clinicdesk_charts::Chart {
        use clinicdesk_charts::{Chart, Persona, ScatterPoint, SegmentScatter, ValueUnit};
        let sampled = if self.scatter.len() < self.customers {
            format!(", 고르게 뽑은 {}명", self.scatter.len())
        } else {
            String::new()
        };
        let cluster = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
        Chart::SegmentScatter(SegmentScatter {
            title: Some("고객 세그먼트".into()),
            subtitle: Some(format!(
                "모델 {} · 고객 {}명{sampled} · {today} 기준",
                self.model_version, self.customers
            )),
            x_label: "월 평균 방문 (회)".into(),
            y_label: "최근 1년 매출".into(),
            x_unit: ValueUnit::Number,
            y_unit: ValueUnit::Krw,
            points: self
                .scatter
                .iter()
                .map(|(x, y, c)| ScatterPoint {
                    x: *x,
                    y: *y,
                    cluster: cluster(*c),
                })
                .collect(),
            personas: self
                .artifact
                .personas
                .iter()
                .enumerate()
                .map(|(c, p)| Persona {
                    cluster: cluster(c),
                    name: p.name.clone(),
                })
                .collect(),
        })
    }

    /// The churn-risk distribution of every active customer, or (`Err`) why the model has no
    /// churn part, in Korean.
    pub fn churn_chart(&self, today: NaiveDate) -> Result<clinicdesk_charts::Chart, String> {
        let Some(probabilities) = self.churn.clone() else {
            let reason = self
                .artifact
                .churn_unavailable
                .as_ref()
                .map(|r| r.reason_ko.clone())
                .unwrap_or_default();
            return Err(format!("이 모델에는 이탈 예측이 없습니다: {reason}"));
        };
        Ok(clinicdesk_charts::Chart::ChurnRisk(
            clinicdesk_charts::ChurnRisk {
                title: Some("이탈 위험 분포".into()),
                subtitle: Some(format!(
                    "최근 90일에 방문한 고객 {}명 · 모델 {} · {today} 기준",
                    probabilities.len(),
                    self.model_version
                )),
                probabilities,
                medium_from: self.churn_thresholds.map(|t| t.0),
                high_from: self.churn_thresholds.map(|t| t.1),
            },
        ))
    }
}

pub struct WholeClinic {
    pub today: NaiveDate,
    pub recommender: Model,
    pub catalogue: Catalogue,
    pub everyone: Arc<Population>,
    /// `None` when no model serves.
    pub segments: Option<Segments>,
}

type Key = (i64, (i64, String), Option<String>, String, NaiveDate);

#[derive(Default)]
pub struct WholeClinicCache {
    // An async lock: two requests after a write wait for one rebuild instead of both
    // reading every history.
    kept: Mutex<Option<(Key, Arc<WholeClinic>)>>,
}

/// The recommender's form of stored feedback; rows with an unknown kind or action (from a
/// newer build, via sync) are left out rather than failing every recommendation.
pub fn feedback_of(rows: &[StoredFeedback]) -> Vec<Feedback> {
    rows.iter()
        .filter_map(|f| {
            Some(Feedback {
                recommendation_id: f.recommendation_id.clone(),
                customer_id: f.customer_id.clone(),
                kind: Kind::parse(&f.kind)?,
                item: f.item_code.clone(),
                action: Action::parse(&f.action)?,
                feedback_score: f.feedback_score.and_then(|s| u8::try_from(s).ok()),
                at: f.given_on,
            })
        })
        .collect()
}

impl WholeClinicCache {
    pub async fn current(
        &self,
        db: &Db,
        served: Option<(String, Arc<Artifact>)>,
        today: NaiveDate,
    ) -> Result<Arc<WholeClinic>, ApiError> {
        let mut kept = self.kept.lock().await;
        let mut conn = db.conn().await?;
        let templates = packages::list_templates(&mut conn).await?;
        let template_key = templates
            .iter()
            .map(|t| format!("{}:{}:{}:{:?}", t.id, t.price, t.validity_days, t.sessions))
            .collect::<Vec<_>>()
            .join(",");
        let key: Key = (
            stats::revision(&mut conn).await?,
            recommendations::feedback_revision(&mut conn).await?,
            served.as_ref().map(|(v, _)| v.clone()),
            template_key,
            today,
        );
        if let Some((k, w)) = kept.as_ref() {
            if *k == key {
                return Ok(w.clone());
            }
        }
        let all = histories::all(&mut conn).await?;
        let since = today - Duration::days(clinicdesk_recommend::FEEDBACK_MEMORY_DAYS);
        let feedback = feedback_of(&recommendations::feedback_since(&mut conn, since).await?);
        drop(conn);
        let catalogue = Catalogue::with_packages(templates.iter().map(PackageItem::from).collect());
        let whole =
            tokio::task::spawn_blocking(move || build(all, catalogue, feedback, served, today))
                .await
                .map_err(|e| {
                    ApiError(DomainError::internal(format!("whole-clinic build: {e}")))
                })??;
        let whole = Arc::new(whole);
        *kept = Some((key, whole.clone()));
        Ok(whole)
    }
}

fn build(
    all: Vec<clinicdesk_domain::history::CustomerHistory>,
    catalogue: Catalogue,
    feedback: Vec<Feedback>,
    served: Option<(String, Arc<Artifact>)>,
    today: NaiveDate,
) -> Result<WholeClinic, ApiError> {
    // The catalogue comes from stored templates, which were validated when written: a
    // refusal here is a data fault, not the caller's.
    let recommender = Model::build(&all, &catalogue, &feedback, today)
        .map_err(|e| ApiError(DomainError::internal(format!("recommender: {e}"))))?;
    let everyone = Arc::new(Population::new(
        all.iter().map(|h| PeerSummary::from_history(h, today)),
    ));
    let segments = served.map(|(model_version, artifact)| {
        let mut cluster_of = HashMap::with_capacity(all.len());
        let mut members: Vec<Vec<PeerSummary>> = vec![Vec::new(); artifact.centroids.len()];
        let stride = all.len().div_ceil(SCATTER_SAMPLE).max(1);
        let mut scatter = Vec::new();
        let mut churn = artifact.churn.as_ref().map(|_| Vec::new());
        for (i, h) in all.iter().enumerate() {
            let profile = clinicdesk_models::Profile::from_history(h, today);
            // A stored history always makes a valid profile; one that does not (a data
            // error) is left out of the segments rather than failing everyone's.
            let Ok(a) = clinicdesk_models::predict(&artifact, &profile) else {
                continue;
            };
            cluster_of.insert(h.customer_id.clone(), a.cluster_id);
            if let Some(m) = members.get_mut(a.cluster_id) {
                m.push(PeerSummary::from_history(h, today));
            }
            if i % stride == 0 {
                scatter.push((profile.visits_per_month, profile.revenue_365d, a.cluster_id));
            }
            if let Some(probabilities) = churn.as_mut() {
                if clinicdesk_models::churn::is_active(h, today) {
                    if let Ok(c) = clinicdesk_models::churn_for_profile(&artifact, &profile, true) {
                        probabilities.push(c.probability);
                    }
                }
            }
        }
        let churn_thresholds = artifact
            .churn
            .as_ref()
            .map(|m| (m.risk_medium, m.risk_high));
        Segments {
            model_version,
            customers: cluster_of.len(),
            cluster_of,
            peers: members
                .into_iter()
                .map(|m| Arc::new(Population::new(m)))
                .collect(),
            scatter,
            churn,
            churn_thresholds,
            artifact,
        }
    });
    Ok(WholeClinic {
        today,
        recommender,
        catalogue,
        everyone,
        segments,
    })
}
