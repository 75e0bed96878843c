//! Running CalculiX (`ccx`) safely (docs/fea.md §4.5).
//!
//! * Every job gets a fresh [`tempfile::TempDir`] (removed on every path by its drop guard):
//!   concurrent jobs never share a directory or a file name, and the process-wide working
//!   directory is never changed (the child gets `current_dir`).
//! * The program is started directly with an argument list (`ccx -i job`), never through a
//!   shell. Which program runs is decided by the host ([`Solver::locate`]: `CRISTALLO_CCX`,
//!   else `ccx` on `PATH`), never by a tool parameter.
//! * stdout and stderr go to files in the job directory, so a chatty solver can never block
//!   on a full pipe and no reader threads are needed.
//! * The child is polled with `try_wait`; on timeout or cancellation it is killed and reaped.
//! * Success is not the exit code: ccx exits 0 after `*ERROR in readinput`. A run succeeded
//!   only with exit code 0, no `*ERROR` line in stdout/stderr and a `job.dat` file (its
//!   contents are checked by the parser).

use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::{Cancel, Progress, ToolError};

/// Environment variable naming the solver program (host/test setting).
pub const CCX_ENV: &str = "CRISTALLO_CCX";
/// Lines of solver output quoted in a failure message.
const TAIL_LINES: usize = 12;

/// Why the solver did not deliver results.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SolverError {
    /// The program could not be found or started (`solver_missing`).
    #[error("CalculiX solver '{program}' not found: install it (Debian/Ubuntu: apt-get install calculix-ccx) or set CRISTALLO_CCX")]
    Missing { program: String },
    /// It ran but reported an error or left no usable output (`solver_failed`).
    #[error("CalculiX failed: {message}")]
    Failed { message: String },
    /// It ran past the time limit and was killed (`solver_timeout`).
    #[error("CalculiX did not finish within {seconds} s and was stopped (raise timeout_s or use a coarser mesh)")]
    Timeout { seconds: f64 },
    /// The user cancelled the run; the solver was killed.
    #[error("the run was cancelled")]
    Cancelled,
}

impl SolverError {
    /// Stable code of the error (docs/fea.md §5).
    pub fn code(&self) -> &'static str {
        match self {
            SolverError::Missing { .. } => "solver_missing",
            SolverError::Failed { .. } => "solver_failed",
            SolverError::Timeout { .. } => "solver_timeout",
            SolverError::Cancelled => "cancelled",
        }
    }
}

impl From<SolverError> for ToolError {
    fn from(e: SolverError) -> Self {
        match e {
            SolverError::Cancelled => ToolError::Cancelled,
            other => ToolError::Solver {
                code: other.code().to_string(),
                message: other.to_string(),
            },
        }
    }
}

/// What one ccx run left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct SolverRun {
    /// Contents of `job.dat`.
    pub dat: String,
    /// Captured stdout (for warnings).
    pub stdout: String,
    /// Wall time of the ccx process (s).
    pub wall_time_s: f64,
}

/// How to run the solver: the program, a time limit and the thread count.
#[derive(Debug, Clone, PartialEq)]
pub struct Solver {
    pub program: PathBuf,
    pub timeout: Duration,
    pub threads: u32,
    /// Keep the job directory (its path is returned in the error/log) instead of removing it.
    pub keep_dir: bool,
}

impl Solver {
    /// A solver running `program` with the given limits.
    pub fn new(program: impl Into<PathBuf>, timeout: Duration, threads: u32) -> Self {
        Self {
            program: program.into(),
            timeout,
            threads: threads.max(1),
            keep_dir: false,
        }
    }

