//! [`Config`]: the plugin's table in `ingestd.toml`.

use serde::Deserialize;

use crate::result::EntityType;

/// Settings of the entities plugin. Every key is optional; unknown keys are refused so a
/// misspelt one is reported instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Entities with a lower salience (0..1, see [`crate::salience`]) are left out, with
    /// their mentions. Default 0: keep everything.
    pub min_salience: f64,
    /// Which types to report. Default: all four (PER, ORG, LOC, MISC).
    pub types: Vec<EntityType>,
}

impl Default for Config {
    fn default() -> Self {
        Self { min_salience: 0.0, types: EntityType::ALL.to_vec() }
    }
}

impl Config {
    /// Checks `min_salience` is within [0, 1].
    ///
    /// # Errors
    /// A message naming the key.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.min_salience) {
            return Err(format!("min_salience = {} is outside [0, 1]", self.min_salience));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_types_and_unknown_keys() {
        assert_eq!(serde_json::from_str::<Config>("{}").unwrap(), Config::default());
        let c: Config = serde_json::from_str(r#"{"types": ["PER", "LOC"], "min_salience": 0.02}"#).unwrap();
        assert_eq!(c.types, [EntityType::Per, EntityType::Loc]);
        let err = serde_json::from_str::<Config>(r#"{"types": ["PERSON"]}"#).unwrap_err();
        assert!(err.to_string().contains("PERSON"), "{err}");
        let err = serde_json::from_str::<Config>(r#"{"min_salinece": 0.1}"#).unwrap_err();
        assert!(err.to_string().contains("min_salinece"), "{err}");
        assert!(Config { min_salience: 1.5, ..Config::default() }.validate().is_err());
    }
}
