//! The one place where an `aws_sdk_mturk::Client` is built.
//!
//! * Sandbox is the default; production only with `--production`; any other MTurk-protocol
//!   server with `--endpoint-url`.
//! * The region is always `us-east-1` (MTurk exists nowhere else); a different region in the
//!   environment or profile is logged and ignored.
//! * Credentials come from the standard aws-config chain (environment, shared config and
//!   credentials files, SSO, credential_process), with `--profile`. A loopback endpoint without a
//!   profile (the local sim) gets static dummy credentials, so nothing probes the network for them.
//! * Timeouts and retries are explicit, see [`RETRY_MAX_ATTEMPTS`] and friends.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_mturk::Client;
use aws_sdk_mturk::config::retry::RetryConfig;
use aws_sdk_mturk::config::timeout::TimeoutConfig;
use aws_sdk_mturk::config::{Credentials, Region, SharedHttpClient};

pub const PRODUCTION_ENDPOINT: &str = "https://mturk-requester.us-east-1.amazonaws.com";
pub const SANDBOX_ENDPOINT: &str = "https://mturk-requester-sandbox.us-east-1.amazonaws.com";
pub const REGION: &str = "us-east-1";

/// Attempts per call (first try included) made by the SDK's standard retry mode. Throttling,
/// ServiceFault (HTTP 5xx) and transport errors are retried; RequestError never is.
pub const RETRY_MAX_ATTEMPTS: u32 = 3;
/// Backoff is `random(0..1) × initial × 2^(attempt-1)`, capped at max.
pub const RETRY_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
pub const RETRY_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// TCP/TLS connect.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// One attempt, from send to full response.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// A whole call including retries.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(90);

/// Static credentials used for the local sim (never real secrets).
pub const SIM_ACCESS_KEY: &str = "AKIDMTURKTRIAGESIM";
pub const SIM_SECRET_KEY: &str = "mturk-triage-sim-not-a-secret";

/// Which MTurk the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sandbox,
    Production,
    /// A normalised custom endpoint URL (no trailing slash).
    Custom(String),
    /// The in-process demo sim.
    Demo(String),
}

impl Target {
    /// Choose from the command-line flags; `--production` and `--endpoint-url` exclude each other
    /// (clap enforces it too).
    pub fn from_flags(production: bool, endpoint_url: Option<&str>) -> Result<Target, String> {
        match (production, endpoint_url) {
            (true, Some(_)) => {
                Err("--production and --endpoint-url cannot be used together".into())
            }
            (true, None) => Ok(Target::Production),
            (false, Some(url)) => {
                let url = normalize_endpoint(url)?;
                // The two AWS endpoints by another name: production still needs --production
                // (and shows its banner), whatever the scheme or port; the sandbox is the
                // sandbox.
                if endpoint_host(&url) == endpoint_host(PRODUCTION_ENDPOINT) {
                    return Err(format!(
                        "{url} is the production MTurk host: use --production instead of \
                         --endpoint-url (production is only ever reached by asking for it)"
                    ));
                }
                if is_sandbox(&url) {
                    Ok(Target::Sandbox)
                } else {
                    Ok(Target::Custom(url))
                }
            }
            (false, None) => Ok(Target::Sandbox),
        }
    }

    pub fn endpoint(&self) -> &str {
        match self {
            Target::Sandbox => SANDBOX_ENDPOINT,
            Target::Production => PRODUCTION_ENDPOINT,
            Target::Custom(u) | Target::Demo(u) => u,
        }
    }

    /// The short label shown in the header and written into the decision journal.
    pub fn label(&self) -> String {
        match self {
            Target::Sandbox => "SANDBOX".into(),
            Target::Production => "PRODUCTION".into(),
            Target::Custom(u) => u.clone(),
            Target::Demo(_) => "DEMO".into(),
        }
    }

    /// True when the endpoint is on this machine (the sim).
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(self.endpoint())
    }
}

