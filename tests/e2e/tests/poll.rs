//! `[watch] mode = "poll"`, for network filesystems where file events never arrive: files
//! are found by scans alone, and a file is taken only once its size and mtime stop changing.

use std::fs;
use std::io::Write;
use std::time::{Duration, SystemTime};

use ingestd_e2e::{Env, article, assert_result_shape, list, plugin_result};

const FAULTY: &str = "[[plugins]]\nname = \"faulty\"\n";
const POLL: &str = "mode = \"poll\"\npoll_interval_ms = 200\nsettle_ms = 1000\n";

#[test]
fn poll_mode_processes_files() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config_with("", POLL, FAULTY));
    env.write_inbox("before-start.txt", article("Already waiting", "Before start."));
    let mut daemon = env.start(&config);
    let mut inputs = vec![("before-start.txt".to_owned(), article("Already waiting", "Before start."))];
    for i in 0..10 {
        let name = format!("polled-{i}.txt");
        let text = article(&format!("Polled article {i}"), &format!("Poll marker {i}."));
        if i % 2 == 0 {
            env.write_inbox(&name, &text);
        } else {
            env.drop_file(&name, &text);
        }
        inputs.push((name, text));
    }
    daemon.wait_for("every polled file to be processed", || list(&env.archive()).len() == inputs.len());
    for (name, text) in &inputs {
        let result = env.result(name).unwrap_or_else(|| panic!("no result for {name}"));
        assert_result_shape(&result, name, text.as_bytes());
        plugin_result(&result, "faulty");
    }
    assert!(list(&env.failed()).is_empty());
    daemon.stop();
}

#[test]
fn poll_mode_never_claims_a_file_still_being_written() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config_with("", POLL, FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();

    // Two slow writers keep their files open and append every 200 ms for 2 s (settle_ms is
    // 1000). The second resets the mtime to an hour ago after each write, as copy tools that
    // preserve times do: in poll mode the mtime's age alone must never make a file ready.
    let names = ["growing.txt", "old-mtime.txt"];
    let mut files: Vec<fs::File> =
        names.iter().map(|n| fs::File::create(env.inbox().join(n)).unwrap()).collect();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut written = String::new();
    for i in 0..=10 {
        let piece = format!("Piece{i} of the article arrives over a slow network link.\n\n");
        for file in &mut files {
            file.write_all(piece.as_bytes()).unwrap();
            file.flush().unwrap();
        }
        files[1].set_modified(an_hour_ago).unwrap();
        written.push_str(&piece);
        for name in names {
            assert!(
                env.inbox().join(name).exists() && !env.work().join(name).exists(),
                "{name} was claimed after {i} of 11 pieces, while still being written"
            );
        }
        assert!(env.result_files().is_empty(), "no result while the files are being written");
        daemon.assert_running();
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(files);

    daemon.wait_for("both files' results", || names.iter().all(|n| env.result(n).is_some()));
    for name in names {
        let result = env.result(name).unwrap();
        assert_result_shape(&result, name, written.as_bytes());
        let text = result["text"].as_str().unwrap();
        assert!(text.contains("Piece10 of"), "{name} was read complete: {text:?}");
    }
    assert_eq!(env.result_files(), ["growing.json", "old-mtime.json"], "each file analysed once");
    daemon.stop();
}
