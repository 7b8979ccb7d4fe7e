//! OpenCC conformance: every (input, config) pair of OpenCC's own test cases
//! through `TextService.Normalize`, with alignment requested and checked.

use std::{collections::BTreeMap, path::Path, sync::Arc};

use anyhow::{Context, bail};

use super::{LocalServer, read_lenient_json};
use crate::{
    api::proto::{Conversion, EncodingType, NormalizeOptions, NormalizeRequest},
    text::pipeline::Pipeline,
};

/// Outcome per config name: (passed, total).
pub type ConformanceReport = BTreeMap<String, (usize, usize)>;

/// Runs the cases in `cases_path` against a local server; fails when any case
/// fails, after printing the table and the first failures.
pub async fn run(cases_path: &Path, pipeline: Arc<Pipeline>) -> anyhow::Result<ConformanceReport> {
    let cases = read_lenient_json(cases_path)?;
    let cases = cases["cases"].as_array().context("no `cases` array")?;
    let server = LocalServer::start(pipeline).await?;
    let mut client = server.client.clone();
    let mut report = ConformanceReport::new();
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let input = case["input"].as_str().context("case without input")?;
        let expected = case["expected"].as_object().context("case without expected")?;
        for (config, want) in expected {
            let want = want.as_str().context("expected output is not a string")?;
            let conversion = Conversion::from_str_name(&format!("CONVERSION_{}", config.to_uppercase()))
                .with_context(|| format!("case {id}: no Conversion for config `{config}`"))?;
            let response = client
                .normalize(NormalizeRequest {
                    text: input.to_owned(),
                    options: Some(NormalizeOptions {
                        conversion: conversion as i32,
                        ..Default::default()
                    }),
                    encoding_type: EncodingType::Utf8 as i32,
                    include_alignment: true,
                })
                .await
                .with_context(|| format!("case {id} ({config})"))?
                .into_inner();
            let entry = report.entry(config.clone()).or_default();
            entry.1 += 1;
            let covered = alignment_covers(&response.alignment, input.len(), response.text.len());
            if response.text == want && covered {
                entry.0 += 1;
            } else {
                failures.push(format!(
                    "{id} {config}: input {input:?}\n  expected {want:?}\n  got      {:?}{}",
                    response.text,
                    if covered {
                        ""
                    } else {
                        " (alignment does not cover both texts)"
                    }
                ));
            }
        }
    }
    server.stop().await?;

    println!(
        "OpenCC conformance through TextService.Normalize ({})",
        cases_path.display()
    );
    println!("{:<8} {:>6} {:>6}", "config", "passed", "total");
    let (mut passed, mut total) = (0, 0);
    for (config, (p, t)) in &report {
        println!("{config:<8} {p:>6} {t:>6}");
        passed += p;
        total += t;
    }
    println!("{:<8} {passed:>6} {total:>6}", "all");
    for failure in failures.iter().take(20) {
        println!("FAIL {failure}");
    }
    if !failures.is_empty() {
        bail!("{} of {total} OpenCC cases failed", failures.len());
    }
    Ok(report)
}

fn alignment_covers(spans: &[crate::api::proto::AlignmentSpan], original_len: usize, normalized_len: usize) -> bool {
    let (mut o, mut n) = (0u32, 0u32);
    for s in spans {
        if s.original_begin != o || s.normalized_begin != n || s.original_end < o || s.normalized_end < n {
            return false;
        }
        o = s.original_end;
        n = s.normalized_end;
    }
    o as usize == original_len && n as usize == normalized_len
}
