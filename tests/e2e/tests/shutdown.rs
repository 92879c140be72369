//! Stopping the daemon in the middle of work loses nothing and leaves nothing half-done.

use std::collections::BTreeMap;
use std::fs;

use ingestd_e2e::{Env, list, result_name, sha256_hex};

/// How many files the burst drops.
const BURST: usize = 500;

#[test]
fn sigterm_during_a_burst_loses_nothing() {
    let env = Env::new();
    // Each document takes >= 20 ms in the plugin, so work is in flight when SIGTERM lands.
    let plugins = "[[plugins]]\nname = \"faulty\"\nconfig = { sleep_ms = 20 }\n";
    let config = env.write_config("ingestd.toml", &env.config(plugins));
    let mut daemon = env.start(&config);

    let mut inputs = BTreeMap::new();
    for i in 0..BURST {
        let name = format!("burst-{i:03}.txt");
        let text = format!("Burst item {i}\n\nShort news item number {i} about the burst.\n");
        env.write_inbox(&name, &text);
        inputs.insert(name, text.into_bytes());
    }
    daemon.wait_for("the first results of the burst", || env.result_files().len() >= 10);
    daemon.sigterm();
    let status = daemon.wait_exit();
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop ({status}); log:\n{}", daemon.log());

    let processed = check_every_input_in_one_place(&env, &inputs);
    assert!(processed > 0, "some of the burst was processed before the stop");
    eprintln!("e2e: {processed} of {BURST} files were processed before the stop");

    let work = list(&env.work());
    assert!(work.is_empty(), "state/work/ is empty after a graceful stop: {work:?}");
    let stray: Vec<String> =
        list(&env.outbox()).into_iter().filter(|n| n.starts_with('.') || !n.ends_with(".json")).collect();
    assert!(stray.is_empty(), "no temporary files left in the outbox: {stray:?}");
    let failed = list(&env.failed());
    assert!(failed.is_empty(), "no input failed: {failed:?}");
    let unknown: Vec<String> =
        list(&env.outbox()).into_iter().filter(|n| !inputs.keys().any(|i| result_name(i) == *n)).collect();
    assert!(unknown.is_empty(), "no result without an input: {unknown:?}");

    // What the stop left in the inbox is processed by the next run.
    if processed < BURST {
        let mut daemon = env.start(&config);
        daemon.wait_for("the rest of the burst after a restart", || {
            env.result_files().len() == BURST && list(&env.archive()).len() == BURST
        });
        daemon.stop();
        assert_eq!(check_every_input_in_one_place(&env, &inputs), BURST);
    }
}

/// Checks that every input is in exactly one place: untouched in the inbox with no result,
/// or archived with a complete result describing it. Returns how many were processed.
fn check_every_input_in_one_place(env: &Env, inputs: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut processed = 0;
    for (name, bytes) in inputs {
        let in_inbox = fs::read(env.inbox().join(name)).ok();
        let archived = fs::read(env.archive().join(name)).ok();
        let result = env.result(name);
        match (in_inbox, archived, result) {
            (Some(left), None, None) => {
                assert_eq!(left, *bytes, "{name} was left in the inbox but changed");
            }
            (None, Some(archived), Some(result)) => {
                assert_eq!(archived, *bytes, "archive/{name} differs from the input");
                assert_eq!(result["source"]["name"], *name, "{}: {result:#}", result_name(name));
                assert_eq!(
                    result["source"]["sha256"].as_str(),
                    Some(sha256_hex(bytes).as_str()),
                    "{} describes a different input: {result:#}",
                    result_name(name)
                );
                assert!(
                    result["plugins"]["faulty"]["result"]["chars"].is_u64(),
                    "{} is archived but its analysis is incomplete: {result:#}",
                    result_name(name)
                );
                processed += 1;
            }
            (inbox, archive, result) => panic!(
                "{name} is not in exactly one place: inbox {}, archive {}, result {}",
                inbox.is_some(),
                archive.is_some(),
                result.is_some()
            ),
        }
    }
    processed
}
