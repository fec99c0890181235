//! The Tauri configuration lives at the repository root (`../tauri.conf.json`), beside the
//! workspace manifest, so the build script points tauri-build at it explicitly.
//!
//! `generate_context!` embeds `ui/dist` (the web UI's `npm run build` output) into the binary.
//! When the UI has not been built yet, this script points the macro at a one-page placeholder
//! in `OUT_DIR` instead (through `TAURI_CONFIG`, which the macro merges into the config), so
//! `cargo build`/`cargo test` work without Node; the window then says how to build the UI.
//! Nothing is ever written into `ui/`.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    // Re-run when the UI is (re)built: its index.html names the hashed bundles.
    println!("cargo:rerun-if-changed=../ui/dist/index.html");

    let ui_built = Path::new("../ui/dist/index.html").is_file();
    if !ui_built {
        let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
        let placeholder = Path::new(&out_dir).join("ui-placeholder");
        std::fs::create_dir_all(&placeholder).expect("create the placeholder UI directory");
        std::fs::write(
            placeholder.join("index.html"),
            "<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>ClinicDesk</title></head>\
             <body style=\"font-family:sans-serif;padding:2rem\"><h1>ClinicDesk</h1>\
             <p data-testid=\"ui-not-built\">The web UI was not built when this binary was compiled. \
             Run <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>, then rebuild the desktop app.</p>\
             </body></html>",
        )
        .expect("write the placeholder UI");
        let patch = serde_json_string(&placeholder.display().to_string());
        println!("cargo:rustc-env=TAURI_CONFIG={{\"build\":{{\"frontendDist\":{patch}}}}}");
        println!(
            "cargo:warning=ui/dist is not built; the desktop binary embeds a placeholder page"
        );
    }

    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json");
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}

/// A JSON string literal (the path may hold backslashes on Windows).
fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
