//! Devices that sync with the central server: what registering one needs, and how one is
//! shown (never with its secret, which only the registration's answer carries, once).

use crate::error::DomainResult;
use crate::fields::*;
use serde_json::{json, Value};

/// A validated "register a device" request.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRequest {
    /// What staff call it: "접수 PC 1", "원장실 노트북".
    pub name: String,
}

pub fn parse_device(body: &Value) -> DomainResult<DeviceRequest> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(obj, &["name"], ""));
    let name = p.take(required_text("name", obj.get("name"), 100));
    p.finish()?;
    Ok(DeviceRequest {
        name: name.unwrap_or_default(),
    })
}

/// A registered device as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: String,
    /// The display name of who registered it.
    pub registered_by: Option<String>,
    pub registered_at: String,
    pub revoked_at: Option<String>,
    pub last_seen_at: Option<String>,
}

impl Device {
    pub fn to_json(&self) -> Value {
        json!({
            "device_id": self.id,
            "name": self.name,
            "registered_by": self.registered_by,
            "registered_at": self.registered_at,
            "revoked": self.revoked_at.is_some(),
            "revoked_at": self.revoked_at,
            "last_seen_at": self.last_seen_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_needs_a_name_and_nothing_else() {
        assert_eq!(
            parse_device(&json!({"name": " 접수 PC 1 "})).unwrap().name,
            "접수 PC 1"
        );
        let e = parse_device(&json!({"secret": "x"})).unwrap_err();
        let mut f = e.field_names();
        f.sort_unstable();
        assert_eq!(f, vec!["name", "secret"]);
    }
}
