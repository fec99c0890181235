//! The in-memory customer search index: one [`SearchEntry`] per live customer, kept in step
//! with the database by revision. Every transaction that changes what an entry holds (the
//! customer record, its roll-up, its packages) raises that customer's `search_revision` to a
//! new maximum ([`touch`]); before each search the index reads the customers whose revision
//! is above the highest it has seen — usually none, one index probe — so a search always
//! reflects every committed change, also one made by another process on the same database.
//!
//! Why memory and not SQL: counting and ordering an arbitrary filter mix over 100,000
//! customers costs SQLite 15–300 ms per page (every filtered row is visited, joined and
//! sorted); the same work over plain structs takes about a millisecond.

use crate::row::{self, in_list, Params};
use crate::StoreResult;
use chrono::NaiveDate;
use clinicdesk_domain::customer::{CUSTOMER_STATUSES, MEMBERSHIP_LEVELS};
use clinicdesk_domain::search::{
    code_in, search_page, PackageKey, PageSpec, SearchEntry, SearchFilter, SearchPage, TextArena,
};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The entries and the revision they reflect.
#[derive(Default)]
struct Snapshot {
    entries: Vec<SearchEntry>,
    /// `search_revision` of each entry, by position.
    revisions: Vec<i64>,
    slot: HashMap<String, usize>,
    revision: i64,
    /// The searchable text and name order by position, rebuilt by `apply` when an entry was
    /// added, removed or renamed or changed its e-mail or phone.
    text: TextArena,
}

/// One customer as loaded: its revision and entry (`None`: deleted, so not searchable).
struct Loaded {
    id: String,
    revision: i64,
    entry: Option<SearchEntry>,
}

impl Snapshot {
    /// A snapshot of everything loaded: sorts once. Heavy at clinic scale (100,000 names), so
    /// it runs on a blocking thread, never on an async worker or under the index's lock.
    fn from_loaded(loaded: Vec<Loaded>, revision: i64) -> Snapshot {
        let mut s = Snapshot::default();
        for l in loaded {
            if let Some(entry) = l.entry {
                s.slot.insert(l.id, s.entries.len());
                s.entries.push(entry);
                s.revisions.push(l.revision);
            }
        }
        s.text = TextArena::build(&s.entries);
        s.revision = revision;
        s
    }

    /// Applies changes in place. Entries whose text is new (added, renamed, new e-mail or
    /// phone) are merged into the kept name order, so no sort runs here: linear work at most.
    fn apply(&mut self, loaded: Vec<Loaded>) {
        let before = self.entries.len();
        // Where each earlier entry is now (None: removed, or its text changed) and, for each
        // entry now, where it was before (None: added).
        let mut old_to_new: Vec<Option<u32>> = (0..before as u32).map(Some).collect();
        let mut origin: Vec<Option<u32>> = (0..before as u32).map(Some).collect();
        let mut fresh: Vec<String> = Vec::new();
        let mut removed = false;
        for l in loaded {
            match (self.slot.get(&l.id).copied(), l.entry) {
                (Some(i), _) if self.revisions[i] >= l.revision => {}
                (Some(i), Some(entry)) => {
                    let old = &self.entries[i];
                    if old.name != entry.name
                        || old.email_lower != entry.email_lower
                        || old.phone_digits != entry.phone_digits
                    {
                        if let Some(o) = origin[i] {
                            old_to_new[o as usize] = None;
                        }
                        fresh.push(l.id);
                    }
                    self.entries[i] = entry;
                    self.revisions[i] = l.revision;
                }
                (Some(i), None) => {
                    removed = true;
                    if let Some(o) = origin[i] {
                        old_to_new[o as usize] = None;
                    }
                    let last = self.entries.len() - 1;
                    if i != last {
                        if let Some(o) = origin[last] {
                            old_to_new[o as usize] = Some(i as u32);
                        }
                    }
                    self.slot.remove(&l.id);
                    self.entries.swap_remove(i);
                    self.revisions.swap_remove(i);
                    origin.swap_remove(i);
                    if let Some(moved) = self.entries.get(i) {
                        self.slot.insert(moved.id.clone(), i);
                    }
                }
                (None, Some(entry)) => {
                    fresh.push(l.id.clone());
                    self.slot.insert(l.id, self.entries.len());
                    self.entries.push(entry);
                    self.revisions.push(l.revision);
                    origin.push(None);
                }
                (None, None) => {}
            }
        }
        // Removals change positions even when no text is new.
        if self.entries.len() != before || !fresh.is_empty() || removed {
            let mut positions: Vec<u32> = fresh
                .iter()
                .filter_map(|id| self.slot.get(id).map(|&i| i as u32))
                .collect();
            positions.sort_unstable();
            positions.dedup();
            self.text =
                self.text
                    .updated(&self.entries, |old| old_to_new[old as usize], &positions);
        }
    }
}

