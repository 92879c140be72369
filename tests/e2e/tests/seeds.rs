//! The five sample articles, dropped into a running daemon as a scraper would.

use std::fs;

use ingestd_e2e::{Env, STANDARD_PLUGINS, assert_result_shape, list, plugin_result, result_name, seeds};

#[test]
fn seeds_get_full_results_from_the_standard_plugins() {
    let seeds = seeds();
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(""));
    let mut daemon = env.start(&config);

    let mut inputs = Vec::new();
    for seed in &seeds {
        let name = seed.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(seed).unwrap();
        env.drop_file(&name, &bytes);
        inputs.push((name, bytes));
    }

    daemon.wait_for("five results and five archived inputs", || {
        env.result_files().len() == inputs.len() && list(&env.archive()).len() == inputs.len()
    });

    let mut ids = Vec::new();
    for (name, bytes) in &inputs {
        let result = env.result(name).unwrap_or_else(|| panic!("no {}", result_name(name)));
        assert_result_shape(&result, name, bytes);
        for plugin in STANDARD_PLUGINS {
            plugin_result(&result, plugin);
        }
        let names: Vec<&String> = result["plugins"].as_object().unwrap().keys().collect();
        assert_eq!(names, STANDARD_PLUGINS, "plugins run in the default order");
        assert_eq!(result["errors"], serde_json::json!([]), "a seed analyses without errors: {result:#}");
        assert_eq!(
            fs::read(env.archive().join(name)).unwrap(),
            *bytes,
            "archive/{name} keeps the input's bytes"
        );
        ids.push(result["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), inputs.len(), "five different articles get five different ids");

    let inbox = list(&env.inbox());
    assert!(inbox.is_empty(), "the inbox is drained: {inbox:?}");
    daemon.wait_for("state/work/ to be empty", || list(&env.work()).is_empty());
    let failed = list(&env.failed());
    assert!(failed.is_empty(), "nothing failed: {failed:?}");
    daemon.stop();
}
