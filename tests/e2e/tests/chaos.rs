//! Crash safety: the daemon is SIGKILLed at random moments while files keep arriving, and
//! still every input ends with exactly one outcome; a file that crashes the daemon itself is
//! retried a bounded number of times, then set aside.
//!
//! Sizes: the CI run is modest; the full run is
//! `INGESTD_CHAOS_FILES=5000 INGESTD_CHAOS_KILLS=100 cargo test -p ingestd-e2e --test e2e chaos -- --nocapture`
//! (replay a run's randomness with `INGESTD_CHAOS_SEED=<seed printed by the test>`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use ingestd_e2e::{Env, Rng, TIMEOUT, article, env_number, list, plugin_result, sha256_hex, wait_for};
use serde_json::Value;

/// Files fed during a CI run (`INGESTD_CHAOS_FILES` overrides).
const CI_FILES: u64 = 2000;
/// SIGKILLs during a CI run (`INGESTD_CHAOS_KILLS` overrides); the issue asks for at least 20.
const CI_KILLS: u64 = 20;
/// How long the draining run may go without a new outcome before the test fails.
const STALL: Duration = Duration::from_secs(60);
/// Deliberate byte-identical copies of already-analysed files, under other names.
const COPIES: usize = 12;

/// Words the generated articles are made of: enough of them that two random articles share
/// no five-word run, so dedup has no reason to call any two of them near-duplicates.
const WORDS: &str = "\
    minister talks border market river council budget harvest storm election court factory \
    school hospital railway bridge festival museum treaty envoy summit protest strike union \
    bank currency export import tariff grain steel coal energy pipeline port harbour \
    airport village city province region coast mountain forest desert island valley lake \
    farmer teacher doctor nurse soldier judge mayor senator governor president chancellor \
    official spokesman reporter analyst economist engineer scientist student worker driver \
    pilot sailor fisherman merchant banker lawyer police army navy agency committee \
    ministry parliament cabinet coalition opposition party campaign vote ballot poll survey \
    report statement letter speech interview meeting visit deal agreement dispute crisis \
    reform plan proposal law rule tax price wage pension loan debt deficit growth inflation \
    rate record warning alert flood drought fire quake snow heat rain wind season week \
    month year morning evening night announced rejected approved delayed cancelled opened \
    closed expanded reduced raised lowered signed vetoed debated praised criticised \
    questioned defended visited left returned arrived quickly slowly quietly openly firmly \
    briefly again still north south east west central local national foreign new old large \
    small early late major minor public private amber cobalt crimson indigo violet scarlet \
    silver golden";

/// A letters-only word unique to `i` (dedup folds case and drops digits' meaning).
fn unique_word(i: usize) -> String {
    let mut n = i;
    let mut word = String::from("zq");
    loop {
        word.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break word;
        }
    }
}

/// A distinct, readable article: a title and three paragraphs of random sentences, with a
/// word no other article has.
fn chaos_article(rng: &mut Rng, i: usize) -> String {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let sentence = |rng: &mut Rng, count: u64| {
        let mut s: Vec<&str> = (0..count).map(|_| *rng.pick(&words)).collect();
        let first = s[0];
        let mut out = first[..1].to_uppercase() + &first[1..];
        s.remove(0);
        for w in s {
            out.push(' ');
            out.push_str(w);
        }
        out.push('.');
        out
    };
    let title = sentence(rng, 6);
    let mut text = format!("{} {}\n\n", title.trim_end_matches('.'), unique_word(i));
    for _ in 0..3 {
        let sentences: Vec<String> = (0..3)
            .map(|_| {
                let count = rng.range(8..16);
                sentence(rng, count)
            })
            .collect();
        text.push_str(&sentences.join(" "));
        text.push_str("\n\n");
    }
    text
}

/// What the feeder dropped: every input's bytes, and which copy repeats which original.
#[derive(Debug, Default)]
struct Fed {
    inputs: BTreeMap<String, Vec<u8>>,
    copies: BTreeMap<String, String>,
}

