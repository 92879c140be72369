//! The whole C ABI round trip: descriptor, `create`, `process`, `free_buffer`, `destroy`,
//! called exactly as the host calls them (through `ingest_abi::testing`).

use ingest_abi::ffi::{ABI_MAGIC, ABI_MAJOR, STATUS_ERROR, STATUS_OK};
use ingest_abi::testing::TestHost;
use serde_json::{Value, json};

#[test]
fn entities_round_trip_through_the_c_abi() {
    // SAFETY: returns a pointer to a static descriptor.
    let descriptor = unsafe { &*entities::ingest_plugin_descriptor() };
    assert_eq!(descriptor.magic, ABI_MAGIC);
    assert_eq!(descriptor.abi_major, ABI_MAJOR);
    // SAFETY: name points to a static string.
    assert_eq!(unsafe { descriptor.name.as_bytes() }, b"entities");

    let host = TestHost::new();
    let (status, message) = host.create(descriptor, r#"{"types": ["PERSON"]}"#).unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("PERSON"), "{message}");

    let instance = host.create(descriptor, r#"{"min_salience": 0.0}"#).unwrap();
    let text = "Canadian Foreign Minister Mélanie Joly met President Donald Trump in Moscow. \
                Trump’s envoy praised Joly.";
    let first_end = text.find(" Trump’s").map(|b| text[..b].chars().count()).unwrap();
    let len = text.chars().count();
    let document = json!({
        "id": "b3:abc", "title": null, "language": "en", "text": text,
        "source": {"name": "a.txt", "bytes": 100, "sha256": "00", "received_at": "2025-03-14T00:00:00Z"},
        "paragraphs": [{"start": 0, "end": len}],
        "sentences": [{"start": 0, "end": first_end}, {"start": first_end + 1, "end": len}],
    });
    let (status, output) = instance.process(&document.to_string());
    assert_eq!(status, STATUS_OK, "{output}");
    let result: Value = serde_json::from_str(&output).unwrap();

    let chars: Vec<char> = text.chars().collect();
    let mentions = result["mentions"].as_array().unwrap();
    for m in mentions {
        let (start, end) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        assert_eq!(chars[start..end].iter().collect::<String>(), m["text"].as_str().unwrap());
        assert!(["PER", "ORG", "LOC", "MISC"].contains(&m["type"].as_str().unwrap()));
        assert!(m["entity"].as_str().unwrap().starts_with('e'));
    }
    let entities = result["entities"].as_array().unwrap();
    let trump = entities.iter().find(|e| e["name"] == "Donald Trump").expect("Donald Trump");
    assert_eq!(trump["type"], "PER");
    assert_eq!(trump["role"], "President");
    assert_eq!(trump["mentions"], 2);
    assert_eq!(trump["aliases"], json!(["Trump"]));
    let joly = entities.iter().find(|e| e["name"] == "Mélanie Joly").expect("Mélanie Joly");
    assert_eq!(joly["role"], "Foreign Minister");
    assert_eq!(joly["first"], 26);
    for e in entities {
        for key in ["id", "name", "type", "aliases", "mentions", "first", "salience"] {
            assert!(!e[key].is_null(), "{key} missing in {e}");
        }
        let s = e["salience"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
    // Same document, same answer (the host may redeliver).
    assert_eq!(instance.process(&document.to_string()).1, output);
}
