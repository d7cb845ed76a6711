//! User configuration (TOML) and the data directory.
//!
//! Config file: `$MTURK_TRIAGE_CONFIG`, else `<config dir>/mturk-triage/config.toml`
//! (e.g. `~/.config/mturk-triage/config.toml`). A missing file means defaults.
//! Data directory (logs, journal): `$MTURK_TRIAGE_DATA`, else the platform data dir.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// IntegerValue granted by `a`.
    pub default_value: i32,
    /// Seconds a decision waits in the outbox (undo with `u`) before it is sent; 0 = at once.
    pub undo_secs: u64,
    /// At most this many accept/reject calls in flight.
    pub concurrency: usize,
    /// At most this many accept/reject calls started per second (0: no limit).
    pub rate_per_sec: f64,
    /// Reasons offered in the reject prompt (Tab cycles through them).
    pub reason_templates: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_value: 1,
            undo_secs: 5,
                        concurrency: 2,
            rate_per_sec: 2.0,
            reason_templates: vec![
                "Thank you for taking the test. Your answers did not meet the requirements for this qualification.".into(),
                "Thank you. Several answers were incomplete or did not follow the instructions.".into()
            ]
        }
    }
}

impl Config {
    /// Read the config file (defaults when it does not exist). A bad file is an error that names
    /// the file and the problem.
    pub fn load() -> Result<(Config, Option<PathBuf>), String> {
        let path = config_path();
        match &path {
            Some(p) if p.exists() => Ok((Config::from_file(p)?, path)),
            Some(p) if std::env::var_os("MTURK_TRIAGE_CONFIG").is_some() => Err(format!(
                "config file {} (MTURK_TRIAGE_CONFIG) does not exist",
                p.display()
            )),
            _ => Ok((Config::default(), None)),
        }
    }

    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        if c.concurrency == 0 {
            return Err("concurrency must be at least 1".into());
        }
        if !c.rate_per_sec.is_finite() || c.rate_per_sec < 0.0 {
            return Err("rate_per_sec must be a number ≥ 0".into());
        }
        for (i, t) in c.reason_templates.iter().enumerate() {
            let n = i + 1;
            if t.trim().is_empty() {
                return Err(format!(
                    "reason_templates[{n}] is empty (the worker would get no reason)"
                ));
            }
            if t.chars().any(|ch| ch.is_control()) {
                return Err(format!(
                    "reason_templates[{n}] contains a control character"
                ));
            }
            if t.chars().count() > super::MAX_REASON_CHARS {
                return Err(format!(
                    "reason_templates[{n}] is longer than {} characters",
                    super::MAX_REASON_CHARS
                ));
            }
        }
        if c.undo_secs > 3600 {
            return Err("undo_secs must be at most 3600".into());
        }
        Ok(c)
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "mturk-triage")
}

pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MTURK_TRIAGE_CONFIG") {
        return Some(PathBuf::from(p));
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

pub fn data_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MTURK_TRIAGE_DATA") {
        return Some(PathBuf::from(p));
    }
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c = Config::parse("undo_secs = 0\nreason_templates = [\"No.\"]").unwrap();
        assert_eq!(c.undo_secs, 0);
        assert_eq!(c.default_value, 1);
        assert_eq!(c.reason_templates, vec!["No.".to_string()]);
    }

    #[test]
    fn bad_values_are_named() {
        assert!(
            Config::parse("concurrency = 0")
                .unwrap_err()
                .contains("concurrency")
        );
        assert!(
            Config::parse("undo_sec = 1")
                .unwrap_err()
                .contains("undo_sec")
        );
        assert!(Config::parse("default_value = \"x\"").is_err());
        assert!(
            Config::parse("reason_templates = [\"\"]")
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            Config::parse("reason_templates = [\"a\\u001b[2Jb\"]")
                .unwrap_err()
                .contains("control")
        );
    }
}
