//! Behaviour a user of the dedup plugin would notice: copies, near-copies, repeated
//! paragraphs, stories, redelivery, restarts, and the C ABI round trip.

use std::path::{Path, PathBuf};

use dedup::{Config, Dedup, DedupResult};
use ingest_abi::{Document, Source, Span};

/// The shared data folder next to the repository, if this checkout has it.
fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(relative);
    if path.exists() {
        Some(path)
    } else {
        println!("note: {} is absent; skipping", path.display());
        None
    }
}

/// The seed article whose file name starts with `prefix` (e.g. "004_").
fn seed(prefix: &str) -> Option<String> {
    let dir = shared("seeds")?;
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix));
    match entry {
        Some(path) => Some(std::fs::read_to_string(path).unwrap()),
        None => {
            println!("note: no seed {prefix}* in {}; skipping", dir.display());
            None
        }
    }
}

fn abi_spans(spans: Vec<ingest_text::Span>) -> Vec<Span> {
    spans.into_iter().map(|s| Span { start: s.start, end: s.end }).collect()
}

/// A document as the daemon would build it from a file `name` holding `raw`.
fn document(name: &str, raw: &str) -> Document {
    let text = ingest_text::clean(raw).text;
    let paragraphs = ingest_text::paragraphs(&text);
    let sentences = ingest_text::sentences(&text, &paragraphs);
    Document {
        id: format!("b3:{}", blake3::hash(raw.as_bytes()).to_hex()),
        source: Source {
            name: name.to_owned(),
            bytes: raw.len() as u64,
            sha256: String::new(),
            received_at: "2025-03-14T12:00:00Z".to_owned(),
        },
        title: None,
        language: "en".to_owned(),
        paragraphs: abi_spans(paragraphs),
        sentences: abi_spans(sentences),
        text,
        plugins: Default::default(),
    }
}

fn in_memory() -> Dedup {
    Dedup::open(Config::default(), None).unwrap()
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

const WIRE: &str = "The central bank raised its main interest rate by a quarter of a point on \
Tuesday, the third increase this year, saying inflation was still running well above its \
target.\n\nThe governor told reporters that further rises could not be ruled out if wage growth \
stayed strong through the summer months.\n\nMarkets had expected the move, and the currency \
barely changed after the announcement was made.";

const ESSAY: &str = "Shoppers in the capital queued for hours on Saturday as a new bakery opened \
its doors, offering free bread to the first hundred customers who arrived before dawn.\n\n\
The owner said she had waited ten years to open her own shop and was overwhelmed by the \
response from the neighbourhood.";

#[test]
fn the_same_text_under_two_names_is_an_exact_duplicate_of_the_first() {
    let dedup = in_memory();
    let first = dedup.analyse(&document("a.txt", WIRE)).unwrap();
    assert_eq!(first.exact_duplicate_of, None);
    // Different bytes (layout, case, quotes), same normal form.
    let relaid = WIRE.replace("\n\n", "\n").replace("The central", "THE CENTRAL");
    let second = document("b.txt", &relaid);
    let answer = dedup.analyse(&second).unwrap();
    let original = answer.exact_duplicate_of.expect("an exact duplicate");
    assert_eq!(
        (original.id.as_str(), original.source.as_str()),
        (document("a.txt", WIRE).id.as_str(), "a.txt")
    );
    assert!(answer.near_duplicates.is_empty(), "the original is not repeated: {:?}", answer.near_duplicates);
    assert_eq!(answer.story, first.story);
    // Byte-identical copy under a third name: same id, other name.
    let third = dedup.analyse(&document("c.txt", WIRE)).unwrap();
    assert_eq!(third.exact_duplicate_of.unwrap().source, "a.txt");
}

#[test]
fn a_redelivered_document_gets_the_same_answer_and_is_never_its_own_duplicate() {
    let dedup = in_memory();
    dedup.analyse(&document("essay.txt", ESSAY)).unwrap();
    let doc = document("wire.txt", WIRE);
    let first = dedup.analyse(&doc).unwrap();
    let again = dedup.analyse(&doc).unwrap();
    assert_eq!(first, again);
    assert_eq!(again.exact_duplicate_of, None);
    assert!(again.near_duplicates.iter().all(|n| n.id != doc.id));
    // A copy under another name, itself redelivered, keeps its first answer too.
    let copy = document("copy.txt", WIRE);
    let copy_first = dedup.analyse(&copy).unwrap();
    assert_eq!(copy_first.exact_duplicate_of.as_ref().unwrap().source, "wire.txt");
    assert_eq!(dedup.analyse(&copy).unwrap(), copy_first);
}

#[test]
fn concurrent_copies_have_exactly_one_original() {
    let dedup = in_memory();
    let answers: Vec<DedupResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let dedup = &dedup;
                scope.spawn(move || dedup.analyse(&document(&format!("{i}.txt"), WIRE)).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let originals = answers.iter().filter(|a| a.exact_duplicate_of.is_none()).count();
    assert_eq!(originals, 1, "{answers:#?}");
    // The same delivery racing itself: one answer, never a duplicate of itself.
    let doc = document("same.txt", ESSAY);
    let answers: Vec<DedupResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| dedup.analyse(&doc).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| a == &answers[0] && a.exact_duplicate_of.is_none()));
}

