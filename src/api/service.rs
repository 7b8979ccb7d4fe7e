//! `zhtext.v1.TextService`: each handler validates the request, translates
//! it to domain types, runs the pipeline and translates the result back.

use std::{borrow::Cow, sync::Arc};

use arc_swap::ArcSwapOption;
use tonic::{Request, Response, Status};

use super::{
    convert,
    limits::WorkPool,
    proto::{self, text_service_server::TextService},
    segment_response::WordList,
    status,
};
use crate::{
    metrics::method::{EXTRACT_KEYWORDS, NORMALIZE, SEGMENT, TAG_ENTITIES},
    text::{cancel::Cancelled, offsets::OffsetConverter, pipeline::Pipeline},
};

/// Where handlers find the pipeline. Empty while it loads; swapped
/// atomically when dictionaries are reloaded, so requests in flight finish
/// on the pipeline they started with.
#[derive(Clone, Default)]
pub struct PipelineSlot(Arc<ArcSwapOption<Pipeline>>);

impl PipelineSlot {
    /// Publishes a (new) pipeline.
    pub fn set(&self, pipeline: Arc<Pipeline>) {
        self.0.store(Some(pipeline));
    }

    /// The current pipeline, if loaded.
    pub fn get(&self) -> Option<Arc<Pipeline>> {
        self.0.load_full()
    }
}

/// The TextService implementation.
#[derive(Clone)]
pub struct TextApi {
    pipeline: PipelineSlot,
    /// Largest `text` accepted, in UTF-8 bytes.
    max_text_bytes: usize,
    /// Where the text processing runs.
    work: WorkPool,
}

/// Keywords returned when the request leaves `top_k` at 0.
const DEFAULT_TOP_K: usize = 20;
/// More keywords than this is a word list, not keywords.
const MAX_TOP_K: usize = 1000;

impl TextApi {
    /// A service reading its pipeline from `pipeline` and processing texts
    /// on `work`.
    pub fn new(pipeline: PipelineSlot, max_text_bytes: usize, work: WorkPool) -> Self {
        TextApi {
            pipeline,
            max_text_bytes,
            work,
        }
    }

    fn pipeline(&self) -> Result<Arc<Pipeline>, Status> {
        self.pipeline.get().ok_or_else(status::loading)
    }

    fn check_text(&self, text: &str) -> Result<(), Status> {
        if text.len() > self.max_text_bytes {
            return Err(status::text_too_large("text", text.len(), self.max_text_bytes));
        }
        Ok(())
    }
}

