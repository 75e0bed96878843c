//! A recording TCP relay between the browser and `cristallo serve`: what the browser sends is
//! kept, so a test can check on the wire which requests (and `Accept` headers) it made.
//!
//! The server accepts state changes only from its own origin (docs/platform.md), so the relay
//! acts as a reverse proxy does: the relay's `127.0.0.1:PORT` in the request heads (`Host`,
//! `Origin`) is rewritten to the server's. Both are loopback ports bound to port 0, so of equal
//! length, and a head arrives in one read on loopback.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// Relays every connection to `target` and records the bytes clients send, in arrival order
/// per connection. It serves until the test process ends.
pub struct WireRecorder {
    /// `http://127.0.0.1:PORT/`: open pages here instead of the server's own URL.
    pub url: String,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl WireRecorder {
    /// Starts relaying loopback connections to `target`.
    pub fn start(target: SocketAddr) -> WireRecorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the recording relay");
        let url = format!(
            "http://{}/",
            listener.local_addr().expect("the relay's address")
        );
        let relay_authority = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
        let server_authority = format!("127.0.0.1:{}", target.port());
        assert_eq!(
            relay_authority.len(),
            server_authority.len(),
            "the relay rewrites {relay_authority} to {server_authority} in place"
        );
        let rewrite = Arc::new((relay_authority.into_bytes(), server_authority.into_bytes()));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let index = {
                    let mut log = log.lock().unwrap();
                    log.push(Vec::new());
                    log.len() - 1
                };
                relay(client, server, log.clone(), index, rewrite.clone());
            }
        });
        WireRecorder { url, sent }
    }

    /// The request heads (request line and headers, lower-cased) the browser has sent so far.
    pub fn request_heads(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        let mut heads = Vec::new();
        for connection in sent.iter() {
            let text = String::from_utf8_lossy(connection);
            // Bodies (JSON parameters) never start with a method, so splitting at blank lines
            // and keeping the parts that look like a request line is enough here.
            for part in text.split("\r\n\r\n") {
                let part = part.trim_start();
                if ["GET ", "POST ", "PUT ", "DELETE ", "PATCH "]
                    .iter()
                    .any(|m| part.starts_with(m))
                {
                    heads.push(part.to_ascii_lowercase());
                }
            }
        }
        heads
    }
}

/// `chunk` with every occurrence of `from` replaced by `to` (of the same length).
fn replace_in_place(chunk: &mut [u8], from: &[u8], to: &[u8]) {
    let mut i = 0;
    while i + from.len() <= chunk.len() {
        if &chunk[i..i + from.len()] == from {
            chunk[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    index: usize,
    rewrite: Arc<(Vec<u8>, Vec<u8>)>,
) {
    let (Ok(mut client_back), Ok(mut server_back)) = (client.try_clone(), server.try_clone())
    else {
        return;
    };
    thread::spawn(move || {
        let _ = std::io::copy(&mut server_back, &mut client_back);
        let _ = client_back.shutdown(Shutdown::Write);
    });
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match client.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            log.lock().unwrap()[index].extend_from_slice(&buf[..n]);
            replace_in_place(&mut buf[..n], &rewrite.0, &rewrite.1);
            if server.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = server.shutdown(Shutdown::Write);
    });
}