#[test]
fn a_short_article_inside_a_longer_one_is_a_near_duplicate_by_containment() {
    let Some(long) = seed("002_") else { return };
    let paragraphs: Vec<&str> = long.lines().filter(|l| !l.trim().is_empty()).collect();
    // A brief: an intro of its own and three paragraphs of the long article.
    let short = format!("Brief from our wire desk.\n{}", paragraphs[1..4].join("\n"));
    let dedup = in_memory();
    let long_doc = document("long.txt", &long);
    dedup.analyse(&long_doc).unwrap();
    let answer = dedup.analyse(&document("short.txt", &short)).unwrap();
    assert_eq!(answer.exact_duplicate_of, None);
    let near = answer.near_duplicates.first().expect("the long article is a near-duplicate");
    assert_eq!((near.id.as_str(), near.source.as_str()), (long_doc.id.as_str(), "long.txt"));
    assert!(near.containment >= 0.5, "{near:?}");
    assert!(near.similarity < near.containment, "{near:?}");

    // The other way round: the long article finds the brief it contains.
    let dedup = in_memory();
    dedup.analyse(&document("short.txt", &short)).unwrap();
    let answer = dedup.analyse(&long_doc).unwrap();
    assert_eq!(answer.near_duplicates.len(), 1, "{answer:?}");
    assert!(answer.near_duplicates[0].containment >= 0.5);
}

#[test]
fn unrelated_articles_are_not_near_duplicates() {
    let dedup = in_memory();
    dedup.analyse(&document("wire.txt", WIRE)).unwrap();
    let answer = dedup.analyse(&document("essay.txt", ESSAY)).unwrap();
    assert!(answer.near_duplicates.is_empty(), "{answer:?}");
    assert_ne!(answer.story, dedup.analyse(&document("wire.txt", WIRE)).unwrap().story);
}

#[test]
fn seed_004_reports_each_repeated_paragraph_with_code_point_spans() {
    let Some(raw) = seed("004_") else { return };
    // A non-ASCII first line makes code points and bytes differ for every span after it.
    let raw = format!("Mélanie’s “note” — résumé\n{raw}");
    let doc = document("004.txt", &raw);
    let answer = in_memory().analyse(&doc).unwrap();
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let expected = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| lines[..*i].contains(l) && l.split_whitespace().count() >= 5)
        .count();
    assert_eq!(expected, 7, "seed 004 pastes its seven body paragraphs twice");
    assert_eq!(answer.repeated_paragraphs.len(), expected, "{:?}", answer.repeated_paragraphs);
    for r in &answer.repeated_paragraphs {
        let repeat = slice(&doc.text, r.start, r.end);
        let first = slice(&doc.text, r.first.start, r.first.end);
        assert_eq!(repeat, first);
        assert!(r.first.end <= r.start);
        assert!(lines.contains(&repeat.as_str()), "a whole paragraph: {repeat}");
    }
}

#[test]
fn seeds_001_002_003_share_a_story_and_a_bbc_sports_article_does_not() {
    let (Some(a), Some(b), Some(c)) = (seed("001_"), seed("002_"), seed("003_")) else { return };
    let Some(sport) = shared("data/bbc_news/bbc/sport/001.txt") else { return };
    let sport = std::fs::read_to_string(sport).unwrap();
    let dedup = in_memory();
    let first = dedup.analyse(&document("001.txt", &a)).unwrap();
    assert_eq!(first.story, format!("s-{}", &document("001.txt", &a).id[3..19]));
    let second = dedup.analyse(&document("002.txt", &b)).unwrap();
    let third = dedup.analyse(&document("003.txt", &c)).unwrap();
    assert_eq!(second.story, first.story);
    assert_eq!(third.story, first.story);
    let other = dedup.analyse(&document("sport.txt", &sport)).unwrap();
    assert_ne!(other.story, first.story);
    assert!(other.near_duplicates.is_empty());
}