pub(crate) struct SearchIndex {
    snapshot: RwLock<Option<Snapshot>>,
    /// Held while the whole index is loaded, so concurrent searches load it once.
    building: tokio::sync::Mutex<()>,
    /// Set by [`SearchIndex::reset`]: the next search loads everything afresh (the snapshot
    /// in hand keeps answering until the new one is ready).
    stale: std::sync::atomic::AtomicBool,
    /// [`MAX_CHANGED`]; lower in tests.
    max_changed: AtomicUsize,
    /// Tests hold this to pause a full load after its queries, before it is swapped in.
    #[cfg(test)]
    pause_full_load: tokio::sync::Mutex<()>,
}

impl Default for SearchIndex {
    fn default() -> SearchIndex {
        SearchIndex {
            snapshot: RwLock::default(),
            building: tokio::sync::Mutex::default(),
            stale: Default::default(),
            max_changed: AtomicUsize::new(MAX_CHANGED),
            #[cfg(test)]
            pause_full_load: Default::default(),
        }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndex")
    }
}

const CUSTOMER_COLUMNS: &str = "c.id, c.name, c.email, c.phone_digits, c.membership_level, \
    c.customer_status, c.assigned_staff, c.deleted_at, c.search_revision";
const STATS_COLUMNS: &str = "cs.customer_id AS stats_of, cs.services_used, cs.last_visit_date, \
    cs.last_activity_date, cs.total_visits, cs.total_revenue";
const PACKAGE_COLUMNS: &str = "ps.customer_id AS package_of, ps.expiry_date, ps.total_sessions, \
    ps.remaining_sessions";

/// Every live customer. Three plain table scans (a join costs SQLite four times as much);
/// customers come first, so anything written between the scans carries a revision above
/// the one this load reports and is read again by the next search.
async fn load_all(conn: &mut AnyConnection) -> StoreResult<(Vec<Loaded>, i64)> {
    let customers = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.deleted_at IS NULL"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(customers.len());
    let mut at: HashMap<String, usize> = HashMap::with_capacity(customers.len());
    let mut reached = 0;
    for r in &customers {
        let loaded = customer_from(r)?;
        reached = reached.max(loaded.revision);
        at.insert(loaded.id.clone(), out.len());
        out.push(loaded);
    }
    drop(customers);
    let mut with_stats = vec![false; out.len()];
    for r in sqlx::query(&format!("SELECT {STATS_COLUMNS} FROM customer_stats cs"))
        .fetch_all(&mut *conn)
        .await?
    {
        let Some(&i) = at.get(&row::text(&r, "stats_of")?) else {
            continue;
        };
        if let Some(entry) = out[i].entry.as_mut() {
            set_stats(entry, &r)?;
            with_stats[i] = true;
        }
    }
    for r in sqlx::query(&format!("SELECT {PACKAGE_COLUMNS} FROM purchase_stats ps"))
        .fetch_all(&mut *conn)
        .await?
    {
        if let Some(&i) = at.get(&row::text(&r, "package_of")?) {
            if let Some(entry) = out[i].entry.as_mut() {
                entry.packages.push(package_from(&r)?);
            }
        }
    }
    // A live customer always has a roll-up; one without is not listable (as in SQL joins).
    for (loaded, has) in out.iter_mut().zip(with_stats) {
        if !has {
            loaded.entry = None;
        }
    }
    Ok((out, reached))
}

/// More changed customers than this at once (a sync of a whole site, a bulk import) and the
/// index is loaded afresh instead.
const MAX_CHANGED: usize = 5_000;

