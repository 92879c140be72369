//! `faulty`: a plugin that misbehaves on demand, so the daemon's tests can watch the host
//! survive it.
//!
//! Every misbehaviour is triggered by a marker string in the document text, so one daemon
//! can process well-behaved and faulty documents side by side:
//!
//! ```toml
//! [[plugins]]
//! name = "faulty"
//! config = { panic_on = "BOOM", error_on = "FAIL", abort_on = "ABORT", sleep_ms = 20, ignore_cancel = false,
//!            fail_flush_while = "/path/to/flag" }
//! ```
//!
//! - `panic_on`: the text contains it → `process` panics (the SDK turns that into
//!   `INGEST_PANIC`; the host must record it and keep going).
//! - `error_on`: the text contains it → [`PluginError::Failed`] (`INGEST_ERROR`).
//! - `abort_on`: the text contains it → [`std::process::abort`], taking the whole host down
//!   (for crash-recovery and poison-pill tests).
//! - `sleep_ms`: every call sleeps this long, polling [`Call::is_cancelled`] every 10 ms and
//!   returning [`PluginError::Cancelled`] when the host asks it to stop (keeps work in flight
//!   for shutdown tests).
//! - `ignore_cancel`: sleep the full `sleep_ms` without looking at [`Call::is_cancelled`]
//!   (a plugin that does not cooperate with time limits; the host must discard its late
//!   answer).
//! - `fail_flush_while`: while a file exists at this path, `flush` (ABI 1.1) fails, so the
//!   host must commit none of the results behind it; remove the file and flushes succeed.
//!
//! Otherwise the result is `{"chars": N}`, N being the text length in Unicode code points.
//! The checks run in the order abort, panic, error, sleep.

use std::time::{Duration, Instant};

use ingest_abi::{Call, Document, Host, Plugin, PluginError};
use serde::{Deserialize, Serialize};

/// How often a sleeping call checks whether the host cancelled it.
const CANCEL_POLL: Duration = Duration::from_millis(10);

/// The configuration table; every key is optional and unknown keys are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Panic when the document text contains this string.
    #[serde(default)]
    pub panic_on: Option<String>,
    /// Return [`PluginError::Failed`] when the document text contains this string.
    #[serde(default)]
    pub error_on: Option<String>,
    /// Abort the whole process when the document text contains this string.
    #[serde(default)]
    pub abort_on: Option<String>,
    /// Sleep this many milliseconds per document (cancellable).
    #[serde(default)]
    pub sleep_ms: u64,
    /// Sleep without checking for cancellation.
    #[serde(default)]
    pub ignore_cancel: bool,
    /// `flush` fails while a file exists at this path.
    #[serde(default)]
    pub fail_flush_while: Option<std::path::PathBuf>,
}

/// What a well-behaved call returns.
#[derive(Debug, Serialize)]
pub struct Output {
    /// The document text's length in Unicode code points.
    pub chars: usize,
}

/// The plugin instance: its configuration, nothing else.
#[derive(Debug)]
pub struct Faulty {
    /// The triggers, as configured.
    config: Config,
}

/// True when `marker` is set (non-empty) and occurs in `text`.
fn triggered(marker: Option<&str>, text: &str) -> bool {
    marker.is_some_and(|m| !m.is_empty() && text.contains(m))
}

impl Plugin for Faulty {
    const NAME: &'static str = "faulty";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    type Config = Config;
    type Output = Output;

    fn create(config: Config, _host: &Host) -> Result<Self, PluginError> {
        Ok(Self { config })
    }

    fn process(&self, document: &Document, call: &Call<'_>) -> Result<Output, PluginError> {
        let text = document.text.as_str();
        if triggered(self.config.abort_on.as_deref(), text) {
            std::process::abort();
        }
        if triggered(self.config.panic_on.as_deref(), text) {
            panic!("faulty: the document contains the panic marker");
        }
        if triggered(self.config.error_on.as_deref(), text) {
            return Err(PluginError::failed("faulty: the document contains the error marker"));
        }
        if self.config.sleep_ms > 0 {
            let deadline = Instant::now() + Duration::from_millis(self.config.sleep_ms);
            loop {
                if !self.config.ignore_cancel && call.is_cancelled() {
                    return Err(PluginError::Cancelled);
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                std::thread::sleep(CANCEL_POLL.min(deadline - now));
            }
        }
        Ok(Output { chars: text.chars().count() })
    }

    fn flush(&self) -> Result<(), String> {
        match &self.config.fail_flush_while {
            Some(flag) if flag.exists() => {
                Err(format!("faulty: flush fails while {} exists", flag.display()))
            }
            _ => Ok(()),
        }
    }
}

ingest_abi::export_plugin!(Faulty);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_trigger_only_when_set_and_present() {
        assert!(triggered(Some("BOOM"), "a BOOM b"));
        assert!(!triggered(Some("BOOM"), "a boom b"));
        assert!(!triggered(Some(""), "anything"));
        assert!(!triggered(None, "BOOM"));
    }

    #[test]
    fn config_refuses_unknown_keys() {
        let err = serde_json::from_str::<Config>(r#"{"panic_onn": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("panic_onn"), "{err}");
        let ok: Config = serde_json::from_str("{}").unwrap();
        assert_eq!(ok.sleep_ms, 0);
    }
}