#[tonic::async_trait]
impl TextService for TextApi {
    async fn normalize(
        &self,
        request: Request<proto::NormalizeRequest>,
    ) -> Result<Response<proto::NormalizeResponse>, Status> {
        let request = request.into_inner();
        self.check_text(&request.text)?;
        let options = convert::normalize_options(request.options, "options")?;
        let unit = convert::offset_unit(request.encoding_type, "encoding_type")?;
        let pipeline = self.pipeline()?;
        let response = self
            .work
            .run(NORMALIZE, request.text.len(), move |cancel| {
                let text = request.text.as_str();
                let (script, script_confidence) = convert::script(&pipeline.detect_script(text));
                if !request.include_alignment {
                    let normalized = pipeline.normalize_text(text, &options).into_owned();
                    return Ok(proto::NormalizeResponse {
                        text: normalized,
                        alignment: Vec::new(),
                        detected_script: script as i32,
                        script_confidence,
                    });
                }
                let normalized = pipeline.normalize(text, &options);
                cancel.check()?;
                let original_units = OffsetConverter::new(text, unit);
                let normalized_units = OffsetConverter::new(&normalized.text, unit);
                let alignment = normalized
                    .map
                    .fine_spans(text)
                    .map(|span| convert::alignment_span(&span, &original_units, &normalized_units))
                    .collect();
                Ok(proto::NormalizeResponse {
                    text: normalized.text.into_owned(),
                    alignment,
                    detected_script: script as i32,
                    script_confidence,
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn segment(
        &self,
        request: Request<proto::SegmentRequest>,
    ) -> Result<Response<proto::SegmentResponse>, Status> {
        let request = request.into_inner();
        self.check_text(&request.text)?;
        let options = convert::normalize_options(request.normalize, "normalize")?;
        let mode = convert::segment_mode(request.mode, "mode")?;
        let unit = convert::offset_unit(request.encoding_type, "encoding_type")?;
        let pipeline = self.pipeline()?;
        // Resolve the profile before queueing any work.
        let segmenter = pipeline
            .segmenters()
            .get(Some(&request.dictionary))
            .map_err(|e| status::invalid_argument("dictionary", e.to_string()))?
            .clone();
        let response = self
            .work
            .run(SEGMENT, request.text.len(), move |cancel| {
                let text = request.text.as_str();
                let units = OffsetConverter::new(text, unit);
                let segmentation = pipeline.segment_cancellable(
                    segmenter.as_ref(),
                    text,
                    &options,
                    mode,
                    !request.disable_hmm,
                    cancel,
                )?;
                let mut words = WordList::with_capacity(segmentation.tokens.len());
                for t in &segmentation.tokens {
                    let offsets = units.convert_range(&t.original);
                    words.push(t.normalized.clone(), offsets.start, offsets.end, t.pos);
                }
                // The words are ranges of the normalized text, which is the
                // request's own text when normalization changed nothing.
                let text = match segmentation.normalized {
                    Cow::Owned(changed) => changed,
                    Cow::Borrowed(_) => request.text,
                };
                let words = words.with_text(text);
                Ok(proto::SegmentResponse::from_words(words))
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn tag_entities(
        &self,
        request: Request<proto::TagEntitiesRequest>,
    ) -> Result<Response<proto::TagEntitiesResponse>, Status> {
        let request = request.into_inner();
        self.check_text(&request.text)?;
        let options = convert::normalize_options(request.normalize, "normalize")?;
        let unit = convert::offset_unit(request.encoding_type, "encoding_type")?;
        let kinds = convert::entity_kinds(&request.types, "types")?;
        let pipeline = self.pipeline()?;
        let response = self
            .work
            .run(TAG_ENTITIES, request.text.len(), move |cancel| {
                let text = request.text.as_str();
                let units = OffsetConverter::new(text, unit);
                let entities = pipeline
                    .tag_cancellable(text, &options, &kinds, cancel)?
                    .into_iter()
                    .map(|e| {
                        let offsets = units.convert_range(&e.original);
                        proto::Entity {
                            text: e.text,
                            r#type: convert::entity_type(e.kind) as i32,
                            begin_offset: offsets.start,
                            end_offset: offsets.end,
                            confidence: e.confidence,
                            normalized_value: e.normalized.unwrap_or_default(),
                        }
                    })
                    .collect();
                Ok(proto::TagEntitiesResponse { entities })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn extract_keywords(
        &self,
        request: Request<proto::ExtractKeywordsRequest>,
    ) -> Result<Response<proto::ExtractKeywordsResponse>, Status> {
        let request = request.into_inner();
        self.check_text(&request.text)?;
        let options = convert::normalize_options(request.normalize, "normalize")?;
        let method = convert::keyword_method(request.method, "method")?;
        let top_k = match request.top_k {
            0 => DEFAULT_TOP_K,
            k if k as usize > MAX_TOP_K => {
                return Err(status::invalid_argument(
                    "top_k",
                    format!("{k} is over the limit of {MAX_TOP_K} keywords"),
                ));
            }
            k => k as usize,
        };
        let pipeline = self.pipeline()?;
        let response = self
            .work
            .run(EXTRACT_KEYWORDS, request.text.len(), move |_| {
                let keywords = pipeline
                    .keywords(&request.text, &options, top_k, method, &request.allowed_pos)
                    .into_iter()
                    .map(|k| proto::Keyword {
                        text: k.text,
                        weight: k.weight,
                    })
                    .collect();
                Ok::<_, Cancelled>(proto::ExtractKeywordsResponse { keywords })
            })
            .await?;
        Ok(Response::new(response))
    }
}
