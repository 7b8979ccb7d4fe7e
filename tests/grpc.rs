//! End-to-end tests of TextService, health and reflection over a real
//! listener with a real tonic client.

mod common;

use common::{PIPELINE, TestServer};
use tokio_stream::StreamExt;
use tonic::{Code, codec::CompressionEncoding};
use tonic_types::StatusExt;
use zhtext::{
    api::proto::{
        Conversion, EncodingType, Entity, EntityType, NormalizeOptions, NormalizeRequest, SegmentMode, SegmentRequest,
        TagEntitiesRequest, Token,
    },
    server::ServerSettings,
};

fn texts(tokens: &[Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.text.as_str()).collect()
}

/// Each entity's type, text and normalized value.
fn kinds_texts_values(entities: &[Entity]) -> Vec<(EntityType, &str, &str)> {
    entities
        .iter()
        .map(|e| (e.r#type(), e.text.as_str(), e.normalized_value.as_str()))
        .collect()
}

fn segment_request(text: &str) -> SegmentRequest {
    SegmentRequest {
        text: text.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn segment_precise_tiles_the_input_with_pos_tags() {
    let server = TestServer::start().await;
    let text = "我来到北京清华大学，今天天气不错。";
    let tokens = server
        .client()
        .segment(segment_request(text))
        .await
        .unwrap()
        .into_inner()
        .tokens;
    assert_eq!(
        texts(&tokens),
        ["我", "来到", "北京", "清华大学", "，", "今天天气", "不错", "。"]
    );
    let joined: String = tokens
        .iter()
        .map(|t| &text[t.begin_offset as usize..t.end_offset as usize])
        .collect();
    assert_eq!(joined, text);
    let pos: Vec<&str> = tokens.iter().map(|t| t.pos.as_str()).collect();
    assert_eq!(pos[..4], ["r", "v", "ns", "nt"]);
    assert_eq!((tokens[2].begin_offset, tokens[2].end_offset), (9, 15));
}

#[tokio::test]
async fn segment_offsets_in_every_encoding() {
    let server = TestServer::start().await;
    // A character outside the BMP is 4 UTF-8 bytes, 2 UTF-16 units, 1 code point.
    let text = "𠮷野家在北京";
    let offsets = |encoding: EncodingType| {
        let mut client = server.client();
        async move {
            let request = SegmentRequest {
                text: text.into(),
                encoding_type: encoding as i32,
                ..Default::default()
            };
            let tokens = client.segment(request).await.unwrap().into_inner().tokens;
            let last = tokens.last().unwrap().clone();
            assert_eq!(last.text, "北京");
            (last.begin_offset, last.end_offset)
        }
    };
    assert_eq!(offsets(EncodingType::Unspecified).await, (13, 19));
    assert_eq!(offsets(EncodingType::Utf8).await, (13, 19));
    assert_eq!(offsets(EncodingType::Utf16).await, (5, 7));
    assert_eq!(offsets(EncodingType::Utf32).await, (4, 6));
}

#[tokio::test]
async fn segment_modes_and_hmm() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let full = client
        .segment(SegmentRequest {
            mode: SegmentMode::Full as i32,
            ..segment_request("中华人民共和国")
        })
        .await
        .unwrap()
        .into_inner()
        .tokens;
    let full = texts(&full);
    assert!(
        full.contains(&"中华人民共和国") && full.contains(&"人民") && full.contains(&"共和国"),
        "{full:?}"
    );

    let search = client
        .segment(SegmentRequest {
            mode: SegmentMode::Search as i32,
            ..segment_request("中华人民共和国成立了")
        })
        .await
        .unwrap()
        .into_inner()
        .tokens;
    let search_words = texts(&search);
    assert!(
        search_words.contains(&"中华人民共和国") && search_words.contains(&"共和国"),
        "{search_words:?}"
    );
    for t in &search {
        assert_eq!(
            &"中华人民共和国成立了"[t.begin_offset as usize..t.end_offset as usize],
            t.text
        );
    }

    // The HMM joins 杭研, which the dictionary does not know.
    let text = "他来到了网易杭研大厦";
    let with_hmm = client.segment(segment_request(text)).await.unwrap().into_inner().tokens;
    assert!(texts(&with_hmm).contains(&"杭研"));
    let without = client
        .segment(SegmentRequest {
            disable_hmm: true,
            ..segment_request(text)
        })
        .await
        .unwrap()
        .into_inner()
        .tokens;
    assert!(!texts(&without).contains(&"杭研"));
    assert!(texts(&without).contains(&"杭"));
}

#[tokio::test]
async fn normalize_converts_scripts_with_alignment() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let convert = |text: &str, conversion: Conversion| NormalizeRequest {
        text: text.into(),
        options: Some(NormalizeOptions {
            conversion: conversion as i32,
            ..Default::default()
        }),
        ..Default::default()
    };
    let s2t = client
        .normalize(convert("汉字转换测试", Conversion::S2t))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s2t.text, "漢字轉換測試");
    assert!(s2t.alignment.is_empty(), "alignment only on request");
    let t2s = client
        .normalize(convert("漢字轉換測試", Conversion::T2s))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t2s.text, "汉字转换测试");

    // tw2sp changes the length: 滑鼠 (2 chars) becomes 鼠标 (2 chars), 軟體 软件.
    let request = NormalizeRequest {
        include_alignment: true,
        encoding_type: EncodingType::Utf32 as i32,
        ..convert("我的滑鼠和軟體", Conversion::Tw2sp)
    };
    let response = client.normalize(request).await.unwrap().into_inner();
    assert_eq!(response.text, "我的鼠标和软件");
    let spans: Vec<_> = response
        .alignment
        .iter()
        .map(|s| (s.original_begin, s.original_end, s.normalized_begin, s.normalized_end))
        .collect();
    assert_eq!(
        spans,
        [(0, 1, 0, 1), (1, 2, 1, 2), (2, 4, 2, 4), (4, 5, 4, 5), (5, 7, 5, 7)]
    );
}

