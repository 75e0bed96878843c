//! Two hosts on a LAN, for real: the test creates two network namespaces joined by a veth pair
//! (its own addresses, 10.213.7.0/24), runs `cristallo serve --share` in one, and in the other
//! the `lan-client` program, which finds the host by mDNS alone, opens the UI in headless
//! Chromium with the share token, runs a tool and checks that a second guest's history shows
//! the run live. mDNS and multicast happen only inside these namespaces. Needs root (CI has it).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cristallo_tests::{binary, require_program, ChildGuard};

const HOST_IP: &str = "10.213.7.1";
const CLIENT_IP: &str = "10.213.7.2";

/// Two namespaces and the veth pair between them; deleted on drop.
struct Lan {
    host_ns: String,
    client_ns: String,
}

fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("run ip (iproute2)");
    assert!(status.success(), "ip {} failed", args.join(" "));
}

impl Lan {
    fn create() -> Lan {
        require_program("ip", "Debian package iproute2");
        let uid = Command::new("id").arg("-u").output().expect("id -u");
        assert_eq!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "the LAN test creates network namespaces and needs root"
        );
        let tag = std::process::id() % 100_000;
        let lan = Lan {
            host_ns: format!("cri-host-{tag}"),
            client_ns: format!("cri-client-{tag}"),
        };
        let (veth_h, veth_c) = (format!("crih{tag}"), format!("cric{tag}"));
        ip(&["netns", "add", &lan.host_ns]);
        ip(&["netns", "add", &lan.client_ns]);
        ip(&[
            "link", "add", &veth_h, "type", "veth", "peer", "name", &veth_c,
        ]);
        ip(&["link", "set", &veth_h, "netns", &lan.host_ns]);
        ip(&["link", "set", &veth_c, "netns", &lan.client_ns]);
        for (ns, dev, addr) in [
            (&lan.host_ns, &veth_h, HOST_IP),
            (&lan.client_ns, &veth_c, CLIENT_IP),
        ] {
            ip(&["-n", ns, "link", "set", "lo", "up"]);
            ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", dev]);
            ip(&["-n", ns, "link", "set", dev, "multicast", "on"]);
            ip(&["-n", ns, "link", "set", dev, "up"]);
            ip(&["-n", ns, "route", "add", "224.0.0.0/4", "dev", dev]);
        }
        lan
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for ns in [&self.host_ns, &self.client_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

#[test]
#[ignore = "e2e: run by make test with --ignored (needs root)"]
fn guest_finds_the_host_by_mdns_runs_a_tool_and_a_second_guest_sees_it_live() {
    let cristallo = binary("cristallo");
    let client_bin = env!("CARGO_BIN_EXE_lan-client");
    let lan = Lan::create();
    let data = tempfile_dir();

    // The host shares on its veth address; mDNS runs inside its namespace only.
    let mut server = ChildGuard::spawn(
        "cristallo serve --share",
        Command::new("ip")
            .args(["netns", "exec", &lan.host_ns])
            .arg(&cristallo)
            .args([
                "serve",
                "--share",
                "--bind",
                &format!("{HOST_IP}:0"),
                "--twin-name",
                "LAN test rig",
                "--data-dir",
            ])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
    );
    let mut first = String::new();
    // Kept open for the whole test: the server goes on printing (host-url) after this line.
    let mut server_out = BufReader::new(server.stdout().expect("server stdout"));
    server_out
        .read_line(&mut first)
        .expect("read the share-url line");
    let url = first
        .trim()
        .strip_prefix("share-url: ")
        .unwrap_or_else(|| panic!("first line: {first:?}"));
    assert!(url.starts_with(&format!("http://{HOST_IP}:")), "{url}");
    let token = url
        .split("?token=")
        .nth(1)
        .expect("token in the share url")
        .to_string();
    server.assert_running();

    // The guest gets the token only (as from the QR code), not the address.
    let started = Instant::now();
    let out = Command::new("timeout")
        .args([
            "180",
            "ip",
            "netns",
            "exec",
            &lan.client_ns,
            client_bin,
            "--token",
            &token,
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("run lan-client");
    let elapsed = started.elapsed();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "lan-client failed ({:?}): {report}",
        out.status
    );
    let measured: serde_json::Value =
        serde_json::from_str(report.trim()).expect("lan-client report");
    println!(
        "LAN test: {measured} (whole client run {:.1} s)",
        elapsed.as_secs_f64()
    );
    assert!(measured["peer"]
        .as_str()
        .unwrap()
        .starts_with("LAN test rig on "));
    assert_eq!(
        measured["url"].as_str().unwrap(),
        url.split('?').next().unwrap()
    );

    drop(server);
    drop(server_out);
    let store = cristallo_server::store::Store::open(&data).expect("reopen the host's history");
    let runs = store.list_runs(None, 10, None).unwrap();
    assert_eq!(
        runs.len(),
        1,
        "exactly guest A's run is in the host's history"
    );
    assert_eq!(runs[0].who, "guest-a");
    let _ = std::fs::remove_dir_all(&data);
    assert!(elapsed < Duration::from_secs(180));
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cristallo-lan-host-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
