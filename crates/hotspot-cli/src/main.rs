//! `hotspot`: the command line of the Hotspot crime-hotspot console.
//!
//! Thin by design: it parses arguments (clap), sets up logging (tracing) and progress bars
//! (indicatif), calls the library crates and reports errors (anyhow). No analysis lives here.

#[macro_use]
mod output;

mod animate;
mod basemap;
mod bench;
mod bench_wall;
mod commands;
mod compstat;
mod console;
mod hotspots;
mod progress;
mod query;
mod render;
mod report;
mod scripts;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// jemalloc, metered per thread so a script call can be held to its memory limit.
#[global_allocator]
static GLOBAL: hotspot_script::Metered<tikv_jemallocator::Jemalloc> =
    hotspot_script::Metered(tikv_jemallocator::Jemalloc);

/// Hotspot: GPU-accelerated crime-hotspot console for the Chicago Police "Crimes – 2001 to
/// Present" dataset.
#[derive(Parser, Debug)]
#[command(name = "hotspot", version, about, long_about = None)]
pub struct Cli {
    /// The lake directory.
    #[arg(long, global = true, env = "HOTSPOT_LAKE", default_value = hotspot_core::lake::DEFAULT_LAKE)]
    pub lake: PathBuf,
    /// More log output (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read Socrata CSV exports (.csv or .csv.gz, either header style) into Bronze.
    Ingest {
        /// Files to ingest, in order (later files win ties between equal updates).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Build Silver and Gold for the touched months afterwards.
        #[arg(long)]
        build: bool,
    },
    /// Build Silver and Gold for months changed since the last build (or the months given).
    Build {
        /// Rebuild every month of this year.
        #[arg(long)]
        year: Option<i32>,
        /// With --year: only this month (1–12).
        #[arg(long, requires = "year")]
        month: Option<u8>,
        /// Rebuild every month.
        #[arg(long, conflicts_with = "year")]
        all: bool,
    },
    /// Summarise what the lake holds.
    Status {
        /// Remove what killed runs left behind (uncommitted snapshots, staging) first.
        #[arg(long)]
        repair: bool,
    },
    /// Generate a synthetic, realistic Socrata-format CSV (deterministic for a seed).
    Generate {
        /// Number of data rows.
        #[arg(long)]
        rows: u64,
        /// First day (YYYY-MM-DD).
        #[arg(long, default_value = "2022-01-01")]
        from: chrono::NaiveDate,
        /// Last day, inclusive (YYYY-MM-DD).
        #[arg(long, default_value = "2025-12-31")]
        to: chrono::NaiveDate,
        /// Random seed: the same seed gives the same file.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Write the SODA API's header names and ISO timestamps instead of the portal export's.
        #[arg(long)]
        api_style: bool,
        /// Output file (`.gz` to compress).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a synthetic city, ingest and build it, then open the console on it.
    Demo {
        /// Rows to generate.
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value = "2022-01-01")]
        from: chrono::NaiveDate,
        #[arg(long, default_value = "2025-12-31")]
        to: chrono::NaiveDate,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Regenerate even if the lake already has data.
        #[arg(long)]
        fresh: bool,
        /// Print the lake summary instead of opening the console.
        #[arg(long)]
        no_console: bool,
        #[command(flatten)]
        console: console::ConsoleArgs,
    },
    /// Open the console: the GPU map, the story, drill-down (a window).
    Console(console::ConsoleArgs),
    /// Render a scope's map as a PNG without a window (legend, districts, period).
    Render(render::RenderArgs),
    /// The weekly CompStat table: this week, 28 days and year to date against the periods
    /// before, citywide and per district, per offence category (terminal, CSV, HTML page).
    Compstat(compstat::CompstatArgs),
    /// Sync the lake with the City of Chicago's Socrata API (first run backfills, later runs
    /// fetch only what changed; interrupted runs resume; --every keeps it in sync).
    Fetch {
        /// First backfill only from this date (YYYY-MM-DD); default: all history.
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Socrata app token (larger pages, higher rate limits).
        #[arg(long, env = "SODA_APP_TOKEN", hide_env_values = true)]
        app_token: Option<String>,
        /// Portal base URL (a mirror or test server).
        #[arg(long, default_value = hotspot_fetch::DEFAULT_BASE_URL)]
        base_url: String,
        /// Rows per request (default 50,000 with a token, 1,000 without).
        #[arg(long)]
        page_size: Option<usize>,
        /// Fetch the whole scope again (an upsert) instead of what changed.
        #[arg(long)]
        full_refresh: bool,
        /// Do not build Silver and Gold afterwards.
        #[arg(long)]
        no_build: bool,
        /// Keep syncing: run again every DURATION (30s, 15m, 1h; at most 24h) until Ctrl+C or
        /// SIGTERM; a failed run is retried with backoff (min(DURATION, 30s), doubling, capped
        /// at DURATION) and never ends the loop.
        #[arg(long, value_name = "DURATION", value_parser = hotspot_fetch::parse_every)]
        every: Option<std::time::Duration>,
        /// Test hook: with --every, stop after this many runs (successful or not).
        #[arg(
            long,
            hide = true,
            requires = "every",
            value_parser = clap::value_parser!(u64).range(1..)
        )]
        cycles: Option<u64>,
    },
    /// Answer a scope: KPIs, warnings and the top cells (table, or JSON with --json).
    Query(query::QueryArgs),
    /// Statistically significant hot and cold spots of a scope (Gi* with FDR), as clusters.
    Hotspots(hotspots::HotspotsArgs),
    /// Measure the pipeline (or other parts) and print figures.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Work with the city model the generator draws from.
    Model {
        #[command(subcommand)]
        what: commands::ModelCommand,
    },
}

fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    // winit's X11 warnings (no XSETTINGS, 0 mm displays) are noise under Xvfb and VNC.
    let filter = EnvFilter::try_from_env("HOTSPOT_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},winit=error")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(cli, started) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of our output has gone (`hotspot query | head`): nothing to report.
        Err(e) if output::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, started: std::time::Instant) -> Result<()> {
    let lake = hotspot_core::Lake::new(&cli.lake);
    let bars =
        progress::Bars::new(!cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.command {
        Command::Ingest { files, build } => commands::ingest(&lake, &files, build, &bars),
        Command::Build { year, month, all } => commands::build(&lake, year, month, all, &bars),
        Command::Status { repair } => commands::status_with(&lake, repair),
        Command::Generate {
            rows,
            from,
            to,
            seed,
            api_style,
            out,
        } => commands::generate(rows, from, to, seed, api_style, &out, &bars),
        Command::Demo {
            rows,
            from,
            to,
            seed,
            fresh,
            no_console,
            console,
        } => {
            commands::demo(&lake, rows, from, to, seed, fresh, &bars)?;
            if no_console {
                return Ok(());
            }
            outln!("\nOpening the console (close the window to quit; --no-console to skip)…")?;
            console::console(&lake, console, std::time::Instant::now())
        }
        Command::Console(args) => console::console(&lake, args, started),
        Command::Render(args) => render::render(&lake, args),
        Command::Compstat(args) => compstat::compstat(&lake, args),
        Command::Fetch {
            since,
            app_token,
            base_url,
            page_size,
            full_refresh,
            no_build,
            every,
            cycles,
        } => {
            let options = hotspot_fetch::FetchOptions {
                base_url,
                app_token,
                since,
                page_size,
                full_refresh,
                build: !no_build,
                ..Default::default()
            };
            let every = every.map(|every| hotspot_fetch::EveryOptions {
                max_cycles: cycles,
                ..hotspot_fetch::EveryOptions::new(every)
            });
            commands::fetch(&lake, &options, every.as_ref(), &bars)
        }
        Command::Query(args) => {
            query::run(&lake, args, &hotspot_core::taxonomy::Taxonomy::default())
        }
        Command::Hotspots(args) => {
            hotspots::run(&lake, args, &hotspot_core::taxonomy::Taxonomy::default())
        }
        Command::Bench { what } => bench::run(&lake, what, &bars),
        Command::Model { what } => commands::model(what),
    }
}
