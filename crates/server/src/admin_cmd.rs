//! Administration subcommands: `audit verify` recomputes the audit trail's chains, `keys
//! rotate` puts a new current key first in a key ring.

use crate::DatabaseArgs;
use anyhow::bail;
use clinicdesk_security::secrets::{AUDIT_KEYS, JWT_KEYS};

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(clap::Subcommand, Debug)]
enum AuditCommand {
    /// Recompute every chain (streamed in pages): exit 0 with the number of events when
    /// intact, exit 1 naming the first broken event.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(clap::Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(clap::Subcommand, Debug)]
enum KeysCommand {
    /// A new current key for `jwt-signing` (access tokens) or `audit` (the audit trail's
    /// seals). Restart the server afterwards; tokens and events signed with an older key keep
    /// verifying while it stays in the ring.
    Rotate {
        /// `jwt-signing` or `audit`.
        #[arg(value_parser = [JWT_KEYS, AUDIT_KEYS])]
        ring: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn audit(args: AuditArgs) -> anyhow::Result<()> {
    let AuditCommand::Verify { database } = args.command;
    let db = database.administered()?.open().await?;
    let reports = clinicdesk_store::audit::verify_all(&db).await?;
    db.close().await;
    if reports.is_empty() {
        bail!("no audit chain found");
    }
    let mut total = 0;
    for r in &reports {
        total += r.events;
        match (&r.broken_at, &r.problem) {
            (None, _) if r.device_signed => println!(
                "{}: {} events, intact, each signed by its device",
                r.chain, r.events
            ),
            (None, _) if !r.sealed_here => println!(
                "{}: {} events, intact (links only: sealed on another node)",
                r.chain, r.events
            ),
            (None, _) => println!("{}: {} events, intact", r.chain, r.events),
            (Some(seq), problem) => println!(
                "{}: BROKEN at event {seq}: {} ({} events verified before it)",
                r.chain,
                problem.as_deref().unwrap_or("?"),
                r.events
            ),
        }
    }
    if let Some(r) = reports.iter().find(|r| !r.intact()) {
        bail!(
            "the audit trail is broken: chain {} at event {}",
            r.chain,
            r.broken_at.unwrap_or(0)
        );
    }
    println!("intact: {total} events in {} chains", reports.len());
    Ok(())
}

pub fn keys(args: KeysArgs) -> anyhow::Result<()> {
    let KeysCommand::Rotate { ring, database } = args.command;
    // Access tokens live 15 minutes: the token ring keeps the previous key (tokens signed just
    // before the rotation) and drops older ones. Audit keys are never dropped: every event
    // ever sealed must stay verifiable.
    let keep_old = (ring == JWT_KEYS).then_some(1);
    let rotated = clinicdesk_security::secrets::rotate_configured(
        &database.administered()?.secrets_dir(),
        &ring,
        keep_old,
    )?;
    println!(
        "{ring}: new current key {} ({} keys in the ring); restart the server to use it",
        rotated.current().id(),
        rotated.keys().len()
    );
    Ok(())
}
