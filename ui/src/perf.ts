// Start-up milestones as User Timing marks (`performance.mark`), named `clinicdesk:<what>`.
// They cost nothing to the user; the desktop benchmark (crates/bench/src/desktop.rs) reads
// them with the navigation and resource timings to break the start-up time down.

export function mark(what: string): void {
  try {
    globalThis.performance?.mark?.(`clinicdesk:${what}`);
  } catch {
    /* no User Timing: nothing to record */
  }
}

/** Only the first time: a screen that renders again must not move its milestone. */
const seen = new Set<string>();
export function markOnce(what: string): void {
  if (seen.has(what)) return;
  seen.add(what);
  mark(what);
}

mark('script');
