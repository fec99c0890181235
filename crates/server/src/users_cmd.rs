//! `clinicdesk-server users …`: staff accounts from the server's command line — how a server
//! gets its first administrator (the desktop's set-up screen is not offered over HTTP), and how
//! a locked-out administrator gets back in.
//!
//! The password is read from standard input (its first line), never from the command line,
//! where other users of the machine could read it (`ps`, shell history). Accounts are checked
//! by the same rules as the API's (`account::NewAccount`) and written through the audited
//! write path.

use crate::DatabaseArgs;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use clinicdesk_domain::account::{self, NewAccount};
use clinicdesk_domain::Role;
use clinicdesk_store::users::{self, User};
use clinicdesk_store::{Actor, Db};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Args, Debug)]
pub struct UsersArgs {
    #[command(subcommand)]
    action: UsersAction,
}

#[derive(Subcommand, Debug)]
enum UsersAction {
    /// Create an account; the password is the first line of standard input:
    /// `clinicdesk-server users create --username kim --role admin < password.txt`
    Create {
        /// 3–50 characters of a-z 0-9 . _ - (stored lower-case).
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = Role::STAFF_ROLES)]
        role: String,
        /// The name shown in the app (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a new password (first line of standard input) and end every session of the account.
    SetPassword {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(args: UsersArgs) -> anyhow::Result<()> {
    match args.action {
        UsersAction::Create {
            username,
            role,
            display_name,
            database,
        } => {
            let password = read_password()?;
            let display_name = display_name.unwrap_or_else(|| username.trim().to_string());
            let body = json!({
                "username": username,
                "display_name": display_name,
                "password": password,
            });
            let account = match body.as_object() {
                Some(fields) => NewAccount::from_json(fields).map_err(rule_error)?,
                None => bail!("internal error: the account fields are not an object"),
            };
            // A fresh database gets its tables (and its audit chain) here, so the first
            // administrator can be made before the server ever ran.
            let db = database.administered()?.open().await?;
            let result = create(&db, &account, &role).await;
            db.close().await;
            let user = result?;
            println!(
                "created {} ({}, {}), id {}",
                user.username, user.role, user.display_name, user.id
            );
            Ok(())
        }
        UsersAction::SetPassword { username, database } => {
            let password = read_password()?;
            let db = database.administered()?.open().await?;
            let result = set_password(&db, &username, password).await;
            db.close().await;
            let (user, sessions) = result?;
            println!(
                "password set for {}; {sessions} open session(s) ended{}",
                user.username,
                if user.active {
                    ""
                } else {
                    " (the account is deactivated: an administrator can reactivate it)"
                }
            );
            Ok(())
        }
    }
}

/// Every problem the rules found, on one line (`username: …; password: …`).
fn rule_error(e: clinicdesk_domain::DomainError) -> anyhow::Error {
    let each = e.field_errors();
    if each.is_empty() {
        return anyhow::anyhow!("{}", e.message);
    }
    let all: Vec<String> = each
        .iter()
        .map(|x| match &x.field {
            Some(field) => format!("{field}: {}", x.message),
            None => x.message.clone(),
        })
        .collect();
    anyhow::anyhow!("{}", all.join("; "))
}

fn actor() -> Actor {
    Actor::system("cli")
}

fn now() -> String {
    clinicdesk_store::timestamp(chrono::Utc::now())
}

async fn create(db: &Db, account: &NewAccount, role: &str) -> anyhow::Result<User> {
    {
        let mut conn = db.conn().await?;
        if users::by_username(&mut conn, &account.username)
            .await?
            .is_some()
        {
            bail!("the username {:?} is already taken", account.username);
        }
    }
    let password_hash = clinicdesk_security::hash_password_async(account.password.clone()).await?;
    let user = User::new(
        &account.username,
        &account.display_name,
        role,
        password_hash,
    );
    let mut w = db.begin_write(&actor(), &now()).await?;
    if !users::insert_unique(&mut w, &user).await? {
        bail!("the username {:?} is already taken", account.username);
    }
    w.commit().await?;
    Ok(user)
}

async fn set_password(db: &Db, username: &str, password: String) -> anyhow::Result<(User, u64)> {
    let username = account::normalize_username(username).map_err(rule_error)?;
    let user = {
        let mut conn = db.conn().await?;
        users::by_username(&mut conn, &username).await?
    };
    let Some(user) = user else {
        bail!("no account is called {username:?}");
    };
    if user.demo {
        bail!(
            "{username:?} is a demo account, which works only in demo mode; create a real one with `clinicdesk-server users create`"
        );
    }
    account::check_password("password", &password, &user.username).map_err(rule_error)?;
    let password_hash = clinicdesk_security::hash_password_async(password).await?;
    let mut w = db.begin_write(&actor(), &now()).await?;
    users::set_password(&mut w, &user.id, &password_hash, "user.password.reset").await?;
    let sessions = users::revoke_sessions_of(&mut w, &user.id, None).await?;
    w.commit().await?;
    Ok((user, sessions))
}

/// The first line of standard input, without its line ending. At a terminal the typed
/// characters are hidden (`stty -echo`) after a prompt on standard error.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let _echo = if interactive {
        eprint!("password: ");
        let _ = std::io::stderr().flush();
        EchoOff::new()
    } else {
        None
    };
    let mut line = String::new();
    let read = stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if interactive {
        eprintln!();
    }
    if read == 0 {
        bail!("no password on standard input (give it as the first line, e.g. `< password.txt`)");
    }
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("the password (first line of standard input) is empty");
    }
    Ok(password)
}

/// Terminal echo switched off while it lives (unix `stty`); restored on drop.
struct EchoOff;

impl EchoOff {
    fn new() -> Option<EchoOff> {
        stty("-echo").then_some(EchoOff)
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        stty("echo");
    }
}

fn stty(setting: &str) -> bool {
    // stty acts on its standard input, which is inherited: the terminal.
    std::process::Command::new("stty")
        .arg(setting)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
