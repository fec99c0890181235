//! Customer list and extended search as plain rules: which customers a filter keeps and in
//! which order they are listed. The store keeps one [`SearchEntry`] per live customer in
//! memory and answers every list and search page with [`search_page`], so a search over
//! 100,000 customers filters and sorts a few megabytes of plain structs instead of joining
//! and sorting table rows.

use crate::customer::{CUSTOMER_STATUSES, MEMBERSHIP_LEVELS};
use crate::package::{status_rank, StatusDay, EXPIRED_RANK};
use crate::stats::risk_level_bounds;
use crate::ServiceType;
use chrono::{Datelike, NaiveDate};
use memchr::memmem::Finder;
use std::cmp::Ordering;

/// Bits of each service type in a customer's `services_used` roll-up.
pub fn service_bit(service: ServiceType) -> i64 {
    1 << ServiceType::ALL
        .iter()
        .position(|s| *s == service)
        .unwrap_or(0)
}

/// One package purchase as far as the package-status filter needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageKey {
    pub expiry: NaiveDate,
    pub total_sessions: i64,
    pub remaining_sessions: i64,
}

/// A customer's packages, the first two inline: the filter reads them for every customer,
/// and a separate allocation per customer would cost a cache miss each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Packages {
    first: [Option<PackageKey>; 2],
    more: Vec<PackageKey>,
}

impl Packages {
    pub fn push(&mut self, p: PackageKey) {
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(p),
            None => self.more.push(p),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &PackageKey> {
        self.first.iter().flatten().chain(self.more.iter())
    }
}

impl From<Vec<PackageKey>> for Packages {
    fn from(v: Vec<PackageKey>) -> Packages {
        let mut out = Packages::default();
        for p in v {
            out.push(p);
        }
        out
    }
}

/// A customer's package standing on one day: the status of their best package (`active` over
/// `expiring` over `expired`), and the package that shows it — among the packages in that
/// status, the one that expires first (for `active` and `expiring`: the one to use or renew
/// first), or for `expired` the one that ended last. Ties go to the earlier package in the
/// given order. `None`: no packages.
///
/// This is what the package-status filter means for a customer with several packages: each
/// customer with packages has exactly one standing, so `active`, `expiring` and `expired`
/// divide them — `expired` lists only customers left with no usable package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Position of the package that shows the standing.
    pub index: usize,
    /// [`StatusDay::rank`]: 0 active, 1 expiring, 2 expired.
    pub rank: u8,
    pub expiry: NaiveDate,
}

impl Standing {
    pub fn status(&self) -> &'static str {
        crate::package::PACKAGE_STATUSES[self.rank as usize]
    }
}

pub fn standing<'a>(
    day: &StatusDay,
    packages: impl IntoIterator<Item = &'a PackageKey>,
) -> Option<Standing> {
    let mut best: Option<Standing> = None;
    for (index, p) in packages.into_iter().enumerate() {
        let rank = day.rank(p.expiry, p.total_sessions, p.remaining_sessions);
        // Within a status the earliest expiry is better, or the latest for expired.
        let better = best.is_none_or(|b| {
            rank < b.rank
                || (rank == b.rank
                    && if rank == EXPIRED_RANK {
                        p.expiry > b.expiry
                    } else {
                        p.expiry < b.expiry
                    })
        });
        if better {
            best = Some(Standing {
                index,
                rank,
                expiry: p.expiry,
            });
        }
    }
    best
}

/// The rank of [`standing`] alone, which the filter needs for every customer: it stops at
/// the first active package, as nothing ranks better.
pub fn best_rank<'a>(
    day: &StatusDay,
    packages: impl IntoIterator<Item = &'a PackageKey>,
) -> Option<u8> {
    let mut best: Option<u8> = None;
    for p in packages {
        let rank = day.rank(p.expiry, p.total_sessions, p.remaining_sessions);
        if rank == 0 {
            return Some(0);
        }
        best = Some(best.map_or(rank, |b| b.min(rank)));
    }
    best
}

/// A value's position in a fixed list of codes (membership levels, customer statuses), so
/// the filter compares a byte instead of following a pointer to a string.
pub fn code_in(list: &[&str], value: &str) -> u8 {
    list.iter()
        .position(|v| *v == value)
        .map_or(UNKNOWN_CODE, |i| i as u8)
}

/// The code of a value outside the list.
pub const UNKNOWN_CODE: u8 = u8::MAX;

/// What list and search filter and sort a customer by.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchEntry {
    pub id: String,
    pub name: String,
    /// `name` and `email` lower-cased once, when the entry is made.
    pub name_lower: String,
    pub email_lower: Option<String>,
    pub phone_digits: Option<String>,
    /// [`code_in`] of `MEMBERSHIP_LEVELS` and `CUSTOMER_STATUSES`.
    pub membership_level: u8,
    pub customer_status: u8,
    pub assigned_staff: Option<String>,
    /// Bit set of the services used ([`service_bit`]).
    pub services_used: i64,
    pub last_visit: Option<NaiveDate>,
    /// The last visit, or the registration day (drives the risk level).
    pub last_activity: NaiveDate,
    pub total_visits: i64,
    pub total_revenue: i64,
    pub packages: Packages,
}

/// A free-text query: digits (three or more, with dashes or spaces) search phone numbers;
/// anything else searches names and e-mail addresses, case-insensitively. Korean habits:
/// initial consonants (`ㄱㅁㅇ`, also mixed with syllables as typed, `김ㅁ`) match names by
/// their syllables' initials, and several words (`김 민`) must each match, in any field.
///
/// Search must not find what the searcher may not see: for a role that sees phone numbers and
/// e-mail addresses masked (`010-****-5678`, `k***@…`), matching any run of the hidden digits
/// or any fragment of the hidden address would let it recover them one query at a time. Such
/// a role matches a phone only within what it sees (up to four digits, found in the last
/// four) or as the whole number typed exactly, and an e-mail only as the whole address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextQuery {
    /// Any run of a phone number's digits.
    PhoneDigits(String),
    /// Up to four digits within a phone number's last four, or the whole number.
    VisiblePhoneDigits(String),
    /// A fragment of a name or an e-mail address.
    NameOrEmail(String),
    /// A fragment of a name, or a whole e-mail address.
    NameOrWholeEmail(String),
    /// A fragment of a name by initial consonants: each `ㄱ`…`ㅎ` stands for any syllable
    /// that starts with it, each syllable for itself (`ㄱㅁㅇ`, `김ㅁ`). Names only, which
    /// every role sees.
    Initials(String),
    /// Several words, each of which must match (each as its own query).
    AllOf(Vec<TextQuery>),
}

