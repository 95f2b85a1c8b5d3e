//! The tile client against a real tile server on 127.0.0.1 (`hotspot_testkit::tileserver`):
//! tiles arrive with the right pixels, are cached and served offline, and slow, failing,
//! missing and garbage tiles each end the way they should without holding up the rest.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hotspot_core::tile::TileId;
use hotspot_testkit::tileserver::{Behaviour, TileServer, tile_color};
use hotspot_tiles::{
    DiskCache, FetchOptions, Origin, TileEvent, TileFetcher, TileSource, fetch_all, user_agent,
};

fn tile(z: u8, x: u32, y: u32) -> TileId {
    TileId::new(z, x, y).expect("tile")
}

fn quick() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(3),
        backoff: Duration::from_millis(20),
        ..FetchOptions::default()
    }
}

fn ready_color(ev: &TileEvent) -> Option<([u8; 3], Origin)> {
    match ev {
        TileEvent::Ready { image, origin, .. } => {
            assert_eq!((image.width, image.height), (256, 256));
            // Every pixel the same colour: check the corners and the centre.
            let px = |i: usize| {
                [
                    image.rgba[i * 4],
                    image.rgba[i * 4 + 1],
                    image.rgba[i * 4 + 2],
                ]
            };
            let c = px(0);
            for i in [255, 256 * 128 + 128, 256 * 256 - 1] {
                assert_eq!(px(i), c);
            }
            Some((c, *origin))
        }
        _ => None,
    }
}

