//! The whole C ABI round trip: descriptor, `create`, `process`, `free_buffer`, `destroy`,
//! called exactly as the host calls them, with a tiny fake host table.

use std::ffi::c_void;
use std::ptr;

use ingest_abi::ffi::{
    ABI_MAGIC, ABI_MAJOR, IngestBuffer, IngestCall, IngestHostApi, IngestPluginDescriptor, IngestStr,
    STATUS_ERROR, STATUS_OK,
};
use serde_json::{Value, json};

unsafe extern "C" fn log(_host: *mut c_void, _level: u32, _message: IngestStr) {}

unsafe extern "C" fn not_cancelled(_call: *const IngestCall) -> i32 {
    0
}

fn fake_host() -> IngestHostApi {
    IngestHostApi {
        struct_size: size_of::<IngestHostApi>() as u32,
        host_data: ptr::null_mut(),
        state_dir: IngestStr::from_str(""),
        log,
        is_cancelled: not_cancelled,
    }
}

/// Copies a plugin-owned buffer and hands it back to the plugin's `free_buffer`.
fn take(descriptor: &IngestPluginDescriptor, buffer: IngestBuffer) -> String {
    let text = if buffer.ptr.is_null() {
        String::new()
    } else {
        // SAFETY: the plugin filled `buffer` with `len` initialised bytes it owns.
        let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) };
        String::from_utf8(bytes.to_vec()).expect("UTF-8 from the plugin")
    };
    // SAFETY: the buffer came from this plugin and is freed once.
    unsafe { (descriptor.free_buffer)(buffer) };
    text
}

/// `create` with `config`: the instance, or the status and error message.
fn create(
    descriptor: &IngestPluginDescriptor,
    host: &IngestHostApi,
    config: &str,
) -> Result<*mut c_void, (i32, String)> {
    let mut instance = ptr::null_mut();
    let mut error = IngestBuffer::empty();
    // SAFETY: valid host table (outlives the instance), config bytes and out-pointers.
    let status = unsafe { (descriptor.create)(host, IngestStr::from_str(config), &mut instance, &mut error) };
    if status == STATUS_OK { Ok(instance) } else { Err((status, take(descriptor, error))) }
}

fn process(descriptor: &IngestPluginDescriptor, instance: *mut c_void, document: &str) -> (i32, String) {
    let mut output = IngestBuffer::empty();
    // SAFETY: `instance` is live; the call handle is only passed to our `not_cancelled`.
    let status =
        unsafe { (descriptor.process)(instance, ptr::null(), IngestStr::from_str(document), &mut output) };
    (status, take(descriptor, output))
}

#[test]
fn entities_round_trip_through_the_c_abi() {
    // SAFETY: returns a pointer to a static descriptor.
    let descriptor = unsafe { &*entities::ingest_plugin_descriptor() };
    assert_eq!(descriptor.magic, ABI_MAGIC);
    assert_eq!(descriptor.abi_major, ABI_MAJOR);
    // SAFETY: name points to a static string.
    assert_eq!(unsafe { descriptor.name.as_bytes() }, b"entities");

    let host = fake_host();
    let (status, message) = create(descriptor, &host, r#"{"types": ["PERSON"]}"#).unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("PERSON"), "{message}");

    let instance = create(descriptor, &host, r#"{"min_salience": 0.0}"#).unwrap();
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
    let (status, output) = process(descriptor, instance, &document.to_string());
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
    assert_eq!(process(descriptor, instance, &document.to_string()).1, output);

    // SAFETY: created above, destroyed once, after its last call.
    unsafe { (descriptor.destroy)(instance) };
}
