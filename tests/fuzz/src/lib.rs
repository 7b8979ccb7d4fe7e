//! Shared harness of the zhtext fuzz targets.
//!
//! Every target ends in one of the `*_bytes` functions here: the bytes are
//! decoded as the RPC's request message exactly as the server's
//! `ValidatingCodec` does (`prost::Message::decode`, failures mapped by
//! [`decode_error_status`]), and a request that decodes is passed to the real
//! [`TextApi`] handler, through the `TextService` trait, on a current-thread
//! tokio runtime. The response (or status) is then checked against the
//! guarantees the proto file documents and `tests/properties.rs` asserts.
//!
//! The pipeline is loaded once per process (about half a second).

use std::sync::{Arc, LazyLock};

use prost::Message;
use tokio::runtime::Runtime;
use tonic::{Code, Request, Status};
use zhtext::{
    api::{
        PipelineSlot, TextApi, WorkPool,
        codec::decode_error_status,
        proto::{self, text_service_server::TextService},
    },
    text::{
        pipeline::Pipeline,
        segment::{SegmentMode, Segmenter},
    },
};

pub mod structured;

/// Inputs longer than this are skipped, to keep executions fast.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The service's `max_text_bytes`. Below [`MAX_INPUT_BYTES`] so that the
/// "text too large" path is reachable, above the work pool's 16 KiB inline
/// threshold so that the `spawn_blocking` path is too, and above the
/// pipeline's 32 KiB chunk size so that chunked segmenting and tagging are.
pub const MAX_TEXT_BYTES: usize = 40 * 1024;

/// `pipeline::CHUNK_BYTES` (private): texts longer than this are segmented
/// and tagged piece by piece.
const CHUNK_BYTES: usize = 32 * 1024;

/// The handlers' default for `top_k == 0` and their upper limit.
const DEFAULT_TOP_K: usize = 20;
const MAX_TOP_K: u32 = 1000;

static PIPELINE: LazyLock<Arc<Pipeline>> = LazyLock::new(|| Arc::new(Pipeline::load()));

/// The pipeline's tagger, built the same way (`Pipeline::load_with`), for
/// tagging a whole text without the pipeline's chunking.

static API: LazyLock<TextApi> = LazyLock::new(|| {
    let slot = PipelineSlot::default();
    slot.set(PIPELINE.clone());
    TextApi::new(slot, MAX_TEXT_BYTES, WorkPool::new(1, Arc::default()))
});

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("building the tokio runtime")
});

/// Loads the pipeline and the runtime (call from `init` so that the first
/// input does not pay for it).
pub fn init() {
    LazyLock::force(&API);
    LazyLock::force(&RUNTIME);
}

/// Known findings to tolerate, so that a target can keep running after one
/// of them: a comma-separated list in `ZHTEXT_FUZZ_ALLOW` (see README.md,
/// "Findings"). Nothing is tolerated by default.
static ALLOWED: LazyLock<Vec<String>> = LazyLock::new(|| {
    std::env::var("ZHTEXT_FUZZ_ALLOW")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
});

// No finding is open at the moment; the mechanism stays for the next one.
#[allow(dead_code)]
fn allowed(finding: &str) -> bool {
    ALLOWED.iter().any(|a| a == finding)
}

fn api() -> &'static TextApi {
    &API
}

/// Decodes `bytes` as the server's codec does. A failure must be
/// INVALID_ARGUMENT (never INTERNAL, never a panic).
fn decode<M: Message + Default>(bytes: &[u8]) -> Option<M> {
    match M::decode(bytes) {
        Ok(m) => Some(m),
        Err(e) => {
            let status = decode_error_status(&e);
            assert_eq!(status.code(), Code::InvalidArgument, "decode error status: {status:?}");
            assert!(
                status.message().starts_with("malformed request"),
                "decode error message: {:?}",
                status.message()
            );
            None
        }
    }
}

/// Checks a handler's error: an error is only allowed when the request is
/// invalid, and it must be INVALID_ARGUMENT then.
fn check_result<T>(result: Result<tonic::Response<T>, Status>, invalid: Option<&str>, what: &str) -> Option<T> {
    match (result, invalid) {
        (Ok(response), None) => Some(response.into_inner()),
        (Ok(_), Some(why)) => panic!("{what}: request should be refused ({why}) but succeeded"),
        (Err(status), Some(_)) => {
            assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
            None
        }
        (Err(status), None) => panic!("{what}: valid request refused: {status:?}"),
    }
}