/// The initial consonants (choseong) in the order of the Hangul syllables block.
const CHOSEONG: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

fn is_choseong(c: char) -> bool {
    CHOSEONG.contains(&c)
}

/// A syllable's initial consonant (`김` → `ㄱ`); any other character is itself.
pub fn initial_of(c: char) -> char {
    if is_syllable(c) {
        CHOSEONG[((c as u32 - 0xAC00) / 588) as usize]
    } else {
        c
    }
}

/// Whether `name` has a run of characters matching `want` one by one, where an initial
/// consonant in `want` matches any syllable starting with it.
fn matches_initials(name: &str, want: &[char]) -> bool {
    let chars: Vec<char> = name.chars().collect();
    want.is_empty()
        || chars.windows(want.len()).any(|run| {
            run.iter()
                .zip(want)
                .all(|(&n, &w)| n == w || (is_choseong(w) && initial_of(n) == w))
        })
}

impl TextQuery {
    /// `masked`: the searcher sees contact data masked (see the type's documentation).
    pub fn parse(q: &str, masked: bool) -> Option<TextQuery> {
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        // A phone number may be typed with spaces: it is one query, not several words.
        if let Some(phone) = TextQuery::phone(q, masked) {
            return Some(phone);
        }
        let mut terms: Vec<TextQuery> = Vec::new();
        for word in q.split_whitespace() {
            let term = TextQuery::word(word, masked);
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.len() == 1 {
            terms.pop()
        } else {
            Some(TextQuery::AllOf(terms))
        }
    }

    fn phone(q: &str, masked: bool) -> Option<TextQuery> {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let is_phone = digits.len() >= 3
            && q.chars()
                .all(|ch| ch.is_ascii_digit() || ch == '-' || ch == ' ');
        is_phone.then(|| {
            if masked {
                TextQuery::VisiblePhoneDigits(digits)
            } else {
                TextQuery::PhoneDigits(digits)
            }
        })
    }

    fn word(w: &str, masked: bool) -> TextQuery {
        if let Some(phone) = TextQuery::phone(w, masked) {
            return phone;
        }
        if w.chars().any(is_choseong) && w.chars().all(|c| is_choseong(c) || is_syllable(c)) {
            return TextQuery::Initials(w.to_string());
        }
        if masked {
            TextQuery::NameOrWholeEmail(w.to_lowercase())
        } else {
            TextQuery::NameOrEmail(w.to_lowercase())
        }
    }
}

/// Strings of many entries laid end to end, each followed by a NUL (which no query contains),
/// so one vectorised scan finds a fragment in all of them: per-entry substring search costs
/// ~100 ns of set-up per string, 10 ms for 100,000 customers; a scan of the whole text about a
/// tenth of that.
#[derive(Debug, Clone, Default)]
struct Packed {
    bytes: Vec<u8>,
    /// Where each entry's string starts (an absent one is an empty string).
    starts: Vec<u32>,
}

impl Packed {
    fn with_capacity(entries: usize, bytes_each: usize) -> Packed {
        Packed {
            bytes: Vec::with_capacity(entries * bytes_each),
            starts: Vec::with_capacity(entries),
        }
    }

    fn push(&mut self, s: Option<&str>) {
        self.starts.push(self.bytes.len() as u32);
        if let Some(s) = s {
            self.bytes.extend_from_slice(s.as_bytes());
        }
        self.bytes.push(0);
    }

    /// Entry `i`'s string, without its NUL.
    fn get(&self, i: usize) -> &[u8] {
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.bytes.len(), |&e| e as usize);
        &self.bytes[start..end.saturating_sub(1).max(start)]
    }

    /// Marks each entry whose string contains `needle`.
    fn mark_containing(&self, needle: &str, hit: &mut [bool]) {
        if needle.is_empty() || needle.as_bytes().contains(&0) {
            return;
        }
        for at in Finder::new(needle.as_bytes()).find_iter(&self.bytes) {
            let i = self.starts.partition_point(|&s| s as usize <= at) - 1;
            hit[i] = true;
        }
    }
}

/// The searchable text of all entries (names, e-mail addresses, phone digits) and their
/// order by name. Built once with a sort ([`TextArena::build`]); afterwards each change is
/// merged into the kept order ([`TextArena::updated`]) in linear time, without sorting again.
#[derive(Debug, Clone, Default)]
pub struct TextArena {
    names: Packed,
    /// Each name with its syllables replaced by their initial consonants ([`initial_of`]).
    initials: Packed,
    emails: Packed,
    phones: Packed,
    /// Entry positions in (name, id) order.
    order: Vec<u32>,
    /// Each entry's place in (name, id) order, and among distinct names: sorting then
    /// compares integers instead of following two pointers to two strings.
    rank: Vec<u32>,
    name_rank: Vec<u32>,
}

fn by_name(entries: &[SearchEntry], x: u32, y: u32) -> Ordering {
    let (x, y) = (&entries[x as usize], &entries[y as usize]);
    x.name.cmp(&y.name).then_with(|| x.id.cmp(&y.id))
}

impl TextArena {
    pub fn build(entries: &[SearchEntry]) -> TextArena {
        let mut order: Vec<u32> = (0..entries.len() as u32).collect();
        order.sort_unstable_by(|&x, &y| by_name(entries, x, y));
        TextArena::from_order(entries, order)
    }