#[tokio::test]
async fn segment_after_conversion_points_into_the_original() {
    let server = TestServer::start().await;
    let text = "我來到北京清華大學";
    let request = SegmentRequest {
        normalize: Some(NormalizeOptions {
            conversion: Conversion::T2s as i32,
            ..Default::default()
        }),
        encoding_type: EncodingType::Utf32 as i32,
        ..segment_request(text)
    };
    let tokens = server.client().segment(request).await.unwrap().into_inner().tokens;
    assert_eq!(texts(&tokens), ["我", "来到", "北京", "清华大学"]);
    let chars: Vec<char> = text.chars().collect();
    let originals: Vec<String> = tokens
        .iter()
        .map(|t| chars[t.begin_offset as usize..t.end_offset as usize].iter().collect())
        .collect();
    assert_eq!(originals, ["我", "來到", "北京", "清華大學"]);
    assert_eq!(tokens[3].pos, "nt");
}

#[tokio::test]
async fn tag_entities_names_and_rules_with_filter() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let text = "2024年6月28日，习近平在北京会见了清华大学的代表，投资80亿元，增长57%，咨询电话0510-86801234。";
    let request = TagEntitiesRequest {
        text: text.into(),
        ..Default::default()
    };
    let entities = client
        .tag_entities(request.clone())
        .await
        .unwrap()
        .into_inner()
        .entities;
    assert_eq!(
        kinds_texts_values(&entities),
        [
            (EntityType::Date, "2024年6月28日", "2024-06-28"),
            (EntityType::Person, "习近平", ""),
            (EntityType::Location, "北京", ""),
            (EntityType::Organization, "清华大学", ""),
            (EntityType::Money, "80亿元", "8000000000 CNY"),
            (EntityType::Percent, "57%", "0.57"),
            (EntityType::PhoneNumber, "0510-86801234", "+8651086801234"),
        ]
    );
    for e in &entities {
        assert_eq!(&text[e.begin_offset as usize..e.end_offset as usize], e.text);
        assert!(e.confidence > 0.0 && e.confidence <= 1.0);
    }

    let filtered = client
        .tag_entities(TagEntitiesRequest {
            types: vec![EntityType::Money as i32, EntityType::Person as i32],
            ..request
        })
        .await
        .unwrap()
        .into_inner()
        .entities;
    let kinds: Vec<EntityType> = filtered.iter().map(|e| e.r#type()).collect();
    assert_eq!(kinds, [EntityType::Person, EntityType::Money]);
}