/// Validate and normalise a custom endpoint URL: `http` or `https`, a host, no path, query or
/// fragment, no trailing slash (a trailing slash breaks SigV4 on some servers).
pub fn normalize_endpoint(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    // First of all, so that no other message repeats a password.
    let (scheme_part, after_scheme) = s.split_once("://").unwrap_or(("", s));
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(after_scheme);
    if let Some((_, host)) = authority.rsplit_once('@') {
        let shown = if scheme_part.is_empty() {
            format!("…@{host}")
        } else {
            format!("{scheme_part}://…@{host}")
        };
        return Err(format!(
            "endpoint URL {shown}: a user name or password does not belong in the URL; \
             credentials come from the AWS chain (environment, ~/.aws/credentials and config) \
             or --profile, never from the URL"
        ));
    }
    let (scheme, rest) = s
        .split_once("://")
        .ok_or_else(|| format!("endpoint URL {s:?} needs a scheme: http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "endpoint URL {s:?}: scheme must be http or https, not {scheme:?}"
        ));
    }
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return Err(format!("endpoint URL {s:?} has no host"));
    }
    if rest.contains(['/', '?', '#']) {
        return Err(format!(
            "endpoint URL {s:?}: give only scheme, host and port (MTurk answers on the path /)"
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("endpoint URL {s:?} contains white space"));
    }
    let (host, port) = split_host_port(rest).map_err(|e| format!("endpoint URL {s:?}: {e}"))?;
    if host.is_empty() {
        return Err(format!("endpoint URL {s:?} has no host"));
    }
    // A host name as DNS writes it (letters, digits, '-', '.'), an IPv6 address in brackets, or
    // an IPv4 address as four numbers: no percent-escapes or look-alike characters that some
    // layer would read differently, and no shorthand (127.1, 2130706433) that hides loopback.
    if !rest.starts_with('[') {
        if !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(format!(
                "endpoint URL {s:?}: {host:?} is not a host name (letters, digits, '-' and '.' only)"
            ));
        }
        let numeric = host
            .trim_end_matches('.')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.');
        if numeric && host.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(format!(
                "endpoint URL {s:?}: write an IPv4 address as four numbers, e.g. 127.0.0.1"
            ));
        }
    }
    if let Some(p) = port {
        let n = p
            .parse::<u32>()
            .ok()
            .filter(|_| p.bytes().all(|b| b.is_ascii_digit()));
        if !n.is_some_and(|n| (1..=65535).contains(&n)) {
            return Err(format!(
                "endpoint URL {s:?}: the port must be 1–65535, not {p:?}"
            ));
        }
    }
    Ok(format!("{scheme}://{rest}"))
}

/// `host[:port]` or `[v6][:port]` → (host, port as written). The host of a bracketed form is
/// returned without its brackets.
fn split_host_port(rest: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(inner) = rest.strip_prefix('[') {
        let (host, tail) = inner
            .split_once(']')
            .ok_or_else(|| "an IPv6 address opened with [ is never closed with ]".to_string())?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("[{host}] is not an IPv6 address"));
        }
        return match tail {
            "" => Ok((host, None)),
            t => match t.strip_prefix(':') {
                Some(p) => Ok((host, Some(p))),
                None => Err(format!(
                    "{t:?} after the IPv6 address: only :PORT may follow it"
                )),
            },
        };
    }
    match rest.split_once(':') {
        None => Ok((rest, None)),
        Some((host, port)) if !port.contains(':') => Ok((host, Some(port))),
        Some(_) => Err("an IPv6 address needs brackets, e.g. http://[::1]:8080".into()),
    }
}

/// The lower-cased host (without brackets or a trailing dot) and the port as written, of an
/// endpoint URL of any scheme.
pub fn host_and_port(url: &str) -> (String, Option<String>) {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => (v6, None),
        },
        None => match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    (
        host.trim_end_matches('.').to_ascii_lowercase(),
        port.map(str::to_owned),
    )
}

