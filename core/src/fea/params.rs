//! The parameters of `fea` (docs/fea.md §3) and their validation (§4.1).
//!
//! The schema ([`fea_params`]) checks each field's type and range and rejects unknown keys;
//! [`FeaParams::validate`] adds the cross-field rules (columns may not overlap) and the mesh
//! size limit, which is evaluated from the exact node count *before* anything is written or
//! run: `nodes > MAX_NODES` is an error on `element_size_m` stating the count and the limit.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::schema::{self, ParamSpec};
use crate::ToolError;

/// Host limit on the mesh size (nodes); solver time grows like nodes^1.3.
pub const MAX_NODES: usize = 60_000;
/// Largest solid grid (cells of the tensor-product grid) indexed before counting nodes.
pub const MAX_SOLID_GRID_CELLS: usize = 2_000_000;

/// Which finite-element idealisation of the frame (docs/fea.md §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// B32 columns, S8R floors, rigid joints with clamp point masses ("model A").
    #[default]
    BeamShell,
    /// Conforming C3D20R hexahedra of floors, columns, clamp blocks and feet ("model B").
    Solid,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::BeamShell => "beam_shell",
            Model::Solid => "solid",
        }
    }
}

/// The typed parameters of `fea`; all SI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeaParams {
    pub model: Model,
    pub floor_length_x_m: f64,
    pub floor_width_y_m: f64,
    pub floor_thickness_m: f64,
    /// Free column length of storeys 1–3 (1 = bottom).
    pub column_free_length_m: Vec<f64>,
    pub column_width_m: f64,
    pub column_thickness_m: f64,
    pub youngs_modulus_pa: f64,
    pub poisson_ratio: f64,
    pub density_kg_m3: f64,
    pub element_size_m: f64,
    pub num_modes: u32,
    pub max_frequency_hz: Option<f64>,
    pub threads: u32,
    pub timeout_s: f64,
    pub solve: bool,
}

/// Drawing dimensions of the rig (docs/fea.md §2.1).
impl Default for FeaParams {
    fn default() -> Self {
        Self {
            model: Model::BeamShell,
            floor_length_x_m: 0.254,
            floor_width_y_m: 0.3048,
            floor_thickness_m: 0.0254,
            column_free_length_m: vec![0.1524; 3],
            column_width_m: 0.0254,
            column_thickness_m: 0.003175,
            youngs_modulus_pa: 6.99817865e10,
            poisson_ratio: 0.33,
            density_kg_m3: 2700.04406,
            element_size_m: 0.0127,
            num_modes: 6,
            max_frequency_hz: None,
            threads: 1,
            timeout_s: 300.0,
            solve: true,
        }
    }
}

/// The schema of `fea`.
pub fn fea_params() -> Vec<ParamSpec> {
    let d = FeaParams::default();
    vec![
        ParamSpec::choice("model", "Model", "beam_shell", &["beam_shell", "solid"]).describe(
            "beam_shell: B32 beams + S8R shells with rigid joints (fast, ~2–3 s); solid: \
             C3D20R hexahedra with clamp blocks and feet (~8–10 s).",
        ),
        ParamSpec::number(
            "floor_length_x_m",
            "Floor length (x)",
            "m",
            d.floor_length_x_m,
        )
        .min(0.05)
        .max(1.0)
        .describe("Floor plate size along x (drawing: 10 in = 0.254 m)."),
        ParamSpec::number("floor_width_y_m", "Floor width (y)", "m", d.floor_width_y_m)
            .min(0.05)
            .max(1.0)
            .describe("Floor plate size along y, the sway direction (12 in = 0.3048 m)."),
        ParamSpec::number(
            "floor_thickness_m",
            "Floor thickness",
            "m",
            d.floor_thickness_m,
        )
        .min(0.002)
        .max(0.1)
        .describe("Floor plate thickness (1 in = 0.0254 m)."),
        ParamSpec::number_list(
            "column_free_length_m",
            "Free column lengths",
            "m",
            json!(d.column_free_length_m),
            3,
            3,
        )
        .min(0.02)
        .max(1.0)
        .describe("Free column length between clamps of storeys 1–3, bottom first (6 in)."),
        ParamSpec::number("column_width_m", "Column width (x)", "m", d.column_width_m)
            .min(0.005)
            .max(0.1)
            .describe("Column section b along x (1 in); at most half the floor length."),
        ParamSpec::number(
            "column_thickness_m",
            "Column thickness (y)",
            "m",
            d.column_thickness_m,
        )
        .min(0.0005)
        .max(0.05)
        .describe("Column section t along y, the weak direction (1/8 in)."),
        ParamSpec::number(
            "youngs_modulus_pa",
            "Young's modulus",
            "Pa",
            d.youngs_modulus_pa,
        )
        .min(1e9)
        .max(1e12)
        .log()
        .describe("E of the aluminium (AL6082: 1.015e7 psi)."),
        ParamSpec::number("poisson_ratio", "Poisson's ratio", "", d.poisson_ratio)
            .min(0.0)
            .max_exclusive(0.5)
            .describe("ν, below 0.5 (0.5 would make solids lock)."),
        ParamSpec::number("density_kg_m3", "Density", "kg/m³", d.density_kg_m3)
            .min(100.0)
            .max(25_000.0)
            .describe("ρ of the aluminium (2.5265e-4 slinch/in³)."),
        ParamSpec::number("element_size_m", "Element size", "m", d.element_size_m)
            .min(0.002)
            .max(0.1)
            .describe(
                "Target element edge length h (0.5 in); the mesh may have at most 60 000 nodes.",
            ),
        ParamSpec::integer("num_modes", "Number of modes", 6, 1, 50)
            .describe("Eigenmodes requested from ARPACK."),
        ParamSpec::optional_number("max_frequency_hz", "Highest frequency", "Hz")
            .min_exclusive(0.0)
            .max(20_000.0)
            .describe("If set, only modes between 0 and this frequency are kept."),
        ParamSpec::integer("threads", "Solver threads", 1, 1, 64)
            .describe("OMP_NUM_THREADS and CCX_NPROC_EQUATION_SOLVER of the ccx run."),
        ParamSpec::number("timeout_s", "Timeout", "s", d.timeout_s)
            .min(1.0)
            .max(3600.0)
            .describe("Wall-clock limit of the ccx run; the solver is killed after it."),
        ParamSpec::boolean("solve", "Run the solver", true).describe(
            "false: build and check the deck, report mesh statistics and the shear building only.",
        ),
    ]
}