/// What changed after revision `after`: the customers and the revision they bring the index
/// to, or `None` when so much changed that a full load is cheaper.
///
/// Two steps with plain index plans on both databases (PostgreSQL planned one statement
/// joining on `search_revision > $1` as hash joins over whole tables: 140 ms a search):
/// which customers changed, in revision order — usually none, one index probe — then their
/// rows by id. The revision reported is the highest the first step saw: a customer written
/// after it is read again next time, even if the second step already read its newer row.
async fn load_changed(
    conn: &mut AnyConnection,
    after: i64,
    max_changed: usize,
) -> StoreResult<Option<(Vec<Loaded>, i64)>> {
    let changed = sqlx::query(&format!(
        "SELECT id, search_revision FROM customers WHERE search_revision > $1 \
         ORDER BY search_revision LIMIT {}",
        max_changed + 1
    ))
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    if changed.len() > max_changed {
        return Ok(None);
    }
    let mut reached = after;
    let mut ids = Vec::with_capacity(changed.len());
    for r in &changed {
        reached = reached.max(row::int(r, "search_revision")?);
        ids.push(row::text(r, "id")?);
    }
    let mut out: Vec<Loaded> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let list = in_list(&mut params, chunk);
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS}, {STATS_COLUMNS}, {PACKAGE_COLUMNS} FROM customers c \
             LEFT JOIN customer_stats cs ON cs.customer_id = c.id \
             LEFT JOIN purchase_stats ps ON ps.customer_id = c.id WHERE c.id IN {list}"
        );
        for r in &params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            let id = row::text(r, "id")?;
            let i = match at.get(&id) {
                Some(&i) => i,
                None => {
                    let mut loaded = customer_from(r)?;
                    match (loaded.entry.as_mut(), row::opt_text(r, "stats_of")?) {
                        (Some(entry), Some(_)) => set_stats(entry, r)?,
                        _ => loaded.entry = None,
                    }
                    at.insert(id, out.len());
                    out.push(loaded);
                    out.len() - 1
                }
            };
            if let Some(entry) = out[i].entry.as_mut() {
                if row::opt_text(r, "package_of")?.is_some() {
                    entry.packages.push(package_from(r)?);
                }
            }
        }
    }
    Ok(Some((out, reached)))
}

/// A customer row as loaded: a deleted customer has no entry.
fn customer_from(r: &AnyRow) -> StoreResult<Loaded> {
    let id = row::text(r, "id")?;
    let revision = row::int(r, "search_revision")?;
    if row::opt_text(r, "deleted_at")?.is_some() {
        return Ok(Loaded {
            id,
            revision,
            entry: None,
        });
    }
    let name = row::text(r, "name")?;
    let email = row::opt_text(r, "email")?;
    let entry = SearchEntry {
        id: id.clone(),
        name_lower: name.to_lowercase(),
        name,
        email_lower: email.map(|m| m.to_lowercase()),
        phone_digits: row::opt_text(r, "phone_digits")?,
        membership_level: code_in(&MEMBERSHIP_LEVELS, &row::text(r, "membership_level")?),
        customer_status: code_in(&CUSTOMER_STATUSES, &row::text(r, "customer_status")?),
        assigned_staff: row::opt_text(r, "assigned_staff")?,
        ..SearchEntry::default()
    };
    Ok(Loaded {
        id,
        revision,
        entry: Some(entry),
    })
}

fn set_stats(entry: &mut SearchEntry, r: &AnyRow) -> StoreResult<()> {
    entry.services_used = row::int(r, "services_used")?;
    entry.last_visit = row::opt_date(r, "last_visit_date")?;
    entry.last_activity = row::date(r, "last_activity_date")?;
    entry.total_visits = row::int(r, "total_visits")?;
    entry.total_revenue = row::int(r, "total_revenue")?;
    Ok(())
}

fn package_from(r: &AnyRow) -> StoreResult<PackageKey> {
    Ok(PackageKey {
        expiry: row::date(r, "expiry_date")?,
        total_sessions: row::int(r, "total_sessions")?,
        remaining_sessions: row::int(r, "remaining_sessions")?,
    })
}