/// The host of an endpoint URL, as [`host_and_port`] gives it.
pub fn endpoint_host(url: &str) -> String {
    host_and_port(url).0
}

/// Whether `host` (as [`endpoint_host`] gives it) names this machine: `localhost`, 127.0.0.0/8,
/// `::1`, or an IPv4-mapped loopback address, however written.
pub fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// The AWS sandbox endpoint written another way (case, trailing dot or slash, `:443`).
fn is_sandbox(url: &str) -> bool {
    let (host, port) = host_and_port(url);
    url.to_ascii_lowercase().starts_with("https://")
        && port.is_none_or(|p| p == "443")
        && host == endpoint_host(SANDBOX_ENDPOINT)
}

fn is_loopback_url(url: &str) -> bool {
    is_loopback_host(&endpoint_host(url))
}

/// The HTTPS-capable HTTP client (rustls with ring). It must be passed to every config builder:
/// without it every call fails at run time with "No HTTP client was available".
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(RETRY_MAX_ATTEMPTS)
        .with_initial_backoff(RETRY_INITIAL_BACKOFF)
        .with_max_backoff(RETRY_MAX_BACKOFF)
}

pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Where the credentials were looked for; shown when none are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Static dummy credentials for a loopback endpoint (the sim).
    SimDummy,
    /// The default chain, with the profile it used.
    Chain { profile: String },
}

impl CredentialSource {
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::SimDummy => "static local credentials (loopback endpoint)".into(),
            CredentialSource::Chain { profile } => format!(
                "profile {profile:?} via the AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
                 ~/.aws/credentials and ~/.aws/config (incl. SSO and credential_process), \
                 container/instance metadata"
            ),
        }
    }
}

/// A ready client plus what was used to build it.
#[derive(Debug, Clone)]
pub struct Built {
    pub client: Client,
    pub target: Target,
    pub credentials: CredentialSource,
    /// Set when the environment or profile named another region (which was ignored).
    pub region_overridden_from: Option<String>,
    /// The chain's provider (None for the sim's static credentials).
    provider: Option<aws_credential_types::provider::SharedCredentialsProvider>,
}

/// Build the client for a target. `profile` is `--profile`.
pub async fn build(target: Target, profile: Option<&str>) -> Built {
    if target.is_loopback() && profile.is_none() {
        return Built {
            client: local_client(target.endpoint(), fast_local_retries()),
            target,
            credentials: CredentialSource::SimDummy,
            region_overridden_from: None,
            provider: None,
        };
    }
    let profile_name = profile
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into());
    let other_region = configured_region(profile).await.filter(|r| r != REGION);
    if let Some(r) = &other_region {
        tracing::warn!(configured = %r, "region {r} ignored: MTurk is only in {REGION}");
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .region(Region::new(REGION))
        .retry_config(retry_config())
        .timeout_config(timeout_config())
        .endpoint_url(target.endpoint());
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    let sdk = loader.load().await;
    Built {
        client: Client::new(&sdk),
        target,
        credentials: CredentialSource::Chain {
            profile: profile_name,
        },
        region_overridden_from: other_region,
        provider: sdk.credentials_provider(),
    }
}

/// The region the environment or the profile would have chosen (never asks the network).
async fn configured_region(profile: Option<&str>) -> Option<String> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return Some(v.trim().to_owned());
        }
    }
    let mut b = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(p) = profile {
        b = b.profile_name(p);
    }
    use aws_config::meta::region::ProvideRegion;
    b.build().region().await.map(|r| r.to_string())
}

