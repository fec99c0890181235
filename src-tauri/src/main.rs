// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The same allocator as the server: the in-process API allocates per request, and glibc's
/// allocator contended under concurrent load (see crates/server).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    clinicdesk_desktop::run();
}