    /// The arena for `entries` after some of them changed, from this one (made for the
    /// entries before): `old_to_new` maps each earlier position to its position now, or to
    /// `None` when that entry was removed or its text changed; `fresh` are the positions of
    /// entries added or whose text changed. The kept order stays sorted (unchanged names keep
    /// their relative order), and each fresh entry is placed by binary search: linear work
    /// (copying the text and the ranks), no sort.
    pub fn updated(
        &self,
        entries: &[SearchEntry],
        old_to_new: impl Fn(u32) -> Option<u32>,
        fresh: &[u32],
    ) -> TextArena {
        let mut order: Vec<u32> = Vec::with_capacity(entries.len());
        order.extend(self.order.iter().filter_map(|&old| old_to_new(old)));
        for &p in fresh {
            let at = order.partition_point(|&q| by_name(entries, q, p) == Ordering::Less);
            order.insert(at, p);
        }
        TextArena::from_order(entries, order)
    }

    fn from_order(entries: &[SearchEntry], order: Vec<u32>) -> TextArena {
        let mut a = TextArena {
            names: Packed::with_capacity(entries.len(), 12),
            initials: Packed::with_capacity(entries.len(), 12),
            emails: Packed::with_capacity(entries.len(), 20),
            phones: Packed::with_capacity(entries.len(), 12),
            order: Vec::new(),
            rank: vec![0; entries.len()],
            name_rank: vec![0; entries.len()],
        };
        let mut initials = String::new();
        for e in entries {
            a.names.push(Some(&e.name_lower));
            initials.clear();
            initials.extend(e.name_lower.chars().map(initial_of));
            a.initials.push(Some(&initials));
            a.emails.push(e.email_lower.as_deref());
            a.phones.push(e.phone_digits.as_deref());
        }
        let mut distinct = 0u32;
        for (place, &i) in order.iter().enumerate() {
            if place > 0 && entries[order[place - 1] as usize].name != entries[i as usize].name {
                distinct += 1;
            }
            a.rank[i as usize] = place as u32;
            a.name_rank[i as usize] = distinct;
        }
        a.order = order;
        a
    }

    /// For each entry (by position), whether it matches the query.
    fn hits(&self, q: &TextQuery) -> Vec<bool> {
        let mut hit = vec![false; self.names.starts.len()];
        match q {
            TextQuery::PhoneDigits(d) => self.phones.mark_containing(d, &mut hit),
            TextQuery::NameOrEmail(t) => {
                self.names.mark_containing(t, &mut hit);
                self.emails.mark_containing(t, &mut hit);
            }
            TextQuery::VisiblePhoneDigits(d) => {
                let d = d.as_bytes();
                for (i, h) in hit.iter_mut().enumerate() {
                    let phone = self.phones.get(i);
                    let visible = &phone[phone.len().saturating_sub(4)..];
                    *h = if d.len() <= 4 {
                        !phone.is_empty() && memchr::memmem::find(visible, d).is_some()
                    } else {
                        phone == d
                    };
                }
            }
            TextQuery::NameOrWholeEmail(t) => {
                self.names.mark_containing(t, &mut hit);
                if t.contains('@') {
                    for (i, h) in hit.iter_mut().enumerate() {
                        *h |= self.emails.get(i) == t.as_bytes();
                    }
                }
            }
            TextQuery::Initials(t) => {
                // Candidates by initials alone, one scan; syllables typed along with them are
                // then checked on the candidates' names.
                let pattern: String = t.chars().map(initial_of).collect();
                self.initials.mark_containing(&pattern, &mut hit);
                if t.chars().any(is_syllable) {
                    let want: Vec<char> = t.chars().collect();
                    for (i, h) in hit.iter_mut().enumerate() {
                        if *h {
                            let name = std::str::from_utf8(self.names.get(i)).unwrap_or("");
                            *h = matches_initials(name, &want);
                        }
                    }
                }
            }
            TextQuery::AllOf(terms) => {
                let mut terms = terms.iter();
                if let Some(first) = terms.next() {
                    hit = self.hits(first);
                }
                for term in terms {
                    for (h, more) in hit.iter_mut().zip(self.hits(term)) {
                        *h &= more;
                    }
                }
            }
        }
        hit
    }
}

/// Every filter of the customer list (seed 004) and the extended search (seed 000 §4.1);
/// `None` or empty means "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFilter {
    pub text: Option<TextQuery>,
    pub membership_level: Option<String>,
    pub customer_status: Option<String>,
    pub assigned_staff: Option<String>,
    /// Used at least one of these services.
    pub services: Vec<ServiceType>,
    /// The customer's package [`Standing`] is this status (`active`, `expiring`, `expired`).
    pub package_status: Option<String>,
    /// `stable`, `warning` or `danger` (from the last activity).
    pub risk_level: Option<String>,
    pub last_visit_from: Option<NaiveDate>,
    pub last_visit_to: Option<NaiveDate>,
}

/// A filter with its date rules resolved for one day, ready to test many entries.
struct Resolved<'a> {
    filter: &'a SearchFilter,
    membership_level: Option<u8>,
    customer_status: Option<u8>,
    services_mask: i64,
    activity: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
}

impl Resolved<'_> {
    fn matches(&self, e: &SearchEntry) -> bool {
        let f = self.filter;
        if self
            .membership_level
            .is_some_and(|m| m != e.membership_level)
            || self.customer_status.is_some_and(|s| s != e.customer_status)
            || f.assigned_staff
                .as_deref()
                .is_some_and(|s| Some(s) != e.assigned_staff.as_deref())
        {
            return false;
        }
        if self.services_mask != 0 && e.services_used & self.services_mask == 0 {
            return false;
        }
        if let Some((lo, hi)) = self.activity {
            if lo.is_some_and(|lo| e.last_activity < lo)
                || hi.is_some_and(|hi| e.last_activity > hi)
            {
                return false;
            }
        }
        if let Some(from) = f.last_visit_from {
            if e.last_visit.is_none_or(|d| d < from) {
                return false;
            }
        }
        if let Some(to) = f.last_visit_to {
            if e.last_visit.is_none_or(|d| d > to) {
                return false;
            }
        }
        true
    }
}

/// The sort orders of the extended search; the customer list sorts by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    LastVisit,
    TotalVisits,
    Revenue,
    /// The expiry date of the package that shows the customer's [`Standing`].
    PackageExpiry,
}

