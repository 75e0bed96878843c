//! Errors of the control numerics. They become [`crate::ToolError::ComputationFailed`] at the
//! tool boundary: the inputs were valid but no trustworthy number could be produced.

use thiserror::Error;

/// Why a control computation failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ControlError {
    /// A linear system (impedance, LU of a shifted state matrix …) was numerically singular.
    #[error("singular {what} at {where_}")]
    Singular { what: &'static str, where_: String },
    /// The real Schur decomposition (eigenvalues) did not converge.
    #[error("eigenvalue computation did not converge for the {what} matrix")]
    EigenFailed { what: &'static str },
    /// An eigenvalue is (numerically) defective, so no modal form exists.
    #[error("the {what} has a (nearly) repeated pole at {pole}: no modal form")]
    Defective { what: &'static str, pole: String },
    /// The Riccati solver failed (no convergence, residual too large, not stabilising).
    #[error("LQG design failed: {0}")]
    Riccati(String),
    /// A value that should be finite and positive is not.
    #[error("non-finite {0}")]
    NonFinite(&'static str),
}

impl From<ControlError> for crate::ToolError {
    fn from(e: ControlError) -> Self {
        crate::ToolError::failed(e.to_string())
    }
}
