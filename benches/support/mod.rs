//! Benchmark inputs: real news text from the shared corpora (SIGHAN 2005
//! gold files with the word separators removed), repeated to a fixed size.
//! Benchmarks, like evaluations, read `../shared/data` (or
//! `ZHTEXT_SHARED_DATA`); they stop with a clear message when it is missing.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("ZHTEXT_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    assert!(
        dir.is_dir(),
        "benchmarks read real news text from {}; set ZHTEXT_SHARED_DATA",
        dir.display()
    );
    dir
}

/// News text from the given SIGHAN gold files, one paragraph per line,
/// repeated and cut (on a line boundary) to about `bytes`.
pub fn news_text(files: &[&str], bytes: usize) -> String {
    let gold = shared_data().join("sighan2005/gold");
    let mut lines = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(gold.join(file)).expect("reading a SIGHAN gold file");
        for line in text.lines() {
            let joined: String = line.trim_start_matches('\u{feff}').split_whitespace().collect();
            if !joined.is_empty() {
                lines.push(joined);
            }
        }
    }
    let mut out = String::with_capacity(bytes + 4096);
    'outer: loop {
        for line in &lines {
            if out.len() + line.len() + 1 > bytes {
                break 'outer;
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// About `bytes` of Simplified news (PKU and MSR test sets).
pub fn simplified_news(bytes: usize) -> String {
    news_text(&["pku_test_gold.utf8", "msr_test_gold.utf8"], bytes)
}

/// About `bytes` of Traditional news (AS and CityU test sets).
pub fn traditional_news(bytes: usize) -> String {
    news_text(&["as_testing_gold.utf8", "cityu_test_gold.utf8"], bytes)
}
