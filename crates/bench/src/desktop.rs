//! The desktop app under tauri-driver (W3C WebDriver over plain HTTP/JSON, driven with
//! reqwest): time from process start to the first interactive screen, then staff logs in,
//! opens a customer, and the resident memory of the app and its WebKit child processes is
//! summed from /proc. Everything started here is stopped with SIGTERM afterwards, always.
//!
//! "Interactive" = the login form is shown with its submit button enabled (on a second start
//! with a remembered login: the Today screen a login lands on) **and** the in-process API is ready (`/readyz`
//! answers 200 through the app's `api_request` bridge). The clock starts when the app process
//! starts (its age from /proc, 10 ms resolution) — not when WebDriver asked for a session —
//! and stops at the later of:
//! - the screen painted: the UI's own User Timing mark `clinicdesk:login-screen` /
//!   `clinicdesk:today-screen` (`ui/src/perf.ts`), set in a `useEffect`, i.e. after the
//!   screen was rendered and painted, stamped with the page's clock (`timeOrigin` + mark, i.e.
//!   wall clock) and converted to a process age;
//! - the API ready: the app's `API ready` log line, whose `elapsed_ms` is the app's own process
//!   age (`src-tauri/src/lib.rs` reads its start from /proc too), logged as the bridge opens.
//!
//! Both are exact whenever WebDriver attached: a slow WebDriver session cannot make the figure
//! larger (as a poll that starts late would) nor smaller (as the log line `UI loaded`, the
//! page's load event, would — it comes before the first screen). A script run through
//! WebDriver still polls the page every 5 ms for the screen and a 200 from `/readyz` through
//! the bridge; its stamps are reported beside the figure (and are the fallback if the UI has
//! no marks), together with the page's breakdown: navigation timing, resource timing where
//! WebKit records it (not for Tauri's `tauri://` assets, as it turns out), the UI's marks (script running, fonts ready, first render,
//! stored login read, session restored, screen painted, first search results) and any stretch
//! in which the page could not run its polling (a busy main thread). The report says which
//! method gave each figure.

use crate::procs;
use crate::report::{Desktop, DesktopStart, ProcessMemory};
use crate::targets::{self, DESKTOP_INTERACTIVE_MS};
use anyhow::{anyhow, bail, Context};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const LOG_LABELS: [&str; 10] = [
    "app started",
    "app built",
    "window created",
    "UI loaded",
    "database ready",
    "demo passwords hashed",
    "demo users created",
    "demo users ready",
    "demo data seeded",
    "API ready",
];

pub struct DesktopOptions {
    pub bin: PathBuf,
    pub log: PathBuf,
    pub user: String,
    pub password: String,
}

#[derive(Debug)]
struct WdError {
    error: String,
    message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}
impl std::error::Error for WdError {}

struct Wd {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
}

