//! The installable product (issue 10): the `.deb` that `make package` builds installs with
//! `dpkg -i`, declares its dependencies, desktop entry and icon, and the installed
//! `/usr/bin/cristallo-app` opens its main window under Xvfb and runs a tool. The package is
//! removed again at the end (also when the test fails). Needs root, as `make test` on CI has.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{open_tool, run_and_wait, scalar_value, screenshot, wait_for, TauriTest};
use cristallo_tests::target_dir;

const PACKAGE: &str = "cristallo-rs";
const INSTALLED_APP: &str = "/usr/bin/cristallo-app";
/// The default model's first natural frequency (data/twin.json `model_natural_frequencies_hz`,
/// which server/tests/http.rs checks against the modal tool).
const FIRST_NATURAL_FREQUENCY_HZ: f64 = 6.2036;

/// The newest `.deb` under `<target>/{release,debug}/bundle/deb/`.
fn built_deb() -> PathBuf {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = ["release", "debug"]
        .iter()
        .filter_map(|p| std::fs::read_dir(target_dir().join(p).join("bundle/deb")).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p).unwrap_or_else(|| {
        panic!(
            "no .deb under {}/{{release,debug}}/bundle/deb: run `make package` (or \
             `make package PROFILE=debug`, as `make test` does) first",
            target_dir().display()
        )
    })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes the package when dropped, so a failed test leaves the machine as it was.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["-r", PACKAGE]).output();
    }
}

#[tokio::test]
#[ignore = "e2e: run by make test with --ignored"]
async fn the_deb_installs_and_the_installed_app_runs_a_tool() {
    let deb = built_deb();
    let control = run(Command::new("dpkg-deb").arg("--field").arg(&deb));
    for line in [
        "Package: cristallo-rs",
        "Version: 0.1.0",
        "Recommends: calculix-ccx",
    ] {
        assert!(control.contains(line), "control lacks {line:?}:\n{control}");
    }
    assert!(
        control.contains("libwebkit2gtk-4.1-0"),
        "WebKitGTK is not a dependency:\n{control}"
    );
    let uid = run(Command::new("id").arg("-u"));
    assert_eq!(
        uid.trim(),
        "0",
        "installing with dpkg -i needs root (make test on CI runs as root)"
    );

    let _installed = Installed;
    run(Command::new("dpkg").arg("-i").arg(&deb));
    let desktop = std::fs::read_to_string("/usr/share/applications/Cristallo-RS.desktop")
        .expect("the package installs a desktop entry");
    assert!(desktop.contains("Exec=cristallo-app"), "{desktop}");
    assert!(desktop.contains("Icon=cristallo-app"), "{desktop}");
    assert!(
        std::path::Path::new("/usr/share/icons/hicolor/128x128/apps/cristallo-app.png").is_file(),
        "the package installs its icon"
    );

    let data_dir =
        std::env::temp_dir().join(format!("cristallo-e2e-package-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::env::set_var("CRISTALLO_DATA_DIR", &data_dir);
    let test = TauriTest::start_app(std::path::Path::new(INSTALLED_APP)).await;
    let client = &test.client;
    wait_for(client, r#"a[data-tool="modal"]"#).await;
    assert!(
        !client.title().await.unwrap().is_empty(),
        "the window has a title"
    );
    open_tool(client, "modal").await;
    assert_eq!(run_and_wait(client).await, "done");
    let f1 = scalar_value(client, "natural_frequency_1_hz").await;
    assert!(
        (f1 - FIRST_NATURAL_FREQUENCY_HZ).abs() < 1e-3,
        "the installed app computes f1 = {f1} Hz"
    );
    screenshot(client, "installed-app-modal.png").await;
    test.finish().await;
    assert!(
        std::fs::read_dir(&data_dir).is_ok_and(|mut d| d.next().is_some()),
        "the installed app stored its database in CRISTALLO_DATA_DIR"
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}