impl SortKey {
    /// The API names, in the order of [`SortKey::parse`].
    pub const NAMES: [&'static str; 5] = [
        "name",
        "last_visit",
        "total_visits",
        "revenue",
        "package_expiry",
    ];

    pub fn parse(s: &str) -> Option<SortKey> {
        match s {
            "name" => Some(SortKey::Name),
            "last_visit" => Some(SortKey::LastVisit),
            "total_visits" => Some(SortKey::TotalVisits),
            "revenue" => Some(SortKey::Revenue),
            "package_expiry" => Some(SortKey::PackageExpiry),
            _ => None,
        }
    }

    /// Ascending unless asked: names A→Z and the soonest expiry first; the other figures
    /// largest (or latest) first.
    pub fn ascending_by_default(self) -> bool {
        matches!(self, SortKey::Name | SortKey::PackageExpiry)
    }
}

/// The listing order: the key in the asked direction; customers who never visited come last
/// by last visit in either direction, as do customers without packages by package expiry;
/// ties by name, then id, so pages never overlap. This is the definition; [`search_page`]
/// sorts by equivalent integer keys (tested against it).
pub fn compare(
    a: &SearchEntry,
    b: &SearchEntry,
    key: SortKey,
    descending: bool,
    today: NaiveDate,
) -> Ordering {
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    let by_name = || a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id));
    let day = StatusDay::new(today);
    let expiry = |e: &SearchEntry| standing(&day, e.packages.iter()).map(|s| s.expiry);
    match key {
        SortKey::PackageExpiry => match (expiry(a), expiry(b)) {
            (Some(x), Some(y)) => dir(x.cmp(&y)).then_with(by_name),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_name(),
        },
        SortKey::Name => dir(a.name.cmp(&b.name)).then_with(|| a.id.cmp(&b.id)),
        SortKey::LastVisit => match (a.last_visit, b.last_visit) {
            (Some(x), Some(y)) => dir(x.cmp(&y)).then_with(by_name),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_name(),
        },
        SortKey::TotalVisits => dir(a.total_visits.cmp(&b.total_visits)).then_with(by_name),
        SortKey::Revenue => dir(a.total_revenue.cmp(&b.total_revenue)).then_with(by_name),
    }
}

/// Which page of the ordered matches to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageSpec {
    pub key: SortKey,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

/// One page of a search: the ids on it, in order, and how many entries match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub ids: Vec<String>,
    pub total: usize,
}