impl Wd {
    async fn cmd(&self, method: &str, route: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let url = format!("{}{route}", self.base);
        let mut req = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes())?, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let e = &v["value"];
            return Err(WdError {
                error: e["error"].as_str().unwrap_or("").to_string(),
                message: format!(
                    "{method} {route} → {status}: {}",
                    e["message"]
                        .as_str()
                        .unwrap_or("")
                        .chars()
                        .take(300)
                        .collect::<String>()
                ),
            }
            .into());
        }
        Ok(v["value"].clone())
    }

    fn s(&self, route: &str) -> String {
        format!("/session/{}{route}", self.session.as_deref().unwrap_or(""))
    }

    async fn new_session(&mut self, bin: &Path) -> anyhow::Result<()> {
        let v = self
            .cmd(
                "POST",
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": bin}}}})),
            )
            .await?;
        self.session = Some(
            v["sessionId"]
                .as_str()
                .ok_or_else(|| anyhow!("no sessionId in {v}"))?
                .to_string(),
        );
        let _ = self
            .cmd("POST", &self.s("/timeouts"), Some(json!({"script": 30000})))
            .await;
        Ok(())
    }

    async fn end_session(&mut self) {
        if self.session.is_some() {
            let _ = self.cmd("DELETE", &self.s(""), None).await;
            self.session = None;
        }
    }

    async fn find(&self, css: &str) -> anyhow::Result<Option<String>> {
        match self
            .cmd(
                "POST",
                &self.s("/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await
        {
            Ok(v) => Ok(v[ELEMENT].as_str().map(str::to_string)),
            Err(e) if is_wd(&e, "no such element") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn flag(&self, id: &str, what: &str) -> bool {
        self.cmd("GET", &self.s(&format!("/element/{id}/{what}")), None)
            .await
            .map(|v| v.as_bool().unwrap_or(false))
            .unwrap_or(false)
    }

    /// A displayed element, or None.
    async fn visible(&self, css: &str) -> Option<String> {
        let id = self.find(css).await.ok()??;
        self.flag(&id, "displayed").await.then_some(id)
    }

    async fn wait_for(&self, css: &str, timeout: Duration) -> anyhow::Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(id) = self.visible(css).await {
                return Ok(id);
            }
            if Instant::now() > deadline {
                bail!("timed out after {} s waiting for {css}", timeout.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, id: &str) -> anyhow::Result<()> {
        self.cmd(
            "POST",
            &self.s(&format!("/element/{id}/click")),
            Some(json!({})),
        )
        .await
        .map(|_| ())
    }

    async fn type_into(&self, id: &str, text: &str) -> anyhow::Result<()> {
        self.cmd(
            "POST",
            &self.s(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        )
        .await
        .map(|_| ())
    }

    /// Types into a field and checks that it holds exactly `text` (key events can get lost on
    /// a machine that is very busy); clears it and types again, up to three times.
    async fn type_checked(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let mut last = String::new();
        for attempt in 0..3 {
            let id = self.wait_for(css, Duration::from_secs(10)).await?;
            if attempt > 0 {
                self.cmd(
                    "POST",
                    &self.s(&format!("/element/{id}/clear")),
                    Some(json!({})),
                )
                .await?;
            }
            self.type_into(&id, text).await?;
            let v = self
                .exec("return arguments[0].value;", json!([{ ELEMENT: id }]))
                .await?;
            last = v.as_str().unwrap_or("").to_string();
            if last == text {
                return Ok(());
            }
        }
        bail!(
            "{css} holds {} characters instead of {} after typing three times",
            last.chars().count(),
            text.chars().count()
        )
    }

    async fn text(&self, id: &str) -> String {
        self.cmd("GET", &self.s(&format!("/element/{id}/text")), None)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    async fn exec(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.cmd(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    async fn exec_async(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.cmd(
            "POST",
            &self.s("/execute/async"),
            Some(json!({"script": script, "args": args})),
        )
        .await
    }
}

/// Polls inside the page every 5 ms: the login form's submit button displayed and enabled
/// (or, when `arguments[0]`, the Today screen of a remembered login), then `/readyz` through
/// the in-process bridge. Answers the page's `Date.now()` stamps: `dom` (screen first seen),
/// `both` (screen and 200 from the API), or nulls after 20 s.
const WAIT_INTERACTIVE: &str = r#"
const done = arguments[arguments.length - 1];
const allowToday = arguments[0];
const t = { first: Date.now(), dom: null, both: null, screen: null };
const shown = (el) => !!el && el.getClientRects().length > 0;
const screen = () => {
  const b = document.querySelector('[data-testid="login-submit"]');
  if (shown(b) && !b.disabled) return 'login';
  if (allowToday && shown(document.querySelector('[data-testid="today-screen"]'))) return 'today';
  return null;
};
const deadline = Date.now() + 20000;
let last = Date.now();
const tick = async () => {
  const now = Date.now();
  if (now - last > 40 && t.dom === null) (t.stalls = t.stalls || []).push([last, now - last]);
  last = now;
  const s = screen();
  if (s && t.dom === null) { t.dom = Date.now(); t.screen = s; }
  if (s && window.__TAURI_INTERNALS__) {
    let status = -1;
    try {
      const r = await window.__TAURI_INTERNALS__.invoke('api_request', { request: { method: 'GET', path: '/readyz', headers: {}, body: null } });
      status = r.status;
    } catch (e) { /* not yet */ }
    if (status === 200) { t.both = Date.now(); done(t); return; }
  }
  if (Date.now() > deadline) { done(t); return; }
  setTimeout(tick, 5);
};
tick();
"#;

/// Waits (up to 5 s) until the UI has marked its first screen as shown (`ui/src/perf.ts`).
const WAIT_SCREEN_MARK: &str = r#"
const done = arguments[arguments.length - 1];
const deadline = Date.now() + 5000;
const shown = () => (performance.getEntriesByType ? performance.getEntriesByType('mark') : [])
  .some((m) => m.name === 'clinicdesk:login-screen' || m.name === 'clinicdesk:today-screen');
const tick = () => (shown() || Date.now() > deadline ? done(shown()) : setTimeout(tick, 10));
tick();
"#;

/// The page's own start-up timings, read once the screen is interactive: navigation timing
/// (HTML received, DOM interactive, DOMContentLoaded, load event), when the CSS, the JS
/// bundle and the last font file arrived (resource timing), and the UI's `clinicdesk:*` User
/// Timing marks (`ui/src/perf.ts`: script running, fonts ready, first render, stored
/// session checked, login/Today screen mounted). Each as ms after `timeOrigin`, which is
/// answered too (wall clock, like `Date.now()`).
const PAGE_TIMINGS: &str = r#"
const p = window.performance;
if (!p) return null;
const origin = p.timeOrigin || (p.timing && p.timing.navigationStart) || null;
const out = [];
const nav = p.getEntriesByType ? p.getEntriesByType('navigation')[0] : null;
if (nav) {
  out.push(['page: navigation start', nav.startTime]);
  out.push(['page: HTML received', nav.responseEnd]);
  out.push(['page: DOM interactive', nav.domInteractive]);
  out.push(['page: DOMContentLoaded', nav.domContentLoadedEventEnd]);
  if (nav.loadEventEnd > 0) out.push(['page: load event', nav.loadEventEnd]);
}
const res = p.getEntriesByType ? p.getEntriesByType('resource') : [];
const last = (re) => {
  const hits = res.filter((r) => re.test(r.name));
  return hits.length ? [hits.length, Math.max(...hits.map((r) => r.responseEnd))] : null;
};
const css = last(/\.css(\?|$)/); if (css) out.push(['page: CSS received', css[1]]);
const js = last(/\.js(\?|$)/); if (js) out.push(['page: JS bundle received', js[1]]);
const fonts = last(/\.woff2?(\?|$)/); if (fonts) out.push([`page: ${fonts[0]} font files received`, fonts[1]]);
for (const m of (p.getEntriesByType ? p.getEntriesByType('mark') : [])) {
  if (m.name.startsWith('clinicdesk:')) out.push(['ui: ' + m.name.slice(11), m.startTime]);
}
return { origin, entries: out };
"#;

fn is_wd(e: &anyhow::Error, kind: &str) -> bool {
    e.downcast_ref::<WdError>().is_some_and(|w| w.error == kind)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        let p = dir.join(name);
        if p.is_file() {
            return Some(p);
        }
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let p = home.join(".cargo/bin").join(name);
    p.is_file().then_some(p)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `… elapsed_ms=123 … window created` (tracing's plain format, either order).
pub fn parse_timing(line: &str) -> Option<(&'static str, u64)> {
    let label = LOG_LABELS.iter().find(|l| line.contains(*l))?;
    let at = line.find("elapsed_ms=")? + "elapsed_ms=".len();
    let digits: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    Some((label, digits.parse().ok()?))
}

type Timings = Arc<Mutex<Vec<(String, u64)>>>;

fn spawn_log_reader<R: tokio::io::AsyncRead + Unpin + Send + 'static>(
    reader: R,
    file: Arc<tokio::sync::Mutex<tokio::fs::File>>,
    timings: Timings,
) {
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some((label, ms)) = parse_timing(&line) {
                let mut t = timings.lock().unwrap();
                if !t.iter().any(|(l, _)| l == label) {
                    t.push((label.to_string(), ms));
                }
            }
            let mut f = file.lock().await;
            let _ = f.write_all(line.as_bytes()).await;
            let _ = f.write_all(b"\n").await;
        }
    });
}

/// Why the desktop part cannot run here, if it cannot (a skip, not a failure).
pub fn prerequisites(bin: &Path) -> Result<(PathBuf, PathBuf, bool), String> {
    let mut missing = Vec::new();
    if !bin.is_file() {
        missing.push(format!(
            "no desktop binary at {} (cargo build -p clinicdesk-desktop, or --desktop-bin)",
            bin.display()
        ));
    }
    let driver = std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .or_else(|| find_on_path("tauri-driver"));
    if driver.is_none() {
        missing.push("tauri-driver (cargo install tauri-driver --locked)".into());
    }
    let webkit = std::env::var_os("WEBKIT_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"));
    if !webkit.is_file() {
        missing.push(format!(
            "{} (apt-get install webkit2gtk-driver)",
            webkit.display()
        ));
    }
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let use_xvfb = !has_display;
    if use_xvfb && find_on_path("xvfb-run").is_none() {
        missing.push("an X display (no $DISPLAY and no xvfb-run)".into());
    }
    if !missing.is_empty() {
        return Err(missing.join("; "));
    }
    Ok((driver.unwrap(), webkit, use_xvfb))
}

pub async fn run(opts: &DesktopOptions) -> Desktop {
    let mut out = Desktop {
        binary: Some(opts.bin.display().to_string()),
        ..Default::default()
    };
    let (driver, webkit, use_xvfb) = match prerequisites(&opts.bin) {
        Ok(p) => p,
        Err(why) => {
            out.skipped = Some(why);
            return out;
        }
    };
    let data_dir = std::env::temp_dir().join(format!(
        "clinicdesk-bench-desktop-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    ));
    let mut known: Vec<u32> = Vec::new();
    let mut root: Option<tokio::process::Child> = None;
    let mut wd: Option<Wd> = None;
    let result = drive(
        opts, &driver, &webkit, use_xvfb, &data_dir, &mut out, &mut known, &mut root, &mut wd,
    )
    .await;
    if let Err(e) = result {
        out.failed = Some(format!("{e:#}"));
    }
    // Always: close the session (closes the app), stop tauri-driver, then anything it left.
    if let Some(w) = wd.as_mut() {
        w.end_session().await;
    }
    if let Some(child) = root.as_mut() {
        if let Some(pid) = child.id() {
            known.extend(procs::descendants(pid));
            // Under xvfb-run: stop tauri-driver and let xvfb-run take its Xvfb down.
            let drivers: Vec<u32> = known
                .iter()
                .copied()
                .filter(|&p| procs::comm(p).starts_with("tauri-driver"))
                .collect();
            procs::stop_all(&drivers, Duration::from_secs(5)).await;
            procs::stop_all(&[pid], Duration::from_secs(10)).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    known.sort_unstable();
    known.dedup();
    procs::stop_all(&known, Duration::from_secs(5)).await;
    let _ = std::fs::remove_dir_all(&data_dir);
    out
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    opts: &DesktopOptions,
    driver: &Path,
    webkit: &Path,
    use_xvfb: bool,
    data_dir: &Path,
    out: &mut Desktop,
    known: &mut Vec<u32>,
    root: &mut Option<tokio::process::Child>,
    wd_slot: &mut Option<Wd>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let port = free_port()?;
    let mut native = free_port()?;
    while native == port {
        native = free_port()?;
    }
    let driver_args = [
        "--port".to_string(),
        port.to_string(),
        "--native-port".to_string(),
        native.to_string(),
        "--native-driver".to_string(),
        webkit.display().to_string(),
    ];
    let mut cmd = if use_xvfb {
        let mut c = tokio::process::Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1600x1000x24 -nolisten tcp"])
            .arg(driver)
            .args(&driver_args);
        c
    } else {
        let mut c = tokio::process::Command::new(driver);
        c.args(&driver_args);
        c
    };
    // Demo mode: the first start seeds the demo data set and the demo accounts log in.
    cmd.env("CLINICDESK_DATA_DIR", data_dir)
        .env("CLINICDESK_DEMO", "1")
        .env(
            "CLINICDESK_KEYRING",
            std::env::var("CLINICDESK_KEYRING").unwrap_or_else(|_| "keyutils".into()),
        )
        .env("RUST_LOG", "info,sqlx=warn")
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().context("cannot start tauri-driver")?;
    let root_pid = child.id().unwrap_or(0);
    let timings: Timings = Default::default();
    let file = Arc::new(tokio::sync::Mutex::new(
        tokio::fs::File::create(&opts.log).await?,
    ));
    spawn_log_reader(child.stdout.take().unwrap(), file.clone(), timings.clone());
    spawn_log_reader(child.stderr.take().unwrap(), file, timings.clone());
    *root = Some(child);

    *wd_slot = Some(Wd {
        http: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(180))
            .build()?,
        base: format!("http://127.0.0.1:{port}"),
        session: None,
    });
    let wd = wd_slot.as_mut().unwrap();

    // tauri-driver answers /status once WebKitWebDriver does.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(c) = root.as_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                bail!("tauri-driver exited ({status}); see {}", opts.log.display());
            }
        }
        if let Ok(v) = wd.cmd("GET", "/status", None).await {
            if v["ready"] != json!(false) {
                break;
            }
        }
        if Instant::now() > deadline {
            bail!("tauri-driver did not answer /status in 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // First start: fresh data directory (the app creates its database and seeds 300 demo
    // customers before its API is ready).
    let first = start_and_wait(
        wd,
        opts,
        root_pid,
        known,
        &timings,
        "first start (fresh data directory)",
        false,
    )
    .await?;
    out.starts.push(first);

    // Log in as staff.
    wd.type_checked("[data-testid=\"login-username\"]", &opts.user)
        .await?;
    wd.type_checked("[data-testid=\"login-password\"]", &opts.password)
        .await?;
    let submit = wd
        .wait_for("[data-testid=\"login-submit\"]", Duration::from_secs(10))
        .await?;
    let t0 = Instant::now();
    wd.click(&submit).await?;
    // A login lands on the Today screen; the search is one click away in the sidebar.
    if let Err(e) = wd
        .wait_for("[data-testid=\"today-screen\"]", Duration::from_secs(30))
        .await
    {
        // Say why, if the login screen says it.
        let shown = match wd.visible("[data-testid=\"login-error\"]").await {
            Some(id) => format!(" (the login screen says: {})", wd.text(&id).await.trim()),
            None => String::new(),
        };
        return Err(e).context(format!("no Today screen after logging in{shown}"));
    }
    out.login_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
    let nav = wd
        .wait_for("[data-testid=\"nav-search\"]", Duration::from_secs(10))
        .await
        .context("no search link in the sidebar")?;
    wd.click(&nav).await?;
    wd.wait_for("[data-testid=\"search-input\"]", Duration::from_secs(30))
        .await
        .context("no search screen after clicking the search link")?;

    // Open a customer (preferably one with a package).
    if wd
        .wait_for("[data-testid=\"result-row\"]", Duration::from_secs(15))
        .await
        .is_err()
    {
        let input = wd
            .wait_for("[data-testid=\"search-input\"]", Duration::from_secs(5))
            .await?;
        wd.type_into(&input, "김").await?;
        wd.wait_for("[data-testid=\"result-row\"]", Duration::from_secs(15))
            .await
            .context("no customers listed")?;
    }
    let link = wd
        .exec(
            "const rows = [...document.querySelectorAll('[data-testid=\"result-row\"]')]; \
             const row = rows.find((r) => r.querySelector('.pkg-summary') && r.querySelector('.pkg-summary').textContent.trim()) || rows[0]; \
             return row.querySelector('[data-testid=\"result-name\"]') || row.querySelector('td');",
            json!([]),
        )
        .await?;
    let link = link[ELEMENT]
        .as_str()
        .ok_or_else(|| anyhow!("no clickable cell in the result row"))?
        .to_string();
    let t0 = Instant::now();
    wd.click(&link).await?;
    let name = wd
        .wait_for("[data-testid=\"customer-name\"]", Duration::from_secs(30))
        .await
        .context("the customer detail did not open")?;
    let _ = wd
        .wait_for("[data-testid=\"package-card\"]", Duration::from_secs(5))
        .await;
    out.open_detail_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
    out.customer_opened = Some(wd.text(&name).await.trim().to_string());

    // Let the page settle, then sum the memory of the app and its descendants.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let app = app_pid(root_pid, &opts.bin).ok_or_else(|| anyhow!("the app process is gone"))?;
    let mut pids = vec![app];
    pids.extend(procs::descendants(app));
    known.extend(pids.iter().copied());
    let mut rss = 0u64;
    let mut pss = 0u64;
    let mut pss_complete = true;
    for p in pids {
        if let Some((r, ps)) = procs::memory_kib(p) {
            rss += r;
            match ps {
                Some(v) => pss += v,
                None => pss_complete = false,
            }
            out.processes.push(ProcessMemory {
                pid: p,
                name: procs::comm(p),
                rss_kib: r,
                pss_kib: ps,
            });
        }
    }
    out.rss_total_mib = Some(rss as f64 / 1024.0);
    out.pss_total_mib = pss_complete.then_some(pss as f64 / 1024.0);

    // Second start on the same data directory: the usual daily start (database exists,
    // login remembered through the OS keyring).
    wd.end_session().await;
    let gone = Instant::now() + Duration::from_secs(10);
    while procs::alive(app) && Instant::now() < gone {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let second = start_and_wait(
        wd,
        opts,
        root_pid,
        known,
        &timings,
        "second start (same data directory, login remembered)",
        true,
    )
    .await?;
    out.starts.push(second);
    // Log out so no token stays in the keyring.
    if let Some(b) = wd.visible("[data-testid=\"logout-button\"]").await {
        wd.click(&b).await?;
        let _ = wd
            .wait_for("[data-testid=\"login-username\"]", Duration::from_secs(20))
            .await;
    }
    wd.end_session().await;
    Ok(())
}

fn app_pid(root: u32, bin: &Path) -> Option<u32> {
    procs::find_by_exe(&procs::descendants(root), bin)
}

async fn start_and_wait(
    wd: &mut Wd,
    opts: &DesktopOptions,
    root_pid: u32,
    known: &mut Vec<u32>,
    timings: &Timings,
    kind: &str,
    remembered_login: bool,
) -> anyhow::Result<DesktopStart> {
    timings.lock().unwrap().clear();
    wd.new_session(&opts.bin)
        .await
        .with_context(|| format!("the app did not start ({kind})"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let app = loop {
        if let Some(p) = app_pid(root_pid, &opts.bin) {
            break p;
        }
        if Instant::now() > deadline {
            bail!("no app process found under tauri-driver");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    known.push(app);
    // The app's start as wall-clock ms, so the page's own `Date.now()` stamps (taken in
    // the page, without WebDriver round trips) convert to process ages.
    let now_wall = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let start_wall =
        now_wall() - procs::age_ms(app).ok_or_else(|| anyhow!("the app process is gone"))?;
    let mut observed: Vec<(String, u64)> = vec![(
        "WebDriver session open".into(),
        (now_wall() - start_wall).round() as u64,
    )];
    let mut first_look: Option<f64> = None;
    let mut polled_screen: Option<f64> = None;
    let interactive = loop {
        match wd
            .exec_async(WAIT_INTERACTIVE, json!([remembered_login]))
            .await
        {
            Ok(v) if v["both"].is_number() => {
                let at = |k: &str| v[k].as_f64().map(|t| t - start_wall);
                first_look.get_or_insert(at("first").unwrap_or(0.0));
                if let Some(d) = at("dom") {
                    polled_screen = Some(d);
                    let what = if v["screen"] == "today" {
                        "Today screen displayed"
                    } else {
                        "login form enabled"
                    };
                    observed.push((what.into(), d.round() as u64));
                }
                let both = at("both").unwrap_or(0.0);
                observed.push(("bridge /readyz 200".into(), both.round() as u64));
                // Where the page could not run its 5 ms polling for a while (busy main thread).
                for st in v["stalls"].as_array().into_iter().flatten() {
                    if let (Some(from), Some(ms)) = (st[0].as_f64(), st[1].as_f64()) {
                        observed.push((
                            format!("page busy {ms:.0} ms from"),
                            (from - start_wall).max(0.0).round() as u64,
                        ));
                    }
                }
                break both;
            }
            // Not yet (the script gives up after 20 s), or the page navigated under it.
            Ok(v) => {
                if let Some(f) = v["first"].as_f64() {
                    first_look.get_or_insert(f - start_wall);
                }
            }
            Err(_) => {}
        }
        if Instant::now() > deadline {
            bail!("no interactive screen within 120 s ({kind})");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The UI marks its first screen after it was rendered and painted (a `useEffect`): wait
    // for that mark, then read the page's own breakdown (navigation, resources, the UI's
    // marks) and convert it to process ages.
    let _ = wd.exec_async(WAIT_SCREEN_MARK, json!([])).await;
    let mut page: Vec<(String, f64)> = Vec::new();
    if let Ok(v) = wd.exec(PAGE_TIMINGS, json!([])).await {
        if let (Some(origin), Some(entries)) = (v["origin"].as_f64(), v["entries"].as_array()) {
            page = entries
                .iter()
                .filter_map(|e| {
                    Some((
                        e[0].as_str()?.to_string(),
                        origin + e[1].as_f64()? - start_wall,
                    ))
                })
                .collect();
        }
    }
    let screen_mark = page
        .iter()
        .filter(|(k, _)| k == "ui: login-screen" || (remembered_login && k == "ui: today-screen"))
        .map(|(_, at)| *at)
        .reduce(f64::min);
    observed.extend(
        page.iter()
            .map(|(k, at)| (k.clone(), at.max(0.0).round() as u64)),
    );
    let first_look = first_look.unwrap_or(0.0);
    observed.push((
        "in-page polling started".into(),
        first_look.max(0.0).round() as u64,
    ));
    observed.sort_by_key(|(_, at)| *at);
    known.extend(procs::descendants(root_pid));
    // The app logs "API ready" right as the bridge opens: give the log reader a moment.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let app_log_ms = timings.lock().unwrap().clone();
    let api_ready = app_log_ms
        .iter()
        .find(|(l, _)| l == "API ready")
        .map(|(_, v)| *v as f64);
    let (interactive, method) = interactive_figure(
        screen_mark,
        polled_screen,
        interactive,
        first_look,
        api_ready,
    );
    Ok(DesktopStart {
        kind: kind.to_string(),
        method,
        interactive_ms: Some(interactive),
        app_log_ms,
        observed_ms: observed,
        verdict: targets::at_most(interactive, Some(DESKTOP_INTERACTIVE_MS), 0),
    })
}

/// The start-up figure, in ms since the app process started: the later of
/// - the first screen shown: the UI's own `clinicdesk:login-screen` / `today-screen` mark,
///   set in a `useEffect`, i.e. once the screen was rendered and painted (exact, whenever
///   WebDriver attached); without it, what the 5 ms polling saw, if it was looking already;
/// - the in-process API ready: the app's `API ready` log line (`elapsed_ms` since its process
///   start, logged as the bridge opens); without it, the page's first 200 from `/readyz`.
///
/// If neither exact figure exists and WebDriver attached only when the screen was already
/// there, the polled figure is an upper bound, and the method says so.
fn interactive_figure(
    screen_mark: Option<f64>,
    polled_screen: Option<f64>,
    polled_ready: f64,
    first_look: f64,
    api_ready: Option<f64>,
) -> (f64, String) {
    let watched = |t: f64| t - first_look > 20.0;
    let screen = match (screen_mark, polled_screen) {
        (Some(m), _) => Some((m, "the screen painted (the UI's mark)")),
        (None, Some(p)) if watched(p) => Some((p, "the screen seen by the 5 ms in-page polling")),
        _ => None,
    };
    let ready = match api_ready {
        Some(r) => (r, "the API ready (app log `API ready`)"),
        None => (
            polled_ready,
            "the first `/readyz` 200 through the bridge, seen in the page",
        ),
    };
    match screen {
        Some((at, what)) => (
            at.max(ready.0),
            format!("later of {what} and {}; ms since process start", ready.1),
        ),
        None => (
            polled_ready,
            format!(
                "upper bound: screen and `/readyz` 200 seen by the in-page polling, which started only at {first_look:.0} ms"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figure_is_the_later_of_screen_and_api() {
        // The UI's mark and the app's log are exact whenever WebDriver attached.
        let (v, how) = interactive_figure(Some(700.0), Some(690.0), 720.0, 680.0, Some(650.0));
        assert_eq!(v, 700.0);
        assert!(how.contains("UI's mark"), "{how}");
        let (v, _) = interactive_figure(Some(700.0), None, 990.0, 100.0, Some(950.0));
        assert_eq!(v, 950.0, "an API that opens after the screen counts");
        // No mark: the polling, when it watched the screen appear.
        let (v, how) = interactive_figure(None, Some(900.0), 910.0, 500.0, None);
        assert_eq!(v, 910.0);
        assert!(how.contains("polling"), "{how}");
        // No mark and the screen was there at the first look: only an upper bound.
        let (v, how) = interactive_figure(None, Some(505.0), 510.0, 500.0, Some(300.0));
        assert_eq!(v, 510.0);
        assert!(how.starts_with("upper bound"), "{how}");
    }

    #[test]
    fn timings_from_tracing_lines() {
        assert_eq!(
            parse_timing(
                "2025-01-01T00:00:00Z  INFO clinicdesk_desktop: window created elapsed_ms=312"
            ),
            Some(("window created", 312))
        );
        assert_eq!(
            parse_timing("INFO clinicdesk_desktop::startup: API ready elapsed_ms=1200 took_ms=900"),
            Some(("API ready", 1200))
        );
        assert_eq!(
            parse_timing("INFO x: elapsed_ms=77 \"UI loaded\""),
            Some(("UI loaded", 77))
        );
        assert_eq!(parse_timing("INFO x: request status=200"), None);
    }
}
