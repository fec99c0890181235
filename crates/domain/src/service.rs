//! The clinic's service catalogue. The five service types are fixed by the product; their
//! Korean names, durations and list prices live here as data the API serves.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    Brain,
    Pulse,
    Lymph,
    Red,
    AiBike,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceInfo {
    pub service_type: ServiceType,
    pub name: &'static str,
    pub name_en: &'static str,
    /// The one-syllable abbreviation used in compact usage summaries ("브5/10 펄3/10").
    pub short_name: &'static str,
    pub duration_minutes: i64,
    /// Price of a single visit without a package, in KRW.
    pub price: i64,
}

impl ServiceType {
    pub const ALL: [ServiceType; 5] = [
        ServiceType::Brain,
        ServiceType::Pulse,
        ServiceType::Lymph,
        ServiceType::Red,
        ServiceType::AiBike,
    ];
    pub const CODES: [&'static str; 5] = ["brain", "pulse", "lymph", "red", "ai_bike"];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::Brain => "brain",
            ServiceType::Pulse => "pulse",
            ServiceType::Lymph => "lymph",
            ServiceType::Red => "red",
            ServiceType::AiBike => "ai_bike",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceType> {
        ServiceType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn info(self) -> ServiceInfo {
        let (name, name_en, short_name, duration_minutes, price) = match self {
            ServiceType::Brain => ("브레인 피드백", "Brain feedback", "브", 40, 60_000),
            ServiceType::Pulse => ("펄스 케어", "Pulse care", "펄", 30, 50_000),
            ServiceType::Lymph => ("림프 순환", "Lymphatic care", "림", 45, 70_000),
            ServiceType::Red => ("레드 테라피", "Red light therapy", "레", 30, 40_000),
            ServiceType::AiBike => ("AI 바이크", "AI bike", "바", 30, 30_000),
        };
        ServiceInfo {
            service_type: self,
            name,
            name_en,
            short_name,
            duration_minutes,
            price,
        }
    }

    pub fn catalogue() -> Vec<ServiceInfo> {
        ServiceType::ALL
            .into_iter()
            .map(ServiceType::info)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_a_korean_name_and_round_trips() {
        for t in ServiceType::ALL {
            assert_eq!(ServiceType::parse(t.as_str()), Some(t));
            let info = t.info();
            assert!(
                info.name.chars().any(|c| ('가'..='힣').contains(&c))
                    || info.name.starts_with("AI")
            );
            assert!(info.duration_minutes > 0 && info.price > 0);
        }
        assert_eq!(ServiceType::parse("massage"), None);
        assert_eq!(ServiceType::CODES.len(), ServiceType::ALL.len());
    }
}
