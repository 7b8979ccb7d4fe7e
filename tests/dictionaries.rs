//! User dictionaries, live reload (including a ConfigMap-style symlink
//! swap), dictionary profiles and keyword extraction, over a real server.

mod common;

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{PIPELINE, TestServer, scrape};
use tonic::Code;
use zhtext::{
    api::proto::{ExtractKeywordsRequest, KeywordMethod, NormalizeOptions, SegmentRequest},
    reload::DictionarySources,
    server::{LoadedPipeline, ServerSettings},
};

/// Lays out `dir` the way Kubernetes mounts a ConfigMap: the visible files
/// link to `..data/NAME`, and `..data` links to a timestamped directory
/// that an update replaces by swapping the `..data` link.
fn write_configmap(dir: &Path, version: u32, files: &[(&str, &str)]) {
    let versioned = dir.join(format!("..v{version}"));
    std::fs::create_dir_all(&versioned).unwrap();
    for (name, content) in files {
        std::fs::write(versioned.join(name), content).unwrap();
        let visible = dir.join(name);
        if visible.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(Path::new("..data").join(name), &visible).unwrap();
        }
    }
    let tmp = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(format!("..v{version}"), &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
}

async fn start(
    sources: DictionarySources,
    metrics_listener: Option<tokio::net::TcpListener>,
) -> (TestServer, Arc<zhtext::reload::ReloadStats>) {
    let snapshot = sources.snapshot();
    let segmenters = snapshot.build().expect("dictionaries load");
    let base = tokio::task::spawn_blocking(|| PIPELINE.clone()).await.unwrap();
    let loaded = LoadedPipeline {
        pipeline: Arc::new(base.with_segmenters(segmenters)),
        dictionaries_fingerprint: snapshot.fingerprint(),
    };
    let settings = ServerSettings {
        dictionaries: sources,
        dictionary_poll: Duration::from_millis(500),
        metrics_listener,
        ..Default::default()
    };
    let stats = settings.reload_stats.clone();
    let server = TestServer::start_loading(settings, async move { Ok(loaded) }).await;
    server.wait_serving("").await;
    (server, stats)
}

async fn words(server: &TestServer, text: &str, dictionary: &str) -> Result<Vec<String>, tonic::Status> {
    let response = server
        .client()
        .segment(SegmentRequest {
            text: text.into(),
            dictionary: dictionary.into(),
            disable_hmm: true,
            ..Default::default()
        })
        .await?;
    Ok(response.into_inner().tokens.into_iter().map(|t| t.text).collect())
}

