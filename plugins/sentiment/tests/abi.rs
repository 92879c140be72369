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
fn sentiment_round_trips_through_the_c_abi() {
    // SAFETY: returns a pointer to a static descriptor.
    let descriptor = unsafe { &*sentiment::ingest_plugin_descriptor() };
    assert_eq!(descriptor.magic, ABI_MAGIC);
    assert_eq!(descriptor.abi_major, ABI_MAJOR);
    // SAFETY: name points to a static string.
    assert_eq!(unsafe { descriptor.name.as_bytes() }, b"sentiment");

    let host = fake_host();
    let (status, message) = create(descriptor, &host, r#"{"positive_treshold": 0.1}"#).unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("positive_treshold"), "{message}");

    let instance = create(descriptor, &host, r#"{"positive_threshold": 0.05}"#).unwrap();
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
    let (status, output) = process(descriptor, instance, &document.to_string());
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
    assert_eq!(process(descriptor, instance, &document.to_string()).1, output);

    // A document that is not JSON is an error, not a crash.
    let (status, message) = process(descriptor, instance, "{not json");
    assert_eq!(status, STATUS_ERROR);
    assert!(message.contains("invalid document JSON"), "{message}");

    // SAFETY: created above, destroyed once, after its last call.
    unsafe { (descriptor.destroy)(instance) };
}
