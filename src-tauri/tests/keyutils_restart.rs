//! The Linux fallback store (kernel keyring, keyutils) keeps the refresh token across an app
//! restart: one process saves it, a *new* process reads it back. The child processes are this
//! test binary re-run with a filter; they use a throw-away account, never the app's own slot,
//! and the test removes it afterwards. Skipped (with a note) where the kernel keyring is not
//! reachable, e.g. under a seccomp profile that blocks `keyctl`.
#![cfg(target_os = "linux")]

use clinicdesk_desktop::{KeyringChoice, SessionStore};
use std::process::Command;

const SERVICE: &str = "ClinicDesk-test";
const CHILD_MODE: &str = "CLINICDESK_KEYUTILS_CHILD";
const CHILD_USER: &str = "CLINICDESK_KEYUTILS_USER";
const TOKEN: &str = "rt-from-the-first-process";

fn store(user: &str) -> SessionStore {
    SessionStore::with_account(KeyringChoice::Keyutils, SERVICE, user)
}

/// The child half: does nothing unless the parent test started this process.
#[test]
fn keyutils_child() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let user = std::env::var(CHILD_USER).expect("the parent names the account");
    let s = store(&user);
    assert_eq!(s.backend().unwrap(), "keyutils");
    match mode.as_str() {
        "save" => s.save(TOKEN).unwrap(),
        "load" => println!("LOADED=[{}]", s.load().unwrap().unwrap_or_default()),
        "clear" => s.clear().unwrap(),
        other => panic!("unknown child mode {other}"),
    }
}

fn child(mode: &str, user: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "keyutils_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MODE, mode)
        .env(CHILD_USER, user)
        .output()
        .expect("re-run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child {mode} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn keyutils_token_survives_an_app_restart() {
    if std::env::var(CHILD_MODE).is_ok() {
        return;
    }
    let user = format!("refresh-token-test-{}", std::process::id());
    // Skip only where the kernel keyring cannot be reached at all (keyctl blocked), and never
    // under CI, where that is a broken machine; anything failing after that is a real failure.
    if let Err(e) =
        linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::Session, false)
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the kernel keyring is not reachable under CI: {e:?}"
        );
        eprintln!("skipped: the kernel keyring is not reachable here: {e:?}");
        return;
    }
    let probe = store(&user);
    probe.save("probe").expect("save in this process");
    assert_eq!(probe.load().unwrap().as_deref(), Some("probe"));
    probe.clear().unwrap();

    child("save", &user);
    let loaded = child("load", &user);
    assert!(
        loaded.contains(&format!("LOADED=[{TOKEN}]")),
        "a new process reads the token back: {loaded}"
    );
    child("clear", &user);
    assert!(
        child("load", &user).contains("LOADED=[]"),
        "cleared for every process"
    );
    assert_eq!(store(&user).load().unwrap(), None);
}
