//! Golden tests of `vibration-control` against the Cristallo reference set
//! (`tests/fixtures/control/`, see its README): the 7 cases of our contract through the tool,
//! and the core functions against the original app's numbers, plus property tests.

#[path = "../common/mod.rs"]
mod common;
mod contract;
mod original;
mod properties;

use std::f64::consts::PI;

use num_complex::Complex64;
use serde_json::{json, Value};

use common::{close, num as f, nums as fv};
use cristallo_core::control::care::{norm1, residual};
use cristallo_core::control::compensator::Compensator;
use cristallo_core::control::device::{Device, DeviceParams};
use cristallo_core::control::eigen::eigenvalues;
use cristallo_core::control::feedback::{max_stable_gains, plant};
use cristallo_core::control::lqg::{design, LqgWeights};
use cristallo_core::control::margins::crossings;
use cristallo_core::control::poles::{
    dvf_ec_matrix, dvf_matrix, lqg_matrix, max_real_part, pole_table,
};
use cristallo_core::control::rig::structure;
use cristallo_core::control::sweep::{self, energy_db, grid};
use cristallo_core::ToolResult;

fn fixture(name: &str) -> Value {
    common::fixture("control", name)
}

fn run_tool(params: &Value) -> ToolResult {
    common::run_ok("vibration-control", params)
}

/// Collects mismatches so one run reports all of them.
#[derive(Default)]
struct Report(Vec<String>);

impl Report {
    fn check(&mut self, what: impl std::fmt::Display, got: f64, want: f64, rel: f64, abs: f64) {
        if !close(got, want, rel, abs) {
            self.0.push(format!(
                "{what}: got {got:.12e}, want {want:.12e} (rel {rel:e}, abs {abs:e}, diff {:.3e})",
                got - want
            ));
        }
    }
    fn fail(&mut self, msg: String) {
        self.0.push(msg);
    }
    fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatches:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn table_rows(r: &ToolResult, name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let t = r
        .table_named(name)
        .unwrap_or_else(|| panic!("table {name} missing"));
    let rows = t
        .rows
        .iter()
        .map(|row| row.iter().map(f).collect())
        .collect();
    (t.columns.clone(), rows)
}

fn default_device(floor: usize) -> DeviceParams {
    DeviceParams {
        floor,
        base_mass_kg: 0.5,
        proof_mass_kg: 1.0,
        stiffness_n_per_m: 1670.0,
        damping_ns_per_m: 5.0,
    }
}
