//! Shared by the binary's test files: running `hotspot`, reading what it printed, copying
//! lakes.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `hotspot --lake LAKE --quiet`, ready for more arguments.
pub fn command(lake: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hotspot"));
    c.arg("--lake").arg(lake).arg("--quiet");
    c
}

/// Runs `hotspot --lake LAKE --quiet ARGS…` to completion.
pub fn hotspot(lake: &Path, args: &[&str]) -> Output {
    command(lake).args(args).output().expect("run hotspot")
}

/// Standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard output, then standard error.
pub fn text(o: &Output) -> String {
    format!("{}\n{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

/// A small built lake under `dir` (the demo's generator, `rows` rows over `from..=to`).
pub fn demo(dir: &Path, rows: u64, from: &str, to: &str) -> PathBuf {
    let lake = dir.join("lake");
    let rows = rows.to_string();
    let o = hotspot(
        &lake,
        &[
            "demo",
            "--rows",
            &rows,
            "--from",
            from,
            "--to",
            to,
            "--no-console",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    lake
}

/// Copies a directory tree, symbolic links as links.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ty = e.file_type().expect("type");
        if ty.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src).expect("link"), &dst)
                .expect("symlink");
        } else if ty.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Runs a command with a time limit (the child is killed past it).
pub fn run_with_timeout(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hotspot");
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let o = child.wait_with_output().expect("output");
                panic!("hotspot console ran past {limit:?}:\n{}", text(&o));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("{e}"),
        }
    }
    child.wait_with_output().expect("output")
}