// ---------------------------------------------------------------------------
// Request validity, as documented
// ---------------------------------------------------------------------------

fn text_invalid(text: &str) -> Option<&'static str> {
    (text.len() > MAX_TEXT_BYTES).then_some("text over max_text_bytes")
}

fn options_invalid(options: &Option<proto::NormalizeOptions>) -> Option<&'static str> {
    options
        .as_ref()
        .is_some_and(|o| proto::Conversion::try_from(o.conversion).is_err())
        .then_some("unknown conversion")
}

fn encoding_invalid(value: i32) -> Option<&'static str> {
    proto::EncodingType::try_from(value)
        .is_err()
        .then_some("unknown encoding_type")
}

fn options_are_noop(options: &Option<proto::NormalizeOptions>) -> bool {
    options
        .as_ref()
        .is_none_or(|o| *o == proto::NormalizeOptions::default())
}

// ---------------------------------------------------------------------------
// Offsets in the request's unit
// ---------------------------------------------------------------------------

/// Character boundaries of a text in an offset unit, computed naively (an
/// independent reference for the service's checkpointed converter).
pub struct Units {
    /// (offset in the unit, byte offset) of every char boundary, ascending.
    boundaries: Vec<(u32, usize)>,
}

impl Units {
    pub fn new(text: &str, encoding_type: i32) -> Self {
        let unit = proto::EncodingType::try_from(encoding_type).expect("checked before");
        let mut boundaries = Vec::with_capacity(text.len() + 1);
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            boundaries.push((units, i));
            units += match unit {
                proto::EncodingType::Unspecified | proto::EncodingType::Utf8 => c.len_utf8() as u32,
                proto::EncodingType::Utf16 => c.len_utf16() as u32,
                proto::EncodingType::Utf32 => 1,
            };
        }
        boundaries.push((units, text.len()));
        Units { boundaries }
    }

    /// Length of the text in the unit.
    pub fn len(&self) -> u32 {
        self.boundaries.last().map_or(0, |b| b.0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte offset of a unit offset, if it is a char boundary.
    pub fn byte(&self, offset: u32) -> Option<usize> {
        self.boundaries
            .binary_search_by_key(&offset, |b| b.0)
            .ok()
            .map(|i| self.boundaries[i].1)
    }

    /// Byte range of a unit range; panics if it is reversed, out of bounds
    /// or not on char boundaries.
    pub fn range(&self, begin: u32, end: u32, what: &dyn std::fmt::Debug) -> std::ops::Range<usize> {
        assert!(begin <= end, "reversed offsets {begin}..{end}: {what:?}");
        assert!(end <= self.len(), "offset {end} past the end {}: {what:?}", self.len());
        let b = self
            .byte(begin)
            .unwrap_or_else(|| panic!("offset {begin} not on a char boundary: {what:?}"));
        let e = self
            .byte(end)
            .unwrap_or_else(|| panic!("offset {end} not on a char boundary: {what:?}"));
        b..e
    }
}

// ---------------------------------------------------------------------------
// Normalize
// ---------------------------------------------------------------------------

fn call_normalize(request: proto::NormalizeRequest) -> Result<tonic::Response<proto::NormalizeResponse>, Status> {
    RUNTIME.block_on(api().normalize(Request::new(request)))
}

/// Normalize: decode, call, check.
pub fn normalize_bytes(bytes: &[u8]) {
    if bytes.len() > MAX_INPUT_BYTES {
        return;
    }
    let Some(request) = decode::<proto::NormalizeRequest>(bytes) else {
        return;
    };
    let invalid = text_invalid(&request.text)
        .or_else(|| options_invalid(&request.options))
        .or_else(|| encoding_invalid(request.encoding_type));
    let result = call_normalize(request.clone());
    let Some(response) = check_result(result, invalid, "Normalize") else {
        return;
    };
    check_normalize(&request, &response);

    // The fast path (no alignment) and the aligned path agree.
    let other_request = proto::NormalizeRequest {
        include_alignment: !request.include_alignment,
        ..request.clone()
    };
    let other = call_normalize(other_request.clone())
        .expect("the same request with include_alignment flipped")
        .into_inner();
    assert_eq!(
        response.text, other.text,
        "normalize_text and normalize disagree on {request:?}"
    );
    assert_eq!(response.detected_script, other.detected_script);
    assert_eq!(response.script_confidence.to_bits(), other.script_confidence.to_bits());
    check_normalize(&other_request, &other);
}

fn check_normalize(request: &proto::NormalizeRequest, response: &proto::NormalizeResponse) {
    let script = proto::Script::try_from(response.detected_script)
        .unwrap_or_else(|_| panic!("unknown detected_script {}", response.detected_script));
    assert_ne!(script, proto::Script::Unspecified, "detected_script never unspecified");
    let confidence = response.script_confidence;
    assert!(
        confidence.is_finite() && (0.0..=1.0).contains(&confidence),
        "script_confidence {confidence}"
    );
    if script == proto::Script::Other {
        assert_eq!(confidence, 0.0, "script_confidence of SCRIPT_OTHER");
    }
    if options_are_noop(&request.options) {
        assert_eq!(response.text, request.text, "no option set, yet the text changed");
    }
    if !request.include_alignment {
        assert!(response.alignment.is_empty(), "alignment without include_alignment");
        return;
    }
    check_alignment(
        &request.text,
        &response.text,
        request.encoding_type,
        &response.alignment,
    );
}

/// "Contiguous, monotonic spans covering both texts", on char boundaries.
fn check_alignment(original: &str, normalized: &str, encoding_type: i32, spans: &[proto::AlignmentSpan]) {
    let o_units = Units::new(original, encoding_type);
    let n_units = Units::new(normalized, encoding_type);
    let (mut o, mut n) = (0u32, 0u32);
    for (i, s) in spans.iter().enumerate() {
        assert_eq!(
            (s.original_begin, s.normalized_begin),
            (o, n),
            "alignment span {i} {s:?} does not continue the previous one"
        );
        o_units.range(s.original_begin, s.original_end, s);
        n_units.range(s.normalized_begin, s.normalized_end, s);
        assert!(
            s.original_begin < s.original_end || s.normalized_begin < s.normalized_end,
            "alignment span {i} {s:?} is empty on both sides"
        );
        o = s.original_end;
        n = s.normalized_end;
    }
    assert_eq!(
        (o, n),
        (o_units.len(), n_units.len()),
        "alignment ends early: {spans:?} for {original:?} -> {normalized:?}"
    );
}

// ---------------------------------------------------------------------------
// Segment
// ---------------------------------------------------------------------------

/// Segment: decode, call, check.
pub fn segment_bytes(bytes: &[u8]) {
    if bytes.len() > MAX_INPUT_BYTES {
        return;
    }
    let Some(request) = decode::<proto::SegmentRequest>(bytes) else {
        return;
    };
    let invalid = text_invalid(&request.text)
        .or_else(|| options_invalid(&request.normalize))
        .or_else(|| {
            proto::SegmentMode::try_from(request.mode)
                .is_err()
                .then_some("unknown mode")
        })
        .or_else(|| encoding_invalid(request.encoding_type))
        // The fuzzed service has no dictionary profiles.
        .or_else(|| (!request.dictionary.is_empty()).then_some("unknown dictionary profile"));
    let result = RUNTIME.block_on(api().segment(Request::new(request.clone())));
    let Some(response) = check_result(result, invalid, "Segment") else {
        return;
    };
    let text = request.text.as_str();
    let units = Units::new(text, request.encoding_type);
    let mode = proto::SegmentMode::try_from(request.mode).expect("checked");
    let precise = matches!(mode, proto::SegmentMode::Unspecified | proto::SegmentMode::Precise);
    let noop = options_are_noop(&request.normalize);
    // Checked as a client sees it: through the server's hand-written
    // encoding (api::segment_response) and prost's decoding.
    let decoded = proto::SegmentResponse::decode(response.encode_to_vec().as_slice()).expect("the response decodes");
    let tokens = &decoded.tokens;

    let mut ranges = Vec::with_capacity(tokens.len());
    let (mut last_begin, mut last_end) = (0u32, 0u32);
    for t in tokens {
        let bytes = units.range(t.begin_offset, t.end_offset, t);
        assert!(t.begin_offset >= last_begin, "tokens out of order: {tokens:?}");
        if precise {
            assert!(t.begin_offset >= last_end, "precise tokens overlap: {tokens:?}");
            assert!(!t.text.is_empty(), "empty precise token: {tokens:?}");
        }
        if noop {
            assert_eq!(&text[bytes.clone()], t.text, "token text differs from the input: {t:?}");
        }
        last_begin = t.begin_offset;
        last_end = t.end_offset;
        ranges.push(bytes);
    }
    if noop && text.len() > CHUNK_BYTES {
        check_chunking(&request, mode, tokens);
    }
    if !precise {
        return;
    }
    if noop {
        let joined: String = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(joined, text, "precise tokens do not tile the input");
        return;
    }
    // With normalization, tokens cover the input except stretches that
    // normalization removed altogether, judged by the alignment (the same
    // rule as tests/properties.rs, in the request's unit).
    let alignment = call_normalize(proto::NormalizeRequest {
        text: request.text.clone(),
        options: request.normalize,
        encoding_type: request.encoding_type,
        include_alignment: true,
    })
    .expect("Normalize with Segment's options")
    .into_inner()
    .alignment;
    // Spans are contiguous and sorted (checked by the Normalize target), so
    // the spans meeting a gap are found by binary search: linear overall.
    let removed = |a: u32, b: u32| {
        let first = alignment.partition_point(|s| s.original_end <= a);
        alignment[first..]
            .iter()
            .take_while(|s| s.original_begin < b)
            .filter(|s| s.original_end > a)
            .all(|s| s.normalized_begin == s.normalized_end)
    };
    let mut end = 0;
    for t in tokens {
        assert!(
            removed(end, t.begin_offset),
            "uncovered input {end}..{} before {t:?} in {tokens:?}",
            t.begin_offset
        );
        end = t.end_offset;
    }
    assert!(removed(end, units.len()), "uncovered tail {end}.. in {tokens:?}");
}

/// The pipeline segments a long text piece by piece, claiming the same words
/// as segmenting it whole. Without normalization and Traditional characters
/// the analysis view is the text itself, so the service's tokens must equal
/// the default segmenter's words on the whole text.
fn check_chunking(request: &proto::SegmentRequest, mode: proto::SegmentMode, tokens: &[proto::Token]) {
    let text = request.text.as_str();
    if PIPELINE.detect_script(text).has_traditional() || request.encoding_type >= 2 {
        return;
    }
    let mode = match mode {
        proto::SegmentMode::Full => SegmentMode::Full,
        proto::SegmentMode::Search => SegmentMode::Search,
        _ => SegmentMode::Precise,
    };
    let words = PIPELINE
        .segmenters()
        .default_segmenter()
        .segment(text, mode, !request.disable_hmm);
    let mut whole: Vec<(u32, u32, &str)> = words
        .iter()
        .map(|w| (w.range.start as u32, w.range.end as u32, w.pos.as_str()))
        .collect();
    if mode != SegmentMode::Precise {
        whole.dedup_by(|b, a| (a.0, a.1) == (b.0, b.1));
    }
    let chunked: Vec<(u32, u32, &str)> = tokens
        .iter()
        .map(|t| (t.begin_offset, t.end_offset, t.pos.as_str()))
        .collect();
    if chunked != whole {
        let at = chunked
            .iter()
            .zip(&whole)
            .position(|(a, b)| a != b)
            .unwrap_or(chunked.len().min(whole.len()));
        panic!(
            "chunked segmentation differs from whole-text segmentation ({mode:?}, {} vs {} words) at word {at}: {:?} vs {:?}",
            chunked.len(),
            whole.len(),
            chunked.get(at.saturating_sub(2)..(at + 3).min(chunked.len())),
            whole.get(at.saturating_sub(2)..(at + 3).min(whole.len())),
        );
    }
}

// ---------------------------------------------------------------------------
// TagEntities
// ---------------------------------------------------------------------------

/// TagEntities: decode, call, check.
pub fn tag_entities_bytes(bytes: &[u8]) {
    if bytes.len() > MAX_INPUT_BYTES {
        return;
    }
    let Some(request) = decode::<proto::TagEntitiesRequest>(bytes) else {
        return;
    };
    let invalid = text_invalid(&request.text)
        .or_else(|| options_invalid(&request.normalize))
        .or_else(|| encoding_invalid(request.encoding_type))
        .or_else(|| {
            request
                .types
                .iter()
                .any(|&t| proto::EntityType::try_from(t).is_err())
                .then_some("unknown entity type")
        });
    let result = RUNTIME.block_on(api().tag_entities(Request::new(request.clone())));
    let Some(response) = check_result(result, invalid, "TagEntities") else {
        return;
    };
    let text = request.text.as_str();
    let units = Units::new(text, request.encoding_type);
    let noop = options_are_noop(&request.normalize);
    let filter: Vec<i32> = request.types.iter().copied().filter(|&t| t != 0).collect();
    let entities = &response.entities;
    let mut end = 0;
    for e in entities {
        let bytes = units.range(e.begin_offset, e.end_offset, e);
        assert!(
            e.begin_offset >= end,
            "entities overlap or are out of order: {entities:?}"
        );
        end = e.end_offset;
        assert!(!e.text.is_empty(), "empty entity: {e:?}");
        let kind = proto::EntityType::try_from(e.r#type).unwrap_or_else(|_| panic!("unknown type in {e:?}"));
        assert!(
            e.confidence > 0.0 && e.confidence <= 1.0,
            "confidence out of (0, 1]: {e:?}"
        );
        assert_ne!(kind, proto::EntityType::Unspecified, "{e:?}");
        assert!(
            filter.is_empty() || filter.contains(&e.r#type),
            "{e:?} not in the requested types {filter:?}"
        );
        if noop {
            assert_eq!(&text[bytes], e.text, "entity text differs from the input: {e:?}");
        }
        check_normalized_value(kind, e);
    }
    if noop && text.len() > CHUNK_BYTES && request.encoding_type < 2 {
        check_tag_chunking(text, &filter, entities);
    }
}

/// The pipeline tags a long text piece by piece. Without normalization and
/// Traditional characters the analysis view is the text itself, so the
/// service's entities must be the tagger's mentions on the whole text.
fn check_tag_chunking(text: &str, filter: &[i32], entities: &[proto::Entity]) {
    if PIPELINE.detect_script(text).has_traditional() {
        return;
    }
    let words = PIPELINE
        .segmenters()
        .default_segmenter()
        .segment(text, SegmentMode::Precise, true);
    let chunked: Vec<(u32, u32, i32, &str)> = entities
        .iter()
        .map(|e| (e.begin_offset, e.end_offset, e.r#type, e.normalized_value.as_str()))
        .collect();
    let mentions = PIPELINE.tagger().tag(text, &words);
    let whole: Vec<(u32, u32, i32, &str)> = mentions
        .iter()
        .map(|m| {
            let kind = proto_entity_type(m.kind) as i32;
            (
                m.range.start as u32,
                m.range.end as u32,
                kind,
                m.normalized.as_deref().unwrap_or(""),
            )
        })
        .filter(|m| filter.is_empty() || filter.contains(&m.2))
        .collect();
    if chunked != whole {
        let at = chunked
            .iter()
            .zip(&whole)
            .position(|(a, b)| a != b)
            .unwrap_or(chunked.len().min(whole.len()));
        panic!(
            "chunked tagging differs from whole-text tagging ({} vs {} entities) at entity {at}: {:?} vs {:?}",
            chunked.len(),
            whole.len(),
            chunked.get(at.saturating_sub(2)..(at + 3).min(chunked.len())),
            whole.get(at.saturating_sub(2)..(at + 3).min(whole.len())),
        );
    }
}

fn proto_entity_type(kind: zhtext::text::tag::EntityKind) -> proto::EntityType {
    use proto::EntityType as T;
    use zhtext::text::tag::EntityKind as K;
    match kind {
        K::Person => T::Person,
        K::Location => T::Location,
        K::Organization => T::Organization,
        K::Date => T::Date,
        K::Time => T::Time,
        K::Money => T::Money,
        K::Percent => T::Percent,
        K::Quantity => T::Quantity,
        K::PhoneNumber => T::PhoneNumber,
        K::Email => T::Email,
        K::Url => T::Url,
    }
}

/// The canonical value formats documented on `EntityType`.
fn check_normalized_value(kind: proto::EntityType, e: &proto::Entity) {
    use proto::EntityType as T;
    let v = e.normalized_value.as_str();
    let ok = match kind {
        T::Person | T::Location | T::Organization => v.is_empty(),
        T::Date => is_iso_date(v),
        T::Time => is_clock(v),
        T::Money => v.split_once(' ').is_some_and(|(amount, code)| {
            is_plain_decimal(amount) && code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
        }),
        T::Percent => is_plain_decimal(v),
        T::Quantity => v
            .split_once(' ')
            .is_some_and(|(amount, unit)| is_plain_decimal(amount) && !unit.is_empty()),
        T::PhoneNumber => v
            .strip_prefix('+')
            .is_some_and(|d| d.len() >= 3 && d.bytes().all(|b| b.is_ascii_digit())),
        T::Email => v.contains('@'),
        T::Url => !v.is_empty(),
        T::Unspecified => false,
    };
    assert!(ok, "malformed normalized_value for {kind:?}: {e:?}");
}

/// `12000`, `0.052`, `-3.5`: no exponent, no trailing fraction zeros.
fn is_plain_decimal(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !frac.ends_with('0')
        && (v.contains('.') == !frac.is_empty())
}

fn two_digits(s: &str, max: u32) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|&n| n <= max)
}

/// `HH:MM` or `HH:MM:SS`, 24-hour (`24:00` allowed for midnight).
fn is_clock(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let Some(h) = two_digits(parts[0], 24) else {
        return false;
    };
    let Some(m) = two_digits(parts[1], 59) else {
        return false;
    };
    let s = match parts.get(2) {
        Some(s) => match two_digits(s, 59) {
            Some(s) => s,
            None => return false,
        },
        None => 0,
    };
    h < 24 || (m == 0 && s == 0)
}

/// `2024`, `2024-06`, `2024-06-28`, `--06-28`, `--06`, `---28`, each
/// optionally followed by `T` and a clock.
fn is_iso_date(v: &str) -> bool {
    let (date, clock) = match v.split_once('T') {
        Some((d, c)) => (d, Some(c)),
        None => (v, None),
    };
    if clock.is_some_and(|c| !is_clock(c)) {
        return false;
    }
    let month = |m: &str| two_digits(m, 12).is_some_and(|m| m >= 1);
    let day = |d: &str| two_digits(d, 31).is_some_and(|d| d >= 1);
    if let Some(d) = date.strip_prefix("---") {
        return day(d);
    }
    if let Some(md) = date.strip_prefix("--") {
        return match md.split_once('-') {
            Some((m, d)) => month(m) && day(d),
            None => month(md),
        };
    }
    let mut parts = date.split('-');
    let year = parts.next().unwrap_or("");
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match (parts.next(), parts.next(), parts.next()) {
        (None, ..) => true,
        (Some(m), None, _) => month(m),
        (Some(m), Some(d), None) => month(m) && day(d),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// ExtractKeywords
// ---------------------------------------------------------------------------

/// ExtractKeywords: decode, call, check.
pub fn extract_keywords_bytes(bytes: &[u8]) {
    if bytes.len() > MAX_INPUT_BYTES {
        return;
    }
    let Some(request) = decode::<proto::ExtractKeywordsRequest>(bytes) else {
        return;
    };
    let invalid = text_invalid(&request.text)
        .or_else(|| options_invalid(&request.normalize))
        .or_else(|| {
            proto::KeywordMethod::try_from(request.method)
                .is_err()
                .then_some("unknown method")
        })
        .or_else(|| (request.top_k > MAX_TOP_K).then_some("top_k over the limit"));
    let result = RUNTIME.block_on(api().extract_keywords(Request::new(request.clone())));
    let Some(response) = check_result(result, invalid, "ExtractKeywords") else {
        return;
    };
    let keywords = &response.keywords;
    let top_k = if request.top_k == 0 {
        DEFAULT_TOP_K
    } else {
        request.top_k as usize
    };
    assert!(keywords.len() <= top_k, "{} keywords for top_k {top_k}", keywords.len());
    let mut previous = f64::INFINITY;
    for k in keywords {
        assert!(!k.text.is_empty(), "empty keyword in {keywords:?}");
        assert!(
            k.weight.is_finite() && (0.0..=1.0).contains(&k.weight),
            "keyword weight out of 0..=1: {keywords:?}"
        );
        assert!(k.weight <= previous, "keywords not best first: {keywords:?}");
        previous = k.weight;
    }
    if let Some(first) = keywords.first() {
        assert!(
            first.weight == 1.0 || keywords.iter().all(|k| k.weight == 0.0),
            "the top keyword's weight is not 1: {keywords:?}"
        );
    }
    if keywords.is_empty() {
        return;
    }
    // "The keyword as it appears in the (normalized) text."
    let normalized = call_normalize(proto::NormalizeRequest {
        text: request.text.clone(),
        options: request.normalize,
        encoding_type: 0,
        include_alignment: false,
    })
    .expect("Normalize with ExtractKeywords' options")
    .into_inner()
    .text;
    for k in keywords {
        assert!(
            normalized.contains(&k.text),
            "keyword {:?} is not in the normalized text {normalized:?}",
            k.text
        );
    }
}
