//! Linux process helpers from /proc: the process tree, ages, resident memory, signals.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// pid → parent pid of every live process.
pub fn process_table() -> HashMap<u32, u32> {
    let mut table = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return table;
    };
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Some(stat) = read_stat(pid) {
            if let Some(ppid) = stat.get(1).and_then(|s| s.parse().ok()) {
                table.insert(pid, ppid);
            }
        }
    }
    table
}

/// The fields of /proc/PID/stat after the command name: state, ppid, … (field 3 onwards).
fn read_stat(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&stat)
}

pub fn parse_stat(stat: &str) -> Option<Vec<String>> {
    let close = stat.rfind(')')?;
    Some(
        stat.get(close + 2..)?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    )
}

/// Every live descendant of `pid`, breadth first.
pub fn descendants(pid: u32) -> Vec<u32> {
    descendants_in(&process_table(), pid)
}

pub fn descendants_in(table: &HashMap<u32, u32>, pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let mut children: Vec<u32> = table
            .iter()
            .filter(|(_, &parent)| parent == p)
            .map(|(&c, _)| c)
            .collect();
        children.sort_unstable();
        for c in children {
            if !out.contains(&c) && c != pid {
                out.push(c);
                queue.push(c);
            }
        }
    }
    out
}

pub fn exe(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A process whose executable is `bin` (a rebuilt file shows as "… (deleted)").
pub fn find_by_exe(pids: &[u32], bin: &Path) -> Option<u32> {
    let bin = std::fs::canonicalize(bin).unwrap_or_else(|_| bin.to_path_buf());
    pids.iter().copied().find(|&p| {
        exe(p).is_some_and(|e| {
            e == bin || e.to_string_lossy().trim_end_matches(" (deleted)") == bin.to_string_lossy()
        })
    })
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// How long ago the process started, in ms (10 ms resolution: clock ticks since boot).
pub fn age_ms(pid: u32) -> Option<f64> {
    let stat = read_stat(pid)?;
    // starttime is field 22 of /proc/PID/stat; `stat` starts at field 3.
    let start_ticks: f64 = stat.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some((uptime - start_ticks / clock_ticks()) * 1000.0)
}

/// `VmRSS` and, where readable, `Pss` (shared pages divided among their users), in KiB.
pub fn memory_kib(pid: u32) -> Option<(u64, Option<u64>)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = kib_field(&status, "VmRSS:")?;
    let pss = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| kib_field(&s, "Pss:"));
    Some((rss, pss))
}

pub fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn alive(pid: u32) -> bool {
    // A zombie counts as gone.
    match read_stat(pid) {
        Some(stat) => stat.first().map(String::as_str) != Some("Z"),
        None => false,
    }
}

pub fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) with a specific pid; we only signal processes this run started.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

pub fn terminate(pid: u32) {
    signal(pid, libc::SIGTERM);
}

pub fn kill(pid: u32) {
    signal(pid, libc::SIGKILL);
}

/// SIGTERM, then wait up to `grace`; SIGKILL what is left. Returns when all are gone.
pub async fn stop_all(pids: &[u32], grace: std::time::Duration) {
    for &p in pids {
        if alive(p) {
            terminate(p);
        }
    }
    let deadline = std::time::Instant::now() + grace;
    while pids.iter().any(|&p| alive(p)) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for &p in pids {
        if alive(p) {
            kill(p);
        }
    }
}

/// Stops a server process the bench started: its standard input closed (the server's
/// `--exit-on-stdin-close`), SIGTERM, then SIGKILL if it is still running 10 s later.
pub async fn stop_child(child: &mut tokio::process::Child) {
    drop(child.stdin.take());
    if let Some(pid) = child.id() {
        terminate(pid);
    }
    if tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_the_command_name() {
        let f = parse_stat("1234 (Web Content (x)) S 1 1234 1234 0 -1").unwrap();
        assert_eq!(f[0], "S");
        assert_eq!(f[1], "1");
    }

    #[test]
    fn tree_walk() {
        let t: HashMap<u32, u32> = [(2, 1), (3, 2), (4, 2), (5, 3), (9, 8)].into();
        let mut d = descendants_in(&t, 1);
        d.sort();
        assert_eq!(d, vec![2, 3, 4, 5]);
        assert!(descendants_in(&t, 5).is_empty());
    }

    #[test]
    fn kib_fields() {
        let s = "Name:\tx\nVmRSS:\t  12345 kB\nThreads: 3\n";
        assert_eq!(kib_field(s, "VmRSS:"), Some(12345));
        assert_eq!(kib_field(s, "Pss:"), None);
    }

    #[test]
    fn own_process_is_visible() {
        let me = std::process::id();
        assert!(alive(me));
        assert!(age_ms(me).unwrap() >= 0.0);
        assert!(memory_kib(me).unwrap().0 > 0);
    }
}
