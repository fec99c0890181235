//! Hybrid logical clock stamps. Every field a node writes carries the stamp of the write;
//! a later stamp wins. `uhlc` provides the clock (physical time plus a logical counter, unique
//! per node); a [`Stamp`] is its value in a form that sorts the same as text and as a number,
//! so the store can compare stamps in SQL on both databases.
//!
//! Clock drift: `uhlc` refuses by default a remote stamp more than 500 ms ahead of the local
//! clock. A front-desk laptop whose clock is hours off must still sync, so the limit is
//! [`MAX_DRIFT`]: a stamp further ahead than that is refused (the desktop says its clock is
//! wrong) rather than dragging every node's clock into the future.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use uhlc::{HLCBuilder, HLC, ID, NTP64};

/// How far ahead of this node's clock a remote stamp may be and still be taken.
pub const MAX_DRIFT: Duration = Duration::from_secs(7 * 24 * 3600);

/// One write's place in time: the hybrid time (NTP64 format: seconds since the Unix epoch in
/// the upper 32 bits, the fraction of a second and the logical counter below) and the node that made it (unique per node, so
/// no two writes ever tie).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub time: u64,
    pub node: u128,
}

impl Stamp {
    /// The instant of the stamp as seconds since the Unix epoch (for messages and tests).
    pub fn unix_secs(&self) -> f64 {
        NTP64(self.time).as_secs_f64()
    }

    fn to_uhlc(self) -> Option<uhlc::Timestamp> {
        let id = ID::try_from(self.node).ok()?;
        Some(uhlc::Timestamp::new(NTP64(self.time), id))
    }

    fn from_uhlc(t: &uhlc::Timestamp) -> Stamp {
        Stamp {
            time: t.get_time().as_u64(),
            node: u128::from_le_bytes(t.get_id().to_le_bytes()),
        }
    }
}

/// `0000000000000000-00000000000000000000000000000000`: fixed-width hex, time first, so the
/// text order is the stamp order.
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}-{:032x}", self.time, self.node)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadStamp(pub String);

impl fmt::Display for BadStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a stamp: {:?}", self.0)
    }
}

/// A stamp travels as its text form.
impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Stamp {
    type Err = BadStamp;

    fn from_str(s: &str) -> Result<Stamp, BadStamp> {
        let bad = || BadStamp(s.to_string());
        let (time, node) = s.split_once('-').ok_or_else(bad)?;
        if time.len() != 16 || node.len() != 32 {
            return Err(bad());
        }
        Ok(Stamp {
            time: u64::from_str_radix(time, 16).map_err(|_| bad())?,
            node: u128::from_str_radix(node, 16).map_err(|_| bad())?,
        })
    }
}

/// Why a remote stamp was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    /// The stamp is further ahead of this node's clock than [`MAX_DRIFT`].
    TooFarAhead { stamp: Stamp, by_secs: u64 },
    /// The stamp names no node (node 0 is not a node).
    NoNode(Stamp),
}

/// A node's clock: stamps its own writes, and moves past every remote stamp it takes so that
/// a write made after seeing another one always wins over it.
pub struct SyncClock {
    hlc: HLC,
}

impl std::fmt::Debug for SyncClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SyncClock({})", self.hlc.get_id())
    }
}

/// Seconds added to the system time this process's clocks read (0 but in tests that run a
/// node process with a laptop's wrong clock: `--clock-offset-secs`).
static OFFSET_SECS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Sets the offset [`SyncClock::new`] clocks read the time with (for tests of clock skew).
pub fn set_clock_offset_secs(secs: i64) {
    OFFSET_SECS.store(secs, std::sync::atomic::Ordering::SeqCst);
}

fn offset_time() -> NTP64 {
    let now = uhlc::system_time_clock();
    let off = OFFSET_SECS.load(std::sync::atomic::Ordering::SeqCst);
    let delta = NTP64::from(Duration::from_secs(off.unsigned_abs()));
    if off >= 0 {
        now + delta
    } else {
        now - delta
    }
}

impl SyncClock {
    /// The clock of node `node` (a non-zero id, e.g. from the device id), reading the system
    /// time (plus the process's test offset, normally 0).
    pub fn new(node: u128) -> Option<SyncClock> {
        Self::with_physical(node, offset_time)
    }

    /// The same with another physical clock: tests give a node a clock hours off.
    pub fn with_physical(node: u128, physical: fn() -> NTP64) -> Option<SyncClock> {
        let id = ID::try_from(node).ok()?;
        let hlc = HLCBuilder::new()
            .with_id(id)
            .with_clock(physical)
            .with_max_delta(MAX_DRIFT)
            .build();
        Some(SyncClock { hlc })
    }

    /// The stamp of a new write: later than every stamp made or taken before.
    pub fn stamp(&self) -> Stamp {
        Stamp::from_uhlc(&self.hlc.new_timestamp())
    }

    /// Takes a stamp seen in a pulled or pushed change.
    pub fn observe(&self, stamp: Stamp) -> Result<(), ClockError> {
        let t = stamp.to_uhlc().ok_or(ClockError::NoNode(stamp))?;
        self.hlc.update_with_timestamp(&t).map_err(|_| {
            let now = Stamp::from_uhlc(&self.hlc.new_timestamp());
            ClockError::TooFarAhead {
                stamp,
                by_secs: (stamp.unix_secs() - now.unix_secs()).max(0.0) as u64,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours_ahead() -> NTP64 {
        uhlc::system_time_clock() + NTP64::from(Duration::from_secs(3 * 3600))
    }

    fn weeks_ahead() -> NTP64 {
        uhlc::system_time_clock() + NTP64::from(Duration::from_secs(30 * 24 * 3600))
    }

    #[test]
    fn stamps_sort_as_text_and_read_back() {
        let clock = SyncClock::new(7).unwrap();
        let a = clock.stamp();
        let b = clock.stamp();
        assert!(b > a);
        assert!(b.to_string() > a.to_string());
        assert_eq!(a.to_string().parse::<Stamp>(), Ok(a));
        assert!("12-34".parse::<Stamp>().is_err());
        assert!(SyncClock::new(0).is_none(), "node 0 is no node");
    }

    #[test]
    fn a_laptop_hours_ahead_still_syncs_and_wins_in_order() {
        let office = SyncClock::new(1).unwrap();
        let laptop = SyncClock::with_physical(2, hours_ahead).unwrap();
        let from_laptop = laptop.stamp();
        assert!(from_laptop.unix_secs() - office.stamp().unix_secs() > 3.0 * 3600.0 - 5.0);
        // The office takes it, and its next write is later still: it saw the laptop's.
        office.observe(from_laptop).unwrap();
        assert!(office.stamp() > from_laptop);
    }

    #[test]
    fn a_clock_weeks_ahead_is_refused() {
        let office = SyncClock::new(1).unwrap();
        let broken = SyncClock::with_physical(3, weeks_ahead).unwrap();
        match office.observe(broken.stamp()) {
            Err(ClockError::TooFarAhead { by_secs, .. }) => {
                assert!(by_secs > 29 * 24 * 3600, "{by_secs}")
            }
            other => panic!("{other:?}"),
        }
        // Its own next stamp did not move: refusing it changed nothing.
        assert!(office.stamp().unix_secs() < broken.stamp().unix_secs() - 86_400.0);
    }
}
