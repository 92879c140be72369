//! Hostile and broken input: every entry dropped into the inbox gets a clear error (in
//! `failed/` with a report naming its kind) or a correct result, the daemon keeps running,
//! and nothing outside the configured folders is written or read.
//!
//! Names starting with a dot (`..x.txt` included) are hidden files by design: writers use
//! them while a file is incomplete, so the daemon leaves them alone until they are renamed.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ingestd_e2e::{Env, Rng, article, assert_result_shape, list, plugin_result, snapshot};
use serde_json::Value;

const FAULTY: &str = "[[plugins]]\nname = \"faulty\"\n";
/// 1 MiB: the 1 GB file is far over it.
const MAX_BYTES: u64 = 1 << 20;
/// A daemon that read the 1 GB file into memory would be far above this.
const MAX_RSS_MIB: u64 = 256;

/// What must become of an inbox entry.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// A result whose `source` describes these bytes; `decode_note`: a `decode` entry in
    /// `errors` (a guessed encoding).
    Result { bytes: Vec<u8>, decode_note: bool },
    /// `failed/` with a report of this kind.
    Failed(&'static str),
    /// Left alone in the inbox (a hidden name).
    Ignored,
}

/// The results in the outbox by `source.name`, with their file names.
fn results_by_source(env: &Env) -> BTreeMap<String, (OsString, Value)> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(env.outbox()).into_iter().flatten() {
        let name = entry.unwrap().file_name();
        if name.as_bytes().starts_with(b".") {
            continue;
        }
        let value: Value = serde_json::from_slice(&fs::read(env.outbox().join(&name)).unwrap())
            .unwrap_or_else(|e| panic!("outbox/{name:?} is not complete JSON: {e}"));
        let source = value["source"]["name"].as_str().unwrap().to_owned();
        assert!(out.insert(source.clone(), (name, value)).is_none(), "two results for {source:?}");
    }
    out
}

/// The failure reports by the `file` they describe, with the failed input's path.
fn failures_by_file(env: &Env) -> BTreeMap<String, (PathBuf, Value)> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(env.failed()).into_iter().flatten() {
        let name = entry.unwrap().file_name();
        let Some(input) = name.as_bytes().strip_suffix(b".error.json") else { continue };
        let report: Value = serde_json::from_slice(&fs::read(env.failed().join(&name)).unwrap())
            .unwrap_or_else(|e| panic!("failed/{name:?} is not complete JSON: {e}"));
        let file = report["file"].as_str().unwrap().to_owned();
        let path = env.failed().join(OsStr::from_bytes(input));
        assert!(out.insert(file.clone(), (path, report)).is_none(), "two reports for {file:?}");
    }
    out
}

/// True when reading a file updates its access time here (relatime or strictatime, with the
/// atime set before the mtime): then an unchanged atime proves a file was never read.
fn reads_are_visible_in_atime(dir: &Path) -> bool {
    let probe = dir.join("atime-probe");
    fs::write(&probe, "probe").unwrap();
    age_atime(&probe);
    let before = fs::metadata(&probe).unwrap().atime();
    fs::read(&probe).unwrap();
    let visible = fs::metadata(&probe).unwrap().atime() != before;
    fs::remove_file(&probe).unwrap();
    visible
}

/// Sets the access time a day before the modification time, so the next read updates it.
fn age_atime(path: &Path) {
    let meta = fs::metadata(path).unwrap();
    let a_day_before = meta.modified().unwrap() - Duration::from_secs(86_400);
    let times = fs::FileTimes::new().set_accessed(a_day_before).set_modified(meta.modified().unwrap());
    fs::File::options().write(true).open(path).unwrap().set_times(times).unwrap();
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    bytes
}

