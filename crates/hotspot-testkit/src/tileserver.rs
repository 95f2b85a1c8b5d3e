//! A tile server on 127.0.0.1 for the basemap tests: `GET /{z}/{x}/{y}.png` answers a
//! 256×256 PNG of one solid colour worked out from the address ([`tile_color`]), so a test can
//! tell which tile was drawn where. Chosen tiles are slow, fail (500), are missing (404) or
//! come back as garbage; every request is logged with its User-Agent, and the most requests
//! served at once is recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does for one tile (by `(z, x, y)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// The tile after a delay.
    Slow(Duration),
    /// HTTP 500, every time.
    Fail,
    /// HTTP 500 the first `n` times, then the tile.
    FailTimes(usize),
    /// HTTP 404.
    Missing,
    /// HTTP 200 with bytes that are no image.
    Garbage,
}

/// One request the server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub user_agent: Option<String>,
}

#[derive(Default)]
struct State {
    rules: HashMap<(u8, u32, u32), Behaviour>,
    failures: HashMap<(u8, u32, u32), usize>,
    log: Vec<Request>,
}

/// A running server; it stops when dropped.
pub struct TileServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    active: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

/// The colour of tile `z/x/y`: distinct for neighbours and for parent and child.
pub fn tile_color(z: u8, x: u32, y: u32) -> [u8; 3] {
    [
        (40 + (x * 37 + u32::from(z) * 11) % 180) as u8,
        (40 + (y * 53 + u32::from(z) * 29) % 180) as u8,
        (30 + u32::from(z) * 9 % 200) as u8,
    ]
}

/// A solid 256×256 RGB PNG.
pub fn solid_png(rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 256, 256);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header");
        let data: Vec<u8> = std::iter::repeat_n(rgb, 256 * 256).flatten().collect();
        w.write_image_data(&data).expect("png data");
    }
    out
}

impl TileServer {
    /// Starts serving on a free port of 127.0.0.1.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let server = Self {
            addr,
            state: Arc::default(),
            active: Arc::default(),
            peak: Arc::default(),
            stop: Arc::default(),
        };
        let (state, active, peak, stop) = (
            Arc::clone(&server.state),
            Arc::clone(&server.active),
            Arc::clone(&server.peak),
            Arc::clone(&server.stop),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (state, active, peak) =
                            (Arc::clone(&state), Arc::clone(&active), Arc::clone(&peak));
                        std::thread::spawn(move || serve(stream, &state, &active, &peak));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        server
    }

    /// The URL template of this server's tiles.
    pub fn template(&self) -> String {
        format!("http://{}/{{z}}/{{x}}/{{y}}.png", self.addr)
    }

    /// Makes tile `z/x/y` behave as `b`.
    pub fn set(&self, z: u8, x: u32, y: u32, b: Behaviour) {
        self.lock().rules.insert((z, x, y), b);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.lock().log.clone()
    }

    /// The most requests being answered at one moment.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn parse_tile(path: &str) -> Option<(u8, u32, u32)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let z = parts.next()?.parse().ok()?;
    let x = parts.next()?.parse().ok()?;
    let y = parts.next()?.strip_suffix(".png")?.parse().ok()?;
    Some((z, x, y))
}

fn serve(stream: TcpStream, state: &Mutex<State>, active: &AtomicUsize, peak: &AtomicUsize) {
    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(now, Ordering::SeqCst);
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut user_agent = None;
    if reader.read_line(&mut line).is_ok() {
        let mut header = String::new();
        while reader.read_line(&mut header).is_ok_and(|n| n > 0) {
            if header.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("user-agent")
            {
                user_agent = Some(v.trim().to_string());
            }
            header.clear();
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let tile = parse_tile(&path);
    let behaviour = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.log.push(Request {
            path: path.clone(),
            user_agent,
        });
        match tile.and_then(|t| s.rules.get(&t).copied()) {
            Some(Behaviour::FailTimes(n)) => {
                let t = tile.unwrap_or_default();
                let seen = s.failures.entry(t).or_insert(0);
                *seen += 1;
                (*seen <= n).then_some(Behaviour::Fail)
            }
            other => other,
        }
    };
    let (status, body): (&str, Vec<u8>) = match (tile, behaviour) {
        (None, _) => ("404 Not Found", b"no such path".to_vec()),
        (_, Some(Behaviour::Fail)) => ("500 Internal Server Error", b"boom".to_vec()),
        (_, Some(Behaviour::Missing)) => ("404 Not Found", b"no tile".to_vec()),
        (_, Some(Behaviour::Garbage)) => ("200 OK", b"<html>not a tile</html>".to_vec()),
        (Some((z, x, y)), b) => {
            if let Some(Behaviour::Slow(d)) = b {
                std::thread::sleep(d);
            }
            ("200 OK", solid_png(tile_color(z, x, y)))
        }
    };
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
    active.fetch_sub(1, Ordering::SeqCst);
}
