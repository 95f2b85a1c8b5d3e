//! The ops-room wall, end to end: the real `hotspot console --wall` under a private Xvfb on
//! lavapipe. It follows a lake that changes under it (a failed build changes nothing, a build
//! that lands is shown once), raises an alert for a surge and goes back to its playlist, fires
//! the event once across restarts, waits for a lake that is not there yet, and reads from
//! across the room at 4K.
//!
//! They need Xvfb and a GPU adapter (and tesseract for the 4K check), so they are
//! `#[ignore = …]`; CI runs them with `--include-ignored`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{command as hotspot, run_with_timeout, text};
use hotspot_testkit::display::Xvfb;

fn repo_scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// A running wall and the lines it logs.
struct Wall {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// Waits look at the lines logged from here on (see [`Wall::mark`]).
    mark: usize,
}

impl Wall {
    fn start(mut cmd: Command) -> Wall {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the wall");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Wall {
            child,
            lines,
            seen: Vec::new(),
            mark: 0,
        }
    }

    /// From now on, waits look only at lines logged after this point.
    fn mark(&mut self) {
        self.settle(Duration::ZERO);
        self.mark = self.seen.len();
    }

    /// Waits for a line containing `what` logged since the last [`Wall::mark`] (in any order
    /// with the other lines waited for); panics with the log past `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration) -> String {
        if let Some(line) = self.seen[self.mark..].iter().find(|l| l.contains(what)) {
            return line.clone();
        }
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("no {what:?} within {limit:?}:\n{}", self.seen.join("\n"))
                }
            }
        }
    }

    /// Collects what is logged for `d`; returns every line seen so far.
    fn settle(&mut self, d: Duration) -> &[String] {
        let end = Instant::now() + d;
        while let Ok(line) = self
            .lines
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line);
        }
        &self.seen
    }

    fn count(&self, what: &str) -> usize {
        self.seen.iter().filter(|l| l.contains(what)).count()
    }
}

impl Drop for Wall {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `hotspot console --wall` on `lake` at `size`, logging the console's info lines.
fn wall_command(lake: &Path, display: &str, dir: &Path, scripts: &Path, size: &str) -> Command {
    let mut cmd = hotspot(lake);
    cmd.args(["console", "--wall", "--size", size, "--alert-every", "1s"])
        .arg("--scripts")
        .arg(scripts)
        .arg("--alert-log")
        .arg(dir.join("alerts.jsonl"))
        .env("DISPLAY", display)
        .env("HOTSPOT_CONFIG", dir.join("console.json"))
        .env("HOTSPOT_LOG", "hotspot_console=info")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(dir);
    cmd
}

/// `n` copies of one geolocated row of a generated export, dated over 25–31 Dec 2025 (new
/// IDs): a surge at one address in the lake's last week.
fn surge_csv(dir: &Path, n: usize) -> PathBuf {
    let src = dir.join("src.csv");
    let o = hotspot(&dir.join("unused"))
        .args([
            "generate",
            "--rows",
            "400",
            "--from",
            "2025-12-01",
            "--to",
            "2025-12-31",
        ])
        .args(["--seed", "7", "--out"])
        .arg(&src)
        .output()
        .expect("generate");
    assert!(o.status.success(), "{}", text(&o));
    let mut rd = csv::Reader::from_path(&src).expect("csv");
    let header = rd.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, case, date, updated, lat) = (
        col("ID"),
        col("Case Number"),
        col("Date"),
        col("Updated On"),
        col("Latitude"),
    );
    let row = rd
        .records()
        .map(|r| r.expect("row"))
        .find(|r| !r[lat].is_empty())
        .expect("a geolocated row");
    let out = dir.join("surge.csv");
    let mut w = csv::Writer::from_path(&out).expect("surge csv");
    w.write_record(&header).expect("header");
    for i in 0..n {
        let mut f: Vec<String> = row.iter().map(str::to_string).collect();
        f[id] = (95_000_000 + i).to_string();
        f[case] = format!("JZ{:06}", 950_000 + i);
        f[date] = format!("12/{:02}/2025 09:{:02}:00 PM", 25 + i % 7, i % 60);
        f[updated] = "01/02/2026 03:40:00 PM".into();
        w.write_record(&f).expect("row");
    }
    w.flush().expect("flush");
    out
}

