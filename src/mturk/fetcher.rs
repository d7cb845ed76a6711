//! The page fetcher: lists every pending Qualification request, page by page.

/// `mturk-triage list`.
pub async fn run_list_cli(_args: crate::cli::ListArgs) -> Result<std::process::ExitCode, String> {
    Err("list: not implemented yet".into())
}
