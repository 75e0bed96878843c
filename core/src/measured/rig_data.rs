//! The rig's shipped measurements (`data/rig/`, BSD 3-Clause, see `data/rig/LICENSE`), embedded
//! in the binary so that the default parameters of `model-update` and `crossval` analyse the
//! real rig data on any machine. A parameter item `{"rig_file": "frfs/Experimental.csv"}`
//! selects one of them (an extension of docs/measured.md §3, which only knows `path` and `csv_text`).

macro_rules! rig {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rig/", $name)),
        )
    };
}

/// Complex accelerance files (force at floor 1, 2, 3), `;`-separated.
pub const FRF_FILES: [&str; 3] = [
    "frfs/Experimental.csv",
    "frfs/test_2.csv",
    "frfs/test_3.csv",
];

/// dB magnitude files of the four prototypes, `,`-separated.
pub const CROSSVAL_FILES: [&str; 5] = [
    "crossval/ExpDataSw.csv",
    "crossval/ExpDataSo.csv",
    "crossval/NumDataSw.csv",
    "crossval/NumDataSh.csv",
    "crossval/NumDataBr.csv",
];

static FILES: [(&str, &str); 8] = [
    rig!("frfs/Experimental.csv"),
    rig!("frfs/test_2.csv"),
    rig!("frfs/test_3.csv"),
    rig!("crossval/ExpDataSw.csv"),
    rig!("crossval/ExpDataSo.csv"),
    rig!("crossval/NumDataSw.csv"),
    rig!("crossval/NumDataSh.csv"),
    rig!("crossval/NumDataBr.csv"),
];

/// The text of the shipped file `name` (relative to `data/rig/`).
pub fn rig_file(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// All names accepted by [`rig_file`].
pub fn names() -> Vec<&'static str> {
    FILES.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_file_is_embedded() {
        for name in FRF_FILES.iter().chain(CROSSVAL_FILES.iter()) {
            assert!(rig_file(name).is_some_and(|t| t.len() > 10_000), "{name}");
        }
        assert_eq!(names().len(), 8);
        assert!(rig_file("frfs/nope.csv").is_none());
    }
}