/// The repository's scripts with one alert rule: a 7-day surge, held 6 s.
fn scripts_with_surge_rule(dir: &Path) -> PathBuf {
    let scripts = dir.join("scripts");
    common::copy_dir(&repo_scripts(), &scripts);
    std::fs::write(
        scripts.join("alerts.rhai"),
        r#"[#{ name: "surge-7d", kind: "surge", resolution: 9, days: 7, baseline_days: 56,
              false_alarm: 0.01, min_count: 8, hold: 6 }]"#,
    )
    .expect("alerts.rhai");
    scripts
}

#[test]
#[ignore = "needs Xvfb and a GPU adapter (apt-get install xvfb mesa-vulkan-drivers)"]
fn the_wall_follows_the_lake_raises_an_alert_once_and_goes_back_to_its_playlist() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let lake = common::demo(dir, 20_000, "2025-07-01", "2025-12-31");
    let scripts = scripts_with_surge_rule(dir);
    let surge = surge_csv(dir, 40);
    let x = Xvfb::start(1920, 1080);
    let mut wall = Wall::start(wall_command(&lake, &x.display, dir, &scripts, "1600x900"));
    wall.wait_for("first map with data", Duration::from_secs(240));
    wall.wait_for("alert rules evaluated", Duration::from_secs(30));
    // A quiet city: no alert.
    wall.settle(Duration::from_secs(3));
    assert_eq!(wall.count("alert takes the wall"), 0, "{:#?}", wall.seen);

    // A build killed before its commit: the wall shows what it showed.
    let o = hotspot(&lake)
        .arg("ingest")
        .arg(&surge)
        .arg("--build")
        .env("HOTSPOT_TEST_ABORT_AT", "txn-before-current")
        .output()
        .expect("ingest");
    assert!(
        !o.status.success(),
        "the abort point was not reached: {}",
        text(&o)
    );
    wall.settle(Duration::from_secs(5));
    assert_eq!(wall.count("lake reloaded"), 0, "{:#?}", wall.seen);

    // The same surge ingested and built: the wall switches to it once and the alert fires.
    wall.mark();
    let o = hotspot(&lake)
        .arg("ingest")
        .arg(&surge)
        .arg("--build")
        .output()
        .expect("ingest");
    assert!(o.status.success(), "{}", text(&o));
    let landed = Instant::now();
    wall.wait_for("lake reloaded", Duration::from_secs(60));
    wall.wait_for("map shows lake generation", Duration::from_secs(60));
    let lag = landed.elapsed();
    eprintln!("from the build landing to the wall showing it: {lag:?}");
    wall.wait_for("alert takes the wall", Duration::from_secs(60));
    wall.wait_for("back to the playlist", Duration::from_secs(30));
    wall.settle(Duration::from_secs(3));
    assert_eq!(wall.count("lake reloaded"), 1, "{:#?}", wall.seen);
    assert_eq!(wall.count("alert takes the wall"), 1, "{:#?}", wall.seen);
    drop(wall);

    // The audit log holds the event once.
    let log = std::fs::read_to_string(dir.join("alerts.jsonl")).expect("audit log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(v["rule"], "surge-7d");
    assert_eq!(v["to"], "2025-12-31");
    assert!(v["observed"].as_u64().expect("observed") >= 40, "{v}");

    // Restarted on the same lake and log, the wall does not raise it again.
    let mut cmd = wall_command(&lake, &x.display, dir, &scripts, "1600x900");
    cmd.args(["--exit-after-frames", "20"]);
    let o = run_with_timeout(cmd, Duration::from_secs(240));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("alert rules evaluated"), "{out}");
    assert!(!out.contains("alert takes the wall"), "{out}");
    let log = std::fs::read_to_string(dir.join("alerts.jsonl")).expect("audit log");
    assert_eq!(log.lines().count(), 1, "{log}");
}