#[test]
fn hostile_inputs_each_get_a_clear_outcome() {
    let env = Env::new();
    let root = env.root().to_path_buf();
    let outside = env.path("outside");
    fs::create_dir(&outside).unwrap();
    let secret_text = article("Not for the daemon", "SECRETMARKER lives outside the inbox.");
    fs::write(outside.join("secret.txt"), &secret_text).unwrap();
    fs::create_dir(outside.join("folder")).unwrap();
    fs::write(outside.join("folder/inner.txt"), "inner").unwrap();
    let atime_visible = reads_are_visible_in_atime(&outside);
    age_atime(&outside.join("secret.txt"));
    let secret_atime = fs::metadata(outside.join("secret.txt")).unwrap().atime();
    let root_is_root = ingestd_e2e::is_root();

    let config = env.write_config(
        "ingestd.toml",
        &env.config_with(
            &format!("max_bytes = {MAX_BYTES}\n"),
            "mode = \"native\"\nsettle_ms = 500\n",
            FAULTY,
        ),
    );
    let configured: Vec<PathBuf> =
        ["inbox", "outbox", "state", "failed", "archive", "daemon.stdout", "daemon.stderr"]
            .iter()
            .map(|p| root.join(p))
            .collect();
    let before = snapshot(&root, &configured);
    let mut daemon = env.start(&config);
    daemon.wait_started();

    let inbox = env.inbox();
    let mut expect: Vec<(OsString, Expect)> = Vec::new();
    let add_result = |name: &OsStr, bytes: Vec<u8>, decode_note: bool| {
        fs::write(inbox.join(name), &bytes).unwrap();
        (name.to_owned(), Expect::Result { bytes, decode_note })
    };

    // Content.
    expect.push(add_result(
        OsStr::new("invalid-utf8.txt"),
        b"Prices in Qu\xe9bec rose by 5\xa3 on Friday, the minister said.\n\nThe caf\xe9 closed.\n".to_vec(),
        true,
    ));
    let utf16_text = article("Kyiv talks resume", "Sixteen-bit marker.");
    expect.push(add_result(OsStr::new("utf16le.txt"), utf16(&utf16_text, false), false));
    expect.push(add_result(OsStr::new("utf16be.txt"), utf16(&utf16_text, true), false));
    fs::write(inbox.join("empty.txt"), "").unwrap();
    expect.push(("empty.txt".into(), Expect::Failed("empty")));
    fs::write(inbox.join("blank.txt"), " \n\n\t \n").unwrap();
    expect.push(("blank.txt".into(), Expect::Failed("empty")));
    let mut rng = Rng::new(7);
    let junk: Vec<u8> = (0..4096).map(|_| rng.next_u64() as u8).collect();
    fs::write(inbox.join("junk.bin"), &junk).unwrap();
    expect.push(("junk.bin".into(), Expect::Failed("binary")));
    let controls: Vec<u8> = (0..2000u32).map(|i| if i % 3 == 0 { 0x01 } else { b'a' }).collect();
    fs::write(inbox.join("controls.txt"), &controls).unwrap();
    expect.push(("controls.txt".into(), Expect::Failed("binary")));
    // 1 GB, sparse: costs no disk. Its atime shows whether anyone read it.
    let huge = inbox.join("huge.txt");
    fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    age_atime(&huge);
    let huge_atime = fs::metadata(&huge).unwrap().atime();
    expect.push(("huge.txt".into(), Expect::Failed("too_large")));

    // Not regular files.
    std::os::unix::fs::symlink("../outside/secret.txt", inbox.join("link-out.txt")).unwrap();
    expect.push(("link-out.txt".into(), Expect::Failed("not_regular")));
    std::os::unix::fs::symlink(outside.join("folder"), inbox.join("link-dir")).unwrap();
    expect.push(("link-dir".into(), Expect::Failed("not_regular")));
    std::os::unix::fs::symlink("/nonexistent/nowhere.txt", inbox.join("dangling.txt")).unwrap();
    expect.push(("dangling.txt".into(), Expect::Failed("not_regular")));
    let fifo = std::ffi::CString::new(inbox.join("pipe.txt").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0, "mkfifo");
    expect.push(("pipe.txt".into(), Expect::Failed("not_regular")));
    fs::create_dir(inbox.join("folder.txt")).unwrap();
    fs::write(inbox.join("folder.txt/inner.txt"), "inside a folder").unwrap();
    expect.push(("folder.txt".into(), Expect::Failed("not_regular")));

    // No read permission: root reads it anyway (permission bits do not bind root), so it is
    // analysed; anyone else gets a clear `io` error.
    let locked = article("Locked article", "Mode 000.");
    fs::write(inbox.join("locked.txt"), &locked).unwrap();
    fs::set_permissions(inbox.join("locked.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    expect.push((
        "locked.txt".into(),
        if root_is_root {
            Expect::Result { bytes: locked.into_bytes(), decode_note: false }
        } else {
            Expect::Failed("io")
        },
    ));

    // Awkward names.
    let long_name = format!("{}.txt", "n".repeat(251));
    let long_empty = format!("{}.txt", "e".repeat(251));
    assert_eq!(long_name.len(), 255);
    for name in [
        "with space.txt",
        "new\nline.txt",
        "-leading-dash.txt",
        "--help.txt",
        "a..b.txt",
        "x..txt",
        "no-extension",
        "ünïcödé – “quoted”.txt",
        long_name.as_str(),
    ] {
        let text = article(&format!("Article named {}", name.escape_debug()), "Named marker.");
        expect.push(add_result(OsStr::new(name), text.into_bytes(), false));
    }
    let latin1_name = OsStr::from_bytes(b"caf\xe9-latin1-name.txt");
    expect.push(add_result(
        latin1_name,
        article("Latin-1 file name", "Bytes, not UTF-8.").into_bytes(),
        false,
    ));
    fs::write(inbox.join(&long_empty), "").unwrap();
    expect.push((long_empty.clone().into(), Expect::Failed("empty")));
    fs::write(inbox.join("..x.txt"), article("Hidden", "Dot dot.")).unwrap();
    expect.push(("..x.txt".into(), Expect::Ignored));
    fs::write(inbox.join("...txt"), article("Hidden", "Three dots.")).unwrap();
    expect.push(("...txt".into(), Expect::Ignored));

    // Everything reaches its outcome, and the daemon still works afterwards.
    let lossy = |name: &OsStr| name.to_string_lossy().into_owned();
    daemon.wait_for("an outcome for every hostile input", || {
        let (results, failures) = (results_by_source(&env), failures_by_file(&env));
        expect.iter().all(|(name, e)| match e {
            Expect::Result { .. } => results.contains_key(&lossy(name)),
            Expect::Failed(_) => failures.contains_key(&lossy(name)),
            Expect::Ignored => true,
        })
    });
    let final_text = article("A normal article at the end", "Final marker.");
    env.drop_file("final.txt", &final_text);
    daemon.wait_for("the final normal file's result", || env.result("final.txt").is_some());
    assert_result_shape(&env.result("final.txt").unwrap(), "final.txt", final_text.as_bytes());
    daemon.assert_running();
    let peak_mib = daemon.peak_rss_kib() / 1024;
    daemon.wait_for("state/work/ to drain", || list(&env.work()).is_empty());
    daemon.stop();

    let (results, failures) = (results_by_source(&env), failures_by_file(&env));
    for (name, e) in &expect {
        let key = lossy(name);
        let shown = name.as_bytes().escape_ascii().to_string();
        match e {
            Expect::Result { bytes, decode_note } => {
                let (file, result) = &results[&key];
                assert_result_shape(result, &key, bytes);
                plugin_result(result, "faulty");
                assert!(file.len() <= 255, "{shown}: result name {file:?} fits a file name");
                let notes: Vec<&Value> = result["errors"].as_array().unwrap().iter().collect();
                if *decode_note {
                    assert!(
                        notes.iter().any(|n| n["kind"] == "decode"),
                        "{shown}: a decode note: {result:#}"
                    );
                } else {
                    assert!(notes.is_empty(), "{shown}: no errors: {result:#}");
                }
                assert!(!failures.contains_key(&key), "{shown} has a result and a failure");
                // The input is archived under its own name.
                assert!(env.archive().join(name).exists(), "{shown} archived");
            }
            Expect::Failed(kind) => {
                let (input, report) = &failures[&key];
                assert_eq!(report["kind"], *kind, "{shown}: {report:#}");
                assert!(
                    report["error"].as_str().is_some_and(|m| m.len() > 5),
                    "{shown}: a readable error: {report:#}"
                );
                assert!(fs::symlink_metadata(input).is_ok(), "{shown}: the input is kept beside its report");
                assert!(!results.contains_key(&key), "{shown} has a failure and a result");
            }
            Expect::Ignored => {
                assert!(inbox.join(name).exists(), "{shown}: hidden, so left in the inbox");
                assert!(!results.contains_key(&key) && !failures.contains_key(&key), "{shown} was touched");
            }
        }
    }
    assert_eq!(results.len(), expect.iter().filter(|(_, e)| matches!(e, Expect::Result { .. })).count() + 1);
    assert_eq!(failures.len(), expect.iter().filter(|(_, e)| matches!(e, Expect::Failed(_))).count());

    // Specifics.
    let text = |name: &str| results[name].1["text"].as_str().unwrap().to_owned();
    assert!(text("invalid-utf8.txt").contains("Québec") && text("invalid-utf8.txt").contains("café"));
    assert!(
        text("utf16le.txt").contains("Sixteen-bit marker.") && text("utf16be.txt").contains("Kyiv talks")
    );
    assert!(
        failures["huge.txt"].1["error"].as_str().unwrap().contains("max_bytes"),
        "{:#}",
        failures["huge.txt"].1
    );
    let huge_failed = fs::metadata(env.failed().join("huge.txt")).unwrap();
    assert_eq!(huge_failed.len(), 1 << 30, "the 1 GB file is kept as it was");
    assert!(huge_failed.blocks() * 512 < 1 << 20, "and still sparse: moved, never copied");
    assert!(peak_mib < MAX_RSS_MIB, "peak RSS {peak_mib} MiB: the 1 GB file was not read into memory");
    let link = env.failed().join("link-out.txt");
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link itself is set aside");
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("../outside/secret.txt"), "the link is unchanged");
    assert!(env.failed().join("folder.txt/inner.txt").exists(), "the folder is set aside whole");
    for (_, result) in results.values() {
        assert!(!result["text"].as_str().unwrap().contains("SECRETMARKER"), "the link target was analysed");
    }
    if atime_visible {
        assert_eq!(
            fs::metadata(outside.join("secret.txt")).unwrap().atime(),
            secret_atime,
            "the link target was read"
        );
        assert_eq!(huge_failed.atime(), huge_atime, "the 1 GB file was read");
    } else {
        eprintln!(
            "e2e: hostile: reads do not update atime on this filesystem; 'never read' checked by RSS only"
        );
    }
    assert_eq!(
        fs::read_to_string(outside.join("secret.txt")).unwrap(),
        secret_text,
        "the link target is intact"
    );
    // The long empty file's report sits beside it under a name that fits.
    let (long_input, _) = &failures[&long_empty];
    assert!(long_input.file_name().unwrap().len() <= 255 - ".error.json".len());

    // Nothing outside the configured folders changed.
    let after = snapshot(&root, &configured);
    let changed: Vec<_> = before
        .iter()
        .filter(|(p, s)| after.get(*p) != Some(*s))
        .map(|(p, _)| p)
        .chain(after.keys().filter(|p| !before.contains_key(*p)))
        .collect();
    let config_files: Vec<PathBuf> = vec!["ingestd.toml".into()];
    let changed: Vec<_> = changed.into_iter().filter(|p| !config_files.contains(p)).collect();
    assert!(changed.is_empty(), "written outside the configured folders: {changed:?}");
    eprintln!(
        "e2e: hostile: {} inputs, {} results, {} failed; peak RSS {peak_mib} MiB (1 GB file refused); root: {root_is_root}",
        expect.len() + 1,
        results.len(),
        failures.len()
    );
}