#[test]
fn the_index_survives_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let wire = document("wire.txt", WIRE);
    let first = {
        let dedup = Dedup::open(Config::default(), Some(state.path())).unwrap();
        dedup.analyse(&document("essay.txt", ESSAY)).unwrap();
        dedup.analyse(&wire).unwrap()
    };
    assert!(state.path().join("dedup.redb").exists());
    let dedup = Dedup::open(Config::default(), Some(state.path())).unwrap();
    assert_eq!(dedup.analyse(&wire).unwrap(), first, "redelivery after restart");
    let copy = dedup.analyse(&document("copy.txt", WIRE)).unwrap();
    assert_eq!(copy.exact_duplicate_of.unwrap().source, "wire.txt");
    let edited = WIRE.replace("Tuesday", "Wednesday");
    let near = dedup.analyse(&document("edited.txt", &edited)).unwrap();
    assert_eq!(near.near_duplicates.len(), 1, "{near:?}");
    assert_eq!(near.story, first.story, "the story window was reloaded");
    drop(dedup);
    // Signature settings are fixed once the index exists.
    let other = Config { shingle: 4, ..Config::default() };
    let err = Dedup::open(other, Some(state.path())).unwrap_err().to_string();
    assert!(err.contains("dedup.redb") && err.contains("shingle"), "{err}");
}

/// The child side of the crash test: answers articles into the index in `DEDUP_CRASH_STATE`
/// (fewer than a checkpoint's worth, so they exist only in the write-ahead log), writes the
/// answers next to it, and aborts without any cleanup.
fn crash_child(state: &Path) -> ! {
    let dedup = Dedup::open(Config::default(), Some(state)).unwrap();
    let answers: Vec<DedupResult> = crash_documents().iter().map(|d| dedup.analyse(d).unwrap()).collect();
    // As the daemon does before it commits a batch's results.
    dedup.flush().unwrap();
    std::fs::write(state.join("answers.json"), serde_json::to_vec(&answers).unwrap()).unwrap();
    std::process::abort();
}

fn crash_documents() -> Vec<Document> {
    let mut docs = vec![document("essay.txt", ESSAY), document("wire.txt", WIRE)];
    for i in 0..20 {
        docs.push(document(
            &format!("note-{i}.txt"),
            &format!("Council notice number {i} about bins, parking and the summer fair on the green."),
        ));
    }
    docs.push(document("wire-copy.txt", WIRE));
    docs
}

#[test]
fn a_crash_replays_the_write_ahead_log() {
    if let Some(state) = std::env::var_os("DEDUP_CRASH_STATE") {
        crash_child(Path::new(&state));
    }
    let state = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_crash_replays_the_write_ahead_log", "--nocapture", "--test-threads", "1"])
        .env("DEDUP_CRASH_STATE", state.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child aborts");
    let answers: Vec<DedupResult> =
        serde_json::from_slice(&std::fs::read(state.path().join("answers.json")).unwrap()).unwrap();
    let wal = state.path().join("dedup.redb.wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the articles are in the log only");
    // A torn record at the end (a crash mid-append) is ignored.
    let mut torn = std::fs::OpenOptions::new().append(true).open(&wal).unwrap();
    std::io::Write::write_all(&mut torn, &[200, 0, 0, 0, 1, 2, 3, 4, b'{']).unwrap();
    drop(torn);
    let dedup = Dedup::open(Config::default(), Some(state.path())).unwrap();
    let docs = crash_documents();
    for (doc, answer) in docs.iter().zip(&answers) {
        assert_eq!(&dedup.analyse(doc).unwrap(), answer, "{} redelivered after the crash", doc.source.name);
    }
    assert_eq!(answers.last().unwrap().exact_duplicate_of.as_ref().unwrap().source, "wire.txt");
    let again = dedup.analyse(&document("third.txt", WIRE)).unwrap();
    assert_eq!(again.exact_duplicate_of.unwrap().source, "wire.txt", "the replayed article is the original");
    let edited = dedup.analyse(&document("edited.txt", &WIRE.replace("Tuesday", "Monday"))).unwrap();
    assert_eq!(edited.near_duplicates.len(), 1, "replayed LSH buckets: {edited:?}");
    drop(dedup);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "a clean stop empties the log");
}

mod abi {
    //! The plugin driven through its exported C descriptor, as the daemon drives it.

    use std::ffi::c_void;

    use ingest_abi::ffi::{
        ABI_MAGIC, ABI_MAJOR, FLAG_THREAD_SAFE, IngestBuffer, IngestCall, IngestHostApi,
        IngestPluginDescriptor, IngestStr, STATUS_ERROR, STATUS_OK,
    };
    use serde_json::{Value, json};

    use super::{ESSAY, WIRE, document};

