//! Command-line interface: flags, sub-commands and dispatch.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mturk-triage",
    version,
    about = "Triage pending Amazon Mechanical Turk Qualification requests from the keyboard",
    long_about = "Opens the dashboard on MTurk (sandbox unless --production or --endpoint-url). \
                  Try it without an MTurk account: `mturk-triage demo`.",
    // `mturk-triage --endpoint-url X list` must not quietly list the sandbox: the dashboard's
    // flags go after no sub-command, a sub-command's after its name.
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub dash: DashArgs,
}

/// Which MTurk to talk to.
#[derive(Debug, Clone, Default, Args)]
pub struct EnvArgs {
    /// Use the MTurk sandbox (the default).
    #[arg(long, conflicts_with_all = ["production", "endpoint_url"])]
    pub sandbox: bool,
    /// Use the production MTurk marketplace (real workers, real money).
    #[arg(long, conflicts_with = "endpoint_url")]
    pub production: bool,
    /// Any server speaking the MTurk protocol, e.g. http://127.0.0.1:43121 for `mturk-triage sim`.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// AWS profile for credentials (shared config/credentials files, SSO, credential_process).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Dashboard options.
#[derive(Debug, Clone, Default, Args)]
pub struct DashArgs {
    /// Only requests for this Qualification type (default: all types you own).
    #[arg(long, value_name = "ID", value_parser = parse_type_id)]
    pub qualification_type_id: Option<String>,
    /// Seconds a decision waits (and can be undone with `u`) before it is sent; 0 sends at once.
    #[arg(long, value_name = "N", value_parser = parse_undo_secs, allow_negative_numbers = true)]
    pub undo_secs: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a local sim with the built-in data set and open the dashboard on it.
    Demo(DemoArgs),
    /// Run a local MTurk-protocol server (for tests, demos and trying the tool).
    Sim(SimArgs),
    /// Print all pending Qualification requests (all pages) and exit.
    List(ListArgs),
    /// Print the review of one Test + Answer (+ AnswerKey) as plain text and exit.
    Show(ShowArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub dash: DashArgs,
    /// Pending requests the demo sim generates (at most 100000).
    #[arg(long, default_value_t = 60, value_parser = parse_requests, allow_negative_numbers = true)]
    pub requests: usize,
}

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port. The first stdout line is the endpoint URL.
    #[arg(long, default_value = "127.0.0.1:0", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Folder of `*.questionform.xml` files, each becoming an owned qualification type.
    /// Without it: the built-in data set.
    #[arg(long, value_name = "DIR")]
    pub forms: Option<PathBuf>,
    /// How many pending requests to generate across the types (at most 100000).
    #[arg(long, default_value_t = 40, value_parser = parse_requests, allow_negative_numbers = true)]
    pub requests: usize,
    /// JSON Lines of explicit requests (QualificationTypeId, WorkerId, Test, Answer, SubmitTime).
    #[arg(long, value_name = "FILE")]
    pub requests_file: Option<PathBuf>,
    /// Seed for the generated data (same seed, same data).
    #[arg(long, default_value_t = 1, value_parser = parse_seed, allow_negative_numbers = true)]
    pub seed: u64,
    /// Delay added to every response, in milliseconds (at most 600000).
    #[arg(long, default_value_t = 0, value_parser = parse_latency_ms, allow_negative_numbers = true)]
    pub latency_ms: u64,
    /// Fraction (0..=1) of calls answered with ServiceFault, ThrottlingException or a dropped
    /// connection.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub fault_rate: f64,
    /// Append one JSON line per successful state-changing call to FILE.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Allow --listen on an address that is not loopback (the sim has no authentication).
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// Serve a form's NAME.answerkey.xml as the type's AnswerKey (not faithful: see docs/sim.md).
    #[arg(long)]
    pub expose_answer_keys: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    /// Only requests for this Qualification type (default: all types you own).
    #[arg(long, value_name = "ID", value_parser = parse_type_id)]
    pub qualification_type_id: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// Include the Test and Answer XML.
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// The QuestionForm (the request's Test).
    #[arg(long, value_name = "FORM.xml")]
    pub test: PathBuf,
    /// The QuestionFormAnswers (the request's Answer).
    #[arg(long, value_name = "ANSWERS.xml")]
    pub answer: PathBuf,
    /// An AnswerKey to grade with.
    #[arg(long, value_name = "KEY.xml")]
    pub answer_key: Option<PathBuf>,
    /// Output width in columns, at least 20 (default: the terminal's, or 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(i64::from(crate::qform::show::MIN_WIDTH)..))]
    pub width: Option<u16>,
}

/// A qualification type id as MTurk writes them: 1–64 capital letters and digits.
fn parse_type_id(s: &str) -> Result<String, String> {
    let t = s.trim();
    if !t.is_empty()
        && t.len() <= 64
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(t.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a qualification type id: those are 1-64 capital letters and digits, \
             e.g. 3TKVBRE0N5XBMN1DVAPD62ANR4GZ3A (and differ between sandbox and production)"
        ))
    }
}

/// `127.0.0.1:PORT`, `[::1]:PORT`, or `localhost:PORT` (taken as 127.0.0.1).
fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let t = s.trim();
    let t = match t.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => t.to_owned(),
    };
    if let Ok(addr) = t.parse() {
        return Ok(addr);
    }
    let Some((host, port)) = t.rsplit_once(':') else {
        return Err("not an address with a port, e.g. 127.0.0.1:0".into());
    };
    let bracketed = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    let host_ok = match bracketed {
        Some(h) => h.parse::<std::net::Ipv6Addr>().is_ok(),
        None => host.parse::<std::net::Ipv4Addr>().is_ok(),
    };
    if !host_ok {
        if bracketed.is_none() && host.parse::<std::net::Ipv6Addr>().is_ok() {
            return Err("an IPv6 address needs brackets, e.g. [::1]:0".into());
        }
        return Err(format!(
            "{host:?} is not an IP address (use 127.0.0.1, [::1] or localhost)"
        ));
    }
    Err(format!(
        "the port must be 0–65535 (0 picks a free one), not {port:?}"
    ))
}