/// Ask the credential chain now, so that "no credentials" is reported before the first call.
/// Returns where the credentials were found (e.g. `profile "work" (found by ProfileFile, key
/// AKIA…WXYZ)`), to name when the service refuses them; `None` for the sim's dummy ones.
pub async fn check_credentials(built: &Built) -> Result<Option<String>, String> {
    if built.credentials == CredentialSource::SimDummy {
        return Ok(None);
    }
    let Some(provider) = &built.provider else {
        return Err(format!(
            "no credentials provider ({})",
            built.credentials.describe()
        ));
    };
    let creds = provider
        .provide_credentials()
        .await
        .map_err(|e| credentials_problem(&e, &built.credentials))?;
    let CredentialSource::Chain { profile } = &built.credentials else {
        return Ok(None);
    };
    Ok(Some(format!(
        "profile {profile:?} ({}, access key {})",
        found_in(&creds),
        masked_key(creds.access_key_id())
    )))
}

/// Where the chain found `creds`, in words.
fn found_in(creds: &Credentials) -> &'static str {
    use aws_credential_types::credential_feature::AwsCredentialFeature as F;
    let features = creds
        .get_property::<Vec<F>>()
        .map(Vec::as_slice)
        .unwrap_or_default();
    // The last feature is the outermost provider (e.g. an assumed role over a source profile).
    for f in features.iter().rev() {
        let place = match f {
            F::CredentialsEnvVars => "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            F::CredentialsProfile | F::CredentialsProfileSourceProfile => {
                "from the shared credentials/config files"
            }
            F::CredentialsProfileSso | F::CredentialsSso => "from an SSO session",
            F::CredentialsProfileProcess | F::CredentialsProcess => "from credential_process",
            F::CredentialsStsAssumeRole | F::CredentialsProfileNamedProvider => {
                "from an assumed role"
            }
            F::CredentialsImds => "from instance metadata",
            F::CredentialsHttp => "from a container credentials endpoint",
            _ => continue,
        };
        return place;
    }
    "from the AWS credential chain"
}

/// Why the chain gave no credentials, in words a requester can act on.
fn credentials_problem(
    e: &aws_credential_types::provider::error::CredentialsError,
    source: &CredentialSource,
) -> String {
    use aws_credential_types::provider::error::CredentialsError as E;
    let CredentialSource::Chain { profile } = source else {
        return e.to_string();
    };
    if !profile_is_defined(profile) && (profile != "default" || explicit_profile()) {
        return format!(
            "profile {profile:?} is not defined in {} or {} (set AWS_CONFIG_FILE / \
             AWS_SHARED_CREDENTIALS_FILE, or pass another --profile)",
            aws_file("AWS_CONFIG_FILE", "config").display(),
            aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials").display(),
        );
    }
    let detail = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
    match e {
        E::CredentialsNotLoaded(_) => format!(
            "no AWS credentials found — tried {}; set them, pass --profile NAME, or try the tool \
             without MTurk: `mturk-triage demo`",
            source.describe()
        ),
        E::ProviderTimedOut(_) => {
            format!("looking up AWS credentials timed out (profile {profile:?}): {detail}")
        }
        _ => format!("cannot get AWS credentials for profile {profile:?}: {detail}"),
    }
}

/// `--profile` or AWS_PROFILE named a profile (rather than the implicit `default`).
fn explicit_profile() -> bool {
    std::env::var("AWS_PROFILE").is_ok_and(|p| !p.is_empty())
}

/// The shared config or credentials file the SDK reads.
fn aws_file(var: &str, name: &str) -> std::path::PathBuf {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => p.into(),
        _ => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(".aws").join(name))
            .unwrap_or_else(|| std::path::PathBuf::from(format!("~/.aws/{name}"))),
    }
}