    unsafe extern "C" fn log(_: *mut c_void, _: u32, _: IngestStr) {}
    unsafe extern "C" fn is_cancelled(_: *const IngestCall) -> i32 {
        0
    }

    /// Takes a buffer's bytes and gives the buffer back to the plugin.
    fn take(descriptor: &IngestPluginDescriptor, buffer: IngestBuffer) -> String {
        let text = if buffer.ptr.is_null() {
            String::new()
        } else {
            // SAFETY: the plugin filled `buffer` with `len` initialised bytes it owns.
            let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) };
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        // SAFETY: the buffer came from this plugin and is freed once.
        unsafe { (descriptor.free_buffer)(buffer) };
        text
    }

    fn process(descriptor: &IngestPluginDescriptor, instance: *mut c_void, json: &str) -> Value {
        let mut out = IngestBuffer::empty();
        // SAFETY: `instance` came from `create`; `json` outlives the call; the call handle
        // is only passed back to our own `is_cancelled`, which ignores it.
        let status =
            unsafe { (descriptor.process)(instance, std::ptr::null(), IngestStr::from_str(json), &mut out) };
        let text = take(descriptor, out);
        assert_eq!(status, STATUS_OK, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_c_descriptor_round_trips_the_documented_json() {
        let state = tempfile::tempdir().unwrap();
        let state_dir = state.path().to_str().unwrap().to_owned();
        let api = IngestHostApi {
            struct_size: std::mem::size_of::<IngestHostApi>() as u32,
            host_data: std::ptr::null_mut(),
            state_dir: IngestStr::from_str(&state_dir),
            log,
            is_cancelled,
            flags: 0, // a host that never calls `flush`: the SDK calls it after `process`
        };
        // SAFETY: the descriptor is a static the plugin returns.
        let descriptor = unsafe { &*dedup::ingest_plugin_descriptor() };
        assert_eq!((descriptor.magic, descriptor.abi_major), (ABI_MAGIC, ABI_MAJOR));
        assert_eq!(descriptor.flags & FLAG_THREAD_SAFE, FLAG_THREAD_SAFE);
        // SAFETY: the name is a static string.
        assert_eq!(unsafe { descriptor.name.as_bytes() }, b"dedup");

        // A misspelt key is refused, naming the key.
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut error = IngestBuffer::empty();
        // SAFETY: `api` and the config outlive the call; both out-pointers are writable.
        let status = unsafe {
            (descriptor.create)(&api, IngestStr::from_str(r#"{"treshold":0.4}"#), &mut instance, &mut error)
        };
        assert_eq!(status, STATUS_ERROR);
        assert!(take(descriptor, error).contains("treshold"));

        let config = r#"{"threshold": 0.5, "index": "abi.redb"}"#;
        let mut error = IngestBuffer::empty();
        // SAFETY: as above; `api` outlives the instance (destroyed below).
        let status =
            unsafe { (descriptor.create)(&api, IngestStr::from_str(config), &mut instance, &mut error) };
        assert_eq!(status, STATUS_OK, "{}", take(descriptor, error));
        assert!(state.path().join("abi.redb").exists());

        let original = document("wire.txt", WIRE);
        let first = process(descriptor, instance, &serde_json::to_string(&original).unwrap());
        let story = first["story"].as_str().unwrap().to_owned();
        assert_eq!(
            first,
            json!({"exact_duplicate_of": null, "near_duplicates": [], "repeated_paragraphs": [],
                   "story": story})
        );
        assert!(story.starts_with("s-") && original.id[3..].starts_with(&story[2..]));

        let copy = serde_json::to_string(&document("copy.txt", WIRE)).unwrap();
        let answer = process(descriptor, instance, &copy);
        assert_eq!(answer["exact_duplicate_of"], json!({"id": original.id, "source": "wire.txt"}));
        assert_eq!(answer["story"], json!(story));

        let repeated = format!("{ESSAY}\n\n{ESSAY}");
        let answer =
            process(descriptor, instance, &serde_json::to_string(&document("r.txt", &repeated)).unwrap());
        let entries = answer["repeated_paragraphs"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["first"], json!({"start": 0, "end": entries[0]["first"]["end"]}));
        assert!(entries[0]["start"].as_u64() > entries[0]["first"]["end"].as_u64());

        let mut out = IngestBuffer::empty();
        // SAFETY: as in `process`; invalid JSON must come back as an error, not a crash.
        let status =
            unsafe { (descriptor.process)(instance, std::ptr::null(), IngestStr::from_str("{"), &mut out) };
        assert_eq!(status, STATUS_ERROR);
        assert!(take(descriptor, out).contains("invalid document JSON"));

        // SAFETY: the instance came from `create` and no call is running.
        unsafe { (descriptor.destroy)(instance) };
    }
}