/// Drops `files` distinct articles in bursts of random size with random pauses, and now and
/// then a byte-identical copy (under a new name) of an article that already has a result.
fn feed(env: &Env, mut rng: Rng, files: usize) -> Fed {
    let mut fed = Fed::default();
    let mut originals = Vec::new();
    let mut i = 0;
    while i < files {
        let burst = (rng.range(20..200) as usize).min(files - i);
        for _ in 0..burst {
            let name = format!("chaos-{i:05}.txt");
            let text = chaos_article(&mut rng, i);
            // Half written in place (create, write, close), half renamed in from a hidden name.
            if rng.range(0..2) == 0 {
                env.write_inbox(&name, &text);
            } else {
                env.drop_file(&name, &text);
            }
            fed.inputs.insert(name.clone(), text.into_bytes());
            originals.push(name);
            i += 1;
        }
        if fed.copies.len() < COPIES {
            // Copy an original that already has a result, so which one is first is settled.
            let candidate = rng.pick(&originals).clone();
            if env.result(&candidate).is_some() && !fed.copies.values().any(|o| *o == candidate) {
                let name = format!("copy-{:02}.txt", fed.copies.len());
                let bytes = fed.inputs[&candidate].clone();
                env.drop_file(&name, &bytes);
                fed.inputs.insert(name.clone(), bytes);
                fed.copies.insert(name, candidate);
            }
        }
        std::thread::sleep(Duration::from_millis(rng.range(0..400)));
    }
    // Late copies, so a short CI run still has them.
    for candidate in originals.iter().rev() {
        if fed.copies.len() >= COPIES {
            break;
        }
        if env.result(candidate).is_some() && !fed.copies.values().any(|o| o == candidate) {
            let name = format!("copy-{:02}.txt", fed.copies.len());
            let bytes = fed.inputs[candidate].clone();
            env.drop_file(&name, &bytes);
            fed.inputs.insert(name.clone(), bytes);
            fed.copies.insert(name, candidate.clone());
        }
    }
    fed
}

/// Every visible result in the outbox, parsed, by file name.
fn results(env: &Env) -> BTreeMap<String, Value> {
    env.result_files()
        .into_iter()
        .map(|name| {
            let bytes = fs::read(env.outbox().join(&name)).unwrap();
            let value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("outbox/{name} is not complete JSON ({e})"));
            (name, value)
        })
        .collect()
}