#[test]
fn same_name_twice_keeps_both_results() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);
    let first = article("First story under this name", "First marker.");
    let second = article("Second story under the same name", "Second marker.");
    env.drop_file("same.txt", &first);
    daemon.wait_for("the first result and archive", || {
        env.result("same.txt").is_some() && env.archive().join("same.txt").exists()
    });
    env.drop_file("same.txt", &second);
    daemon.wait_for("the second result", || env.result_files().len() == 2 && list(&env.archive()).len() == 2);
    daemon.stop();

    let first_result = env.result("same.txt").unwrap();
    assert_result_shape(&first_result, "same.txt", first.as_bytes());
    let other = env.result_files().into_iter().find(|n| n != "same.json").unwrap();
    let second_result: Value = serde_json::from_slice(&fs::read(env.outbox().join(&other)).unwrap()).unwrap();
    assert_result_shape(&second_result, "same.txt", second.as_bytes());
    assert_ne!(first_result["id"], second_result["id"]);
    let tag = second_result["id"].as_str().unwrap().trim_start_matches("b3:")[..12].to_owned();
    assert_eq!(other, format!("same.{tag}.json"), "the second result is named after its id");
    let mut archived: Vec<Vec<u8>> =
        list(&env.archive()).iter().map(|n| fs::read(env.archive().join(n)).unwrap()).collect();
    archived.sort();
    let mut both = vec![first.into_bytes(), second.into_bytes()];
    both.sort();
    assert_eq!(archived, both, "both inputs are archived, neither overwritten");
}

