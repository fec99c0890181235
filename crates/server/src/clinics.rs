//! The clinics a central server hosts. The first is the one `--database-url` names, at `/`;
//! each `--clinic` adds another with its **own database and key rings**, its API and web UI
//! under `/clinics/<slug>/`. Nothing is shared between clinics but the process: a clinic's
//! tokens do not verify at another (different signing keys), its devices are unknown there
//! (different device tables), and a device pulls from its own clinic's log only — so a device
//! of one clinic can never receive another clinic's rows, whatever a query forgets.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// `SLUG` or `SLUG=DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicSpec {
    pub slug: String,
    /// Default: `<data-dir>/clinics/<slug>.db`.
    pub database_url: Option<String>,
}

impl FromStr for ClinicSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (slug, url) = match s.split_once('=') {
            Some((slug, url)) => (slug.trim(), Some(url.trim().to_string())),
            None => (s.trim(), None),
        };
        let valid = (1..=40).contains(&slug.len())
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-');
        if !valid {
            return Err(format!(
                "clinic `{slug}`: a clinic's name in URLs is 1–40 characters of a-z 0-9 - (e.g. `gangnam`)"
            ));
        }
        if url.as_deref() == Some("") {
            return Err(format!(
                "clinic `{slug}`: the database URL after `=` is empty"
            ));
        }
        Ok(ClinicSpec {
            slug: slug.to_string(),
            database_url: url,
        })
    }
}

impl ClinicSpec {
    /// Where this clinic's API and web UI are served.
    pub fn path_prefix(&self) -> String {
        format!("/clinics/{}", self.slug)
    }

    /// The clinic's database URL; creates the directory of its default SQLite file.
    pub fn url(&self, data_dir: &Path) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        let dir = data_dir.join("clinics");
        clinicdesk_security::secrets::private_dir(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            dir.join(format!("{}.db", self.slug)).display()
        ))
    }

    /// The clinic's own key rings, beside the first clinic's.
    pub fn secrets_dir(&self, secrets_dir: &Path) -> PathBuf {
        secrets_dir.join("clinics").join(&self.slug)
    }
}

/// Refuses a slug given twice (two clinics would share one address).
pub fn check_unique(clinics: &[ClinicSpec]) -> anyhow::Result<()> {
    for (i, c) in clinics.iter().enumerate() {
        if clinics[..i].iter().any(|o| o.slug == c.slug) {
            bail!("clinic `{}` is given twice", c.slug);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clinic_is_a_slug_and_maybe_a_database() {
        let c: ClinicSpec = "gangnam=postgres://u:p@h/gangnam".parse().unwrap();
        assert_eq!(c.slug, "gangnam");
        assert_eq!(c.database_url.as_deref(), Some("postgres://u:p@h/gangnam"));
        assert_eq!(c.path_prefix(), "/clinics/gangnam");
        let d: ClinicSpec = "hongdae-2".parse().unwrap();
        assert_eq!(d.database_url, None);
        assert_eq!(
            d.secrets_dir(Path::new("/s")),
            PathBuf::from("/s/clinics/hongdae-2")
        );
        for bad in ["", "Gangnam", "a/b", "../x", "-x", "강남", "x="] {
            assert!(bad.parse::<ClinicSpec>().is_err(), "{bad}");
        }
        assert!(check_unique(&[c.clone(), d]).is_ok());
        assert!(check_unique(&[c.clone(), c]).is_err());
    }
}