#[tokio::test]
async fn recent_names_are_tagged_in_both_scripts() {
    // None of these names occurs in the model's 1990s training corpus; the
    // known-name list completes the model (魏哲 alone is its own guess).
    let server = TestServer::start().await;
    let mut client = server.client();
    for (text, names) in [
        (
            "台积电董事长魏哲家表示，华为和比亚迪也在扩大投资。",
            ["台积电", "魏哲家", "华为", "比亚迪"],
        ),
        (
            "台積電董事長魏哲家表示，華為和比亞迪也在擴大投資。",
            ["台積電", "魏哲家", "華為", "比亞迪"],
        ),
    ] {
        let entities = client
            .tag_entities(TagEntitiesRequest {
                text: text.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .entities;
        let got: Vec<(EntityType, &str)> = entities.iter().map(|e| (e.r#type(), e.text.as_str())).collect();
        let kinds = [
            EntityType::Organization,
            EntityType::Person,
            EntityType::Organization,
            EntityType::Organization,
        ];
        let expected: Vec<(EntityType, &str)> = kinds.into_iter().zip(names).collect();
        assert_eq!(got, expected, "{text}");
        for e in &entities {
            assert_eq!(&text[e.begin_offset as usize..e.end_offset as usize], e.text);
        }
    }
}

#[tokio::test]
async fn taiwan_dates_amounts_local_bodies_and_credit_lines_in_traditional_text() {
    let server = TestServer::start().await;
    let mut client = server.client();
    for (text, expected) in [
        (
            "民國113年12月1日起，新竹科學園區營業額突破新台幣一兆元。",
            vec![
                (EntityType::Date, "民國113年12月1日", "2024-12-01"),
                (EntityType::Location, "新竹科學園區", ""),
                (EntityType::Money, "新台幣一兆元", "1000000000000 TWD"),
            ],
        ),
        (
            // Places and companies by their Taiwan names (雪梨 for 悉尼,
            // 紐西蘭 for 新西兰), which the model read as people or missed;
            // a company named by its tie to another (臉書 / 母公司).
            "法國總統馬克宏抵達雪梨訪問，隨後前往紐西蘭與義大利。臉書母公司與輝達在矽谷開會。",
            vec![
                (EntityType::Location, "法國", ""),
                (EntityType::Person, "馬克宏", ""),
                (EntityType::Location, "雪梨", ""),
                (EntityType::Location, "紐西蘭", ""),
                (EntityType::Location, "義大利", ""),
                (EntityType::Organization, "臉書", ""),
                (EntityType::Organization, "輝達", ""),
                (EntityType::Location, "矽谷", ""),
            ],
        ),
        (
            // Currencies as Taiwan and Hong Kong news write them.
            "日本政府計劃投入39兆日圓，另撥12億紐西蘭幣。",
            vec![
                (EntityType::Location, "日本", ""),
                (EntityType::Money, "39兆日圓", "39000000000000 JPY"),
                (EntityType::Money, "12億紐西蘭幣", "1200000000 NZD"),
            ],
        ),
        (
            // A department named with 和 after its city; a title between a
            // university and a name.
            "記者從成都市住房和城鄉建設局獲悉，中國科學技術大學教授陸朝陽團隊取得突破。",
            vec![
                (EntityType::Organization, "成都市住房和城鄉建設局", ""),
                (EntityType::Organization, "中國科學技術大學", ""),
                (EntityType::Person, "陸朝陽", ""),
            ],
        ),
        (
            // Credit lines: a space after the title (the model never saw
            // one), and a name whose last character jieba joins to 攝.
            "（記者 葉龍）臺北報導，新華社記者王平傑攝",
            vec![
                (EntityType::Person, "葉龍", ""),
                (EntityType::Location, "臺北", ""),
                (EntityType::Organization, "新華社", ""),
                (EntityType::Person, "王平傑", ""),
            ],
        ),
    ] {
        let entities = client
            .tag_entities(TagEntitiesRequest {
                text: text.into(),
                encoding_type: EncodingType::Utf16 as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .entities;
        assert_eq!(kinds_texts_values(&entities), expected, "{text}");
        // UTF-16 offsets: every character here is one code unit.
        let units: Vec<char> = text.chars().collect();
        for e in &entities {
            let span: String = units[e.begin_offset as usize..e.end_offset as usize].iter().collect();
            assert_eq!(span, e.text);
        }
    }
}

#[tokio::test]
async fn empty_text_gives_empty_results() {
    let server = TestServer::start().await;
    let mut client = server.client();
    assert!(
        client
            .segment(segment_request(""))
            .await
            .unwrap()
            .into_inner()
            .tokens
            .is_empty()
    );
    let normalized = client
        .normalize(NormalizeRequest {
            include_alignment: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(normalized.text, "");
    assert!(normalized.alignment.is_empty());
    let entities = client
        .tag_entities(TagEntitiesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(entities.entities.is_empty());
}

fn violation_field(status: &tonic::Status) -> String {
    let details = status.get_error_details();
    let bad_request = details.bad_request().expect("a google.rpc.BadRequest detail");
    bad_request.field_violations[0].field.clone()
}

#[tokio::test]
async fn oversized_text_is_refused_with_the_limit_and_server_keeps_serving() {
    let server = TestServer::start_with(ServerSettings {
        max_text_bytes: 1000,
        ..Default::default()
    })
    .await;
    let mut client = server.client();
    let status = client.segment(segment_request(&"字".repeat(334))).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("1000"), "{}", status.message());
    assert!(status.message().contains("1002"), "{}", status.message());
    assert_eq!(violation_field(&status), "text");
    for rpc in ["normalize", "tag"] {
        let status = match rpc {
            "normalize" => client
                .normalize(NormalizeRequest {
                    text: "a".repeat(1001),
                    ..Default::default()
                })
                .await
                .unwrap_err(),
            _ => client
                .tag_entities(TagEntitiesRequest {
                    text: "a".repeat(1001),
                    ..Default::default()
                })
                .await
                .unwrap_err(),
        };
        assert_eq!(status.code(), Code::InvalidArgument, "{rpc}");
    }
    // A frame far over the limit is refused by the transport before decoding,
    // with a message that states the limit.
    let status = client.segment(segment_request(&"a".repeat(200_000))).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("the limit is: 66536 bytes"), "{status:?}");
    // Still serving.
    assert_eq!(
        client
            .segment(segment_request("北京"))
            .await
            .unwrap()
            .into_inner()
            .tokens
            .len(),
        1
    );
}

#[tokio::test]
async fn unknown_enum_values_name_the_field() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let status = client
        .segment(SegmentRequest {
            mode: 42,
            ..segment_request("北京")
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(violation_field(&status), "mode");
    let status = client
        .normalize(NormalizeRequest {
            text: "北京".into(),
            options: Some(NormalizeOptions {
                conversion: 99,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violation_field(&status), "options.conversion");
    let status = client
        .tag_entities(TagEntitiesRequest {
            text: "北京".into(),
            types: vec![1, 77],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violation_field(&status), "types[1]");
    let status = client
        .segment(SegmentRequest {
            encoding_type: 9,
            ..segment_request("北京")
        })
        .await
        .unwrap_err();
    assert_eq!(violation_field(&status), "encoding_type");
}

/// Sends raw protobuf bytes, so a test can send what a tonic client would
/// refuse to encode (text that is not UTF-8).
mod raw {
    use bytes_codec::RawCodec;
    use tonic::{Request, Status, client::Grpc, transport::Channel};

    pub async fn call(channel: Channel, path: &'static str, body: Vec<u8>) -> Result<Vec<u8>, Status> {
        let mut grpc = Grpc::new(channel);
        grpc.ready().await.map_err(|e| Status::unavailable(e.to_string()))?;
        let response = grpc.unary(Request::new(body), path.parse().unwrap(), RawCodec).await?;
        Ok(response.into_inner())
    }

    mod bytes_codec {
        use tonic::{
            Status,
            codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
        };

        #[derive(Clone, Copy, Default)]
        pub struct RawCodec;

        impl Codec for RawCodec {
            type Encode = Vec<u8>;
            type Decode = Vec<u8>;
            type Encoder = RawCodec;
            type Decoder = RawCodec;
            fn encoder(&mut self) -> RawCodec {
                RawCodec
            }
            fn decoder(&mut self) -> RawCodec {
                RawCodec
            }
        }

        impl Encoder for RawCodec {
            type Item = Vec<u8>;
            type Error = Status;
            fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
                use bytes::BufMut;
                dst.put_slice(&item);
                Ok(())
            }
        }

        impl Decoder for RawCodec {
            type Item = Vec<u8>;
            type Error = Status;
            fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
                use bytes::Buf;
                let mut out = vec![0; src.remaining()];
                src.copy_to_slice(&mut out);
                Ok(Some(out))
            }
        }
    }
}

#[tokio::test]
async fn text_that_is_not_utf8_is_invalid_argument() {
    let server = TestServer::start().await;
    // Field 1 (text): length 3, bytes that are not UTF-8.
    let body = vec![0x0a, 0x03, 0xe5, 0x8c, 0xff];
    for path in [
        "/zhtext.v1.TextService/Segment",
        "/zhtext.v1.TextService/Normalize",
        "/zhtext.v1.TextService/TagEntities",
    ] {
        let status = raw::call(server.channel.clone(), path, body.clone()).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{path}: {status:?}");
        assert_eq!(violation_field(&status), "text");
    }
    // A valid raw request still works afterwards.
    let mut ok = vec![0x0a, 0x06];
    ok.extend_from_slice("北京".as_bytes());
    assert!(
        raw::call(server.channel.clone(), "/zhtext.v1.TextService/Segment", ok)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn health_is_not_serving_until_the_pipeline_is_loaded() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let pipeline = tokio::task::spawn_blocking(|| PIPELINE.clone()).await.unwrap();
    let server = TestServer::start_loading(
        ServerSettings {
            max_text_bytes: 1 << 20,
            ..Default::default()
        },
        async move {
            let _ = rx.await;
            Ok(pipeline.into())
        },
    )
    .await;
    use tonic_health::pb::health_check_response::ServingStatus;
    assert_eq!(server.health("").await, ServingStatus::NotServing);
    assert_eq!(server.health("zhtext.v1.TextService").await, ServingStatus::NotServing);
    let status = server.client().segment(segment_request("北京")).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    tx.send(()).unwrap();
    server.wait_serving("").await;
    server.wait_serving("zhtext.v1.TextService").await;
    assert!(server.client().segment(segment_request("北京")).await.is_ok());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_pipeline_that_fails_to_load_stops_the_server_with_its_error() {
    let server = TestServer::start_loading(
        ServerSettings {
            max_text_bytes: 1 << 20,
            ..Default::default()
        },
        async { Err(anyhow::anyhow!("dictionary missing")) },
    )
    .await;
    let error = server.wait().await.unwrap_err();
    assert!(format!("{error:#}").contains("dictionary missing"), "{error:#}");
}

#[tokio::test]
async fn reflection_lists_services_in_v1_and_v1alpha() {
    let server = TestServer::start().await;
    {
        use tonic_reflection::pb::v1::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut stream = ServerReflectionClient::new(server.channel.clone())
            .server_reflection_info(tokio_stream::iter([request]))
            .await
            .unwrap()
            .into_inner();
        let response = stream.next().await.unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
            panic!("unexpected reflection response");
        };
        let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
        assert!(names.contains(&"zhtext.v1.TextService".to_string()), "{names:?}");
        assert!(names.contains(&"grpc.health.v1.Health".to_string()), "{names:?}");
    }
    {
        use tonic_reflection::pb::v1alpha::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol("zhtext.v1.TextService".into())),
        };
        let mut stream = ServerReflectionClient::new(server.channel.clone())
            .server_reflection_info(tokio_stream::iter([request]))
            .await
            .unwrap()
            .into_inner();
        let response = stream.next().await.unwrap().unwrap();
        let Some(MessageResponse::FileDescriptorResponse(files)) = response.message_response else {
            panic!("unexpected reflection response");
        };
        assert!(!files.file_descriptor_proto.is_empty());
    }
}

#[tokio::test]
async fn gzip_requests_and_responses() {
    let server = TestServer::start().await;
    let mut client = server
        .client()
        .send_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Gzip);
    let text = "我来到北京清华大学。".repeat(200);
    let tokens = client
        .segment(segment_request(&text))
        .await
        .unwrap()
        .into_inner()
        .tokens;
    assert_eq!(tokens.len(), 1000);
}

#[tokio::test]
async fn large_text_runs_off_the_reactor_and_keeps_offsets() {
    let server = TestServer::start().await;
    let text = "江阴市2024年GDP增长5.2%，😀新质生产力。".repeat(2000);
    let tokens = server
        .client()
        .segment(SegmentRequest {
            encoding_type: EncodingType::Utf16 as i32,
            ..segment_request(&text)
        })
        .await
        .unwrap()
        .into_inner()
        .tokens;
    let utf16: Vec<u16> = text.encode_utf16().collect();
    let mut end = 0;
    for t in &tokens {
        assert_eq!(t.begin_offset, end);
        assert_eq!(
            String::from_utf16(&utf16[t.begin_offset as usize..t.end_offset as usize]).unwrap(),
            t.text
        );
        end = t.end_offset;
    }
    assert_eq!(end as usize, utf16.len());
}

#[tokio::test]
async fn traditional_text_is_segmented_through_its_simplified_view() {
    let server = TestServer::start().await;
    let mut client = server.client();
    // No conversion requested: tokens keep the caller's Traditional
    // characters, with the words and tags of the Simplified view.
    let text = "我來到北京清華大學，參觀了圖書館。";
    let tokens = client.segment(segment_request(text)).await.unwrap().into_inner().tokens;
    assert_eq!(
        texts(&tokens),
        ["我", "來到", "北京", "清華大學", "，", "參觀", "了", "圖書館", "。"]
    );
    let pos: Vec<&str> = tokens.iter().map(|t| t.pos.as_str()).collect();
    assert_eq!(pos[..4], ["r", "v", "ns", "nt"]);
    for t in &tokens {
        assert_eq!(&text[t.begin_offset as usize..t.end_offset as usize], t.text);
    }

    let normalized = client
        .normalize(NormalizeRequest {
            text: text.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(normalized.detected_script(), zhtext::api::proto::Script::Traditional);
    assert!(normalized.script_confidence > 0.9);
}

#[tokio::test]
async fn a_phrase_conversion_split_by_the_segmenter_stays_one_precise_token() {
    let server = TestServer::start().await;
    // s2twp turns 鼠标 into 滑鼠 as one replaced phrase: whatever the
    // segmenter does with it, precise tokens must tile the original.
    let text = "我买了一个鼠标和软件";
    let request = SegmentRequest {
        normalize: Some(NormalizeOptions {
            conversion: Conversion::S2twp as i32,
            ..Default::default()
        }),
        ..segment_request(text)
    };
    let tokens = server.client().segment(request).await.unwrap().into_inner().tokens;
    let mut end = 0;
    for t in &tokens {
        assert_eq!(t.begin_offset, end, "{tokens:?}");
        end = t.end_offset;
    }
    assert_eq!(end as usize, text.len());
    let mouse = tokens.iter().find(|t| t.text.contains("滑鼠")).expect("滑鼠 token");
    assert_eq!(&text[mouse.begin_offset as usize..mouse.end_offset as usize], "鼠标");
}

fn repair_all() -> NormalizeOptions {
    NormalizeOptions {
        strip_pinyin_annotations: true,
        fold_width: true,
        collapse_cjk_spaces: true,
        repair_mojibake: true,
        remove_invisible: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn repair_options_clean_noisy_news() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let cases = [
        (
            "加快發(fā)展新質(zhì)生產(chǎn)力(新吴区)(GDP)(2024)",
            "加快發展新質生產力(新吴区)(GDP)(2024)",
        ),
        ("ＴＯＰＣｏｎ１２ＧＷ电池，产能。", "TOPCon12GW电池，产能。"),
        ("江 阴 市超 50 亿元", "江阴市超 50 亿元"),
        ("\u{feff}新\u{200b}闻\u{ad}发布\u{7}会\n", "新闻发布会\n"),
        ("經濟變?椤鞍l展", "經濟變為“發展"),
        ("推动鍙戝睍", "推动发展"),
    ];
    for (input, want) in cases {
        let response = client
            .normalize(NormalizeRequest {
                text: input.into(),
                options: Some(repair_all()),
                include_alignment: true,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.text, want, "{input:?}");
        let (mut o, mut n) = (0, 0);
        for s in &response.alignment {
            assert_eq!((s.original_begin, s.normalized_begin), (o, n), "{input:?}");
            (o, n) = (s.original_end, s.normalized_end);
        }
        assert_eq!((o as usize, n as usize), (input.len(), want.len()), "{input:?}");
    }
    // Clean text comes back unchanged with every repair on.
    let clean = "2024年6月28日，江阴市人民政府发布消息（记者 王伟）：GDP增长5.2%。";
    let response = client
        .normalize(NormalizeRequest {
            text: clean.into(),
            options: Some(repair_all()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.text, clean);
}

#[tokio::test]
async fn a_removed_annotation_belongs_to_the_token_it_annotated() {
    let server = TestServer::start().await;
    let text = "加快發(fā)展新質(zhì)生產(chǎn)力";
    let request = SegmentRequest {
        normalize: Some(NormalizeOptions {
            strip_pinyin_annotations: true,
            conversion: Conversion::T2s as i32,
            ..Default::default()
        }),
        ..segment_request(text)
    };
    let tokens = server.client().segment(request).await.unwrap().into_inner().tokens;
    let pieces: Vec<(&str, &str)> = tokens
        .iter()
        .map(|t| (t.text.as_str(), &text[t.begin_offset as usize..t.end_offset as usize]))
        .collect();
    assert_eq!(
        pieces,
        [
            ("加快", "加快"),
            ("发展", "發(fā)展"),
            ("新质", "新質(zhì)"),
            ("生产力", "生產(chǎn)力"),
        ]
    );
}

#[tokio::test]
async fn the_evaluations_local_server_is_serving_once_started() {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
    let pipeline = tokio::task::spawn_blocking(|| PIPELINE.clone()).await.unwrap();
    let mut server = zhtext::eval::LocalServer::start(pipeline).await.unwrap();
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let health = HealthClient::new(channel)
        .check(HealthCheckRequest { service: String::new() })
        .await
        .unwrap();
    assert_eq!(health.into_inner().status(), ServingStatus::Serving);
    // The first request the evaluations send is answered, not refused as
    // UNAVAILABLE (CI once caught the server between listening and serving).
    let converted = server
        .client
        .normalize(NormalizeRequest {
            text: "漢字".into(),
            options: Some(NormalizeOptions {
                conversion: Conversion::T2s.into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(converted.text, "汉字");
    server.stop().await.unwrap();
}
