//! Bounded load on loopback: 50 concurrent clients × 40 mixed requests (runs and history reads)
//! plus slow clients, against a real port; then a `kill -9` of the server under load.
//! Every request loop here is bounded in count and time; traffic goes to 127.0.0.1 only.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cristallo_server::{AppConfig, Platform};
use futures_util::future::join_all;
use serde_json::Value;

const CLIENTS: usize = 50;
const REQUESTS_PER_CLIENT: usize = 40;
const SLOW_CLIENTS: usize = 4;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A client that dribbles its request over ~1 s and then reads the reply slowly.
fn slow_client(addr: SocketAddr) -> Result<u16, String> {
    let body = r#"{"f_step_hz": 1.0, "force_floor": 3}"#;
    let request = format!(
        "POST /api/tools/modal/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    for chunk in request.as_bytes().chunks(16) {
        s.write_all(chunk).map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(60));
    }
    let mut response = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
        std::thread::sleep(Duration::from_millis(2));
    }
    let text = String::from_utf8_lossy(&response);
    text.get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status line in {:?}", &text[..text.len().min(80)]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_forty_requests_no_errors_and_exact_history() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::open(AppConfig::new(dir.path().to_path_buf())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cristallo_server::serve_platform(
        listener,
        platform.clone(),
        async {
            let _ = stop_rx.await;
        },
    ));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let started = Instant::now();
    let slow = (0..SLOW_CLIENTS)
        .map(|_| tokio::task::spawn_blocking(move || slow_client(addr)))
        .collect::<Vec<_>>();
    let tasks = (0..CLIENTS).map(|c| {
        let client = client.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(REQUESTS_PER_CLIENT);
            let (mut errors, mut runs) = (Vec::new(), 0usize);
            for r in 0..REQUESTS_PER_CLIENT {
                let t = Instant::now();
                let outcome = if r % 2 == 0 {
                    let frf_type = ["receptance", "mobility", "accelerance"][r % 3];
                    let params = serde_json::json!({
                        "force_floor": 1 + (c + r) % 3,
                        "f_step_hz": 0.5,
                        "frf_type": frf_type,
                    });
                    client
                        .post(format!("{base}/api/tools/modal/run"))
                        .json(&params)
                        .send()
                        .await
                } else {
                    client.get(format!("{base}/api/runs?limit=20")).send().await
                };
                match outcome {
                    Ok(res) if res.status().is_success() => {
                        let is_run = r % 2 == 0;
                        let v: Value = res.json().await.unwrap_or(Value::Null);
                        if is_run && v["tool"] == "modal" {
                            runs += 1;
                        } else if is_run || !v.is_array() {
                            errors.push(format!("bad body for request {r}"));
                        }
                    }
                    Ok(res) => errors.push(format!("status {}", res.status())),
                    Err(e) => errors.push(e.to_string()),
                }
                latencies.push(t.elapsed().as_secs_f64() * 1e3);
            }
            (latencies, errors, runs)
        })
    });
    let results = join_all(tasks).await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut runs = 0;
    for r in results {
        let (l, e, n) = r.unwrap();
        latencies.extend(l);
        errors.extend(e);
        runs += n;
    }
    for s in slow {
        let status = s.await.unwrap();
        assert_eq!(status, Ok(200), "slow client");
        runs += 1;
    }
    latencies.sort_by(f64::total_cmp);
    let total = CLIENTS * REQUESTS_PER_CLIENT;
    println!(
        "load: {total} requests from {CLIENTS} clients (+{SLOW_CLIENTS} slow) in {elapsed:.2} s = {:.0} req/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {}",
        total as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0.0),
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(runs, total / 2 + SLOW_CLIENTS);
    assert_eq!(
        platform.store.count_runs().unwrap() as usize,
        runs,
        "history holds exactly the runs made"
    );
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[test]
fn kill_minus_nine_under_load_loses_no_acknowledged_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cristallo"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr: SocketAddr = line
        .trim()
        .trim_start_matches("url: http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let deadline = Instant::now() + Duration::from_secs(20);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                // At most 200 requests per worker, and never past the deadline.
                for i in 0..200 {
                    if Instant::now() > deadline {
                        break;
                    }
                    let body = format!(r#"{{"f_step_hz": 1.0, "force_floor": {}}}"#, 1 + (w + i) % 3);
                    let request = format!(
                        "POST /api/tools/modal/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let Ok(mut s) = std::net::TcpStream::connect(addr) else { break };
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    if s.write_all(request.as_bytes()).is_err() {
                        break;
                    }
                    let mut response = String::new();
                    if s.read_to_string(&mut response).is_err() || !response.starts_with("HTTP/1.1 200") {
                        break;
                    }
                    let id = response
                        .lines()
                        .find_map(|l| l.strip_prefix("x-cristallo-run-id: "))
                        .and_then(|v| v.trim().parse().ok());
                    match id {
                        Some(id) => acknowledged.lock().unwrap().push(id),
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Let the load run, then kill the server without warning.
    while acknowledged.lock().unwrap().len() < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for w in workers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 40,
        "only {} runs before the kill",
        acknowledged.len()
    );
    let store = cristallo_server::store::Store::open(dir.path()).unwrap();
    let stored: std::collections::HashSet<i64> = store
        .list_runs(None, 100_000, None)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged run {id} was lost");
    }
    println!(
        "kill -9: {} runs acknowledged, {} in the database after the crash",
        acknowledged.len(),
        stored.len()
    );
}
