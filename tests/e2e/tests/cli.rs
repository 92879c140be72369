//! The one-shot subcommands: `plugins`, `process`, `check-config`.

use std::fs;
use std::path::Path;

use ingestd_e2e::{Env, STANDARD_PLUGINS, assert_result_shape, list, plugin_lib, plugin_result, seeds};

#[test]
fn plugins_lists_the_standard_plugins() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(""));
    let out = env.run(&["plugins", "--config", config.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ingestd plugins failed; stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), STANDARD_PLUGINS.len(), "one line per default plugin:\n{stdout}");
    for (line, name) in lines.iter().zip(STANDARD_PLUGINS) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "name, version, ABI, path separated by tabs: {line:?}");
        assert_eq!(fields[0], name, "{line:?}");
        assert!(!fields[1].is_empty(), "a version: {line:?}");
        // The standard plugins are built with this workspace's SDK: the current ABI.
        let abi = format!("abi {}.{}", ingest_abi::ffi::ABI_MAJOR, ingest_abi::ffi::ABI_MINOR);
        assert_eq!(fields[2], abi, "{line:?}");
        let path = Path::new(fields[3]);
        assert!(path.is_absolute() && path.is_file(), "an existing absolute path: {line:?}");
        assert_eq!(
            path.canonicalize().unwrap(),
            plugin_lib(name).canonicalize().unwrap(),
            "the library next to the executable: {line:?}"
        );
    }
}

#[test]
fn process_prints_json_lines_and_leaves_the_files() {
    let seeds = seeds();
    let env = Env::new();
    let dir = env.path("articles");
    fs::create_dir(&dir).unwrap();
    let mut inputs = Vec::new();
    for seed in &seeds {
        let name = seed.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(seed).unwrap();
        fs::write(dir.join(&name), &bytes).unwrap();
        inputs.push((name, bytes));
    }
    let config = env.write_config("ingestd.toml", &env.config(""));

    let out = env.run(&["process", "--config", config.to_str().unwrap(), "articles"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ingestd process failed; stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), inputs.len(), "one JSON line per file:\n{stdout}");
    let mut seen = Vec::new();
    for line in lines {
        let result: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        let name = result["source"]["name"].as_str().expect("source.name").to_owned();
        let (_, bytes) =
            inputs.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("unknown source {name}"));
        assert_result_shape(&result, &name, bytes);
        for plugin in STANDARD_PLUGINS {
            plugin_result(&result, plugin);
        }
        seen.push(name);
    }
    seen.sort();
    let mut names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    assert_eq!(seen, names, "each file once");
    for (name, bytes) in &inputs {
        assert_eq!(fs::read(dir.join(name)).unwrap(), *bytes, "{name} is left in place, unchanged");
    }
    assert_eq!(list(&dir).len(), inputs.len(), "nothing added to the folder");

    // A single file works the same.
    let first = format!("articles/{}", inputs[0].0);
    let out = env.run(&["process", "--config", config.to_str().unwrap(), &first]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ingestd process FILE failed; stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "one line for one file:\n{stdout}");
}

/// Runs `check-config` on `toml` and asserts exit code 2 with stderr naming `key` and `line`.
fn assert_config_error(env: &Env, toml: &str, key: &str, line: usize) {
    let config = env.write_config("bad.toml", toml);
    let out = env.run(&["check-config", "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "check-config refuses the config; stderr:\n{stderr}");
    assert!(stderr.contains(key), "stderr names the key {key:?}:\n{stderr}");
    assert!(stderr.contains(&format!("line {line}")), "stderr names line {line}:\n{stderr}");
}

#[test]
fn check_config_names_the_bad_key_and_its_line() {
    let env = Env::new();
    // The faulty plugin keeps this test independent of the standard plugins' progress.
    let good = env.write_config("good.toml", &env.config("[[plugins]]\nname = \"faulty\"\n"));
    let out = env.run(&["check-config", "--config", good.to_str().unwrap()]);
    assert!(out.status.success(), "a valid config passes; stderr:\n{}", String::from_utf8_lossy(&out.stderr));

    assert_config_error(&env, "inbox = \"inbox\"\noutbox = \"outbox\"\ncolour = \"blue\"\n", "colour", 3);
    assert_config_error(
        &env,
        "inbox = \"inbox\"\n\n[watch]\nmode = \"poll\"\nsettle_msec = 500\n",
        "settle_msec",
        5,
    );
    assert_config_error(&env, "inbox = \"inbox\"\nworkers = \"many\"\n", "workers", 2);
}

#[test]
fn check_config_refuses_a_bad_plugin_setting() {
    let env = Env::new();
    let config = env.write_config(
        "ingestd.toml",
        &env.config("[[plugins]]\nname = \"faulty\"\nconfig = { panic_onn = \"BOOM\" }\n"),
    );
    let out = env.run(&["check-config", "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "check-config refuses the plugin's settings; stderr:\n{stderr}");
    assert!(stderr.contains("faulty"), "stderr names the plugin:\n{stderr}");
    assert!(stderr.contains("panic_onn"), "stderr names the bad setting:\n{stderr}");
}