/// Inputs in `failed/` (the reports beside them excluded).
fn failed_inputs(env: &Env) -> Vec<String> {
    list(&env.failed()).into_iter().filter(|n| !n.ends_with(".error.json")).collect()
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let files = env_number("INGESTD_CHAOS_FILES", CI_FILES) as usize;
    let kills = env_number("INGESTD_CHAOS_KILLS", CI_KILLS);
    let mut rng = Rng::from_env("INGESTD_CHAOS_SEED", "chaos");
    let feeder_rng = Rng::new(rng.next_u64());
    let env = Env::new();
    // dedup is the plugin with state that must survive crashes; the others add nothing here.
    let plugins = "[[plugins]]\nname = \"dedup\"\n";
    let config = env.write_config(
        "ingestd.toml",
        &env.config_with(
            "max_crashes = 3\n",
            "mode = \"native\"\nsettle_ms = 500\nrescan_interval_ms = 2000\n",
            plugins,
        ),
    );
    let started = Instant::now();

    let (fed, killed, kills_mid_work) = std::thread::scope(|s| {
        let feeder = s.spawn(|| feed(&env, feeder_rng, files));
        let (mut killed, mut kills_mid_work) = (0u64, 0u64);
        while killed < kills || !feeder.is_finished() {
            let mut daemon = env.start(&config);
            // A random moment: during start-up, resumption, a burst or a quiet spell.
            std::thread::sleep(Duration::from_millis(rng.range(30..1500)));
            daemon.assert_running();
            if !list(&env.work()).is_empty() {
                kills_mid_work += 1;
            }
            let status = daemon.kill();
            assert_eq!(status.signal(), Some(libc::SIGKILL), "killed by us, not dead by itself: {status}");
            killed += 1;
        }
        (feeder.join().expect("the feeder does not panic"), killed, kills_mid_work)
    });
    let chaos_time = started.elapsed();
    let total = fed.inputs.len();

    // One more run, left alone, drains what the kills left behind.
    // It fails only when it stops making progress: dedup slows as its index grows, so no
    // fixed timeout fits every size.
    let mut daemon = env.start(&config);
    let mut progress = (0, Instant::now());
    let mut stalled = false;
    daemon.wait_for_within("every input to reach an outcome", Duration::from_secs(24 * 3600), || {
        let outcomes = list(&env.archive()).len() + failed_inputs(&env).len();
        if outcomes > progress.0 {
            progress = (outcomes, Instant::now());
        }
        stalled = progress.1.elapsed() > STALL;
        stalled || (outcomes >= total && list(&env.inbox()).is_empty() && list(&env.work()).is_empty())
    });
    assert!(
        !stalled,
        "no progress for {STALL:?} with {} of {total} outcomes; log:\n{}",
        progress.0,
        ingestd_e2e::tail(&daemon.log())
    );
    let peak_kib = daemon.peak_rss_kib();
    daemon.stop();
    let total_time = started.elapsed();

    // Exactly one outcome per input.
    let results = results(&env);
    let mut by_source: BTreeMap<String, Vec<(&String, &Value)>> = BTreeMap::new();
    for (file, result) in &results {
        let source = result["source"]["name"].as_str().expect("source.name").to_owned();
        by_source.entry(source).or_default().push((file, result));
    }
    let unknown: Vec<&String> = by_source.keys().filter(|s| !fed.inputs.contains_key(*s)).collect();
    assert!(unknown.is_empty(), "results for inputs never dropped: {unknown:?}");
    let failed: BTreeSet<String> = failed_inputs(&env).into_iter().collect();
    let mut poisoned = 0;
    for (name, bytes) in &fed.inputs {
        let found = by_source.get(name).map_or(&[][..], Vec::as_slice);
        match (found, failed.contains(name)) {
            ([(file, result)], false) => {
                assert_eq!(**file, ingestd_e2e::result_name(name), "{name}'s result is under its own name");
                assert_eq!(
                    result["source"]["sha256"].as_str(),
                    Some(sha256_hex(bytes).as_str()),
                    "outbox/{file} does not describe {name}"
                );
                assert_eq!(fs::read(env.archive().join(name)).ok().as_ref(), Some(bytes), "archive/{name}");
            }
            ([], true) => {
                // The only acceptable failure for a valid article: in flight during
                // max_crashes kills, hence set aside as a suspected poison pill.
                let report: Value = serde_json::from_slice(
                    &fs::read(env.failed().join(format!("{name}.error.json"))).expect("a report"),
                )
                .unwrap();
                assert_eq!(report["kind"], "poison", "{name} failed for another reason: {report:#}");
                assert_eq!(fs::read(env.failed().join(name)).ok().as_ref(), Some(bytes), "failed/{name}");
                poisoned += 1;
            }
            (found, in_failed) => panic!(
                "{name} does not have exactly one outcome: {} results {:?}, in failed/: {in_failed}",
                found.len(),
                found.iter().map(|(f, _)| f).collect::<Vec<_>>()
            ),
        }
    }
    assert_eq!(list(&env.archive()).len() + failed.len(), total, "archive + failed hold exactly the inputs");

    // No debris: nothing in flight, no temp files, no stale crash markers.
    assert!(list(&env.work()).is_empty(), "state/work/ is empty");
    assert!(list(&env.inbox()).is_empty(), "the inbox is drained: {:?}", list(&env.inbox()));
    for dir in [env.outbox(), env.failed(), env.archive(), env.path("state/crashes")] {
        let hidden: Vec<String> = list(&dir).into_iter().filter(|n| n.starts_with('.')).collect();
        assert!(hidden.is_empty(), "stray temporary files in {}: {hidden:?}", dir.display());
    }
    let markers = list(&env.path("state/crashes"));
    assert!(markers.is_empty(), "crash markers outlived their files' outcomes: {markers:?}");

    // dedup stayed consistent across the crashes: no article is its own duplicate, distinct
    // articles are never exact duplicates, and each copy points at its original.
    for (source, found) in &by_source {
        let result = found[0].1;
        let id = result["id"].as_str().unwrap();
        let dedup = plugin_result(result, "dedup");
        let exact = &dedup["exact_duplicate_of"];
        match fed.copies.get(source) {
            Some(original) => {
                let original_id = by_source.get(original).map(|r| r[0].1["id"].clone());
                assert_eq!(exact["source"], original.as_str(), "{source} copies {original}: {dedup:#}");
                assert_eq!(Some(exact["id"].clone()), original_id, "{source} copies {original}: {dedup:#}");
            }
            None => assert!(exact.is_null(), "{source} is distinct but called an exact duplicate: {dedup:#}"),
        }
        for near in dedup["near_duplicates"].as_array().expect("near_duplicates") {
            assert!(
                !(near["id"] == id && near["source"] == source.as_str()),
                "{source} is reported as a near duplicate of itself: {dedup:#}"
            );
        }
    }

    let resumed = daemon.log_count("resuming files left in");
    eprintln!(
        "e2e: chaos: {total} files ({} copies), {killed} SIGKILLs ({kills_mid_work} with files in \
         state/work/ just before, {resumed} starts resumed leftovers), {} results, {poisoned} set aside as \
         poison; chaos phase {:.1} s, total {:.1} s; peak RSS of the draining daemon {} MiB",
        fed.copies.len(),
        results.len(),
        chaos_time.as_secs_f64(),
        total_time.as_secs_f64(),
        peak_kib / 1024
    );
    assert!(fed.copies.len() >= COPIES / 2, "the run made copies to check dedup with: {:?}", fed.copies);
}

