//! `--record FILE`: one JSON line per successful state-changing call, flushed per line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::json::Out;

#[derive(Debug, Default)]
pub struct Recorder {
    file: Option<File>,
}

impl Recorder {
    pub fn none() -> Self {
        Recorder { file: None }
    }

    /// Open (create, append) the record file.
    pub fn open(path: &Path) -> Result<Self, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the record file {}: {e}", path.display()))?;
        Ok(Recorder { file: Some(file) })
    }

    /// Write one line. A failed write is logged; the call it records has already happened.
    pub fn write(&mut self, line: &Out) {
        if let Some(f) = &mut self.file {
            let mut text = line.to_json();
            text.push('\n');
            if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.flush()) {
                tracing::warn!("sim: cannot write the record file: {e}");
            }
        }
    }
}
