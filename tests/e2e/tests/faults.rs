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

/// Runs one document through entities, a slow faulty plugin with a time limit, and
/// sentiment; returns the result and how long it took to appear.
fn run_slow(faulty_config: &str) -> (serde_json::Value, std::time::Duration) {
    let env = Env::new();
    let plugins = format!(
        "[[plugins]]\nname = \"entities\"\n\n\
         [[plugins]]\nname = \"faulty\"\ntimeout_ms = 300\nconfig = {faulty_config}\n\n\
         [[plugins]]\nname = \"sentiment\"\n"
    );
    let config = env.write_config("ingestd.toml", &env.config(&plugins));
    let mut daemon = env.start(&config);
    daemon.wait_started();
    let text = article("Talks drag on in Geneva", "The delegates waited.");
    let started = std::time::Instant::now();
    env.drop_file("slow.txt", &text);
    daemon.wait_for("the slow document's result", || env.result("slow.txt").is_some());
    let took = started.elapsed();
    let result = env.result("slow.txt").unwrap();
    assert_result_shape(&result, "slow.txt", text.as_bytes());
    daemon.wait_for("slow.txt to be archived, not failed", || env.archive().join("slow.txt").exists());
    assert!(list(&env.failed()).is_empty());
    daemon.stop();
    (result, took)
}

/// Asserts the document completed without faulty: one `timeout` error for it, the other
/// plugins' results present.
fn assert_timed_out(result: &serde_json::Value) {
    let errors = result["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "one error: {result:#}");
    assert_eq!(errors[0]["plugin"], "faulty", "{result:#}");
    assert_eq!(errors[0]["kind"], "timeout", "{result:#}");
    assert!(errors[0]["message"].as_str().unwrap().contains("300 ms"), "the limit is named: {result:#}");
    assert!(result["plugins"].get("faulty").is_none(), "the late plugin has no result: {result:#}");
    plugin_result(result, "entities");
    plugin_result(result, "sentiment");
}

#[test]
fn slow_plugin_is_stopped_at_its_time_limit() {
    // It would sleep 20 s; asked to stop at 300 ms, it does.
    let (result, took) = run_slow("{ sleep_ms = 20000 }");
    assert_timed_out(&result);
    assert!(took < std::time::Duration::from_secs(15), "the plugin was stopped, not waited for: {took:?}");
}

#[test]
fn late_answer_of_an_uncooperative_plugin_is_discarded() {
    // It ignores the request to stop and answers after 1.5 s: the answer is thrown away.
    let (result, _) = run_slow("{ sleep_ms = 1500, ignore_cancel = true }");
    assert_timed_out(&result);
}

/// How many lines of the daemons' log (all starts) contain `needle`.
fn log_count(env: &Env, needle: &str) -> usize {
    std::fs::read_to_string(env.path("daemon.stderr"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// The faulty plugin with `flush` failing while `<env>/flush-fails` exists, plus dedup.
fn flush_failing_config(env: &Env) -> std::path::PathBuf {
    let flag = env.path("flush-fails");
    let plugins = format!(
        "[[plugins]]\nname = \"faulty\"\nconfig = {{ fail_flush_while = \"{}\" }}\n\n\
         [[plugins]]\nname = \"dedup\"\n",
        flag.display()
    );
    env.write_config("ingestd.toml", &env.config(&plugins))
}

/// A plugin whose `flush` fails gets no result committed: the input stays claimed in
/// `state/work/`, the commit is retried with back-off (logged each time, naming the plugin),
/// nothing goes to `failed/`; once `flush` succeeds the result appears and the input is
/// archived. A stop while it fails leaves the input claimed for the next start.
#[test]
fn failing_flush_commits_nothing_and_is_retried_until_it_succeeds() {
    let env = Env::new();
    let flag = env.path("flush-fails");
    std::fs::write(&flag, "").unwrap();
    let config = flush_failing_config(&env);
    let mut daemon = env.start(&config);
    daemon.wait_started();

    let text = article("Ledger kept in memory", "The log could not be synced.");
    env.drop_file("unsynced.txt", &text);
    let needle = "flush failed, so no result of the batch is written";
    daemon.wait_for("the failed flush to be retried twice", || log_count(&env, needle) >= 2);
    let log = daemon.log();
    assert!(
        log.lines().any(|l| l.contains(needle) && l.contains("plugin `faulty`") && l.contains("flush")),
        "the log names the plugin whose flush failed:\n{log}"
    );
    assert!(env.result("unsynced.txt").is_none(), "no result while flush fails");
    assert!(list(&env.outbox()).is_empty(), "nothing in the outbox, not even temp files");
    assert_eq!(list(&env.work()), ["unsynced.txt"], "the input stays claimed");
    assert!(list(&env.failed()).is_empty() && list(&env.archive()).is_empty());

    // A stop while failing is clean; the claim waits for the next start.
    daemon.stop();
    assert_eq!(list(&env.work()), ["unsynced.txt"], "still claimed after the stop");
    let mut daemon = env.start(&config);
    daemon.wait_for("a failed flush after the restart", || log_count(&env, needle) >= 3);
    assert!(env.result("unsynced.txt").is_none());

    std::fs::remove_file(&flag).unwrap();
    daemon.wait_for("the result once flush succeeds", || env.result("unsynced.txt").is_some());
    let result = env.result("unsynced.txt").unwrap();
    assert_result_shape(&result, "unsynced.txt", text.as_bytes());
    assert_eq!(result["errors"], serde_json::json!([]), "{result:#}");
    plugin_result(&result, "faulty");
    plugin_result(&result, "dedup");
    daemon.wait_for("the input to be archived", || env.archive().join("unsynced.txt").exists());
    assert!(list(&env.work()).is_empty() && list(&env.failed()).is_empty());
    daemon.stop();
}

/// `ingestd process` prints a result only after the plugins' `flush`: when it fails, the
/// file is reported (naming the plugin), nothing is printed and the exit code is 1.
#[test]
fn process_prints_nothing_when_flush_fails() {
    let env = Env::new();
    let flag = env.path("flush-fails");
    let config = flush_failing_config(&env);
    let file = env.path("one.txt");
    std::fs::write(&file, article("Printed only when durable", "Sync first.")).unwrap();
    let args = ["process", "--config", config.to_str().unwrap(), file.to_str().unwrap()];

    std::fs::write(&flag, "").unwrap();
    let out = env.run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(out.stdout.is_empty(), "no result printed: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("one.txt") && stderr.contains("plugin `faulty`"), "stderr:\n{stderr}");

    std::fs::remove_file(&flag).unwrap();
    let out = env.run(&args);
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    plugin_result(&result, "faulty");
}
