//! The ccx runner with fake solvers (small shell scripts written into a temporary directory):
//! success is not the exit code, `*ERROR` lines are caught on stdout and stderr, a missing
//! `job.dat` or a short eigenvalue table is a failure, a solver running past the timeout or a
//! cancelled run is killed, and the job directory is removed on every path. The solver program
//! is injected through the Rust API, so the process environment is never touched here.
//!
//! All scripted cases run sequentially in one test: a script is written and then executed, and
//! a concurrent fork from another test thread could briefly hold it open ("text file busy").

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::fake_program as script;
use cristallo_core::fea::{self, FeaParams, Solver, SolverError};
use cristallo_core::{Cancel, Progress, ToolError};

const MISSING_INPUT: &str = include_str!("fixtures/fea/ccx_stdout_missing_input.txt");

fn dat_fixture() -> String {
    common::fixture_path("fea", "default_beam_shell.dat")
}

fn run(program: &Path, timeout_s: u64, cancel: &Cancel) -> Result<fea::SolverRun, SolverError> {
    Solver::new(program, Duration::from_secs(timeout_s), 2).run(
        "*HEADING\nfake\n",
        &Progress::none(),
        cancel,
    )
}

fn analyse(program: &Path) -> Result<cristallo_core::ToolResult, ToolError> {
    let p = FeaParams::default();
    fea::analyse(
        &p,
        p.to_value(),
        Some(program),
        &Progress::none(),
        &Cancel::new(),
    )
}

/// The job directory a script recorded in `where_file` no longer exists.
fn assert_job_dir_removed(where_file: &Path) {
    let dir = std::fs::read_to_string(where_file).unwrap();
    let dir = dir.trim();
    assert!(dir.contains("cristallo-fea-"), "job dir {dir}");
    assert!(!Path::new(dir).exists(), "job dir {dir} was not removed");
    std::fs::remove_file(where_file).unwrap();
}

#[test]
fn fake_solvers_are_detected_killed_and_cleaned_up() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let where_file = d.join("where.txt");
    let w = where_file.display();
    let dat = dat_fixture();

    let error_exit0 = script(
        d,
        "error_exit0.sh",
        &format!("pwd > '{w}'\ncat <<'EOF'\n{MISSING_INPUT}\nEOF\nexit 0"),
    );
    let error_stderr = script(
        d,
        "error_stderr.sh",
        "echo ' *ERROR in calinput: bad card' >&2\nexit 0",
    );
    let exit1 = script(d, "exit1.sh", "echo 'something went wrong'\nexit 1");
    let sleeper = script(d, "sleeper.sh", &format!("pwd > '{w}'\nexec sleep 30"));
    let no_dat = script(d, "no_dat.sh", "echo ' Job finished'\nexit 0");
    let short_dat = script(
        d,
        "short_dat.sh",
        &format!("grep -v '0.1328442E+03' '{dat}' > job.dat\nexit 0"),
    );
    // A well-behaved fake: checks its arguments, input and environment, then "solves".
    let good = script(
        d,
        "good.sh",
        &format!(
            "pwd > '{w}'\n\
             [ \"$1\" = \"-i\" ] && [ \"$2\" = \"job\" ] || {{ echo \"*ERROR args $*\"; exit 1; }}\n\
             [ -s job.inp ] || {{ echo '*ERROR no job.inp'; exit 1; }}\n\
             [ \"$OMP_NUM_THREADS\" = 1 ] && [ \"$CCX_NPROC_EQUATION_SOLVER\" = 1 ] || {{ echo '*ERROR env'; exit 1; }}\n\
             cp '{dat}' job.dat\n\
             echo ' *WARNING in calinput: no elastic constants '\n\
             echo '  were assigned to material MASS'\n\
             echo ''\n\
             echo ' *WARNING in gen3dnor: a rotation was adjusted'\n\
             exit 0"
        ),
    );

    // ccx prints *ERROR and exits 0.
    match run(&error_exit0, 30, &Cancel::new()) {
        Err(SolverError::Failed { message }) => {
            assert!(
                message.contains("*ERROR in readinput: cannot open file"),
                "{message}"
            )
        }
        other => panic!("expected solver_failed, got {other:?}"),
    }
    assert_job_dir_removed(&where_file);
    // *ERROR on stderr.
    let e = run(&error_stderr, 30, &Cancel::new()).unwrap_err();
    assert_eq!(e.code(), "solver_failed");
    assert!(e.to_string().contains("bad card"), "{e}");
    // Non-zero exit without *ERROR.
    let e = run(&exit1, 30, &Cancel::new()).unwrap_err();
    assert_eq!(e.code(), "solver_failed");
    assert!(e.to_string().contains("something went wrong"), "{e}");
    // Exit 0 but no job.dat.
    let e = run(&no_dat, 30, &Cancel::new()).unwrap_err();
    assert!(e.to_string().contains("no job.dat"), "{e}");
    // A job.dat with a short eigenvalue table, through the tool's analysis.
    match analyse(&short_dat) {
        Err(ToolError::Solver { code, message }) => {
            assert_eq!(code, "solver_failed");
            assert!(message.contains("could not read"), "{message}");
        }
        other => panic!("expected solver_failed, got {other:?}"),
    }

    // Timeout: the solver is killed long before its 30 s sleep ends.
    let start = Instant::now();
    let e = run(&sleeper, 1, &Cancel::new()).unwrap_err();
    assert_eq!(e, SolverError::Timeout { seconds: 1.0 });
    assert!(start.elapsed() < Duration::from_secs(20), "not killed");
    assert_job_dir_removed(&where_file);
    let tool_error = ToolError::from(e);
    assert_eq!(tool_error.code(), Some("solver_timeout"));
    assert!(tool_error.to_string().contains("timeout_s"), "{tool_error}");

    // Cancellation from another thread.
    let cancel = Cancel::new();
    let c = cancel.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c.cancel();
    });
    let start = Instant::now();
    assert_eq!(run(&sleeper, 60, &cancel), Err(SolverError::Cancelled));
    assert!(start.elapsed() < Duration::from_secs(20), "not killed");
    t.join().unwrap();
    assert_job_dir_removed(&where_file);
    assert_eq!(
        ToolError::from(SolverError::Cancelled),
        ToolError::Cancelled
    );

    // The well-behaved fake: results from its job.dat; the benign MASS warning is filtered.
    let r = analyse(&good).unwrap();
    assert_job_dir_removed(&where_file);
    assert_eq!(r.scalar("natural_frequency_1_hz"), Some(7.450485));
    assert_eq!(r.scalar("mode_count"), Some(6.0));
    assert_eq!(
        r.warnings,
        vec!["ccx: *WARNING in gen3dnor: a rotation was adjusted".to_string()]
    );
}

#[test]
fn a_missing_solver_names_the_debian_package() {
    let e = analyse(Path::new("/nonexistent/cristallo/ccx")).unwrap_err();
    assert_eq!(e.code(), Some("solver_missing"));
    let text = e.to_string();
    assert!(text.contains("apt-get install calculix-ccx"), "{text}");
    assert!(text.contains("CRISTALLO_CCX"), "{text}");
}

#[test]
fn deck_only_needs_no_solver() {
    let p = FeaParams {
        solve: false,
        ..FeaParams::default()
    };
    let r = fea::analyse(
        &p,
        p.to_value(),
        Some(Path::new("/nonexistent/cristallo/ccx")),
        &Progress::none(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(r.scalar("node_count"), Some(4939.0));
    assert!(r.scalar("natural_frequency_1_hz").is_none());
}
