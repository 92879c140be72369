//! Running as a system service: the systemd unit, readiness notifications, reloads, metrics
//! and `ingestd status` — what an operator relies on without reading the code.

use std::io::{Read, Write};
use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::Duration;

use ingestd_e2e::{Env, TIMEOUT, article, plugin_result, wait_for, workspace_root};

fn systemd_analyze(args: &[&str]) -> std::process::Output {
    Command::new("systemd-analyze")
        .args(args)
        .output()
        .expect("systemd-analyze must be installed (Debian package `systemd`; .ci/run installs it)")
}

#[test]
fn systemd_unit_verifies_and_is_hardened() {
    let unit = workspace_root().join("config/ingestd.service");
    let env = Env::new();
    // `verify` checks that ExecStart's binary exists; point it at the one we built.
    let text = std::fs::read_to_string(&unit).unwrap();
    let local = env.path("ingestd.service");
    std::fs::write(
        &local,
        text.replace("/usr/bin/ingestd", &ingestd_e2e::ingestd_bin().display().to_string()),
    )
    .unwrap();
    let verify = systemd_analyze(&["verify", local.to_str().unwrap()]);
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let security = systemd_analyze(&["security", "--offline=yes", unit.to_str().unwrap()]);
    let out =
        String::from_utf8_lossy(&security.stdout).into_owned() + &String::from_utf8_lossy(&security.stderr);
    let exposure: f64 = out
        .lines()
        .find_map(|l| l.split("Overall exposure level for ingestd.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{out}"));
    assert!(exposure <= 2.0, "exposure {exposure} > 2.0:\n{out}");
}

/// Reads datagrams sent to a fake `NOTIFY_SOCKET` until one contains `wanted`.
fn wait_for_notification(socket: &UnixDatagram, wanted: &str) -> String {
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + TIMEOUT;
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            seen.push('\n');
            if seen.contains(wanted) {
                return seen;
            }
        }
    }
    panic!("no {wanted} notification; got:\n{seen}");
}

#[test]
fn tells_systemd_when_ready_and_when_stopping() {
    let env = Env::new();
    let socket_path = env.path("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    env.drop_file("before.txt", article("Before start", "Filed before the daemon started."));
    let config = env.write_config("ingestd.toml", &env.config("[[plugins]]\nname = \"faulty\"\n"));
    let mut daemon = env.start_with_env(&config, &[("NOTIFY_SOCKET", socket_path.to_str().unwrap())]);
    wait_for_notification(&socket, "READY=1");
    daemon.wait_for("the file present before start", || env.result("before.txt").is_some());
    daemon.sigterm();
    wait_for_notification(&socket, "STOPPING=1");
    assert!(daemon.wait_exit().success());
}

#[test]
fn sighup_reloads_plugin_settings_and_refuses_a_bad_config() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config("[[plugins]]\nname = \"faulty\"\n"));
    let mut daemon = env.start(&config);
    env.drop_file("one.txt", article("First", "The word BOOM is harmless for now."));
    daemon.wait_for("the first result", || env.result("one.txt").is_some());
    assert_eq!(env.result("one.txt").unwrap()["errors"], serde_json::json!([]));

    // A new plugin setting, picked up on SIGHUP.
    std::fs::write(&config, env.config("[[plugins]]\nname = \"faulty\"\nconfig = { panic_on = \"BOOM\" }\n"))
        .unwrap();
    daemon.signal(libc::SIGHUP);
    daemon.wait_for("the reload", || daemon_log(&env).contains("configuration reloaded"));
    env.drop_file("two.txt", article("Second", "Now BOOM makes the plugin panic."));
    daemon.wait_for("the second result", || env.result("two.txt").is_some());
    assert_eq!(env.result("two.txt").unwrap()["errors"][0]["kind"], "panic");

    // A bad config is refused and the running one stays.
    std::fs::write(&config, env.config("[[plugins]]\nname = \"faulty\"\nconfig = { panic_onn = \"x\" }\n"))
        .unwrap();
    daemon.signal(libc::SIGHUP);
    daemon.wait_for("the refusal", || daemon_log(&env).contains("reload refused"));
    assert!(daemon_log(&env).contains("panic_onn"), "the refusal names the bad key:\n{}", daemon_log(&env));
    env.drop_file("three.txt", article("Third", "BOOM again, under the old settings."));
    daemon.wait_for("the third result", || env.result("three.txt").is_some());
    assert_eq!(env.result("three.txt").unwrap()["errors"][0]["kind"], "panic", "old settings still apply");
    daemon.assert_running();
    daemon.stop();
}