#[test]
#[ignore = "needs Xvfb and a GPU adapter (apt-get install xvfb mesa-vulkan-drivers)"]
fn the_wall_waits_for_a_lake_that_is_not_there_yet() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let lake = dir.join("lake");
    let x = Xvfb::start(1920, 1080);
    let mut cmd = wall_command(&lake, &x.display, dir, &repo_scripts(), "1280x720");
    cmd.args(["--exit-after-frames", "5"]);
    let mut wall = Wall::start(cmd);
    wall.wait_for("no lake here", Duration::from_secs(60));
    // The lake appears; the wall picks it up on its next try and ends normally.
    common::demo(dir, 5_000, "2025-10-01", "2025-12-31");
    wall.wait_for("retrying the lake", Duration::from_secs(30));
    wall.wait_for("first map with data", Duration::from_secs(120));
    let end = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = wall.child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < end, "the wall did not exit");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{:#?}", wall.seen);
}

#[test]
#[ignore = "needs Xvfb, a GPU adapter and tesseract (apt-get install xvfb mesa-vulkan-drivers tesseract-ocr)"]
fn a_4k_wall_shrunk_to_a_sixth_shows_its_title_figures_and_clock() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let lake = common::demo(dir, 20_000, "2025-07-01", "2025-12-31");
    // The playlist's first view: the city over the last full month (December 2025).
    let o = hotspot(&lake)
        .args([
            "query",
            "--res",
            "7",
            "--from",
            "2025-12-01",
            "--to",
            "2025-12-31",
            "--json",
        ])
        .output()
        .expect("query");
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let incidents = v["kpis"]["incidents"].as_u64().expect("incidents");
    let figure = hotspot_core::fmt::thousands(incidents);
    // No alert rules: an alert would take the figures' place.
    let scripts = dir.join("scripts");
    common::copy_dir(&repo_scripts(), &scripts);
    std::fs::write(scripts.join("alerts.rhai"), "[]").expect("alerts.rhai");
    let x = Xvfb::start(3840, 2160);
    let shot = dir.join("wall-4k.png");
    let mut cmd = wall_command(&lake, &x.display, dir, &scripts, "3840x2160");
    cmd.args(["--exit-after-frames", "5", "--screenshot"])
        .arg(&shot);
    let before = chrono::Local::now();
    let o = run_with_timeout(cmd, Duration::from_secs(300));
    let after = chrono::Local::now();
    assert!(o.status.success(), "{}", text(&o));
    let img = hotspot_render::Image::load_png(&shot).expect("screenshot");
    assert_eq!((img.width, img.height), (3840, 2160));
    let small = hotspot_testkit::legibility::shrink(&img, 6);
    let small_path = dir.join("wall-640x360.png");
    std::fs::write(&small_path, small.to_png().expect("png")).expect("write");
    let read = hotspot_testkit::legibility::ocr_sparse(&small_path);
    eprintln!("{read}");
    assert!(read.contains("Citywide"), "title not read: {read:?}");
    assert!(read.contains(&figure), "{figure} not read: {read:?}");
    let clock_read = [before, after]
        .iter()
        .any(|t| read.contains(&t.format("%H:%M").to_string()));
    assert!(clock_read, "clock not read: {read:?}");
}

#[test]
#[ignore = "needs Xvfb and a GPU adapter (apt-get install xvfb mesa-vulkan-drivers)"]
fn a_monitor_that_is_not_there_or_a_missing_playlist_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let lake = common::demo(dir, 2_000, "2025-11-01", "2025-12-31");
    let x = Xvfb::start(1280, 720);
    let mut cmd = wall_command(&lake, &x.display, dir, &repo_scripts(), "1280x720");
    cmd.args(["--monitor", "7", "--exit-after-frames", "2"]);
    let o = run_with_timeout(cmd, Duration::from_secs(120));
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("there is no monitor 7: this display has 1"),
        "{out}"
    );
    let mut cmd = wall_command(&lake, &x.display, dir, &repo_scripts(), "1280x720");
    cmd.args(["--playlist", "nowhere.rhai", "--exit-after-frames", "2"]);
    let o = run_with_timeout(cmd, Duration::from_secs(120));
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(
        out.contains("--playlist nowhere.rhai: no such file"),
        "{out}"
    );
}