impl FeaParams {
    /// Validates a JSON parameter object; returns the typed parameters and the echo
    /// (defaults filled in).
    pub fn parse(params: &Value) -> Result<(Self, Value), ToolError> {
        let mut filled = schema::validate(&fea_params(), params)?;
        // The schema accepts integral floats (`6.0`) for integers; store them as integers.
        for key in ["num_modes", "threads"] {
            if let Some(x) = filled.get(key).and_then(Value::as_f64) {
                filled[key] = Value::from(x as u64);
            }
        }
        let typed: FeaParams = serde_json::from_value(filled.clone())
            .map_err(|e| ToolError::invalid("params", e.to_string()))?;
        typed.validate_cross()?;
        Ok((typed, filled))
    }

    /// Checks every rule of docs/fea.md §3/§4.1 on an already typed value (built in Rust rather
    /// than parsed): the same ranges as the schema, the cross-field rules and the mesh limit.
    pub fn validate(&self) -> Result<(), ToolError> {
        self.validate_ranges()?;
        self.check_node_limit()
    }

    /// Every rule except the mesh-size limit (which needs the mesh).
    pub(crate) fn validate_ranges(&self) -> Result<(), ToolError> {
        let v = serde_json::to_value(self).map_err(|e| ToolError::failed(e.to_string()))?;
        schema::validate(&fea_params(), &v)?;
        self.validate_geometry()
    }

    fn validate_cross(&self) -> Result<(), ToolError> {
        self.validate_geometry()?;
        self.check_node_limit()
    }

    fn validate_geometry(&self) -> Result<(), ToolError> {
        if self.column_free_length_m.len() != 3 {
            return Err(ToolError::invalid(
                "column_free_length_m",
                format!(
                    "must have exactly 3 values, has {}",
                    self.column_free_length_m.len()
                ),
            ));
        }
        if self.column_width_m > self.floor_length_x_m / 2.0 {
            return Err(ToolError::invalid(
                "column_width_m",
                format!(
                    "{} m is more than half the floor length ({} m): the columns would overlap",
                    self.column_width_m, self.floor_length_x_m
                ),
            ));
        }
        Ok(())
    }

    fn check_node_limit(&self) -> Result<(), ToolError> {
        check_node_count(super::mesh_node_count(self)?)
    }

    /// The echo of these parameters as a JSON object.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `nodes` against [`MAX_NODES`]: an error on `element_size_m` stating the count and limit.
pub(crate) fn check_node_count(nodes: usize) -> Result<(), ToolError> {
    if nodes > MAX_NODES {
        return Err(ToolError::invalid(
            "element_size_m",
            format!(
                "the mesh would have {nodes} nodes (limit {MAX_NODES}); use a larger element size"
            ),
        ));
    }
    Ok(())
}
