//! Embeds the static UI (`frontendDist` = ../ui) and the capabilities into the app.

fn main() {
    // The UI is plain files with no build step: without this, new or changed UI files
    // would not be re-embedded on the next `cargo build`.
    println!("cargo:rerun-if-changed=../ui");
    tauri_build::build();
}
