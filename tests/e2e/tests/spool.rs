//! How files travel through the spool: discovery at start, ignored temporary names, files
//! that are still being written.

use std::fs;
use std::io::Write;
use std::time::Duration;

use ingestd_e2e::{Env, article, assert_result_shape, list, plugin_result};

/// The well-behaved faulty plugin: fast, and independent of the standard plugins' progress.
const FAULTY: &str = "[[plugins]]\nname = \"faulty\"\n";

#[test]
fn files_present_before_start_are_processed() {
    let env = Env::new();
    let mut inputs = Vec::new();
    for i in 0..3 {
        let name = format!("early-{i}.txt");
        let text = article(&format!("Early article number {i}"), &format!("Early marker {i}."));
        env.write_inbox(&name, &text);
        inputs.push((name, text));
    }
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);

    daemon.wait_for("results for the three files already in the inbox", || {
        env.result_files().len() == 3 && list(&env.archive()).len() == 3
    });
    for (name, text) in &inputs {
        let result = env.result(name).expect("result");
        assert_result_shape(&result, name, text.as_bytes());
        plugin_result(&result, "faulty");
    }
    assert!(list(&env.inbox()).is_empty());
    daemon.stop();
}

#[test]
fn tmp_file_is_ignored_until_renamed() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);

    let pending = article("A story still being downloaded", "Pending marker.");
    env.write_inbox("story.tmp", &pending);
    // A control file dropped after it: once it is done, the daemon has seen the .tmp too.
    env.drop_file("control.txt", article("A control article", "Control marker."));
    daemon.wait_for("the control file's result", || env.result("control.txt").is_some());
    daemon.wait_for("the control file to be archived", || env.archive().join("control.txt").exists());

    assert_eq!(env.result_files(), ["control.json"], "the .tmp file produced no result");
    assert_eq!(
        fs::read_to_string(env.inbox().join("story.tmp")).unwrap(),
        pending,
        "the .tmp file is left alone"
    );
    assert!(list(&env.failed()).is_empty(), "the .tmp file was not failed either");

    fs::rename(env.inbox().join("story.tmp"), env.inbox().join("story.txt")).unwrap();
    daemon.wait_for("the renamed file's result", || env.result("story.txt").is_some());
    let result = env.result("story.txt").unwrap();
    assert_result_shape(&result, "story.txt", pending.as_bytes());
    daemon.wait_for("the renamed file to be archived", || env.archive().join("story.txt").exists());
    daemon.stop();
}

#[test]
fn slowly_written_file_is_read_once_and_complete() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);

    let pieces: Vec<String> = (1..=5)
        .map(|i| {
            format!("Paragraph {i} of the slow article arrives over a slow link. Slowpiece{i} ends it.\n\n")
        })
        .collect();
    let path = env.inbox().join("slow.txt");
    let mut file = fs::File::create(&path).unwrap();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(300));
        }
        file.write_all(piece.as_bytes()).unwrap();
        file.flush().unwrap();
    }
    drop(file);
    let full = pieces.concat();

    env.drop_file("after.txt", article("Written after the slow one", "After marker."));
    daemon.wait_for("results for the slow file and the one after it", || {
        env.result("slow.txt").is_some() && env.result("after.txt").is_some()
    });
    daemon.wait_for("both inputs to be archived", || list(&env.archive()).len() == 2);

    let result = env.result("slow.txt").unwrap();
    let text = result["text"].as_str().unwrap();
    for i in 1..=5 {
        assert!(text.contains(&format!("Slowpiece{i}")), "piece {i} missing from the result text: {text:?}");
    }
    assert_result_shape(&result, "slow.txt", full.as_bytes());
    assert_eq!(env.result_files(), ["after.json", "slow.json"], "exactly one result for the slow file");
    assert_eq!(fs::read_to_string(env.archive().join("slow.txt")).unwrap(), full);
    assert!(list(&env.failed()).is_empty(), "nothing failed: {:?}", list(&env.failed()));
    daemon.stop();
}
