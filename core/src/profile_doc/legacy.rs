//! Imports of profiles the original Cristallo app wrote, and of any accepted profile file.
//!
//! The original Cristallo app wrote two profile formats, both flagged `imported-legacy-*` and
//! imported with the warning [`LEGACY_DAMPING_WARNING`] (its circle fit makes dampers about
//! 4× too high, docs/measured.md §6.1):
//!
//! * an 8-line `;`-separated CSV: masses, stiffnesses, dampers, natural frequencies, loss
//!   factors η, then one line per mode with its shape over floors 1..3 scaled to max |φ| = 1.
//!   The shapes are mass-normalised here with the file's masses (`φ / √(φᵀ M φ)`) and the loss
//!   factor becomes the viscous ratio ζ = η/2 (the relation at resonance);
//! * a JSON object with `m1..m3`, `k1..k3`, `c1..c3` (and `disp_m/k/c`, carried over as the
//!   standard deviations), read by [`crate::lumped::import_original_profile`].

use serde_json::Value;

use super::{
    check_rule, field, ModalData, Origin, OriginKind, ProfileDoc, ProfileStd, NAME_MAX_CHARS, ROOT,
};
use crate::lumped::import_original_profile;
use crate::ToolError;

/// The warning every legacy import carries.
pub const LEGACY_DAMPING_WARNING: &str = "legacy dampers about 4× too high: the original app's circle fit overestimates damping (docs/measured.md §6.1); re-identify the model with model-update before trusting c1..c3";

/// A profile read from another format, with what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub profile: ProfileDoc,
    pub warnings: Vec<String>,
}

/// Reads the original app's 8-line `;` profile CSV (see the module docs). `name` names the
/// profile (the CSV has no name).
pub fn import_legacy_csv(text: &str, name: &str) -> Result<Imported, ToolError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() != 8 {
        return Err(ToolError::invalid(
            ROOT,
            format!(
                "a legacy profile CSV has 8 lines (m; k; c; fn; η; 3 mode shapes), this one has {}",
                lines.len()
            ),
        ));
    }
    const WHAT: [&str; 8] = [
        "masses_kg",
        "stiffnesses_n_per_m",
        "dampings_ns_per_m",
        "modal.natural_frequencies_hz",
        "modal.damping_ratios",
        "modal.mode_shapes_mass_normalised",
        "modal.mode_shapes_mass_normalised",
        "modal.mode_shapes_mass_normalised",
    ];
    let mut rows = [[0.0; 3]; 8];
    for (i, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split(';').map(str::trim).collect();
        let parsed: Option<Vec<f64>> = fields
            .iter()
            .map(|f| f.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        match parsed {
            Some(v) if v.len() == 3 => rows[i] = [v[0], v[1], v[2]],
            _ => {
                return Err(ToolError::invalid(
                    field(WHAT[i]),
                    format!(
                        "line {}: expected 3 finite numbers separated by ';', got '{line}'",
                        i + 1
                    ),
                ))
            }
        }
    }
    let masses = rows[0];
    let mut shapes = [rows[5], rows[6], rows[7]];
    check_rule("masses_kg", &masses, "> 0 kg", |x| x > 0.0)?;
    for (r, shape) in shapes.iter_mut().enumerate() {
        let modal_mass: f64 = shape.iter().zip(&masses).map(|(p, m)| m * p * p).sum();
        if !(modal_mass > 0.0 && modal_mass.is_finite()) {
            return Err(ToolError::invalid(
                field("modal.mode_shapes_mass_normalised"),
                format!("line {}: the shape of mode {} is zero", r + 6, r + 1),
            ));
        }
        let scale = modal_mass.sqrt();
        shape.iter_mut().for_each(|p| *p /= scale);
    }
    let mut profile = ProfileDoc::new(name, masses, rows[1], rows[2]);
    profile.origin = Origin::of(OriginKind::ImportedLegacyCsv);
    profile.modal = Some(ModalData {
        natural_frequencies_hz: rows[3],
        damping_ratios: rows[4].map(|eta| eta / 2.0),
        mode_shapes_mass_normalised: shapes,
    });
    profile.notes = format!(
        "imported from an original Cristallo profile CSV; loss factors η = {}; {}",
        rows[4].map(|x| x.to_string()).join(", "),
        "damping ratios are η/2; shapes mass-normalised with the file's masses"
    );
    profile.validate()?;
    Ok(Imported {
        profile,
        warnings: vec![LEGACY_DAMPING_WARNING.to_string()],
    })
}

/// Reads the original app's JSON profile (`m1..m3`, `k1..k3`, `c1..c3`, `disp_*`, `source`);
/// `name` overrides the name taken from `source`.
pub fn import_legacy_json(v: &Value, name: Option<&str>) -> Result<Imported, ToolError> {
    let (p, disp) = import_original_profile(v)?;
    let name: String = name
        .map(str::to_string)
        .unwrap_or(p.name)
        .chars()
        .take(NAME_MAX_CHARS)
        .collect();
    let mut profile = ProfileDoc::new(
        &name,
        p.masses_kg,
        p.stiffnesses_n_per_m,
        p.dampings_ns_per_m,
    );
    profile.origin = Origin::of(OriginKind::ImportedLegacyJson);
    if disp.mass_std != 0.0 || disp.stiffness_std != 0.0 || disp.damping_std != 0.0 {
        profile.std = Some(ProfileStd {
            masses_kg: [disp.mass_std; 3],
            stiffnesses_n_per_m: [disp.stiffness_std; 3],
            dampings_ns_per_m: [disp.damping_std; 3],
        });
    }
    profile.notes = format!("{} (source: {})", p.notes, p.source);
    profile.validate()?;
    Ok(Imported {
        profile,
        warnings: vec![LEGACY_DAMPING_WARNING.to_string()],
    })
}

/// Imports a file of any accepted format: a `cristallo.profile/1` document, the original app's
/// JSON profile, or its 8-line CSV. `name` (if given) replaces the file's name; `file_name` is
/// the fallback name of a CSV (its stem).
pub fn import_any(
    text: &str,
    name: Option<&str>,
    file_name: Option<&str>,
) -> Result<Imported, ToolError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ToolError::invalid(ROOT, format!("not valid JSON: {e}")))?;
        if v.get("schema").is_some() {
            let mut profile = ProfileDoc::from_json(&v)?;
            if let Some(n) = name {
                profile.name = n.to_string();
                profile.validate()?;
            }
            return Ok(Imported {
                profile,
                warnings: Vec::new(),
            });
        }
        return import_legacy_json(&v, name);
    }
    let stem = file_name
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f))
        .map(|f| f.rsplit_once('.').map_or(f, |(s, _)| s))
        .filter(|s| !s.trim().is_empty());
    let name: String = name
        .or(stem)
        .unwrap_or("imported legacy profile")
        .chars()
        .take(NAME_MAX_CHARS)
        .collect();
    import_legacy_csv(text, &name)
}
