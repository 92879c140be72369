//! The plugin ABI from outside Rust: a plugin written in C works, and libraries that do
//! not honour the contract are refused with a message naming the file.

use std::path::Path;

use ingestd_e2e::{Env, article, assert_result_shape, fixtures_dir, plugin_result, wordcount_source};

#[test]
fn c_plugin_wordcount_counts_the_words() {
    run_wordcount(&[], "1.1");
}

/// A plugin built for ABI 1.0 (minor 0, a descriptor that ends before `flush`) still loads
/// and works; the host never reads its descriptor past `struct_size` (the field there aborts
/// the process if called) and commits its results without a `flush`.
#[test]
fn c_plugin_of_abi_1_0_still_loads() {
    run_wordcount(&["-DWORDCOUNT_ABI_1_0"], "1.0");
}

/// Builds `wordcount.c` with `flags`, checks `ingestd plugins` lists it with ABI `abi`, and
/// runs one document through it in the daemon.
fn run_wordcount(flags: &[&str], abi: &str) {
    let env = Env::new();
    let lib = env.compile_c_with(&wordcount_source(), "wordcount", flags);
    let plugins = format!("[[plugins]]\nname = \"wordcount\"\nlibrary = \"{}\"\n", lib.display());
    let config = env.write_config("ingestd.toml", &env.config(&plugins));

    let listed = env.run(&["plugins", "--config", config.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "ingestd plugins: {}", String::from_utf8_lossy(&listed.stderr));
    assert!(
        stdout.starts_with(&format!("wordcount\t1.0.0\tabi {abi}\t")),
        "ingestd plugins lists the C plugin: {stdout:?}"
    );

    let mut daemon = env.start(&config);
    // Quotes, a tab, non-ASCII letters and a no-break space exercise the C side's JSON walk.
    let text =
        article("Café talks in Montréal", "He said \"we will see\"\tand left;\u{a0}the “end” — really.");
    env.drop_file("words.txt", &text);
    daemon.wait_for("the C plugin's result", || env.result("words.txt").is_some());
    let result = env.result("words.txt").unwrap();
    assert_result_shape(&result, "words.txt", text.as_bytes());
    assert_eq!(result["errors"], serde_json::json!([]), "{result:#}");
    assert_eq!(result["plugins"]["wordcount"]["version"], "1.0.0");
    let expected = result["text"].as_str().unwrap().split_whitespace().count();
    assert!(expected > 0);
    assert_eq!(
        plugin_result(&result, "wordcount")["words"],
        expected,
        "wordcount agrees with a whitespace split of the text: {result:#}"
    );
    daemon.stop();
}

/// Runs `ingestd <subcommand> --config <config>` and asserts it refuses the library with
/// exit code 2 and a message naming the library and each of `mentions`.
fn assert_refused(env: &Env, subcommand: &str, config: &Path, lib: &Path, mentions: &[&str]) {
    let out = env.run(&[subcommand, "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "`ingestd {subcommand}` exits 2; stderr:\n{stderr}");
    assert!(stderr.contains(&*lib.to_string_lossy()), "stderr names {}:\n{stderr}", lib.display());
    for mention in mentions {
        assert!(stderr.contains(mention), "stderr mentions {mention:?}:\n{stderr}");
    }
}

#[test]
fn plugin_with_another_abi_major_is_refused() {
    let env = Env::new();
    let lib = env.compile_c(&fixtures_dir().join("bad_abi.c"), "bad_abi");
    let plugins = format!("[[plugins]]\nname = \"bad_abi\"\nlibrary = \"{}\"\n", lib.display());
    let config = env.write_config("ingestd.toml", &env.config(&plugins));
    assert_refused(&env, "plugins", &config, &lib, &["99"]);
    assert_refused(&env, "run", &config, &lib, &["99"]);
}

#[test]
fn plugin_claiming_abi_1_1_with_a_1_0_descriptor_is_refused() {
    let env = Env::new();
    let lib = env.compile_c_with(&fixtures_dir().join("bad_abi.c"), "short_1_1", &["-DBAD_ABI_SHORT_1_1"]);
    let plugins = format!("[[plugins]]\nname = \"short_1_1\"\nlibrary = \"{}\"\n", lib.display());
    let config = env.write_config("ingestd.toml", &env.config(&plugins));
    assert_refused(&env, "plugins", &config, &lib, &["1.1", "80 bytes"]);
}

#[test]
fn descriptor_with_null_functions_is_refused() {
    let env = Env::new();
    let lib = env.compile_c(&fixtures_dir().join("null_functions.c"), "null_functions");
    let plugins = format!("[[plugins]]\nname = \"null_functions\"\nlibrary = \"{}\"\n", lib.display());
    let config = env.write_config("ingestd.toml", &env.config(&plugins));
    assert_refused(&env, "plugins", &config, &lib, &["NULL", "destroy", "free_buffer"]);
}

#[test]
fn library_without_the_descriptor_symbol_is_refused() {
    let env = Env::new();
    let lib = env.compile_c(&fixtures_dir().join("no_symbol.c"), "no_symbol");
    let plugins = format!("[[plugins]]\nname = \"no_symbol\"\nlibrary = \"{}\"\n", lib.display());
    let config = env.write_config("ingestd.toml", &env.config(&plugins));
    assert_refused(&env, "plugins", &config, &lib, &["ingest_plugin_descriptor"]);
    assert_refused(&env, "run", &config, &lib, &["ingest_plugin_descriptor"]);
}