#[test]
fn tiles_come_back_with_their_pixels_then_from_the_cache_and_offline() {
    let server = TileServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let source = TileSource::new(&server.template(), "© Test tiles", 19).expect("source");
    let cache = DiskCache::new(dir.path(), &source);
    let tiles = [
        tile(12, 1050, 1522),
        tile(12, 1051, 1522),
        tile(11, 525, 761),
    ];

    let first = fetch_all(
        source.clone(),
        Some(cache.clone()),
        quick(),
        &tiles,
        Duration::from_secs(10),
    );
    assert_eq!(first.len(), 3);
    for ev in &first {
        let t = ev.tile();
        let (c, origin) = ready_color(ev).unwrap_or_else(|| panic!("{ev:?}"));
        assert_eq!(c, tile_color(t.z, t.x, t.y), "{t}");
        assert_eq!(origin, Origin::Network);
    }
    let log = server.requests();
    assert_eq!(log.len(), 3);
    assert!(log.iter().any(|r| r.path == "/12/1050/1522.png"));
    assert!(
        log.iter()
            .all(|r| r.user_agent.as_deref() == Some(user_agent().as_str()))
    );
    assert!(user_agent().starts_with("hotspot/"));

    // A second run asks the server for nothing.
    let second = fetch_all(
        source.clone(),
        Some(cache.clone()),
        quick(),
        &tiles,
        Duration::from_secs(10),
    );
    assert!(
        second
            .iter()
            .all(|e| ready_color(e).is_some_and(|(_, o)| o == Origin::Cache))
    );
    assert_eq!(server.requests().len(), 3);

    // With the server gone and the network forbidden, the cache still answers; what it
    // never saw is reported, not invented.
    drop(server);
    let offline = FetchOptions {
        offline: true,
        ..quick()
    };
    let mut wanted = tiles.to_vec();
    wanted.push(tile(12, 1052, 1522));
    let third = fetch_all(
        source,
        Some(cache),
        offline,
        &wanted,
        Duration::from_secs(10),
    );
    let ready = third.iter().filter(|e| ready_color(e).is_some()).count();
    assert_eq!(ready, 3);
    let failed: Vec<_> = third
        .iter()
        .filter_map(|e| match e {
            TileEvent::Failed { tile, error } => Some((*tile, error.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, tile(12, 1052, 1522));
    assert!(failed[0].1.contains("offline cache"), "{}", failed[0].1);
}

#[test]
fn stale_tiles_are_refetched_and_used_when_the_server_is_down() {
    let server = TileServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let source = TileSource::new(&server.template(), "", 19).expect("source");
    let mut cache = DiskCache::new(dir.path(), &source);
    let t = [tile(10, 262, 380)];
    fetch_all(
        source.clone(),
        Some(cache.clone()),
        quick(),
        &t,
        Duration::from_secs(10),
    );
    assert_eq!(server.requests().len(), 1);
    // Everything counts as stale now: online, it is fetched again.
    cache.max_age = Duration::ZERO;
    std::thread::sleep(Duration::from_millis(20));
    let again = fetch_all(
        source.clone(),
        Some(cache.clone()),
        quick(),
        &t,
        Duration::from_secs(10),
    );
    assert_eq!(ready_color(&again[0]).map(|x| x.1), Some(Origin::Network));
    assert_eq!(server.requests().len(), 2);
    // The server fails: the old copy is drawn rather than a hole.
    server.set(10, 262, 380, Behaviour::Fail);
    let down = fetch_all(source, Some(cache), quick(), &t, Duration::from_secs(10));
    assert_eq!(ready_color(&down[0]).map(|x| x.1), Some(Origin::StaleCache));
    // One attempt and one retry.
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn slow_failing_missing_and_garbage_tiles_end_as_they_should() {
    let server = TileServer::start();
    let source = TileSource::new(&server.template(), "", 19).expect("source");
    server.set(9, 131, 190, Behaviour::Slow(Duration::from_millis(800)));
    server.set(9, 132, 190, Behaviour::Fail);
    server.set(9, 133, 190, Behaviour::Missing);
    server.set(9, 134, 190, Behaviour::Garbage);
    server.set(9, 135, 190, Behaviour::FailTimes(1));
    let good = tile(9, 136, 190);

    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let started = Instant::now();
    let fetcher = TileFetcher::new(source, None, quick(), move |ev| {
        let _ = tx.lock().expect("lock").send((started.elapsed(), ev));
    });
    // The slow tile is asked for first; with two workers the rest still come through.
    let wanted: Vec<TileId> = (131..=136).map(|x| tile(9, x, 190)).collect();
    fetcher.want(&wanted);
    let mut got = Vec::new();
    while got.len() < wanted.len() {
        got.push(
            rx.recv_timeout(Duration::from_secs(10))
                .expect("an answer for every tile"),
        );
    }
    let when = |x: u32| {
        got.iter()
            .find(|(_, e)| e.tile() == tile(9, x, 190))
            .map(|(t, e)| (*t, e.clone()))
            .expect("answered")
    };
    let (slow_at, slow) = when(131);
    assert!(ready_color(&slow).is_some());
    let (good_at, good_ev) = when(136);
    assert_eq!(
        ready_color(&good_ev).map(|x| x.0),
        Some(tile_color(9, 136, 190))
    );
    assert!(
        good_at < slow_at,
        "a slow tile held up the others: {good_at:?} vs {slow_at:?}"
    );
    match when(132).1 {
        TileEvent::Failed { error, .. } => assert!(error.contains("HTTP 500"), "{error}"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(when(133).1, TileEvent::Missing { .. }));
    match when(134).1 {
        TileEvent::Failed { error, .. } => assert!(error.contains("not a usable tile"), "{error}"),
        e => panic!("{e:?}"),
    }
    // Failed once, then served: the retry gets it.
    assert!(ready_color(&when(135).1).is_some());
    assert!(
        server.peak_concurrency() <= 2,
        "peak {}",
        server.peak_concurrency()
    );
    let before = server.requests().len();
    // Asked again at once: the missing and the failing tiles are not requested again (one is
    // known missing, the other cooling down); the good ones are (there is no cache here).
    fetcher.want(&[tile(9, 132, 190), tile(9, 133, 190), good]);
    let ev = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("good again")
        .1;
    assert_eq!(ev.tile(), good);
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "nothing else answered"
    );
    assert_eq!(server.requests().len(), before + 1);
    let stats = fetcher.stats();
    assert_eq!((stats.missing, stats.failures, stats.pending), (1, 2, 0));
}

#[test]
fn nothing_past_the_maximum_zoom_is_requested_and_a_new_view_replaces_the_queue() {
    let server = TileServer::start();
    let source = TileSource::new(&server.template(), "", 12).expect("source");
    let events = fetch_all(
        source.clone(),
        None,
        quick(),
        &[tile(13, 2100, 3044), tile(12, 1050, 1522)],
        Duration::from_secs(10),
    );
    assert_eq!(events.len(), 1, "the zoom-13 tile is not asked for");
    assert!(server.requests().iter().all(|r| r.path.starts_with("/12/")));

    // One worker, every tile slow: while the first is in flight the view moves on, and of the
    // old queue nothing more is fetched.
    for x in 0..20 {
        server.set(8, x, 0, Behaviour::Slow(Duration::from_millis(150)));
    }
    let answered = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&answered);
    let one = FetchOptions {
        concurrency: 1,
        ..quick()
    };
    let fetcher = TileFetcher::new(source, None, one, move |ev| {
        sink.lock().expect("lock").push(ev.tile());
    });
    fetcher.want(&(0..20).map(|x| tile(8, x, 0)).collect::<Vec<_>>());
    std::thread::sleep(Duration::from_millis(50));
    fetcher.want(&[tile(8, 19, 0)]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while answered.lock().expect("lock").len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let got = answered.lock().expect("lock").clone();
    assert_eq!(got, vec![tile(8, 0, 0), tile(8, 19, 0)]);
}

#[test]
fn a_server_that_is_not_there_fails_quickly_with_the_reason() {
    // A port nobody listens on (bind, read the port, close).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let source = TileSource::new(
        &format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"),
        "",
        19,
    )
    .expect("source");
    let started = Instant::now();
    let ev = fetch_all(
        source,
        None,
        quick(),
        &[tile(3, 2, 2)],
        Duration::from_secs(10),
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    match &ev[0] {
        TileEvent::Failed { error, .. } => assert!(error.contains("127.0.0.1"), "{error}"),
        e => panic!("{e:?}"),
    }
}
