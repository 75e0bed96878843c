//! The lumped 3-DOF model of the benchtop rig (docs/simulator.md §2) and its modal analysis
//! (docs/simulator.md §4.1), shared by `modal`, `simulator` and the control tools.
//!
//! One concept per file: [`profile`] (the model profile, its schema and checks), [`model`]
//! (M, K, C and the state space), [`modes`] (undamped and damped modes), [`frf`] (the FRF
//! kernel) and [`legacy_import`] (the original app's JSON profiles).

pub mod frf;
pub mod legacy_import;
pub mod model;
pub mod modes;
pub mod profile;

pub use frf::{magnitude_db, phase_deg, FrfType};
pub use legacy_import::{import_original_profile, OriginalDispersion};
pub use model::{chain_matrix, LumpedModel};
pub use modes::{DampedModes, ModalAnalysis, UndampedModes};
pub use profile::{
    optional_profile, optional_profile_params, profile_params, OptionalProfileInput, Profile,
    DEFAULT_DAMPINGS_NS_PER_M, DEFAULT_MASSES_KG, DEFAULT_PROFILE_NAME,
    DEFAULT_STIFFNESSES_N_PER_M,
};

/// Number of floors (degrees of freedom) of the rig model.
pub const N_FLOORS: usize = 3;

/// Field named by every error caused by missing damping.
const DAMPING_FIELD_SUFFIX: &str = "dampings_ns_per_m";

/// `prefix.key`, or `key` when the prefix is empty.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `profile.<name>`: the field an error on the model names.
fn field(name: &str) -> String {
    join("profile", name)
}
