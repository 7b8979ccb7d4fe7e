//! The transport floor of the throughput targets: a plain tonic server (no
//! metrics, tracing or admission layers) whose Segment answers come from
//! memory. The first request for a text runs the real handler; every later
//! one is answered with a copy of that response, so it costs the gRPC stack,
//! the response's encoding and one copy of it, and no text processing.
//!
//! `zhtext bench suite` drives it with the same client and payloads as the
//! real server. What Segment reaches against it bounds what any pipeline,
//! however fast, could reach over this stack on this machine.

use std::{net::SocketAddr, sync::Arc};

use clap::Args;
use rustc_hash::FxHashMap;
use tokio::net::TcpListener;
use tonic::{
    Request, Response, Status,
    transport::{Server, server::TcpIncoming},
};

use crate::{
    api::{
        LoadStats, PipelineSlot, TextApi, WorkPool,
        proto::{
            self, SegmentResponse,
            text_service_server::{TextService, TextServiceServer},
        },
    },
    config::ServeConfig,
    text::pipeline::Pipeline,
};

/// Flags of `zhtext bench floor-server`.
#[derive(Clone, Debug, Args)]
pub struct FloorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:50052")]
    pub listen: SocketAddr,
}

/// TextService with Segment answered from memory (see the module docs).
struct AnsweredFromMemory {
    api: TextApi,
    answers: std::sync::RwLock<FxHashMap<String, SegmentResponse>>,
}

impl AnsweredFromMemory {
    /// Segment handled by the real handler over `pipeline`, its answers
    /// remembered.
    fn new(pipeline: Pipeline) -> Self {
        let slot = PipelineSlot::default();
        slot.set(Arc::new(pipeline));
        let work = WorkPool::new(ServeConfig::default_workers(), Arc::new(LoadStats::default()));
        AnsweredFromMemory {
            api: TextApi::new(slot, ServeConfig::DEFAULT_MAX_TEXT_BYTES, work),
            answers: Default::default(),
        }
    }

    /// Whether the request sets nothing but `text`, the only requests whose
    /// answers are remembered (the load generator sends no other field).
    fn text_only(request: &proto::SegmentRequest) -> bool {
        request.normalize.is_none()
            && request.mode == 0
            && !request.disable_hmm
            && request.encoding_type == 0
            && request.dictionary.is_empty()
    }
}

#[tonic::async_trait]
impl TextService for AnsweredFromMemory {
    async fn normalize(
        &self,
        request: Request<proto::NormalizeRequest>,
    ) -> Result<Response<proto::NormalizeResponse>, Status> {
        self.api.normalize(request).await
    }

    async fn segment(&self, request: Request<proto::SegmentRequest>) -> Result<Response<SegmentResponse>, Status> {
        if !Self::text_only(request.get_ref()) {
            return self.api.segment(request).await;
        }
        let remembered = self
            .answers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&request.get_ref().text)
            .cloned();
        if let Some(answer) = remembered {
            return Ok(Response::new(answer));
        }
        let text = request.get_ref().text.clone();
        let answer = self.api.segment(request).await?.into_inner();
        self.answers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(text, answer.clone());
        Ok(Response::new(answer))
    }

    async fn tag_entities(
        &self,
        request: Request<proto::TagEntitiesRequest>,
    ) -> Result<Response<proto::TagEntitiesResponse>, Status> {
        self.api.tag_entities(request).await
    }

    async fn extract_keywords(
        &self,
        request: Request<proto::ExtractKeywordsRequest>,
    ) -> Result<Response<proto::ExtractKeywordsResponse>, Status> {
        self.api.extract_keywords(request).await
    }
}

/// Serves grpc.health.v1 (always SERVING) and the floor TextService on
/// `args.listen` until the process is killed.
pub async fn serve(args: FloorArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.listen).await?;
    let pipeline = tokio::task::spawn_blocking(Pipeline::load).await?;
    let text = TextServiceServer::new(AnsweredFromMemory::new(pipeline))
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    let (_reporter, health) = tonic_health::server::health_reporter();
    Server::builder()
        .add_service(health)
        .add_service(text)
        .serve_with_incoming(TcpIncoming::from(listener).with_nodelay(Some(true)))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remembered(service: &AnsweredFromMemory) -> usize {
        service.answers.read().unwrap().len()
    }

    #[tokio::test]
    async fn answers_from_memory_what_the_handler_answered() {
        let service = AnsweredFromMemory::new(Pipeline::load());
        let request = proto::SegmentRequest {
            text: "今天天氣很好，我們去公園散步。".to_owned(),
            ..Default::default()
        };
        let first = service
            .segment(Request::new(request.clone()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(remembered(&service), 1);
        let again = service.segment(Request::new(request)).await.unwrap().into_inner();
        assert_eq!(again, first);
        let words: Vec<String> = again.into_tokens().into_iter().map(|t| t.text).collect();
        assert!(words.contains(&"公園".to_owned()), "{words:?}");

        // A request setting more than the text is answered, not remembered:
        // its answer depends on the other fields.
        let search = proto::SegmentRequest {
            text: "中华人民共和国".to_owned(),
            mode: proto::SegmentMode::Search as i32,
            ..Default::default()
        };
        let answer = service.segment(Request::new(search)).await.unwrap().into_inner();
        assert!(answer.into_tokens().len() > 1);
        assert_eq!(remembered(&service), 1);

        // Bad requests still get the handler's status.
        let bad = proto::SegmentRequest {
            text: "文本".to_owned(),
            mode: 99,
            ..Default::default()
        };
        let status = service.segment(Request::new(bad)).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
    }
}
