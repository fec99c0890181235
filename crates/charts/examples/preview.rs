//! Renders one realistic example of every chart (and every chart's empty state) to
//! /tmp/charts-preview/, and times SVG and PNG rendering of each.
//!
//!     cargo run --release -p clinicdesk-charts --example preview [-- WIDTH HEIGHT]
//!
//! The default size is 1200×750; other sizes are written to a WIDTHxHEIGHT subfolder.

#[path = "../tests/common/mod.rs"]
mod common;

use clinicdesk_charts::{render, Chart, Format};
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let size = match args.as_slice() {
        [w, h, ..] => (*w, *h),
        _ => (1200, 750),
    };
    let base = Path::new("/tmp/charts-preview");
    // Other sizes go beside the default set rather than over it.
    let dir = if size == (1200, 750) {
        base.to_path_buf()
    } else {
        base.join(format!("{}x{}", size.0, size.1))
    };
    let dir = dir.as_path();
    std::fs::create_dir_all(dir)?;

    // The first render registers the font; keep that out of the timings.
    if let Some((_, chart)) = common::realistic().first() {
        render(chart, Format::Png, size)?;
    }

    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>10}",
        "chart", "SVG ms", "PNG ms", "SVG KB", "PNG KB"
    );
    for (stem, chart) in common::realistic() {
        let (svg_t, svg) = time(&chart, Format::Svg, size)?;
        let (png_t, png) = time(&chart, Format::Png, size)?;
        std::fs::write(dir.join(format!("{stem}.png")), &png)?;
        std::fs::write(dir.join(format!("{stem}.svg")), &svg)?;
        println!(
            "{:<24} {:>10.2} {:>10.2} {:>10.1} {:>10.1}",
            stem,
            ms(svg_t),
            ms(png_t),
            svg.len() as f64 / 1024.0,
            png.len() as f64 / 1024.0
        );
    }
    for (stem, chart) in common::empty() {
        let png = render(&chart, Format::Png, size)?;
        std::fs::write(dir.join(format!("empty-{stem}.png")), &png.bytes)?;
    }
    println!("wrote {}", dir.display());
    Ok(())
}

/// Median of several runs, and the last output.
fn time(
    chart: &Chart,
    format: Format,
    size: (u32, u32),
) -> Result<(Duration, Vec<u8>), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(RUNS);
    let mut out = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        out = render(chart, format, size)?.bytes;
        times.push(start.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], out))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
