//! `cristallo make-demo-recordings`: the project's demo recordings as CSV files.

use anyhow::Context;

/// Writes `demo_{name}.csv` for every demo recording; each file appears whole or not at all.
pub fn make_demo_recordings(out: &std::path::Path) -> anyhow::Result<()> {
    use cristallo_core::recordings::demo::{demo_recording_csv, DEMOS};
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for name in DEMOS {
        let text = demo_recording_csv(name)?;
        let path = out.join(format!("demo_{name}.csv"));
        let partial = out.join(format!(".demo_{name}.csv.partial"));
        std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "{}: {} rows, {} bytes",
            path.display(),
            text.lines().count() - 1,
            text.len()
        );
    }
    Ok(())
}
