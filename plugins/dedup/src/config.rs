//! The plugin's configuration table: what an operator may set, its defaults, and the checks
//! that refuse a setting the index could not honour.

use serde::Deserialize;

use crate::error::DedupError;

/// The `[plugins.dedup]` table, deserialised from the JSON the host passes to `create`.
///
/// Unknown keys are refused so a misspelt setting is an error naming it, not a silent
/// default. `shingle`, `permutations` and `bands` shape what is stored in the index; they
/// are recorded in it and changing them later is refused (the stored signatures would no
/// longer compare).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Report a near-duplicate when max(Jaccard, containment) of the word-shingle sets is at
    /// least this (0 < threshold <= 1).
    pub threshold: f64,
    /// Words per shingle: 5 means "five consecutive words"; longer is stricter.
    pub shingle: usize,
    /// MinHash values per signature; more is a finer estimate and a larger index.
    pub permutations: usize,
    /// LSH bands the signature is cut into (must divide `permutations`); more bands find
    /// candidates at lower similarity and cost more false candidates to verify.
    pub bands: usize,
    /// Join the story of the most similar recent article when their TF-IDF cosine is at
    /// least this (0 < story_threshold <= 1).
    pub story_threshold: f64,
    /// How many of the most recent indexed articles a new article's story is compared with.
    pub story_window: usize,
    /// File name of the index inside the plugin's state folder.
    pub index: String,
    /// MiB of index pages kept in memory. More makes lookups in a large index cheaper;
    /// less keeps the daemon small (the rest is read from the OS page cache, which is not
    /// counted in the daemon's resident memory).
    pub cache_mib: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            shingle: 5,
            permutations: 128,
            bands: 64,
            story_threshold: 0.25,
            story_window: 5000,
            index: "dedup.redb".to_owned(),
            cache_mib: 12,
        }
    }
}

impl Config {
    /// Checks the values serde cannot: ranges, divisibility, a plain file name.
    pub fn validate(&self) -> Result<(), DedupError> {
        let bad = |key: &str, why: &str| Err(DedupError::Config(format!("`{key}` {why}")));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad("threshold", "must be in (0, 1]");
        }
        if !(self.story_threshold > 0.0 && self.story_threshold <= 1.0) {
            return bad("story_threshold", "must be in (0, 1]");
        }
        if self.shingle == 0 {
            return bad("shingle", "must be at least 1");
        }
        if self.permutations == 0 || self.permutations > 1024 {
            return bad("permutations", "must be in 1..=1024");
        }
        if self.bands == 0 || !self.permutations.is_multiple_of(self.bands) {
            return bad("bands", "must be at least 1 and divide `permutations`");
        }
        if self.story_window == 0 {
            return bad("story_window", "must be at least 1");
        }
        if self.cache_mib == 0 || self.cache_mib > 65_536 {
            return bad("cache_mib", "must be in 1..=65536");
        }
        let plain = !self.index.is_empty()
            && !self.index.contains(['/', '\\'])
            && self.index != "."
            && self.index != "..";
        if !plain {
            return bad("index", "must be a plain file name inside the state folder");
        }
        Ok(())
    }

    /// Rows per LSH band: `permutations / bands`.
    pub fn rows(&self) -> usize {
        self.permutations / self.bands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_unknown_keys_are_refused() {
        Config::default().validate().unwrap();
        let parsed: Config = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, Config::default());
        let err = serde_json::from_str::<Config>(r#"{"treshold": 0.4}"#).unwrap_err();
        assert!(err.to_string().contains("treshold"), "{err}");
    }

    #[test]
    fn bands_must_divide_permutations_and_index_stays_in_the_state_folder() {
        let c = Config { bands: 30, ..Config::default() };
        assert!(c.validate().unwrap_err().to_string().contains("bands"));
        let c = Config { index: "../x.redb".into(), ..Config::default() };
        assert!(c.validate().unwrap_err().to_string().contains("index"));
        let c = Config { threshold: 0.0, ..Config::default() };
        assert!(c.validate().is_err());
        let c = Config { cache_mib: 0, ..Config::default() };
        assert!(c.validate().unwrap_err().to_string().contains("cache_mib"));
    }
}