#[tokio::test]
async fn an_edited_dictionary_is_live_within_seconds_without_failed_requests() {
    let dir = tempfile::tempdir().unwrap();
    write_configmap(dir.path(), 1, &[("user.txt", "新质生产力 100 n\n")]);
    let sources = DictionarySources {
        user_dicts: vec![dir.path().join("user.txt")],
        dict_dir: None,
    };
    let (server, stats) = start(sources, None).await;
    let text = "长鑫存储发展新质生产力";
    let before = words(&server, text, "").await.unwrap();
    assert!(before.contains(&"新质生产力".to_owned()) && !before.contains(&"长鑫存储".to_owned()));

    // Keep requests flowing while the dictionary changes.
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let traffic = {
        let (stop, sent, failed) = (stop.clone(), sent.clone(), failed.clone());
        let mut client = server.client();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let request = SegmentRequest {
                    text: text.into(),
                    ..Default::default()
                };
                if client.segment(request).await.is_err() {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    write_configmap(dir.path(), 2, &[("user.txt", "新质生产力 100 n\n长鑫存储 100 nt\n")]);
    let changed = Instant::now();
    loop {
        if words(&server, text, "").await.unwrap().contains(&"长鑫存储".to_owned()) {
            break;
        }
        assert!(
            changed.elapsed() < Duration::from_secs(10),
            "the new word never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
    assert!(sent.load(Ordering::Relaxed) > 0);
    assert_eq!(failed.load(Ordering::Relaxed), 0);
    assert_eq!(stats.reloads.load(Ordering::Relaxed), 1);

    // A malformed update keeps the previous dictionary serving.
    write_configmap(
        dir.path(),
        3,
        &[("user.txt", "新质生产力 100 n\n长鑫存储 lots of words here\n")],
    );
    let broken = Instant::now();
    while stats.failures.load(Ordering::Relaxed) == 0 {
        assert!(
            broken.elapsed() < Duration::from_secs(10),
            "the failure was never noticed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(words(&server, text, "").await.unwrap().contains(&"长鑫存储".to_owned()));
}

#[tokio::test]
async fn profiles_select_a_dictionary_and_unknown_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("finance.txt"), "科创板块 100 n\n").unwrap();
    std::fs::write(dir.path().join("chips.txt"), "长鑫存储 100 nt\n").unwrap();
    std::fs::write(dir.path().join(".hidden.txt"), "not a profile\n").unwrap();
    let sources = DictionarySources {
        user_dicts: Vec::new(),
        dict_dir: Some(dir.path().to_owned()),
    };
    let (server, _) = start(sources, None).await;
    let text = "长鑫存储登陆科创板块";
    let default = words(&server, text, "").await.unwrap();
    assert!(!default.contains(&"长鑫存储".to_owned()) && !default.contains(&"科创板块".to_owned()));
    assert!(
        words(&server, text, "chips")
            .await
            .unwrap()
            .contains(&"长鑫存储".to_owned())
    );
    assert!(
        words(&server, text, "finance")
            .await
            .unwrap()
            .contains(&"科创板块".to_owned())
    );
    let status = words(&server, text, "law").await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().contains("known profiles: [chips, finance]"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn a_failed_reload_shows_in_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user.txt");
    std::fs::write(&path, "新质生产力 100 n\n").unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_addr = metrics.local_addr().unwrap();
    let sources = DictionarySources {
        user_dicts: vec![path.clone()],
        dict_dir: None,
    };
    let (_server, stats) = start(sources, Some(metrics)).await;
    std::fs::write(&path, "good 10\nbad 1 n extra\n").unwrap();
    let started = Instant::now();
    while stats.failures.load(Ordering::Relaxed) == 0 {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = scrape(metrics_addr).await;
    assert!(
        body.contains("zhtext_dictionary_reloads_total{result=\"error\"}"),
        "{body}"
    );
    assert!(body.contains("zhtext_build_info"), "{body}");
}

#[tokio::test]
async fn keywords_by_tfidf_and_textrank_in_the_texts_own_script() {
    let server = TestServer::start().await;
    let mut client = server.client();
    let simplified = "江阴市大力发展新能源产业。新能源汽车、光伏组件和储能电池项目集中落地，新能源产业产值突破千亿元。";
    let response = client
        .extract_keywords(ExtractKeywordsRequest {
            text: simplified.into(),
            top_k: 5,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.keywords.len(), 5);
    assert_eq!(response.keywords[0].text, "新能源");
    assert_eq!(response.keywords[0].weight, 1.0);
    assert!(
        response
            .keywords
            .windows(2)
            .all(|w| w[0].weight >= w[1].weight && w[1].weight > 0.0)
    );

    let traditional =
        "江陰市大力發展新能源產業。新能源汽車、光伏組件和儲能電池項目集中落地，新能源產業產值突破千億元。";
    for method in [KeywordMethod::Tfidf, KeywordMethod::Textrank] {
        let keywords = client
            .extract_keywords(ExtractKeywordsRequest {
                text: traditional.into(),
                top_k: 8,
                method: method as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .keywords;
        assert!(!keywords.is_empty(), "{method:?}");
        for k in &keywords {
            assert!(
                traditional.contains(&k.text),
                "{method:?}: {} is not in the Traditional text",
                k.text
            );
        }
        assert!(keywords.iter().any(|k| k.text == "產業"), "{method:?}: {keywords:?}");
    }

    let nouns_only = client
        .extract_keywords(ExtractKeywordsRequest {
            text: simplified.into(),
            allowed_pos: vec!["ns".into()],
            normalize: Some(NormalizeOptions::default()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .keywords;
    assert_eq!(
        nouns_only.iter().map(|k| k.text.as_str()).collect::<Vec<_>>(),
        ["江阴市"]
    );

    let status = client
        .extract_keywords(ExtractKeywordsRequest {
            text: simplified.into(),
            top_k: 100_000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}
