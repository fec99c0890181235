//! Roles and the permission matrix of PRODUCT.md, in one place. Endpoints ask for a
//! [`Capability`]; nothing else decides who may do what.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Doctor,
    Staff,
    Patient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read customers, detail, packages, history (staff see personal data masked).
    ReadCustomers,
    /// Create customers and edit profile and contact fields.
    EditCustomers,
    /// Read and write health goals, health preferences, health metrics, allergy results.
    HealthData,
    /// Record visits, purchases and interactions.
    RecordActivity,
    /// Cancel a visit or a purchase.
    CancelActivity,
    /// Delete or anonymise a customer.
    DeleteCustomers,
    /// Analytics, segments, recommendations, forecasts, reports; package templates.
    Analytics,
    /// Users, devices, knowledge-base versions, settings.
    Administer,
    /// Review who revealed which customer's phone number, and why (the one part of the audit
    /// trail managers see).
    ReviewReveals,
    /// Register and revoke the devices that sync with the central server (issue 9 gives this
    /// to managers as well as admins: a branch manager sets up the front-desk PCs).
    RegisterDevices,
    /// See sync conflicts (both values of a field two desktops changed apart) and pick one.
    ResolveConflicts,
    /// The allergy dashboard's counts and distributions (issue 10: managers read these, and no
    /// patient's results).
    AllergyStats,
    /// A patient's own results and guides (the consumer API): only a patient's login.
    OwnAllergyData,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Doctor,
        Role::Staff,
        Role::Patient,
    ];
    pub const STAFF_ROLES: [&'static str; 4] = ["admin", "manager", "doctor", "staff"];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Doctor => "doctor",
            Role::Staff => "staff",
            Role::Patient => "patient",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        use Role::*;
        match capability {
            ReadCustomers | EditCustomers | RecordActivity => {
                matches!(self, Admin | Manager | Doctor | Staff)
            }
            HealthData => matches!(self, Admin | Doctor),
            CancelActivity | Analytics | ReviewReveals | RegisterDevices | ResolveConflicts => {
                matches!(self, Admin | Manager)
            }
            DeleteCustomers | Administer => self == Admin,
            AllergyStats => matches!(self, Admin | Manager | Doctor),
            OwnAllergyData => self == Patient,
        }
    }

    /// Staff read personal contact data masked; every other clinic role sees it whole.
    pub fn sees_masked_pii(self) -> bool {
        self == Role::Staff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability::*;

    #[test]
    fn matrix_matches_product_md() {
        let expect = |role: Role, caps: &[Capability]| {
            for cap in [
                ReadCustomers,
                EditCustomers,
                HealthData,
                RecordActivity,
                CancelActivity,
                DeleteCustomers,
                Analytics,
                Administer,
                ReviewReveals,
                RegisterDevices,
                ResolveConflicts,
                AllergyStats,
                OwnAllergyData,
            ] {
                assert_eq!(role.can(cap), caps.contains(&cap), "{role:?} {cap:?}");
            }
        };
        expect(Role::Staff, &[ReadCustomers, EditCustomers, RecordActivity]);
        expect(
            Role::Doctor,
            &[
                ReadCustomers,
                EditCustomers,
                RecordActivity,
                HealthData,
                AllergyStats,
            ],
        );
        expect(
            Role::Manager,
            &[
                ReadCustomers,
                EditCustomers,
                RecordActivity,
                CancelActivity,
                Analytics,
                ReviewReveals,
                RegisterDevices,
                ResolveConflicts,
                AllergyStats,
            ],
        );
        expect(
            Role::Admin,
            &[
                ReadCustomers,
                EditCustomers,
                HealthData,
                RecordActivity,
                CancelActivity,
                DeleteCustomers,
                Analytics,
                Administer,
                ReviewReveals,
                RegisterDevices,
                ResolveConflicts,
                AllergyStats,
            ],
        );
        expect(Role::Patient, &[OwnAllergyData]);
    }

    #[test]
    fn only_staff_see_masked_pii() {
        assert!(Role::Staff.sees_masked_pii());
        assert!(!Role::Manager.sees_masked_pii());
        assert!(!Role::Doctor.sees_masked_pii());
        assert!(!Role::Admin.sees_masked_pii());
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