    /// The host's solver program: `CRISTALLO_CCX` if set (and not empty), else `ccx` found
    /// on `PATH`.
    pub fn locate() -> Result<PathBuf, SolverError> {
        if let Some(p) = std::env::var_os(CCX_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        which::which("ccx").map_err(|_| SolverError::Missing {
            program: "ccx".into(),
        })
    }

    /// Writes `deck` as `job.inp` into a fresh temporary directory, runs the solver there and
    /// returns `job.dat`. The directory is removed when this returns (unless `keep_dir`).
    pub fn run(
        &self,
        deck: &str,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<SolverRun, SolverError> {
        let dir = tempfile::Builder::new()
            .prefix("cristallo-fea-")
            .tempdir()
            .map_err(|e| failed(format!("cannot create a job directory: {e}")))?;
        let result = self.run_in(dir.path(), deck, progress, cancel);
        if self.keep_dir {
            let _ = dir.keep();
        }
        result
    }

    fn run_in(
        &self,
        dir: &Path,
        deck: &str,
        progress: &Progress,
        cancel: &Cancel,
    ) -> Result<SolverRun, SolverError> {
        std::fs::write(dir.join("job.inp"), deck)
            .map_err(|e| failed(format!("cannot write job.inp: {e}")))?;
        let out_path = dir.join("ccx_stdout.txt");
        let err_path = dir.join("ccx_stderr.txt");
        let stdout = File::create(&out_path).map_err(|e| failed(e.to_string()))?;
        let stderr = File::create(&err_path).map_err(|e| failed(e.to_string()))?;
        let threads = self.threads.to_string();
        let mut cmd = Command::new(&self.program);
        cmd.args(["-i", "job"])
            .current_dir(dir)
            .env("OMP_NUM_THREADS", &threads)
            .env("CCX_NPROC_EQUATION_SOLVER", &threads)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        #[cfg(unix)]
        {
            // Own process group: a Ctrl-C in the host's terminal does not hit the solver.
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cancel.check().map_err(|_| SolverError::Cancelled)?;
        let start = Instant::now();
        let mut child = cmd.spawn().map_err(|e| match e.kind() {
            ErrorKind::NotFound => SolverError::Missing {
                program: self.program.display().to_string(),
            },
            _ => failed(format!("cannot start '{}': {e}", self.program.display())),
        })?;
        progress.report(0.2, "solving");
        let mut last_report = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(failed(format!("cannot wait for the solver: {e}")));
                }
            }
            if cancel.is_cancelled() {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SolverError::Cancelled);
            }
            let elapsed = start.elapsed();
            if elapsed > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SolverError::Timeout {
                    seconds: self.timeout.as_secs_f64(),
                });
            }
            if last_report.elapsed() > Duration::from_millis(500) {
                last_report = Instant::now();
                let modes_done = std::fs::read_to_string(&out_path)
                    .map(|s| s.matches("U^T*M*U").count())
                    .unwrap_or(0);
                let msg = format!(
                    "solving ({:.0} s, {modes_done} modes normalised)",
                    elapsed.as_secs_f64()
                );
                let frac = 0.2 + 0.7 * (1.0 - (-elapsed.as_secs_f64() / 5.0).exp());
                progress.report(frac, &msg);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let wall_time_s = start.elapsed().as_secs_f64();
        progress.report(0.9, "reading results");
        let out = read_lossy(&out_path);
        let err = read_lossy(&err_path);
        let combined = format!("{out}\n{err}");
        if let Some(line) = combined.lines().find(|l| l.contains("*ERROR")) {
            return Err(failed(format!(
                "{}; last output:\n{}",
                line.trim(),
                tail(&combined)
            )));
        }
        if !status.success() {
            return Err(failed(format!(
                "ccx exited with {status}; last output:\n{}",
                tail(&combined)
            )));
        }
        let dat = std::fs::read(dir.join("job.dat")).map_err(|_| {
            failed(format!(
                "no job.dat was written; last output:\n{}",
                tail(&combined)
            ))
        })?;
        Ok(SolverRun {
            dat: String::from_utf8_lossy(&dat).into_owned(),
            stdout: combined,
            wall_time_s,
        })
    }
}

fn failed(message: impl Into<String>) -> SolverError {
    SolverError::Failed {
        message: message.into(),
    }
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The last non-empty lines of the solver output.
fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// The first `*ERROR` line of a solver output, if any (ccx may exit 0 after one).
pub fn first_error_line(output: &str) -> Option<&str> {
    output.lines().find(|l| l.contains("*ERROR")).map(str::trim)
}

/// Distinct `*WARNING` messages of ccx (with their continuation lines), at most 5, without
/// the benign "no elastic constants were assigned to material MASS" that ccx 2.20 prints for
/// every deck with MASS elements.
pub fn solver_warnings(output: &str) -> Vec<String> {
    let lines: Vec<&str> = output.lines().collect();
    let mut found: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("*WARNING") {
            continue;
        }
        let mut text = line.trim().to_string();
        for next in &lines[i + 1..] {
            if next.trim().is_empty() || !next.starts_with(' ') || next.contains('*') {
                break;
            }
            text.push(' ');
            text.push_str(next.trim());
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let benign = text.contains("no elastic constants") && text.contains("material MASS");
        if !benign && !found.contains(&text) {
            found.push(text);
        }
        if found.len() == 5 {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benign_mass_warning_is_filtered() {
        let out = " *WARNING in calinput: no elastic constants \n  were assigned to material MASS\n          in a (thermo)mechanical calculation\n\n *WARNING in x: something odd\n\n *WARNING in x: something odd\n";
        assert_eq!(solver_warnings(out), vec!["*WARNING in x: something odd"]);
    }

    #[test]
    fn missing_program_names_the_package() {
        let s = Solver::new("/nonexistent/ccx-xyz", Duration::from_secs(5), 1);
        let e = s
            .run("*HEADING\n", &Progress::none(), &Cancel::new())
            .unwrap_err();
        assert_eq!(e.code(), "solver_missing");
        assert!(e.to_string().contains("calculix-ccx"), "{e}");
    }
}
