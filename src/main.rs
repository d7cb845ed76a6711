fn main() -> std::process::ExitCode {
    mturk_triage::cli::main()
}
