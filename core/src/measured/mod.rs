//! Measured data (docs/measured.md): the tools `model-update` (identify modes and a physical
//! 3-storey chain from measured FRFs) and `crossval` (overlay measured and numerical FRFs and
//! compute validation metrics).
//!
//! One file per concept:
//! - [`files`]: the two text formats (complex `;` FRF files, `,` dB files), §4.1;
//! - [`source`]: where a file comes from (`path`, `csv_text` or an embedded `rig_file`);
//! - [`rig_data`]: the rig's shipped measurements embedded in the binary;
//! - [`peaks`]: the peak rules of §4.6;
//! - [`modal_fit`]: the variable-projection Levenberg–Marquardt modal fit of §4.2 steps 3–5;
//! - [`chain`]: mass-normalised shapes, masses, stiffnesses (Newton) and dampers, §4.2 steps 6–10;
//! - [`legacy_circle_fit`]: the original app's circle-fit profile generator, §4.5 (for comparison);
//! - [`model_update`], [`crossval`]: the two tools.

pub mod chain;
pub mod crossval;
pub mod files;
pub mod legacy_circle_fit;
pub mod modal_fit;
pub mod model_update;
pub mod peaks;
pub mod rig_data;
pub mod source;

pub use crossval::CrossvalTool;
pub use model_update::ModelUpdateTool;

/// Checks the analysis band `[f_min_hz, f_max_hz]` of both tools: an empty or reversed band
/// names `f_min_hz`.
pub(crate) fn check_band(f_min_hz: f64, f_max_hz: f64) -> Result<(), crate::ToolError> {
    if f_min_hz >= f_max_hz {
        return Err(crate::ToolError::invalid(
            "f_min_hz",
            format!("must be less than f_max_hz ({f_max_hz} Hz), is {f_min_hz} Hz"),
        ));
    }
    Ok(())
}