#[test]
fn file_deleted_between_arrival_and_claim_is_no_error() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();

    // Seen (created) but not yet ready: still open by its writer, then deleted.
    let path = env.inbox().join("vanishing.txt");
    let mut writer = fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut writer, article("Soon gone", "Vanishing.").as_bytes()).unwrap();
    fs::remove_file(&path).unwrap();
    drop(writer);

    // And a race: files deleted right after they arrive. Whichever wins, each file is either
    // gone without a trace (we deleted it first) or analysed (the daemon claimed it first).
    let mut deleted = Vec::new();
    let mut claimed = Vec::new();
    for i in 0..100 {
        let name = format!("race-{i:03}.txt");
        env.drop_file(&name, article(&format!("Race {i}"), "Race marker."));
        if i % 3 != 0 {
            std::thread::sleep(Duration::from_micros(200 * i));
        }
        match fs::remove_file(env.inbox().join(&name)) {
            Ok(()) => deleted.push(name),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => claimed.push(name),
            Err(e) => panic!("{e}"),
        }
    }
    env.drop_file("final.txt", article("After the vanishing acts", "Final."));
    daemon.wait_for("the race winners' results and the final file", || {
        claimed.iter().all(|n| env.archive().join(n).exists()) && env.archive().join("final.txt").exists()
    });
    daemon.assert_running();
    daemon.stop();
    eprintln!(
        "e2e: deleted before claim: {} of 100 (+1 open file); claimed first: {}",
        deleted.len(),
        claimed.len()
    );
    assert!(list(&env.failed()).is_empty(), "a vanished file is no error: {:?}", list(&env.failed()));
    assert!(list(&env.work()).is_empty());
    for name in deleted.iter().chain(std::iter::once(&"vanishing.txt".to_owned())) {
        assert!(env.result(name).is_none(), "{name} was deleted before its claim yet has a result");
    }
    assert_eq!(env.result_files().len(), claimed.len() + 1, "one result per claimed file");
}
