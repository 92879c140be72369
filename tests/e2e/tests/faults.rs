//! A misbehaving plugin costs its own part of the result, never the document or the daemon.

use ingestd_e2e::{Env, article, assert_result_shape, list, plugin_result};

#[test]
fn plugin_panic_is_recorded_and_the_daemon_keeps_going() {
    let env = Env::new();
    let plugins = "[[plugins]]\nname = \"entities\"\n\n\
                   [[plugins]]\nname = \"faulty\"\nconfig = { panic_on = \"BOOM\" }\n\n\
                   [[plugins]]\nname = \"sentiment\"\n";
    let config = env.write_config("ingestd.toml", &env.config(plugins));
    let mut daemon = env.start(&config);

    let bad = article("Markets shaken in Washington", "Traders heard a loud BOOM near the exchange.");
    env.drop_file("boom.txt", &bad);
    daemon.wait_for("a result for the document that panics the plugin", || env.result("boom.txt").is_some());
    let result = env.result("boom.txt").unwrap();
    assert_result_shape(&result, "boom.txt", bad.as_bytes());
    let errors = result["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["plugin"] == "faulty"
            && e["kind"] == "panic"
            && e["message"].as_str().is_some_and(|m| !m.is_empty())),
        "an errors entry for faulty with kind \"panic\": {result:#}"
    );
    assert!(errors.iter().all(|e| e["plugin"] == "faulty"), "only faulty failed: {result:#}");
    plugin_result(&result, "entities");
    plugin_result(&result, "sentiment");
    daemon.wait_for("boom.txt to be archived, not failed", || env.archive().join("boom.txt").exists());
    assert!(list(&env.failed()).is_empty(), "a plugin panic does not fail the document");
    daemon.assert_running();

    let good = article("Quiet day in Ottawa", "Nothing unusual happened.");
    env.drop_file("calm.txt", &good);
    daemon.wait_for("the next document's result", || env.result("calm.txt").is_some());
    let result = env.result("calm.txt").unwrap();
    assert_result_shape(&result, "calm.txt", good.as_bytes());
    assert_eq!(
        result["errors"],
        serde_json::json!([]),
        "the next document is processed normally: {result:#}"
    );
    let chars = result["text"].as_str().unwrap().chars().count();
    assert_eq!(plugin_result(&result, "faulty")["chars"], chars, "faulty works again: {result:#}");
    plugin_result(&result, "entities");
    plugin_result(&result, "sentiment");
    daemon.assert_running();
    daemon.stop();
}
