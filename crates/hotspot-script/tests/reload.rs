//! Hot reload: an edited script is picked up by `poll()` without restarting.

use std::time::{Duration, Instant};

use hotspot_script::{ErrorKind, ScriptHost};

fn palette(stop: &str) -> String {
    format!("[#{{ name: \"live\", stops: [\"{stop}\", \"#ffffff\"] }}]\n")
}

/// Polls until `done` holds or 15 s pass; returns whether it held.
fn poll_until(host: &mut ScriptHost, mut done: impl FnMut(&ScriptHost) -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        host.poll();
        if done(host) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

#[test]
fn edits_are_picked_up_by_poll() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("scripts");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("palettes.rhai"), palette("#000000")).expect("write");
    let mut host = ScriptHost::open(&dir);
    host.watch().expect("watch");
    assert_eq!(host.palette("live").expect("live").stops[0], [0, 0, 0, 255]);
    assert!(host.poll().is_empty(), "nothing changed yet");
    let generation = host.generation();

    std::fs::write(dir.join("palettes.rhai"), palette("#ff0000")).expect("write");
    assert!(
        poll_until(&mut host, |h| h
            .palette("live")
            .is_some_and(|p| p.stops[0] == [255, 0, 0, 255])),
        "the edit was not picked up"
    );
    assert!(host.generation() > generation);
    assert!(host.errors().is_empty());

    // A broken edit is reported and the last good version stays.
    std::fs::write(
        dir.join("palettes.rhai"),
        "[#{ name: \"live\", stops: [\"#00ff00\"] ]",
    )
    .expect("write");
    assert!(
        poll_until(&mut host, |h| !h.errors().is_empty()),
        "the broken edit was not reported"
    );
    let e = &host.errors()[0];
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.to_string().starts_with("scripts/palettes.rhai:1:"), "{e}");
    assert_eq!(
        host.palette("live").expect("live").stops[0],
        [255, 0, 0, 255]
    );

    // A new view appears in the menu.
    std::fs::create_dir_all(dir.join("views")).expect("mkdir");
    std::fs::write(
        dir.join("views/new.rhai"),
        "#{ title: \"New\", resolution: 8, period: \"last 7 days\" }",
    )
    .expect("write");
    assert!(
        poll_until(&mut host, |h| h.views().iter().any(|v| v.name == "new")),
        "the new view was not picked up"
    );
}

#[test]
fn poll_without_watch_does_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("palettes.rhai"), palette("#000000")).expect("write");
    let mut host = ScriptHost::open(tmp.path());
    std::fs::write(tmp.path().join("palettes.rhai"), palette("#ff0000")).expect("write");
    assert!(host.poll().is_empty());
    assert_eq!(host.palette("live").expect("live").stops[0], [0, 0, 0, 255]);
    // The R key.
    let reloaded = host.reload_all();
    assert!(
        reloaded
            .iter()
            .any(|r| r.file.ends_with("/palettes.rhai") && r.error.is_none())
    );
    assert_eq!(
        host.palette("live").expect("live").stops[0],
        [255, 0, 0, 255]
    );
}