/// A whole number from 0 to `max`, with a message that says so (negative numbers reach this
/// parser: the flags using it set `allow_negative_numbers`).
fn whole_number(s: &str, max: u64) -> Result<u64, String> {
    match s.trim().parse::<i128>() {
        Ok(n) if (0..=i128::from(max)).contains(&n) => u64::try_from(n).map_err(|e| e.to_string()),
        Ok(_) => Err(format!("must be from 0 to {max}")),
        Err(_) => Err(format!("not a whole number (0 to {max})")),
    }
}

fn parse_undo_secs(s: &str) -> Result<u64, String> {
    whole_number(s, 3600)
}

fn parse_requests(s: &str) -> Result<usize, String> {
    whole_number(s, 100_000).and_then(|n| usize::try_from(n).map_err(|e| e.to_string()))
}

fn parse_latency_ms(s: &str) -> Result<u64, String> {
    whole_number(s, 600_000)
}

fn parse_seed(s: &str) -> Result<u64, String> {
    whole_number(s, u64::MAX)
}

/// Parse the command line and run. Errors are printed as one clear line; no panic reaches the user.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("mturk-triage: {msg}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Some(Command::Sim(args)) => runtime()?.block_on(crate::mturk::sim::run_cli(args)),
        Some(Command::List(args)) => runtime()?.block_on(crate::mturk::fetcher::run_list_cli(args)),
        Some(Command::Show(args)) => crate::qform::show::run_cli(args),
        Some(Command::Demo(args)) => runtime()?.block_on(crate::runtime::run_demo(args)),
        None => runtime()?.block_on(crate::runtime::run_dashboard(cli.env, cli.dash)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_and_their_errors() {
        assert_eq!(
            parse_listen("localhost:8080").unwrap(),
            "127.0.0.1:8080".parse().unwrap()
        );
        assert_eq!(parse_listen("[::1]:0").unwrap(), "[::1]:0".parse().unwrap());
        assert_eq!(
            parse_listen("127.0.0.1:99999").unwrap_err(),
            "the port must be 0–65535 (0 picks a free one), not \"99999\""
        );
        assert_eq!(
            parse_listen("[::1]:-1").unwrap_err(),
            "the port must be 0–65535 (0 picks a free one), not \"-1\""
        );
        assert_eq!(
            parse_listen("localhost:http").unwrap_err(),
            "the port must be 0–65535 (0 picks a free one), not \"http\""
        );
        assert_eq!(
            parse_listen("127.0.0.1").unwrap_err(),
            "not an address with a port, e.g. 127.0.0.1:0"
        );
        assert_eq!(
            parse_listen("::1:80").unwrap_err(),
            "an IPv6 address needs brackets, e.g. [::1]:0"
        );
        assert_eq!(
            parse_listen("example.org:80").unwrap_err(),
            "\"example.org\" is not an IP address (use 127.0.0.1, [::1] or \
             localhost)"
        );
    }

    #[test]
    fn negative_numbers_reach_the_value_parsers() {
        let err = |args: &[&str]| {
            Cli::try_parse_from(args)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(&["mturk-triage", "--undo-secs", "-1"])
                .contains("invalid value '-1' for '--undo-secs <N>': must be from 0 to 3600"),
            "{}",
            err(&["mturk-triage", "--undo-secs", "-1"])
        );
        assert!(
            err(&["mturk-triage", "--undo-secs", "3601"])
                .contains("invalid value '3601' for '--undo-secs <N>': must be from 0 to 3600")
        );
        assert!(
            err(&["mturk-triage", "--undo-secs", "x"]).contains(
                "invalid value 'x' for '--undo-secs <N>': not a whole number (0 to 3600)"
            )
        );
        assert!(
            err(&["mturk-triage", "sim", "--requests", "-1"]).contains(
                "invalid value '-1' for '--requests <REQUESTS>': must be from 0 to 100000"
            ),
            "{}",
            err(&["mturk-triage", "sim", "--requests", "-1"])
        );
        assert!(
            err(&["mturk-triage", "demo", "--requests", "-5"]).contains(
                "invalid value '-5' for '--requests <REQUESTS>': must be from 0 to 100000"
            )
        );
        assert!(
            err(&["mturk-triage", "sim", "--latency-ms", "-1"])
                .contains("must be from 0 to 600000")
        );
        assert!(
            err(&["mturk-triage", "sim", "--seed", "-1"])
                .contains("must be from 0 to 18446744073709551615")
        );
        // Other parsing is unchanged: a flag after a number flag is still a flag.
        let cli = Cli::try_parse_from(["mturk-triage", "--undo-secs", "0", "--sandbox"]).unwrap();
        assert_eq!(cli.dash.undo_secs, Some(0));
        assert!(cli.env.sandbox);
        let cli =
            Cli::try_parse_from(["mturk-triage", "sim", "--requests", "7", "--seed", "3"]).unwrap();
        match cli.command {
            Some(Command::Sim(a)) => assert_eq!((a.requests, a.seed), (7, 3)),
            other => panic!("{other:?}"),
        }
        assert!(err(&["mturk-triage", "--undo-secs", "--sandbox"]).contains("--undo-secs"));
    }
}
