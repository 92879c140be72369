//! The published JSON Schema (`docs/result.schema.json`) describes what the daemon writes:
//! consumers validate against it, so every result must pass it.

use ingestd_e2e::{Env, seeds, workspace_root};

#[test]
fn every_result_validates_against_the_published_schema() {
    let schema_path = workspace_root().join("docs/result.schema.json");
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema itself is valid");

    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(""));
    let mut args = vec!["process".to_owned(), "--config".to_owned(), config.display().to_string()];
    args.extend(seeds().iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut checked = 0;
    for line in stdout.lines() {
        let result: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&result).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{} does not match the schema:\n{}",
            result["source"]["name"],
            errors.join("\n")
        );
        checked += 1;
    }
    assert_eq!(checked, seeds().len());
}
