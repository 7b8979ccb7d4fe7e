//! Script conversion speed on 1 MiB of real news, side by side in one
//! criterion run: zhtext's engine (with and without alignment),
//! ferrous-opencc, and OpenCC 1.4.2's C++ engine through its Python binding
//! (`pip install opencc==1.4.2`; set ZHTEXT_BENCH_PYTHON to that Python).
//! The C++ engine is timed inside Python, around the conversion loop only.
//!
//! cargo bench --bench opencc

mod support;

use std::{io::Write, process::Command, time::Duration};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use zhtext::text::opencc::{Converter, OpenccData, Profile};

const INPUT_BYTES: usize = 1 << 20;

const PYTHON_LOOP: &str = r#"
import sys, time, opencc
config, path, iters = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8").read()
converter = opencc.OpenCC(config + ".json")
assert opencc.__version__.startswith("1.4.2"), opencc.__version__
converter.convert(text)
start = time.perf_counter_ns()
for _ in range(iters):
    converter.convert(text)
print(time.perf_counter_ns() - start)
"#;

fn python() -> String {
    std::env::var("ZHTEXT_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn python_has_opencc() -> bool {
    Command::new(python())
        .args(["-c", "import opencc; assert opencc.__version__.startswith('1.4.2')"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Times `iters` conversions with OpenCC's C++ engine.
fn opencc_cpp(config: &str, input_path: &std::path::Path, iters: u64) -> Duration {
    let output = Command::new(python())
        .args([
            "-c",
            PYTHON_LOOP,
            config,
            &input_path.to_string_lossy(),
            &iters.to_string(),
        ])
        .output()
        .expect("running python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let nanos: u64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("nanoseconds");
    Duration::from_nanos(nanos)
}

fn conversion(c: &mut Criterion) {
    let data = OpenccData::load();
    let has_cpp = python_has_opencc();
    if !has_cpp {
        eprintln!(
            "OpenCC 1.4.2 for Python not found (ZHTEXT_BENCH_PYTHON={}): skipping the C++ engine",
            python()
        );
    }
    for (profile, ferrous_config, input) in [
        (
            Profile::S2t,
            ferrous_opencc::config::BuiltinConfig::S2t,
            support::simplified_news(INPUT_BYTES),
        ),
        (
            Profile::T2s,
            ferrous_opencc::config::BuiltinConfig::T2s,
            support::traditional_news(INPUT_BYTES),
        ),
    ] {
        let mut input_file = tempfile::NamedTempFile::new().expect("temp file");
        input_file.write_all(input.as_bytes()).expect("writing the input");
        let ours = Converter::new(profile, &data);
        let ferrous = ferrous_opencc::OpenCC::from_config(ferrous_config).expect("ferrous-opencc config");

        let mut group = c.benchmark_group(format!("{}_1MiB", profile.name()));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.sample_size(20);
        group.bench_function("zhtext", |b| b.iter(|| ours.convert(&input)));
        group.bench_function("zhtext_aligned", |b| b.iter(|| ours.convert_aligned(&input)));
        group.bench_function("ferrous_opencc_0.4", |b| b.iter(|| ferrous.convert(&input)));
        if has_cpp {
            group.bench_with_input(BenchmarkId::new("opencc_1.4.2_cpp", profile.name()), &(), |b, ()| {
                b.iter_custom(|iters| opencc_cpp(profile.name(), input_file.path(), iters))
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("construction");
    for profile in [Profile::S2t, Profile::T2s, Profile::Tw2sp] {
        group.bench_function(profile.name(), |b| {
            b.iter(|| {
                // A cold dictionary set each time: parse, derive and compile.
                let data = OpenccData::fresh();
                Converter::new(profile, &data)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, conversion);
criterion_main!(benches);
