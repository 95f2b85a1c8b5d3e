//! A private X display for window tests: Xvfb on a display number it picks itself, killed on
//! drop. Window tests are `#[ignore = "needs Xvfb and a GPU adapter"]`; CI installs both.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Xvfb on a display number it picks itself (`-displayfd`), killed on drop.
pub struct Xvfb {
    child: Child,
    /// The `DISPLAY` value, e.g. `:99`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb with one `width`×`height`×24 screen.
    ///
    /// # Panics
    /// When Xvfb is not installed or does not start: the test needs a display.
    pub fn start(width: u32, height: u32) -> Xvfb {
        let spawned = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => panic!("this test needs Xvfb ({e}): apt-get install xvfb"),
        };
        // Xvfb writes the display number once it accepts connections.
        let Some(stdout) = child.stdout.take() else {
            panic!("Xvfb gave no stdout");
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if !line.trim().is_empty() => Xvfb {
                child,
                display: format!(":{}", line.trim()),
            },
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Xvfb did not start within 20 s");
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
