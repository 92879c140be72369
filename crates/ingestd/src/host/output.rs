//! A plugin's output kept as canonical JSON text rather than a `serde_json::Value` tree.
//!
//! The host used to parse every plugin's output into a `Value` (a tree of small
//! allocations), encode it again into the next plugin's document, encode it a third time into
//! the result file, and free the tree on the commit thread. [`PluginOutput`] keeps the output
//! as the compact JSON text a `Value` of it would encode to, made in one pass without a tree:
//! the next plugin's document takes those bytes as they are, and the result file re-indents
//! them through the same serializer (again without a tree). Every byte written is what the
//! `Value` path wrote; `tests` below compares the two on awkward inputs.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use ingest_abi::PriorResult;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// One plugin's output: valid JSON, in the compact form `serde_json::to_vec` gives for the
/// `Value` of it (keys in the plugin's order, a repeated key as a `Value` keeps it: first
/// position, last value; numbers and string escapes as serde_json writes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginOutput(Box<str>);

impl PluginOutput {
    /// Canonicalises a plugin's output. The error is the one parsing it into a
    /// `serde_json::Value` gives (so it reads as before), for output that is not JSON.
    pub fn from_plugin(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut source = serde_json::Deserializer::from_slice(bytes);
        let transcoded =
            Transcode::new(&mut source, true).serialize(&mut serde_json::Serializer::new(&mut out));
        match transcoded.and_then(|()| source.end()) {
            Ok(()) => Ok(Self(String::from_utf8(out).expect("serde_json writes UTF-8").into_boxed_str())),
            // Not JSON, or an object repeats a key: what a `Value` makes of it (or its error).
            Err(_) => Ok(Self::from_value(&serde_json::from_slice(bytes)?)),
        }
    }

    /// The compact encoding of `value`.
    pub fn from_value(value: &serde_json::Value) -> Self {
        Self(value.to_string().into_boxed_str())
    }

    /// The canonical form of a prior result handed in with a document; its text as it is
    /// when a `Value` cannot hold it (a number out of range, a lone surrogate escape).
    pub fn from_prior(prior: &PriorResult) -> Self {
        Self::from_plugin(prior.json().as_bytes()).unwrap_or_else(|_| Self(prior.json().into()))
    }

    /// The output as a prior result for the next plugin's [`ingest_abi::Document`].
    pub fn to_prior(&self) -> PriorResult {
        PriorResult::from_json(self.0.to_string()).expect("a PluginOutput holds valid JSON")
    }

    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Bytes of its compact JSON text (what it holds in memory, near enough).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text is empty (never, for valid JSON; here for the `len` convention).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The output as a `serde_json::Value` tree.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).expect("a PluginOutput holds valid JSON")
    }
}

impl Serialize for PluginOutput {
    /// Exactly what serialising [`PluginOutput::to_value`] gives, with any serializer (compact
    /// for `ingestd process`, pretty for result files), without building the tree.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut source = serde_json::Deserializer::from_str(&self.0);
        Transcode::new(&mut source, false).serialize(serializer)
    }
}

/// Serialises what a deserializer yields, event by event (the serializer sees the calls a
/// `Value` would make). `check_keys` refuses an object that repeats a key, which a `Value`
/// would merge.
struct Transcode<D> {
    source: RefCell<Option<D>>,
    check_keys: bool,
}

impl<D> Transcode<D> {
    fn new(source: D, check_keys: bool) -> Self {
        Self { source: RefCell::new(Some(source)), check_keys }
    }
}

impl<'de, D: de::Deserializer<'de>> Serialize for Transcode<D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let source = self.source.borrow_mut().take().expect("a transcoder is serialised once");
        source
            .deserialize_any(Forward { serializer, check_keys: self.check_keys })
            .map_err(ser::Error::custom)
    }
}

/// The visitor that forwards each JSON event to the serializer.
struct Forward<S> {
    serializer: S,
    check_keys: bool,
}

impl<'de, S: Serializer> Visitor<'de> for Forward<S> {
    type Value = S::Ok;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S::Ok, E> {
        self.serializer.serialize_bool(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S::Ok, E> {
        self.serializer.serialize_i64(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S::Ok, E> {
        self.serializer.serialize_u64(v).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S::Ok, E> {
        self.serializer.serialize_f64(v).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<S::Ok, E> {
        self.serializer.serialize_str(v).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Ok, E> {
        self.serializer.serialize_unit().map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<S::Ok, A::Error> {
        let mut out = self.serializer.serialize_seq(seq.size_hint()).map_err(de::Error::custom)?;
        while seq.next_element_seed(Element { out: &mut out, check_keys: self.check_keys })?.is_some() {}
        out.end().map_err(de::Error::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Ok, A::Error> {
        let mut out = self.serializer.serialize_map(map.size_hint()).map_err(de::Error::custom)?;
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(Key)? {
            if self.check_keys && !keys.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("repeated key `{key}`")));
            }
            out.serialize_key(&*key).map_err(de::Error::custom)?;
            map.next_value_seed(Value { out: &mut out, check_keys: self.check_keys })?;
        }
        out.end().map_err(de::Error::custom)
    }
}

/// The keys an object has shown so far: a short list, a set past 16. Keys without escapes
/// borrow from the input, so this allocates only for the lists themselves.
#[derive(Default)]
struct Keys<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Keys<'de> {
    /// Adds `key`; false if it was there already.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if let Some(many) = &mut self.many {
            return many.insert(key);
        }
        if self.few.contains(&key) {
            return false;
        }
        self.few.push(key);
        if self.few.len() > 16 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

/// An array element, serialised as it is read.
struct Element<'a, S> {
    out: &'a mut S,
    check_keys: bool,
}

impl<'de, S: SerializeSeq> DeserializeSeed<'de> for Element<'_, S> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, source: D) -> Result<(), D::Error> {
        self.out.serialize_element(&Transcode::new(source, self.check_keys)).map_err(de::Error::custom)
    }
}

/// An object's value, serialised as it is read.
struct Value<'a, S> {
    out: &'a mut S,
    check_keys: bool,
}

impl<'de, S: SerializeMap> DeserializeSeed<'de> for Value<'_, S> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, source: D) -> Result<(), D::Error> {
        self.out.serialize_value(&Transcode::new(source, self.check_keys)).map_err(de::Error::custom)
    }
}