/// Filters `entries`, orders the matches and cuts the page `[offset, offset + limit)`. Only
/// the entries up to the end of the page are fully sorted.
pub fn search_page(
    entries: &[SearchEntry],
    text: &TextArena,
    filter: &SearchFilter,
    today: NaiveDate,
    spec: PageSpec,
) -> SearchPage {
    let PageSpec {
        key,
        descending,
        offset,
        limit,
    } = spec;
    // A filter value outside the list matches no customer, not those with unknown values.
    let code = |list: &[&str], v: &Option<String>| {
        v.as_deref().map(|v| code_in(list, v).min(UNKNOWN_CODE - 1))
    };
    let resolved = Resolved {
        filter,
        membership_level: code(&MEMBERSHIP_LEVELS, &filter.membership_level),
        customer_status: code(&CUSTOMER_STATUSES, &filter.customer_status),
        services_mask: filter.services.iter().map(|s| service_bit(*s)).sum(),
        activity: filter
            .risk_level
            .as_deref()
            .map(|r| risk_level_bounds(r, today).unwrap_or((None, None))),
    };
    let status_day = StatusDay::new(today);
    // A status outside the list matches nobody (no standing has rank u8::MAX).
    let wanted_rank = filter
        .package_status
        .as_deref()
        .map(|s| status_rank(s).unwrap_or(u8::MAX));
    let hits = filter.text.as_ref().map(|q| text.hits(q));
    let sign = |v: i64| if descending { -v } else { v };
    // (key, tie-break, place in name order, position): the order of `compare`, as integers.
    let key_of = |i: usize, e: &SearchEntry, held: Option<Standing>| -> (i64, i64, u32, u32) {
        let rank = text.rank[i];
        let (major, minor) = match key {
            SortKey::Name => (sign(text.name_rank[i] as i64), 0),
            SortKey::TotalVisits => (sign(e.total_visits), 0),
            SortKey::Revenue => (sign(e.total_revenue), 0),
            SortKey::LastVisit => match e.last_visit {
                Some(d) => (0, sign(d.num_days_from_ce() as i64)),
                None => (1, 0),
            },
            SortKey::PackageExpiry => match held {
                Some(s) => (0, sign(s.expiry.num_days_from_ce() as i64)),
                None => (1, 0),
            },
        };
        (major, minor, rank, i as u32)
    };
    let mut matches: Vec<(i64, i64, u32, u32)> = entries
        .iter()
        .enumerate()
        .filter(|(i, e)| hits.as_ref().is_none_or(|h| h[*i]) && resolved.matches(e))
        .filter_map(|(i, e)| {
            if key == SortKey::PackageExpiry {
                let held = standing(&status_day, e.packages.iter());
                if wanted_rank.is_some_and(|w| held.is_none_or(|s| s.rank != w)) {
                    return None;
                }
                return Some(key_of(i, e, held));
            }
            if let Some(wanted) = wanted_rank {
                if best_rank(&status_day, e.packages.iter()) != Some(wanted) {
                    return None;
                }
            }
            Some(key_of(i, e, None))
        })
        .collect();
    let total = matches.len();
    let end = offset.saturating_add(limit).min(total);
    if offset >= end {
        return SearchPage {
            ids: Vec::new(),
            total,
        };
    }
    if end < total {
        matches.select_nth_unstable(end - 1);
        matches.truncate(end);
    }
    matches.sort_unstable();
    SearchPage {
        ids: matches[offset..end]
            .iter()
            .map(|k| entries[k.3 as usize].id.clone())
            .collect(),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn entry(id: &str, name: &str) -> SearchEntry {
        SearchEntry {
            id: id.into(),
            name: name.into(),
            name_lower: name.to_lowercase(),
            membership_level: code_in(&MEMBERSHIP_LEVELS, "basic"),
            customer_status: code_in(&CUSTOMER_STATUSES, "active"),
            last_activity: d("2024-05-01"),
            ..SearchEntry::default()
        }
    }

    fn ids(p: &SearchPage) -> Vec<&str> {
        p.ids.iter().map(String::as_str).collect()
    }

    fn run(entries: &[SearchEntry], f: &SearchFilter, key: SortKey, desc: bool) -> SearchPage {
        let spec = PageSpec {
            key,
            descending: desc,
            offset: 0,
            limit: 100,
        };
        search_page(
            entries,
            &TextArena::build(entries),
            f,
            d("2024-06-01"),
            spec,
        )
    }

    #[test]
    fn text_queries_tell_phone_digits_from_names() {
        assert_eq!(TextQuery::parse("   ", false), None);
        assert_eq!(
            TextQuery::parse("010-12", false),
            Some(TextQuery::PhoneDigits("01012".into()))
        );
        assert_eq!(
            TextQuery::parse("12", false),
            Some(TextQuery::NameOrEmail("12".into())),
            "two digits are too few for a phone search"
        );
        assert_eq!(
            TextQuery::parse(" Kim@Mail ", false),
            Some(TextQuery::NameOrEmail("kim@mail".into()))
        );
        assert_eq!(
            TextQuery::parse("50%_off", false),
            Some(TextQuery::NameOrEmail("50%_off".into())),
            "wildcard characters are literal"
        );
    }

    #[test]
    fn text_matches_name_email_or_phone_fragments() {
        let mut a = entry("a", "김영희");
        a.phone_digits = Some("01012345678".into());
        let mut b = entry("b", "Park Ann");
        b.email_lower = Some("ann.park@example.com".into());
        let all = [a, b];
        let find = |q: &str| {
            let f = SearchFilter {
                text: TextQuery::parse(q, false),
                ..SearchFilter::default()
            };
            ids(&run(&all, &f, SortKey::Name, false))
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(find("영희"), ["a"]);
        assert_eq!(find("5678"), ["a"]);
        assert_eq!(find("010-1234"), ["a"]);
        assert_eq!(find("ANN"), ["b"], "case-insensitive");
        assert_eq!(find("example.com"), ["b"]);
        assert!(find("9999").is_empty());
        assert!(find("%").is_empty(), "a percent sign is not a wildcard");
        assert!(find("희\0park").is_empty(), "no match across two strings");
        assert!(find("희ann").is_empty());
    }

    /// What a role sees masked, it cannot match on: phone digits only within the last four
    /// (or the whole number), e-mail only whole — names as usual.
    #[test]
    fn masked_searchers_match_only_what_they_see() {
        let mut a = entry("a", "김영희");
        a.phone_digits = Some("01012345678".into());
        a.email_lower = Some("younghee.kim@example.com".into());
        let mut b = entry("b", "박민수");
        b.phone_digits = Some("01098761234".into());
        let all = [a, b];
        let find = |q: &str| {
            let f = SearchFilter {
                text: TextQuery::parse(q, true),
                ..SearchFilter::default()
            };
            let page = run(&all, &f, SortKey::Name, false);
            page.ids
        };
        assert_eq!(
            TextQuery::parse("5678", true),
            Some(TextQuery::VisiblePhoneDigits("5678".into()))
        );
        assert_eq!(find("5678"), ["a"], "the last four digits are visible");
        assert_eq!(find("678"), ["a"], "so is part of them");
        assert_eq!(find("1234"), ["b"], "b's last four, not a's hidden middle");
        assert!(find("2345").is_empty(), "a's hidden digits match nothing");
        assert!(
            find("010-1234").is_empty(),
            "nor does a prefix with hidden digits"
        );
        assert!(find("0101234567").is_empty(), "nor all but the last digit");
        assert_eq!(
            find("010-1234-5678"),
            ["a"],
            "the whole number typed exactly"
        );
        assert_eq!(find("영희"), ["a"], "names are visible");
        assert!(
            find("younghee").is_empty(),
            "a fragment of a hidden e-mail matches nothing"
        );
        assert!(find("example.com").is_empty());
        assert_eq!(
            find("YoungHee.Kim@Example.com"),
            ["a"],
            "the whole address does"
        );
        assert!(find("younghee.kim@example.co").is_empty());
    }

    /// Merging changes into the kept order gives exactly what sorting from scratch gives:
    /// names added, removed (with the last entry moving into the gap) and renamed, at random.
    #[test]
    fn updating_the_order_matches_a_full_sort() {
        use rand_like::Lcg;
        let mut rng = Lcg(7);
        let names = ["가", "나", "다", "라", "마", "김민영", "김민수", "이수진"];
        let mut entries: Vec<SearchEntry> = (0..300)
            .map(|i| entry(&format!("id{i:04}"), names[rng.next() % names.len()]))
            .collect();
        let mut arena = TextArena::build(&entries);
        let mut next_id = 300;
        for _round in 0..200 {
            let before = entries.len() as u32;
            // old position → current position; None once removed or renamed
            let mut old_to_new: Vec<Option<u32>> = (0..before).map(Some).collect();
            let mut origin: Vec<Option<u32>> = (0..before).map(Some).collect();
            let mut fresh_ids: Vec<String> = Vec::new();
            for _ in 0..(1 + rng.next() % 4) {
                match rng.next() % 3 {
                    0 if !entries.is_empty() => {
                        let i = rng.next() % entries.len();
                        if let Some(o) = origin[i] {
                            old_to_new[o as usize] = None;
                        }
                        let last = entries.len() - 1;
                        if i != last {
                            if let Some(o) = origin[last] {
                                old_to_new[o as usize] = Some(i as u32);
                            }
                        }
                        origin.swap_remove(i);
                        entries.swap_remove(i);
                    }
                    1 if !entries.is_empty() => {
                        let i = rng.next() % entries.len();
                        if let Some(o) = origin[i] {
                            old_to_new[o as usize] = None;
                        }
                        let name = names[rng.next() % names.len()];
                        entries[i].name = name.into();
                        entries[i].name_lower = name.to_lowercase();
                        fresh_ids.push(entries[i].id.clone());
                    }
                    _ => {
                        next_id += 1;
                        entries.push(entry(
                            &format!("id{next_id:04}"),
                            names[rng.next() % names.len()],
                        ));
                        origin.push(None);
                        fresh_ids.push(entries.last().unwrap().id.clone());
                    }
                }
            }
            let mut fresh: Vec<u32> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| fresh_ids.contains(&e.id))
                .map(|(i, _)| i as u32)
                .collect();
            fresh.dedup();
            arena = arena.updated(&entries, |old| old_to_new[old as usize], &fresh);
            let full = TextArena::build(&entries);
            assert_eq!(arena.order, full.order);
            assert_eq!(arena.rank, full.rank);
            assert_eq!(arena.name_rank, full.name_rank);
            assert_eq!(arena.names.bytes, full.names.bytes);
        }
    }

    /// A small deterministic generator (the domain crate has no random-number dependency).
    mod rand_like {
        pub struct Lcg(pub u64);
        impl Lcg {
            pub fn next(&mut self) -> usize {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (self.0 >> 33) as usize
            }
        }
    }

    #[test]
    fn attribute_filters_must_all_hold() {
        let mut a = entry("a", "가");
        a.membership_level = code_in(&MEMBERSHIP_LEVELS, "vip");
        a.assigned_staff = Some("김실장".into());
        let mut b = entry("b", "나");
        b.membership_level = code_in(&MEMBERSHIP_LEVELS, "vip");
        b.customer_status = code_in(&CUSTOMER_STATUSES, "inactive");
        let c = entry("c", "다");
        let all = [a, b, c];
        let f = SearchFilter {
            membership_level: Some("vip".into()),
            ..SearchFilter::default()
        };
        assert_eq!(ids(&run(&all, &f, SortKey::Name, false)), ["a", "b"]);
        let f = SearchFilter {
            membership_level: Some("vip".into()),
            customer_status: Some("active".into()),
            ..SearchFilter::default()
        };
        assert_eq!(ids(&run(&all, &f, SortKey::Name, false)), ["a"]);
        let f = SearchFilter {
            assigned_staff: Some("김실장".into()),
            ..SearchFilter::default()
        };
        assert_eq!(ids(&run(&all, &f, SortKey::Name, false)), ["a"]);
        let f = SearchFilter {
            membership_level: Some("gold".into()),
            ..SearchFilter::default()
        };
        assert!(
            run(&all, &f, SortKey::Name, false).ids.is_empty(),
            "an unknown level matches nobody"
        );
    }

    #[test]
    fn services_match_any_of_the_asked() {
        let mut a = entry("a", "가");
        a.services_used = service_bit(ServiceType::Brain);
        let mut b = entry("b", "나");
        b.services_used = service_bit(ServiceType::Red) | service_bit(ServiceType::Pulse);
        let c = entry("c", "다");
        let all = [a, b, c];
        let f = SearchFilter {
            services: vec![ServiceType::Brain, ServiceType::Pulse],
            ..SearchFilter::default()
        };
        assert_eq!(ids(&run(&all, &f, SortKey::Name, false)), ["a", "b"]);
        let f = SearchFilter {
            services: vec![ServiceType::AiBike],
            ..SearchFilter::default()
        };
        assert!(run(&all, &f, SortKey::Name, false).ids.is_empty());
    }

    #[test]
    fn package_status_uses_the_domain_rule_on_any_package() {
        let today = d("2024-06-01");
        let pkg = |days: i64, total: i64, remaining: i64| PackageKey {
            expiry: today + Duration::days(days),
            total_sessions: total,
            remaining_sessions: remaining,
        };
        let mut a = entry("a", "가");
        a.packages = vec![pkg(60, 10, 8)].into(); // active
        let mut b = entry("b", "나");
        b.packages = vec![pkg(-1, 10, 8), pkg(14, 10, 8)].into(); // expired + expiring (14 days)
        let mut c = entry("c", "다");
        c.packages = vec![pkg(60, 10, 2), pkg(-5, 10, 5), pkg(60, 10, 0)].into(); // expiring (20 %), expired, used up
        let d_ = entry("d", "라"); // no package
        let mut e = entry("e", "마");
        e.packages = vec![pkg(-1, 10, 8), pkg(-2, 10, 8), pkg(60, 10, 8)].into(); // third active
        let all = [a, b, c, d_, e];
        let with = |s: &str| {
            let f = SearchFilter {
                package_status: Some(s.into()),
                ..SearchFilter::default()
            };
            ids(&run(&all, &f, SortKey::Name, false))
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        // Each customer has one standing, from their best package: the filters divide them.
        assert_eq!(with("active"), ["a", "e"]);
        assert_eq!(with("expiring"), ["b", "c"]);
        assert!(
            with("expired").is_empty(),
            "everyone here still holds a usable package"
        );
        assert!(
            with("cancelled").is_empty(),
            "an unknown status matches nobody"
        );
    }

    /// The reported case: a customer holding an active and an expired package is `active`
    /// only; `expired` lists customers left with no usable package, used up or past its date.
    #[test]
    fn expired_means_no_usable_package_left() {
        let today = d("2024-06-01");
        let pkg = |days: i64, remaining: i64| PackageKey {
            expiry: today + Duration::days(days),
            total_sessions: 10,
            remaining_sessions: remaining,
        };
        let mut both = entry("both", "가");
        both.packages = vec![pkg(-30, 4), pkg(60, 8)].into();
        let mut lapsed = entry("lapsed", "나");
        lapsed.packages = vec![pkg(-30, 4), pkg(-1, 8)].into();
        let mut used_up = entry("used_up", "다");
        used_up.packages = vec![pkg(60, 0)].into();
        let mut renewing = entry("renewing", "라");
        renewing.packages = vec![pkg(-3, 4), pkg(5, 8)].into();
        let all = [both, lapsed, used_up, renewing, entry("none", "마")];
        let with = |s: &str| {
            let f = SearchFilter {
                package_status: Some(s.into()),
                ..SearchFilter::default()
            };
            run(&all, &f, SortKey::Name, false).ids
        };
        assert_eq!(with("active"), ["both"]);
        assert_eq!(with("expiring"), ["renewing"]);
        assert_eq!(with("expired"), ["lapsed", "used_up"]);
        let day = StatusDay::new(today);
        let of = |e: &SearchEntry| standing(&day, e.packages.iter());
        assert_eq!(
            of(&all[0]),
            Some(Standing {
                index: 1,
                rank: 0,
                expiry: today + Duration::days(60)
            })
        );
        let lapsed = of(&all[1]).unwrap();
        assert_eq!(
            (lapsed.index, lapsed.status()),
            (1, "expired"),
            "the package that ended last"
        );
        assert_eq!(of(&all[4]), None);
    }

    /// The package shown (and sorted by) is the one that decides the standing: among several
    /// in that status the one expiring first; equal dates keep the first given.
    #[test]
    fn standing_shows_the_package_to_act_on_first() {
        let today = d("2024-06-01");
        let key = |days: i64, remaining: i64| PackageKey {
            expiry: today + Duration::days(days),
            total_sessions: 10,
            remaining_sessions: remaining,
        };
        let day = StatusDay::new(today);
        let pick = |ps: &[PackageKey]| standing(&day, ps.iter()).map(|s| (s.index, s.status()));
        assert_eq!(pick(&[key(90, 9), key(40, 9)]), Some((1, "active")));
        assert_eq!(
            pick(&[key(10, 9), key(5, 9), key(90, 9)]),
            Some((2, "active"))
        );
        assert_eq!(pick(&[key(10, 9), key(5, 9)]), Some((1, "expiring")));
        assert_eq!(pick(&[key(40, 9), key(40, 9)]), Some((0, "active")));
        assert_eq!(
            pick(&[key(-9, 9), key(-2, 9), key(30, 0)]),
            Some((2, "expired"))
        );
        assert_eq!(pick(&[]), None);
        // The filter's shortcut agrees with the full rule.
        let mut rng = rand_like::Lcg(3);
        for _ in 0..2000 {
            let keys: Vec<PackageKey> = (0..rng.next() % 5)
                .map(|_| key(rng.next() as i64 % 60 - 30, rng.next() as i64 % 10))
                .collect();
            assert_eq!(
                best_rank(&day, &keys),
                standing(&day, &keys).map(|s| s.rank),
                "{keys:?}"
            );
        }
    }

    #[test]
    fn sorting_by_package_expiry_puts_customers_without_packages_last() {
        let today = d("2024-06-01");
        let key = |days: i64| PackageKey {
            expiry: today + Duration::days(days),
            total_sessions: 10,
            remaining_sessions: 5,
        };
        let mut a = entry("a", "가");
        a.packages = vec![key(30)].into();
        let mut b = entry("b", "나");
        b.packages = vec![key(-10), key(3)].into();
        let mut c = entry("c", "다");
        c.packages = vec![key(-20)].into();
        let all = [a, b, c, entry("z", "라")];
        let f = SearchFilter::default();
        assert_eq!(
            ids(&run(&all, &f, SortKey::PackageExpiry, false)),
            ["c", "b", "a", "z"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::PackageExpiry, true)),
            ["a", "b", "c", "z"]
        );
        assert!(SortKey::PackageExpiry.ascending_by_default());
        assert!(!SortKey::Revenue.ascending_by_default());
        for name in SortKey::NAMES {
            assert!(SortKey::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn initial_consonants_find_names() {
        assert_eq!(initial_of('김'), 'ㄱ');
        assert_eq!(initial_of('민'), 'ㅁ');
        assert_eq!(initial_of('영'), 'ㅇ');
        assert_eq!(initial_of('힣'), 'ㅎ');
        assert_eq!(initial_of('까'), 'ㄲ');
        assert_eq!(initial_of('a'), 'a');
        let all = [
            entry("a", "김민영"),
            entry("b", "김민수"),
            entry("c", "고미연"),
            entry("d", "박지민"),
            entry("e", "Kim Minyoung"),
        ];
        let find = |q: &str| {
            let f = SearchFilter {
                text: TextQuery::parse(q, false),
                ..SearchFilter::default()
            };
            run(&all, &f, SortKey::Name, false).ids
        };
        assert_eq!(
            TextQuery::parse("ㄱㅁㅇ", false),
            Some(TextQuery::Initials("ㄱㅁㅇ".into()))
        );
        assert_eq!(find("ㄱㅁㅇ"), ["c", "a"], "고미연 and 김민영, by name");
        assert_eq!(find("ㄱㅁ"), ["c", "b", "a"], "a partial run");
        assert_eq!(find("ㅁㅇ"), ["c", "a"], "anywhere in the name");
        assert_eq!(find("ㅈㅁ"), ["d"]);
        assert_eq!(find("김ㅁㅇ"), ["a"], "a syllable as typed, then initials");
        assert_eq!(find("ㄱ민"), ["b", "a"]);
        assert!(find("김ㅁㄴ").is_empty());
        assert!(find("ㄲㅁ").is_empty(), "ㄲ is not ㄱ");
        assert_eq!(
            find("ㅏ"),
            Vec::<String>::new(),
            "a vowel is a literal fragment"
        );
        assert_eq!(
            find("김민"),
            ["b", "a"],
            "syllables alone stay a fragment search"
        );
    }

    #[test]
    fn several_words_must_all_match() {
        let mut a = entry("a", "김민영");
        a.email_lower = Some("my.kim@example.com".into());
        a.phone_digits = Some("01012345678".into());
        let b = entry("b", "김수민");
        let c = entry("c", "민지호");
        let d_ = entry("d", "Park Ann");
        let all = [a, b, c, d_];
        let find = |q: &str, masked: bool| {
            let f = SearchFilter {
                text: TextQuery::parse(q, masked),
                ..SearchFilter::default()
            };
            run(&all, &f, SortKey::Name, false).ids
        };
        assert_eq!(
            TextQuery::parse("김  민", false),
            Some(TextQuery::AllOf(vec![
                TextQuery::NameOrEmail("김".into()),
                TextQuery::NameOrEmail("민".into()),
            ]))
        );
        assert_eq!(find("김 민", false), ["a", "b"]);
        assert_eq!(find("민 김", false), ["a", "b"], "in any order");
        assert_eq!(find("김 민 영", false), ["a"]);
        assert_eq!(find("김 ㅇ", false), ["a"], "words and initials mix");
        assert_eq!(find("ann park", false), ["d"]);
        assert_eq!(find("김 example", false), ["a"], "each word in any field");
        assert_eq!(find("김 5678", false), ["a"]);
        assert_eq!(
            TextQuery::parse("010 1234 5678", false),
            Some(TextQuery::PhoneDigits("01012345678".into())),
            "a phone number typed with spaces is one number"
        );
        assert!(find("김 호", false).is_empty());
        // Masked: each word matches only what the role sees.
        assert!(find("김 example", true).is_empty(), "no e-mail fragments");
        assert_eq!(find("김 my.kim@example.com", true), ["a"], "whole e-mail");
        assert_eq!(find("김 5678", true), ["a"], "visible last four");
        assert!(find("김 1234", true).is_empty(), "hidden middle digits");
        assert!(find("김 0101234", true).is_empty());
        assert_eq!(
            find("ㄱㅁ 민영", true),
            ["a"],
            "names are visible to every role"
        );
    }

    #[test]
    fn risk_level_and_last_visit_ranges() {
        let today = d("2024-06-01");
        let at = |id: &str, days_ago: Option<i64>| {
            let mut e = entry(id, id);
            e.last_visit = days_ago.map(|n| today - Duration::days(n));
            e.last_activity = e.last_visit.unwrap_or(today - Duration::days(200));
            e
        };
        let all = [
            at("a", Some(10)),
            at("b", Some(60)),
            at("c", Some(120)),
            at("d", None),
        ];
        let risk = |r: &str| {
            let f = SearchFilter {
                risk_level: Some(r.into()),
                ..SearchFilter::default()
            };
            ids(&run(&all, &f, SortKey::Name, false))
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(risk("stable"), ["a"]);
        assert_eq!(risk("warning"), ["b"]);
        assert_eq!(risk("danger"), ["c", "d"]);
        let f = SearchFilter {
            last_visit_from: Some(today - Duration::days(60)),
            last_visit_to: Some(today - Duration::days(10)),
            ..SearchFilter::default()
        };
        assert_eq!(
            ids(&run(&all, &f, SortKey::Name, false)),
            ["a", "b"],
            "inclusive; never visited is outside every range"
        );
    }

    #[test]
    fn sort_orders_with_ties_and_customers_who_never_visited() {
        let mut a = entry("a", "나");
        a.total_visits = 5;
        a.total_revenue = 100;
        a.last_visit = Some(d("2024-05-01"));
        let mut b = entry("b", "가");
        b.total_visits = 5;
        b.total_revenue = 300;
        let mut c = entry("c", "다");
        c.total_visits = 9;
        c.last_visit = Some(d("2024-05-20"));
        let mut z = entry("0", "나");
        z.total_visits = 1;
        let all = [a, b, c, z];
        let f = SearchFilter::default();
        assert_eq!(
            ids(&run(&all, &f, SortKey::Name, false)),
            ["b", "0", "a", "c"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::Name, true)),
            ["c", "0", "a", "b"],
            "ties stay by id in both directions"
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::TotalVisits, true)),
            ["c", "b", "a", "0"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::TotalVisits, false)),
            ["0", "b", "a", "c"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::Revenue, true)),
            ["b", "a", "0", "c"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::LastVisit, true)),
            ["c", "a", "b", "0"]
        );
        assert_eq!(
            ids(&run(&all, &f, SortKey::LastVisit, false)),
            ["a", "c", "b", "0"],
            "never visited last in both directions, then by name"
        );
    }

    /// Partial sorting must give exactly the pages a full sort gives.
    #[test]
    fn pages_equal_slices_of_the_full_order() {
        let all: Vec<SearchEntry> = (0..500)
            .map(|i: i64| {
                let mut e = entry(&format!("{i:04}"), &format!("이름{}", (i * 7919) % 53));
                e.total_visits = (i * 31) % 17;
                e.total_revenue = (i * 13) % 29;
                e.last_visit = (i % 5 != 0).then(|| d("2024-01-01") + Duration::days((i * 3) % 40));
                for k in 0..(i % 4) {
                    e.packages.push(PackageKey {
                        expiry: d("2024-06-01") + Duration::days((i * 11 + k * 37) % 90 - 45),
                        total_sessions: 10,
                        remaining_sessions: (i + k) % 11,
                    });
                }
                e
            })
            .collect();
        let f = SearchFilter::default();
        let today = d("2024-06-01");
        let arena = TextArena::build(&all);
        for key in [
            SortKey::Name,
            SortKey::LastVisit,
            SortKey::TotalVisits,
            SortKey::Revenue,
            SortKey::PackageExpiry,
        ] {
            for desc in [false, true] {
                let mut sorted: Vec<&SearchEntry> = all.iter().collect();
                sorted.sort_by(|a, b| compare(a, b, key, desc, today));
                let full: Vec<String> = sorted.iter().map(|e| e.id.clone()).collect();
                for (offset, limit) in
                    [(0, 20), (40, 20), (480, 50), (499, 1), (500, 20), (0, 1000)]
                {
                    let spec = PageSpec {
                        key,
                        descending: desc,
                        offset,
                        limit,
                    };
                    let p = search_page(&all, &arena, &f, today, spec);
                    assert_eq!(p.total, 500);
                    let end = (offset + limit).min(500);
                    let want = if offset < 500 {
                        &full[offset..end]
                    } else {
                        &full[0..0]
                    };
                    assert_eq!(p.ids, want, "{key:?} desc={desc} {offset}+{limit}");
                }
            }
        }
    }

    #[test]
    fn service_bits_are_distinct() {
        let bits: Vec<i64> = ServiceType::ALL.iter().map(|s| service_bit(*s)).collect();
        assert_eq!(bits, vec![1, 2, 4, 8, 16]);
    }
}