impl SearchIndex {
    fn read(&self) -> RwLockReadGuard<'_, Option<Snapshot>> {
        // A panic elsewhere cannot leave a snapshot half-applied (apply does not panic), so
        // a poisoned lock still guards consistent data.
        self.snapshot.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Option<Snapshot>> {
        self.snapshot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Brings the index up to every change committed so far (loading it on first use).
    ///
    /// A full load (the first, after a bulk change, or after [`SearchIndex::reset`]) builds a
    /// new snapshot beside the current one, which keeps answering until the new one is swapped
    /// in: a search never sees an empty index while another one reloads.
    async fn catch_up(&self, conn: &mut AnyConnection) -> StoreResult<()> {
        loop {
            let seen = self.read().as_ref().map(|s| s.revision);
            if let (Some(after), false) = (seen, self.stale.load(Ordering::Acquire)) {
                let max_changed = self.max_changed.load(Ordering::Relaxed);
                if let Some((changed, reached)) = load_changed(conn, after, max_changed).await? {
                    if !changed.is_empty() || reached > after {
                        if let Some(snapshot) = self.write().as_mut() {
                            snapshot.apply(changed);
                            snapshot.revision = snapshot.revision.max(reached);
                        }
                    }
                    return Ok(());
                }
            }
            let _building = self.building.lock().await;
            let now_seen = self.read().as_ref().map(|s| s.revision);
            if now_seen != seen && !self.stale.load(Ordering::Acquire) {
                // Another search reloaded meanwhile: catch up from its snapshot instead.
                continue;
            }
            self.stale.store(false, Ordering::Release);
            let (loaded, reached) = match load_all(conn).await {
                Ok(all) => all,
                Err(e) => {
                    // Still owed a full load (rows may have been written around `touch`).
                    self.stale.store(true, Ordering::Release);
                    return Err(e);
                }
            };
            #[cfg(test)]
            let _paused = self.pause_full_load.lock().await;
            let snapshot =
                tokio::task::spawn_blocking(move || Snapshot::from_loaded(loaded, reached))
                    .await
                    .map_err(|e| crate::StoreError::Db(sqlx::Error::Protocol(e.to_string())))?;
            tracing::info!(customers = snapshot.entries.len(), "search index loaded");
            *self.write() = Some(snapshot);
            return Ok(());
        }
    }

    /// One page of matching customer ids, in order, and the number of matches.
    pub(crate) async fn page(
        &self,
        conn: &mut AnyConnection,
        filter: &SearchFilter,
        today: NaiveDate,
        spec: PageSpec,
    ) -> StoreResult<SearchPage> {
        self.catch_up(conn).await?;
        Ok(self.answer(filter, today, spec))
    }

    /// The page from the snapshot in hand.
    fn answer(&self, filter: &SearchFilter, today: NaiveDate, spec: PageSpec) -> SearchPage {
        let guard = self.read();
        match guard.as_ref() {
            Some(s) => search_page(&s.entries, &s.text, filter, today, spec),
            // Only before the very first load, which `catch_up` has just done.
            None => search_page(&[], &TextArena::default(), filter, today, spec),
        }
    }

    /// Loads the index now instead of on the first search.
    pub(crate) async fn warm(&self, conn: &mut AnyConnection) -> StoreResult<()> {
        self.catch_up(conn).await
    }

    /// Makes the next search load everything afresh: for bulk loads that write rows directly
    /// instead of through [`touch`]. The current snapshot answers until then.
    pub(crate) fn reset(&self) {
        self.stale.store(true, Ordering::Release);
    }
}

/// Raises a customer's search revision above every other, inside the caller's write
/// transaction. Writers are serialised by the write lock, so revisions commit in order and
/// a reader that has seen revision `r` has seen every change up to `r`.
pub(crate) async fn touch(conn: &mut AnyConnection, customer_id: &str) -> StoreResult<()> {
    touch_many(conn, &[customer_id.to_string()]).await
}

/// [`touch`] for several customers at once: they share the new revision (the index reads
/// every customer past its revision at once, so a tie is never split).
pub(crate) async fn touch_many(conn: &mut AnyConnection, ids: &[String]) -> StoreResult<()> {
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let list = in_list(&mut params, chunk);
        let sql = format!(
            "UPDATE customers SET search_revision = \
             (SELECT COALESCE(MAX(search_revision), 0) + 1 FROM customers) WHERE id IN {list}"
        );
        let sql = crate::row::positional(conn, &sql).into_owned();
        params.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`touch`] for every customer (a recompute of every roll-up): one new revision for all.
pub(crate) async fn touch_all(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query(
        "UPDATE customers SET search_revision = \
         (SELECT COALESCE(MAX(search_revision), 0) + 1 FROM customers)",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::customers::{self, SearchQuery};
    use crate::{Actor, Db};
    use clinicdesk_domain::customer::CustomerRecord;
    use std::sync::atomic::Ordering;

    async fn names(db: &Db, q: &str) -> (Vec<String>, i64) {
        let mut conn = db.conn().await.unwrap();
        let query = SearchQuery {
            q: Some(q.into()),
            page: 1,
            size: 20,
            ..SearchQuery::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let (items, total) = customers::search(db, &mut conn, &query, today)
            .await
            .unwrap();
        (items.into_iter().map(|c| c.record.name).collect(), total)
    }

    /// When more customers changed than the index reads one by one, it loads everything
    /// afresh, and the answer is the same.
    #[tokio::test]
    async fn many_changes_at_once_reload_the_index() {
        let (db, path) = crate::db::temp_sqlite("search-index").await;
        db.migrate().await.unwrap();
        db.search_index.max_changed.store(1, Ordering::Relaxed);
        let now = "2026-01-01T09:00:00.000Z";
        let mut records = Vec::new();
        for name in ["가나다", "가나라"] {
            let mut c = CustomerRecord::new(clinicdesk_domain::ids::new_id(), now);
            c.name = name.into();
            let mut w = db.begin_write(&Actor::system("test"), now).await.unwrap();
            customers::insert(&mut w, &c, &[]).await.unwrap();
            w.commit().await.unwrap();
            records.push(c);
        }
        assert_eq!(names(&db, "가나").await.1, 2);
        let mut w = db.begin_write(&Actor::system("test"), now).await.unwrap();
        for (c, name) in records.iter_mut().zip(["마바사", "마바아"]) {
            c.name = name.into();
            customers::update(&mut w, c, &["name".into()], &[])
                .await
                .unwrap();
        }
        w.commit().await.unwrap();
        let (found, total) = names(&db, "마바").await;
        assert_eq!(found, ["마바사", "마바아"]);
        assert_eq!(total, 2);
        assert_eq!(names(&db, "가나").await.1, 0);
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }

    /// A search that already caught up answers from the snapshot in hand while another
    /// search reloads the whole index: never an empty page (the earlier index dropped its
    /// snapshot before reloading, so such a search found nobody).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_search_during_a_full_reload_still_answers() {
        use clinicdesk_domain::search::{PageSpec, SearchFilter, TextQuery};
        let (db, path) = crate::db::temp_sqlite("search-reload").await;
        let now = "2026-01-01T09:00:00.000Z";
        let add = |name: &'static str| {
            let db = db.clone();
            async move {
                let mut c = CustomerRecord::new(clinicdesk_domain::ids::new_id(), now);
                c.name = name.into();
                let mut w = db.begin_write(&Actor::system("test"), now).await.unwrap();
                customers::insert(&mut w, &c, &[]).await.unwrap();
                w.commit().await.unwrap();
            }
        };
        add("가나다").await;
        let index = db.search_index.clone();
        let mut conn = db.conn().await.unwrap();
        index.warm(&mut conn).await.unwrap();
        let filter = SearchFilter {
            text: TextQuery::parse("가나", false),
            ..SearchFilter::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let spec = PageSpec {
            limit: 20,
            ..PageSpec::default()
        };
        // Reader A has caught up. Then many changes arrive and reader B starts a full reload,
        // held after its queries.
        index.catch_up(&mut conn).await.unwrap();
        index.max_changed.store(1, Ordering::Relaxed);
        add("마바사").await;
        add("마바아").await;
        let paused = index.pause_full_load.lock().await;
        let reloading = {
            let index = index.clone();
            let db = db.clone();
            tokio::spawn(async move {
                let mut conn = db.conn().await.unwrap();
                index.catch_up(&mut conn).await.unwrap();
            })
        };
        while index.building.try_lock().is_ok() {
            tokio::task::yield_now().await;
        }
        let during = index.answer(&filter, today, spec);
        assert_eq!(
            during.total, 1,
            "reader A answers from the snapshot in hand"
        );
        drop(paused);
        reloading.await.unwrap();
        let after = index.answer(
            &SearchFilter {
                text: TextQuery::parse("마바", false),
                ..SearchFilter::default()
            },
            today,
            spec,
        );
        assert_eq!(after.total, 2, "the reload brought the new customers");
        drop(conn);
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
