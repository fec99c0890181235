//! SQLite WAL checkpoints off the request path. By default the connection whose commit
//! pushes the WAL past 1,000 pages copies it back into the database file and syncs it — a
//! user's save that happens to be that commit waited for the sync (the record-a-visit p99 of
//! the benchmark). Pool connections turn that off; this task checkpoints in the background
//! instead, passively, so it never blocks a reader or a writer.

use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

const EVERY: Duration = Duration::from_secs(1);

/// Keeps the checkpoint task alive; the task stops when the last [`crate::Db`] holding this
/// is dropped or the pool is closed.
#[derive(Debug, Clone)]
pub(crate) struct Checkpointer {
    _stop: Arc<oneshot::Sender<()>>,
}

impl Checkpointer {
    pub(crate) fn start(pools: Vec<AnyPool>) -> Checkpointer {
        let (stop, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(EVERY) => {}
                }
                if pools.iter().all(AnyPool::is_closed) {
                    break;
                }
                for pool in pools.iter().filter(|p| !p.is_closed()) {
                    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                        .execute(pool)
                        .await
                    {
                        tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                    }
                }
            }
        });
        Checkpointer {
            _stop: Arc::new(stop),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    /// Commits leave the WAL and reach the database file without any connection
    /// checkpointing on commit.
    #[tokio::test]
    async fn the_wal_is_checkpointed_in_the_background() {
        let (db, path) = crate::db::temp_sqlite("checkpoint").await;
        sqlx::query("CREATE TABLE filler (x TEXT)")
            .execute(&db.pool)
            .await
            .unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        for _ in 0..50 {
            sqlx::query("INSERT INTO filler (x) VALUES (printf('%.10000c', 'x'))")
                .execute(&db.pool)
                .await
                .unwrap();
        }
        let mut grown = false;
        for _ in 0..100 {
            if std::fs::metadata(&path).unwrap().len() > before + 400_000 {
                grown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        db.close().await;
        let _ = std::fs::remove_file(&path);
        assert!(grown, "500 kB of commits never reached the database file");
    }
}