fn daemon_log(env: &Env) -> String {
    std::fs::read_to_string(env.path("daemon.stderr")).unwrap_or_default()
}

/// A plain HTTP/1.0 GET on loopback; returns (status line, body).
fn http_get(port: u16, path: &str) -> (String, String) {
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the metrics endpoint");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn metrics_endpoint_counts_documents_and_answers_health() {
    let env = Env::new();
    let port = free_port();
    let config = env.config(&format!(
        "[metrics]\nenabled = true\nlisten = \"127.0.0.1:{port}\"\n\n[[plugins]]\nname = \"faulty\"\n"
    ));
    let config = env.write_config("ingestd.toml", &config);
    let mut daemon = env.start(&config);
    env.drop_file("a.txt", article("A", "First article."));
    env.drop_file("b.txt", article("B", "Second article."));
    env.drop_file("empty.txt", "");
    daemon.wait_for("three outcomes", || {
        env.result("a.txt").is_some()
            && env.result("b.txt").is_some()
            && env.failed().join("empty.txt").exists()
    });
    let mut body = String::new();
    assert!(
        wait_for(
            || {
                body = http_get(port, "/metrics").1;
                body.contains("ingestd_documents_total{outcome=\"done\"} 2")
            },
            TIMEOUT
        ),
        "metrics:\n{body}"
    );
    assert!(body.contains("ingestd_documents_total{outcome=\"failed\"} 1"), "{body}");
    assert!(body.contains("ingestd_plugin_duration_seconds_count{plugin=\"faulty\"} 2"), "{body}");
    assert!(body.contains("ingestd_inbox_backlog"), "{body}");
    let (status, body) = http_get(port, "/healthz");
    assert!(status.contains("200"), "{status} {body}");
    daemon.stop();
}

#[test]
fn status_shows_backlog_failures_and_newest_results() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config("[[plugins]]\nname = \"faulty\"\n"));
    let mut daemon = env.start(&config);
    env.drop_file("good.txt", article("Good", "A normal article."));
    env.drop_file("bad.txt", "");
    daemon.wait_for("both outcomes", || {
        env.result("good.txt").is_some() && env.failed().join("bad.txt").exists()
    });
    daemon.stop();
    env.write_inbox("waiting.txt", article("Waiting", "Not processed yet."));
    let out = env.run(&["status", "--config", config.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let count = |label: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(label))
            .and_then(|l| l.split_whitespace().nth(if label == "in flight" { 2 } else { 1 }))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {label} line in:\n{text}"))
    };
    assert_eq!(count("inbox"), 1, "{text}");
    assert_eq!(count("in flight"), 0, "{text}");
    assert_eq!(count("failed"), 1, "{text}");
    assert_eq!(count("results"), 1, "{text}");
    assert!(text.contains("good.json"), "{text}");
}

#[test]
fn a_plugin_over_its_time_limit_costs_only_its_own_result() {
    let env = Env::new();
    let plugins = "[[plugins]]\nname = \"faulty\"\ntimeout_ms = 100\nconfig = { sleep_ms = 5000 }\n\n\
                   [[plugins]]\nname = \"sentiment\"\n";
    let config = env.write_config("ingestd.toml", &env.config(plugins));
    let mut daemon = env.start(&config);
    env.drop_file("slow.txt", article("Slow", "A plugin takes too long on this."));
    daemon.wait_for("the result", || env.result("slow.txt").is_some());
    let result = env.result("slow.txt").unwrap();
    let errors = result["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["plugin"] == "faulty" && e["kind"] == "timeout"), "{result:#}");
    plugin_result(&result, "sentiment");
    assert!(result["plugins"].get("faulty").is_none(), "{result:#}");
    daemon.stop();
}