/// An object's key, borrowed from the input when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, source: D) -> Result<Cow<'de, str>, D::Error> {
        source.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `Value` path wrote: compact and pretty.
    fn via_value(bytes: &[u8]) -> (String, Vec<u8>) {
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let pretty = serde_json::to_vec_pretty(&serde_json::json!({"a": {"b": [value.clone()]}})).unwrap();
        (value.to_string(), pretty)
    }

    #[test]
    fn output_encodes_as_its_value_would() {
        let cases: [&[u8]; 14] = [
            br#"{"mentions":[{"text":"Kyiv","start":0,"end":4,"score":0.1}],"n":3}"#,
            b" { \"b\" : 1 , \"a\" : [ 1.0 , -0 , -0.0 , 1e3 , 12345678901234567890 , -9223372036854775808 ] } ",
            br#""caf\u00e9 \ud83c\udf0d \"q\" \/ \n""#,
            br#"{"esc\u0061ped key":true,"plain":false,"n":null}"#,
            b"[]",
            b"{}",
            br#"[[],{},[{}],{"x":[]}]"#,
            b"0.30000000000000004",
            b"-1.5e-7",
            br#"{"same":1,"other":2,"same":3}"#,
            br#"{"a":{"k":1,"k":{"z":[1,2]}},"b":[{"k":1,"k":2}]}"#,
            b"\"\xc3\xa9\"",
            // Full-precision floats (C's %.17g, Rust's shortest form) are read back exactly
            // (serde_json's `float_roundtrip`), so the second reading cannot move a last digit.
            b"[6.33464643923553939e306,-2.2278578093448687e-8]",
            b"[0.1000000000000000055511151231257827,2.2250738585072014e-308,1.7976931348623157e308]",
        ];
        for bytes in cases {
            let output = PluginOutput::from_plugin(bytes).unwrap();
            let (compact, pretty) = via_value(bytes);
            let name = String::from_utf8_lossy(bytes);
            assert_eq!(output.as_str(), compact, "compact: {name}");
            let wrapped = Wrapper { a: Inner { b: [&output] } };
            assert_eq!(serde_json::to_vec_pretty(&wrapped).unwrap(), pretty, "pretty: {name}");
            assert_eq!(serde_json::to_string(&wrapped).unwrap(), format!(r#"{{"a":{{"b":[{compact}]}}}}"#));
            assert_eq!(output.to_value(), serde_json::from_slice::<serde_json::Value>(bytes).unwrap());
        }
    }

    #[derive(Serialize)]
    struct Wrapper<'a> {
        a: Inner<'a>,
    }

    #[derive(Serialize)]
    struct Inner<'a> {
        b: [&'a PluginOutput; 1],
    }

    #[test]
    fn many_keys_and_a_late_repeat_are_handled_like_a_value() {
        let mut text = String::from("{");
        for i in 0..40 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"k3\":\"again\"}");
        let output = PluginOutput::from_plugin(text.as_bytes()).unwrap();
        assert_eq!(output.as_str(), via_value(text.as_bytes()).0);
        assert!(output.as_str().contains(r#""k3":"again""#));
        assert_eq!(output.as_str().matches("\"k3\"").count(), 1);
    }

    #[test]
    fn output_that_is_not_json_gets_the_parsers_error() {
        for bytes in [&b"{\"a\":"[..], b"[1,]", b"1 2", b"nul", b""] {
            let ours = PluginOutput::from_plugin(bytes).unwrap_err().to_string();
            let theirs = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(bytes));
        }
    }

    /// A prior result handed in by another host is canonicalised like a plugin's output, and
    /// kept as it came when a `Value` cannot hold it, rather than panicking.
    #[test]
    fn prior_results_are_canonicalised_or_kept() {
        let prior = PriorResult::from_json("{ \"a\" : [1 , 2.50] }".into()).unwrap();
        assert_eq!(PluginOutput::from_prior(&prior).as_str(), r#"{"a":[1,2.5]}"#);
        let odd = PriorResult::from_json(r#"{"big":1e400}"#.into()).unwrap();
        assert!(odd.to_value().is_err());
        assert_eq!(PluginOutput::from_prior(&odd).as_str(), r#"{"big":1e400}"#);
    }
}