/// Whether either shared file has a section for `profile` (`[profile NAME]` or `[NAME]` in
/// config, `[NAME]` in credentials). Environment credentials need no profile at all.
fn profile_is_defined(profile: &str) -> bool {
    if std::env::var("AWS_ACCESS_KEY_ID").is_ok_and(|k| !k.is_empty()) {
        return true;
    }
    let has_section = |path: std::path::PathBuf, prefixed: bool| {
        std::fs::read_to_string(path).is_ok_and(|text| {
            text.lines().any(|l| {
                let l = l.trim();
                let Some(inner) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
                    return false;
                };
                let inner = inner.trim();
                inner == profile
                    || (prefixed
                        && inner.strip_prefix("profile").is_some_and(|n| {
                            n.starts_with(char::is_whitespace) && n.trim() == profile
                        }))
            })
        })
    };
    has_section(aws_file("AWS_CONFIG_FILE", "config"), true)
        || has_section(
            aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            false,
        )
}

/// An access key id with all but its first four and last four characters hidden (an access
/// key id is not a secret, but there is no need to show all of it).
fn masked_key(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "…".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Retry settings for a server on this machine: same policy, short sleeps.
pub fn fast_local_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(RETRY_MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(500))
}

/// A client for a server on this machine (the sim) with static dummy credentials and the given
/// retry policy. Used by the demo and by tests.
pub fn local_client(endpoint: &str, retry: RetryConfig) -> Client {
    let conf = aws_sdk_mturk::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(https_client())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            SIM_ACCESS_KEY,
            SIM_SECRET_KEY,
            None,
            None,
            "mturk-triage-sim",
        ))
        .endpoint_url(endpoint.trim_end_matches('/'))
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build();
    Client::from_conf(conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_normalised() {
        assert_eq!(
            normalize_endpoint("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalize_endpoint(" HTTPS://example.org// ").unwrap(),
            "https://example.org"
        );
        assert!(
            normalize_endpoint("127.0.0.1:8080")
                .unwrap_err()
                .contains("scheme")
        );
        assert!(
            normalize_endpoint("ftp://x")
                .unwrap_err()
                .contains("http or https")
        );
        assert!(
            normalize_endpoint("http://")
                .unwrap_err()
                .contains("no host")
        );
        assert!(
            normalize_endpoint("http://h/path")
                .unwrap_err()
                .contains("only scheme")
        );
        // Ports: 1–65535, digits only.
        for (url, port) in [
            ("http://127.0.0.1:99999", "99999"),
            ("http://127.0.0.1:0", "0"),
            ("http://127.0.0.1:abc", "abc"),
            ("http://127.0.0.1:", ""),
            ("http://127.0.0.1:+80", "+80"),
            ("http://[::1]:65536", "65536"),
        ] {
            assert_eq!(
                normalize_endpoint(url).unwrap_err(),
                format!("endpoint URL {url:?}: the port must be 1–65535, not {port:?}")
            );
        }
        for ok in [
            "http://127.0.0.1:1",
            "http://127.0.0.1:65535",
            "http://[::1]:8080",
            "http://[::1]",
            "https://[2001:db8::1]:443",
            "http://localhost:43121",
            "https://mturk-requester.us-east-1.amazonaws.com.:443",
        ] {
            assert_eq!(normalize_endpoint(ok).unwrap(), ok);
        }
        assert_eq!(
            normalize_endpoint("http://::1:8080").unwrap_err(),
            "endpoint URL \"http://::1:8080\": an IPv6 address needs brackets, e.g. \
             http://[::1]:8080"
        );
        assert!(
            normalize_endpoint("http://[::1:8080")
                .unwrap_err()
                .contains("never closed")
        );
        assert!(
            normalize_endpoint("http://[nothost]:80")
                .unwrap_err()
                .contains("[nothost] is not an IPv6 address")
        );
        assert!(
            normalize_endpoint("http://[::1]x")
                .unwrap_err()
                .contains("only :PORT may follow it")
        );
        assert_eq!(
            normalize_endpoint("http://:8080").unwrap_err(),
            "endpoint URL \"http://:8080\" has no host"
        );
        // Credentials in the URL: refused, and the password is not repeated.
        for url in [
            "http://user:pw@127.0.0.1:8080",
            "https://AKIDEXAMPLE@example.org",
            "http://user:pw@127.0.0.1:8080/path",
            "user:pw@127.0.0.1:8080",
        ] {
            let e = normalize_endpoint(url).unwrap_err();
            assert!(!e.contains("pw@") && !e.contains("AKIDEXAMPLE"), "{e}");
            assert!(
                e.contains(
                    "a user name or password does not belong in the URL; credentials come from \
                     the AWS chain (environment, ~/.aws/credentials and config) or --profile, \
                     never from the URL"
                ),
                "{e}"
            );
        }
        assert!(
            normalize_endpoint("http://user:pw@127.0.0.1:8080")
                .unwrap_err()
                .starts_with("endpoint URL http://…@127.0.0.1:8080: ")
        );
        assert!(Target::from_flags(false, Some("http://u:p@127.0.0.1:9")).is_err());
    }

    #[test]
    fn target_selection() {
        assert_eq!(Target::from_flags(false, None).unwrap(), Target::Sandbox);
        assert_eq!(Target::from_flags(true, None).unwrap(), Target::Production);
        assert!(Target::from_flags(true, Some("http://x")).is_err());
        assert_eq!(Target::Sandbox.endpoint(), SANDBOX_ENDPOINT);
        assert_eq!(Target::Production.label(), "PRODUCTION");
        // The AWS endpoints typed by hand: production never without --production.
        for prod in [
            "https://mturk-requester.us-east-1.amazonaws.com",
            "HTTPS://MTurk-Requester.us-east-1.amazonaws.com/",
            "https://mturk-requester.us-east-1.amazonaws.com.:443",
        ] {
            let e = Target::from_flags(false, Some(prod)).unwrap_err();
            assert!(e.contains("use --production"), "{prod}: {e}");
        }
        assert_eq!(
            Target::from_flags(
                false,
                Some("https://mturk-requester-sandbox.us-east-1.amazonaws.com/")
            )
            .unwrap(),
            Target::Sandbox
        );
        assert_eq!(
            Target::from_flags(false, Some("http://127.0.0.1:9")).unwrap(),
            Target::Custom("http://127.0.0.1:9".into())
        );
        // Over plain http or another port it is still production.
        for prod in [
            "http://mturk-requester.us-east-1.amazonaws.com",
            "http://mturk-requester.us-east-1.amazonaws.com:8080",
        ] {
            let e = Target::from_flags(false, Some(prod)).unwrap_err();
            assert!(e.contains("use --production"), "{prod}: {e}");
        }
        // Hosts that some layer would read differently are refused outright.
        for odd in [
            "https://mturk-requester%2Eus-east-1.amazonaws.com",
            "https://ＭＴＵＲＫ-requester.us-east-1.amazonaws.com",
            "http://127.1:9",
            "http://2130706433:9",
            "http://127.0.0.01:9",
        ] {
            assert!(Target::from_flags(false, Some(odd)).is_err(), "{odd}");
        }
    }

    #[test]
    fn loopback_hosts_however_written() {
        for h in [
            "localhost",
            "127.0.0.1",
            "127.3.4.5",
            "::1",
            "0:0:0:0:0:0:0:1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        assert!(!is_loopback_host("10.0.0.1"));
        assert_eq!(
            endpoint_host("http://[0:0:0:0:0:0:0:1]:43302"),
            "0:0:0:0:0:0:0:1"
        );
        assert_eq!(endpoint_host("http://LOCALHOST.:9/"), "localhost");
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_url("http://127.0.0.1:9"));
        assert!(is_loopback_url("http://localhost:9"));
        assert!(is_loopback_url("http://[::1]:9"));
        assert!(
            Target::from_flags(false, Some("http://[::1]:8080"))
                .unwrap()
                .is_loopback()
        );
        assert!(!is_loopback_url(SANDBOX_ENDPOINT));
        assert!(!is_loopback_url("http://10.0.0.1:80"));
    }
}
