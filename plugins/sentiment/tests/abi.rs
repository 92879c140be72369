//! The whole C ABI round trip: descriptor, `create`, `process`, `free_buffer`, `destroy`,
//! called exactly as the host calls them (through `ingest_abi::testing`).

use ingest_abi::ffi::{ABI_MAGIC, ABI_MAJOR, STATUS_ERROR, STATUS_OK};
use ingest_abi::testing::TestHost;
use serde_json::{Value, json};

#[test]
fn sentiment_round_trips_through_the_c_abi() {
    // SAFETY: returns a pointer to a static descriptor.
    let descriptor = unsafe { &*sentiment::ingest_plugin_descriptor() };
    assert_eq!(descriptor.magic, ABI_MAGIC);
    assert_eq!(descriptor.abi_major, ABI_MAJOR);
    // SAFETY: name points to a static string.
    assert_eq!(unsafe { descriptor.name.as_bytes() }, b"sentiment");

    let host = TestHost::new();
    let (status, message) = host.create(descriptor, r#"{"positive_treshold": 0.1}"#).unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("positive_treshold"), "{message}");

    let instance = host.create(descriptor, r#"{"positive_threshold": 0.05}"#).unwrap();
    let text = "Mélanie Joly called the talks excellent and productive. Putin's war is horrible.";
    let first_end = text.find(" Putin").map(|b| text[..b].chars().count()).unwrap();
    let putin = first_end + 1;
    let document = json!({
        "id": "b3:abc", "title": null, "language": "en", "text": text,
        "source": {"name": "a.txt", "bytes": 80, "sha256": "00", "received_at": "2025-03-14T00:00:00Z"},
        "paragraphs": [{"start": 0, "end": text.chars().count()}],
        "sentences": [{"start": 0, "end": first_end}, {"start": putin, "end": text.chars().count()}],
        "plugins": {"entities": {
            "mentions": [
                {"text": "Mélanie Joly", "type": "PER", "start": 0, "end": 12, "entity": "e2"},
                {"text": "Putin", "type": "PER", "start": putin, "end": putin + 5, "entity": "e1"}
            ],
            "entities": [
                {"id": "e1", "name": "Vladimir Putin", "type": "PER", "aliases": ["Putin"], "mentions": 1, "first": putin, "salience": 0.5},
                {"id": "e2", "name": "Mélanie Joly", "type": "PER", "aliases": [], "mentions": 1, "first": 0, "salience": 0.5}
            ]
        }}
    });
    let (status, output) = instance.process(&document.to_string());
    assert_eq!(status, STATUS_OK, "{output}");
    let result: Value = serde_json::from_str(&output).unwrap();
    for key in ["score", "pos", "neu", "neg"] {
        assert!(result[key].is_f64(), "{key} in {result}");
    }
    assert!(["negative", "neutral", "positive"].contains(&result["label"].as_str().unwrap()));
    let sentences = result["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 2);
    assert_eq!(sentences[1]["start"], putin);
    assert!(sentences[0]["score"].as_f64().unwrap() > 0.5);
    assert!(sentences[1]["score"].as_f64().unwrap() < -0.5);
    assert!(result["entities"]["Mélanie Joly"]["score"].as_f64().unwrap() > 0.5);
    assert_eq!(result["entities"]["Vladimir Putin"]["sentences"], 1);
    assert!(result["entities"]["Vladimir Putin"]["score"].as_f64().unwrap() < -0.5);

    // Same document, same answer (the host may redeliver).
    assert_eq!(instance.process(&document.to_string()).1, output);

    // A document that is not JSON is an error, not a crash.
    let (status, message) = instance.process("{not json");
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("invalid document JSON"), "{message}");
}