#[test]
fn poison_pill_is_set_aside_after_max_crashes() {
    let env = Env::new();
    let plugins = "[[plugins]]\nname = \"faulty\"\nconfig = { abort_on = \"POISON\", sleep_ms = 30 }\n";
    let config = env.write_config(
        "ingestd.toml",
        &env.config_with("max_crashes = 3\n", "mode = \"native\"\nsettle_ms = 500\n", plugins),
    );
    let mut inputs = BTreeMap::new();
    for i in 0..20 {
        let name = format!("fine-{i:02}.txt");
        let text = article(&format!("Harmless article {i}"), &format!("Nothing to see {i}."));
        env.write_inbox(&name, &text);
        inputs.insert(name, text);
    }
    let poison = article("The article that kills", "It carries the POISON marker.");
    env.write_inbox("kills.txt", &poison);

    // Restart the daemon each time it dies, until the pill is set aside.
    let mut deaths = 0;
    let mut daemon = env.start(&config);
    let set_aside = || env.failed().join("kills.txt.error.json").exists();
    while !set_aside() {
        wait_for(|| daemon.exited().is_some() || set_aside(), TIMEOUT);
        let Some(status) = daemon.exited() else {
            assert!(set_aside(), "the daemon neither died nor set the pill aside; log:\n{}", daemon.log());
            break;
        };
        assert_eq!(status.signal(), Some(libc::SIGABRT), "died of the plugin's abort: {status}");
        deaths += 1;
        assert!(deaths <= 3, "the daemon died {deaths} times with max_crashes = 3; log:\n{}", daemon.log());
        daemon = env.start(&config);
    }
    assert_eq!(deaths, 3, "the pill crashed the daemon exactly max_crashes times");

    let report: Value =
        serde_json::from_slice(&fs::read(env.failed().join("kills.txt.error.json")).unwrap()).unwrap();
    assert_eq!(report["kind"], "poison", "{report:#}");
    assert_eq!(report["file"], "kills.txt", "{report:#}");
    let message = report["error"].as_str().unwrap();
    assert!(
        message.contains("crashed 3 times"),
        "the report says how often it crashed the daemon: {message}"
    );
    assert_eq!(
        fs::read_to_string(env.failed().join("kills.txt")).unwrap(),
        poison,
        "the pill is kept intact"
    );

    // The files dropped with it, some in flight during the crashes, all get results.
    daemon.wait_for("results for every file dropped with the pill", || {
        list(&env.archive()).len() == inputs.len()
    });
    for (name, text) in &inputs {
        let result = env.result(name).unwrap_or_else(|| panic!("no result for {name}"));
        ingestd_e2e::assert_result_shape(&result, name, text.as_bytes());
        plugin_result(&result, "faulty");
    }
    assert_eq!(failed_inputs(&env), ["kills.txt"], "only the pill failed");
    assert!(env.result("kills.txt").is_none(), "the pill has no result");

    // The daemon carries on.
    env.drop_file("after.txt", article("After the storm", "Calm again."));
    daemon.wait_for("the next file's result", || env.result("after.txt").is_some());
    daemon.assert_running();
    daemon.wait_for("state/work/ to drain", || list(&env.work()).is_empty());
    assert!(list(&env.path("state/crashes")).is_empty(), "no crash markers remain");
    daemon.stop();
}
