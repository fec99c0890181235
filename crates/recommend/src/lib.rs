//! Recommendations for ClinicDesk customers: which service to try or keep, which package to
//! buy next, and when to come back — by collaborative filtering, content-based matching of
//! service effects to health goals, or a blend (seed 000 §3, seed 003 §3).
//!
//! Pure: no IO and no clock reads (`today` is always a parameter), so every rule is tested on
//! hand-made histories. [`Model::build`] does the work that depends on all customers once;
//! [`recommend`] then reads only the model and one customer's history. See README.md for the
//! algorithms, weights, rules and the evaluation.

mod catalogue;
mod error;
mod evaluate;
mod feedback;
mod model;
mod packages;
mod related;
mod schedule;
mod serve;
mod services;
mod text;
mod types;
mod view;

pub use catalogue::{
    attributes, benefits_in, effect_similarity, interest_label, Benefit, Catalogue, Category,
    Intensity, PackageItem, Profile, ServiceAttributes, ServiceItem,
};
pub use error::RecommendError;
pub use evaluate::{
    evaluate, evaluate_with_profiles, AlgorithmResult, EvaluationReport, Metric, Section,
    MIN_CUSTOMERS_FOR_VERDICT, MIN_PURCHASES_FOR_PACKAGE_EVAL, MIN_VISITS_FOR_SERVICE_EVAL,
    PACKAGE_K, SERVICE_KS,
};
pub use feedback::{
    ACCEPT_NEIGHBOUR_BOOST, ACCEPT_WINDOW_DAYS, ACTED_SUPPRESS_DAYS, IGNORE_FACTOR,
    IGNORE_WINDOW_DAYS, REJECT_NEIGHBOUR_PENALTY, REJECT_SUPPRESS_DAYS,
};
pub use model::{
    Model, CUSTOMER_HALF_LIFE_DAYS, FEEDBACK_MEMORY_DAYS, RECENT_DAYS, REGULAR_USE_SHARE,
    SIMILARITY_HALF_LIFE_DAYS,
};
pub use packages::{
    MIN_EXPECTED_USE, OVERSIZE_WARNING_RATIO, OWN_MIX_WEIGHT, RENEWAL_BOOST, RENEWAL_GRACE_DAYS,
};
pub use related::{related, RelatedService, RelationType, MIN_LIFT, MIN_SUPPORT};
pub use schedule::LATER_SLOT_FACTOR;
pub use serve::{recommend, recommendation_id, MAX_REASONS};
pub use services::{
    BEHAVIOUR_WEIGHT, COLD_START_SCALE, HYBRID_K, HYBRID_MAX, HYBRID_MIN, PREFERRED_WEIGHT,
};
pub use types::{
    Action, Algorithm, Feedback, HoldingInfo, ItemRef, Kind, PackageDetails, Recommendation,
    Request, ScheduleSlot, ServiceDetails, SuggestedSchedule,
};
pub use view::UNKNOWN_PACKAGE_VALIDITY_DAYS;
