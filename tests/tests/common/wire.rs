//! A recording TCP relay between the browser and `cristallo serve`: what the browser sends is
//! kept, so a test can check on the wire which requests (and `Accept` headers) it made.

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
                relay(client, server, log.clone(), index);
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

fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    index: usize,
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
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match client.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            log.lock().unwrap()[index].extend_from_slice(&buf[..n]);
            if server.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = server.shutdown(Shutdown::Write);
    });
}
