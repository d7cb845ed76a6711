//! `mturk-triage show`: the review of one Test + Answer as plain text.

/// `mturk-triage show`.
pub fn run_cli(_args: crate::cli::ShowArgs) -> Result<std::process::ExitCode, String> {
    Err("show: not implemented yet".into())
}
