//! `zhtext bench`: a load generator for the gRPC service and an in-process
//! baseline of the same pipeline, so that ratios come from one run on one
//! machine.
//!
//! `zhtext bench run` drives one RPC against a running server; `zhtext
//! bench suite` starts the server itself (this binary, `serve`), runs the
//! scenarios the production targets are stated in, reads the server's
//! resident memory from /proc, and prints one table with the ratios. It
//! then drives the [`floor`] server the same way, to show what the gRPC
//! stack alone allows.

mod floor;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use tonic::{Code, transport::Channel};
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::{
    api::proto::{SegmentRequest, TagEntitiesRequest, text_service_client::TextServiceClient},
    text::{normalize::NormalizeOptions, pipeline::Pipeline, segment::SegmentMode},
};

/// `zhtext bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Drive one RPC against a running server.
    Run(RunArgs),
    /// Start a server and run every scenario of the production targets.
    Suite(SuiteArgs),
    /// Serve Segment from memory, the transport floor the suite measures.
    #[command(hide = true)]
    FloorServer(floor::FloorArgs),
}

/// RPCs the load generator can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Rpc {
    /// grpc.health.v1.Health/Check: the floor of the gRPC stack.
    Health,
    /// TextService/Segment.
    Segment,
    /// TextService/TagEntities.
    Tag,
}

/// Flags of `zhtext bench run`.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Server address.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub target: String,
    /// RPC to drive.
    #[arg(long, value_enum, default_value_t = Rpc::Segment)]
    pub rpc: Rpc,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// HTTP/2 connections the requests are spread over.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Characters of text per request.
    #[arg(long, default_value_t = 100)]
    pub chars: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Text to cut requests from (SIGHAN gold files work: spaces between
    /// words are removed).
    #[arg(long, default_value = "../shared/data/sighan2005/gold/pku_test_gold.utf8")]
    pub corpus: PathBuf,
}

/// Flags of `zhtext bench suite`.
#[derive(Clone, Debug, Args)]
pub struct SuiteArgs {
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Text to cut requests from.
    #[arg(long, default_value = "../shared/data/sighan2005/gold/pku_test_gold.utf8")]
    pub corpus: PathBuf,
    /// Concurrency of the small-request scenarios.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Requests sent at once in the overload scenario.
    #[arg(long, default_value_t = 1000)]
    pub overload_requests: usize,
}

/// Outcome of one load scenario.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Successful requests.
    pub ok: usize,
    /// Failed requests by status code.
    pub errors: Vec<(Code, usize)>,
    /// Wall time.
    pub elapsed: Duration,
    /// Text bytes sent in successful requests.
    pub text_bytes: usize,
    /// Latencies of successful requests, sorted.
    pub latencies: Vec<Duration>,
}

impl LoadReport {
    /// Records one call: its latency and text bytes when it succeeded, its
    /// status code when it failed.
    fn record(&mut self, outcome: Result<(), Code>, latency: Duration, text_bytes: usize) {
        match outcome {
            Ok(()) => {
                self.ok += 1;
                self.latencies.push(latency);
                self.text_bytes += text_bytes;
            }
            Err(code) => self.add_errors(code, 1),
        }
    }

    fn add_errors(&mut self, code: Code, n: usize) {
        match self.errors.iter_mut().find(|(c, _)| *c == code) {
            Some((_, count)) => *count += n,
            None => self.errors.push((code, n)),
        }
    }

    /// The report of a scenario that started at `started`, from the
    /// reports of its clients.
    fn combine(parts: impl IntoIterator<Item = LoadReport>, started: Instant) -> LoadReport {
        let mut total = LoadReport::default();
        for part in parts {
            total.ok += part.ok;
            total.text_bytes += part.text_bytes;
            total.latencies.extend(part.latencies);
            for (code, n) in part.errors {
                total.add_errors(code, n);
            }
        }
        total.elapsed = started.elapsed();
        total.latencies.sort_unstable();
        total
    }

    /// Successful requests per second.
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// Text throughput in MB/s (10^6 bytes).
    pub fn mbps(&self) -> f64 {
        self.text_bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    /// Latency at quantile `q` (0..1).
    pub fn percentile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies[i]
    }

    fn line(&self, name: &str) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let errors: Vec<String> = self.errors.iter().map(|(c, n)| format!("{c:?}={n}")).collect();
        format!(
            "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            self.ok,
            self.rps(),
            self.mbps(),
            ms(self.percentile(0.5)),
            ms(self.percentile(0.9)),
            ms(self.percentile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            if errors.is_empty() {
                "-".to_owned()
            } else {
                errors.join(" ")
            }
        )
    }
}

const TABLE_HEADER: &str = "| scenario | ok | req/s | text MB/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|---|---|";

/// Texts of about `chars` characters cut from a corpus, in corpus order.
pub struct Payloads {
    texts: Vec<Arc<str>>,
}

impl Payloads {
    /// Reads `corpus` (one sentence per line; spaces between words are
    /// removed) and cuts it into texts of `chars` characters, at most
    /// `limit` of them.
    pub fn load(corpus: &Path, chars: usize, limit: usize) -> anyhow::Result<Self> {
        let raw = std::fs::read_to_string(corpus).with_context(|| format!("reading {}", corpus.display()))?;
        let joined: Vec<char> = raw
            .lines()
            .flat_map(|l| l.split_whitespace().flat_map(str::chars).chain(['\n']))
            .collect();
        anyhow::ensure!(joined.len() > 1000, "{} holds too little text", corpus.display());
        let chars = chars.max(1);
        // Consecutive pieces of the corpus, the last one wrapping around to
        // its start, so that every piece is `chars` long.
        let count = limit.min(joined.len().div_ceil(chars));
        let texts = (0..count)
            .map(|i| {
                let start = i * chars;
                let text: String = (start..start + chars).map(|k| joined[k % joined.len()]).collect();
                Arc::from(text)
            })
            .collect();
        Ok(Payloads { texts })
    }

    fn get(&self, i: usize) -> Arc<str> {
        self.texts[i % self.texts.len()].clone()
    }
}

async fn channels(target: &str, n: usize) -> anyhow::Result<Vec<Channel>> {
    let mut out = Vec::new();
    for _ in 0..n.max(1) {
        let channel = Channel::from_shared(target.to_owned())?
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .connect()
            .await
            .with_context(|| format!("connecting to {target}"))?;
        out.push(channel);
    }
    Ok(out)
}

async fn call(channel: Channel, rpc: Rpc, text: &str) -> Result<(), tonic::Status> {
    match rpc {
        Rpc::Health => {
            HealthClient::new(channel)
                .check(HealthCheckRequest { service: String::new() })
                .await?;
        }
        Rpc::Segment => {
            TextServiceClient::new(channel)
                .max_decoding_message_size(usize::MAX)
                .segment(SegmentRequest {
                    text: text.to_owned(),
                    ..Default::default()
                })
                .await?;
        }
        Rpc::Tag => {
            TextServiceClient::new(channel)
                .max_decoding_message_size(usize::MAX)
                .tag_entities(TagEntitiesRequest {
                    text: text.to_owned(),
                    ..Default::default()
                })
                .await?;
        }
    }
    Ok(())
}

/// Sends each payload once as a Segment request, one after the other.
async fn remember(channel: &Channel, payloads: &Payloads) -> anyhow::Result<()> {
    for text in &payloads.texts {
        call(channel.clone(), Rpc::Segment, text)
            .await
            .context("a Segment request to the floor server")?;
    }
    Ok(())
}

/// Closed-loop load: `concurrency` tasks each send one request after the
/// other until `duration` has passed.
pub async fn drive(
    channels: &[Channel],
    rpc: Rpc,
    payloads: &Arc<Payloads>,
    concurrency: usize,
    duration: Duration,
) -> LoadReport {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|worker| {
            let channel = channels[worker % channels.len()].clone();
            let payloads = payloads.clone();
            tokio::spawn(async move {
                let mut report = LoadReport::default();
                let mut i = worker;
                while Instant::now() < deadline {
                    let text = payloads.get(i);
                    i += concurrency;
                    let sent = Instant::now();
                    let outcome = call(channel.clone(), rpc, &text).await.map_err(|s| s.code());
                    let text_bytes = if rpc == Rpc::Health { 0 } else { text.len() };
                    report.record(outcome, sent.elapsed(), text_bytes);
                }
                report
            })
        })
        .collect();
    let mut parts = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(report) = task.await {
            parts.push(report);
        }
    }
    LoadReport::combine(parts, started)
}

/// The same Segment work without gRPC: `threads` threads run the pipeline
/// over the payloads until `duration` has passed.
pub fn in_process(
    pipeline: &Arc<Pipeline>,
    payloads: &Arc<Payloads>,
    threads: usize,
    duration: Duration,
) -> LoadReport {
    let started = Instant::now();
    let deadline = started + duration;
    let parts: Vec<LoadReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let pipeline = pipeline.clone();
                let payloads = payloads.clone();
                scope.spawn(move || {
                    let mut report = LoadReport::default();
                    let mut i = t;
                    let options = NormalizeOptions::default();
                    while Instant::now() < deadline {
                        let text = payloads.get(i);
                        i += threads;
                        let sent = Instant::now();
                        let tokens = pipeline.segment(&text, &options, SegmentMode::Precise, true);
                        std::hint::black_box(tokens);
                        report.record(Ok(()), sent.elapsed(), text.len());
                    }
                    report
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread panicked"))
            .collect()
    });
    LoadReport::combine(parts, started)
}

/// Resident memory of a process, now and at its peak, in MiB.
fn rss_mib(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(ticks / per_second)
}

/// The server under test, stopped (SIGTERM via kill) when dropped.
struct SpawnedServer {
    child: Child,
    target: String,
}

impl SpawnedServer {
    /// Runs this binary with `args` and `--listen` on a free port, and
    /// waits until it reports SERVING.
    async fn start(args: &[&str]) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let exe = std::env::current_exe()?;
        let child = Command::new(exe)
            .args(args)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .context("starting the server")?;
        let target = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(channel) = Channel::from_shared(target.clone())?.connect().await
                && crate::server::reports_serving(channel).await
            {
                break;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!(
            "{} SERVING {} ms after spawn",
            args.join(" "),
            started.elapsed().as_millis()
        );
        Ok(SpawnedServer { child, target })
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// Runs `zhtext bench`.
pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match command {
            BenchCommand::Run(args) => {
                let payloads = Arc::new(Payloads::load(&args.corpus, args.chars, 4096)?);
                let channels = channels(&args.target, args.connections).await?;
                let report = drive(
                    &channels,
                    args.rpc,
                    &payloads,
                    args.concurrency,
                    Duration::from_secs_f64(args.seconds),
                )
                .await;
                println!("{TABLE_HEADER}");
                println!(
                    "{}",
                    report.line(&format!("{:?} {} chars c={}", args.rpc, args.chars, args.concurrency))
                );
                Ok(())
            }
            BenchCommand::Suite(args) => suite(args).await,
            BenchCommand::FloorServer(args) => floor::serve(args).await,
        }
    })
}

/// CPU seconds per text MB (10^6 bytes) of a scenario.
fn per_text_mb(cpu: f64, report: &LoadReport) -> f64 {
    cpu / (report.text_bytes as f64 / 1e6)
}

/// The scenarios the two throughput ratios are stated in, run against one
/// server, with the server's CPU seconds in each (the client shares the
/// cores, so the wall-clock ratios also carry the client's cost of each
/// call) and the client's own in the large-document one.
struct RatioRuns {
    concurrency: usize,
    large_concurrency: usize,
    health: LoadReport,
    health_cpu: f64,
    small: LoadReport,
    small_cpu: f64,
    large: LoadReport,
    large_cpu: f64,
    large_client_cpu: f64,
}

impl RatioRuns {
    /// Health and Segment on `small` texts at `concurrency`, then Segment
    /// on `large` texts at `large_concurrency`, each for `seconds`, against
    /// the server process `pid`.
    async fn run(
        pid: u32,
        conns: &[Channel],
        small: &Arc<Payloads>,
        large: &Arc<Payloads>,
        concurrency: usize,
        large_concurrency: usize,
        seconds: Duration,
    ) -> Self {
        let server_cpu = || cpu_seconds(pid).unwrap_or(f64::NAN);
        let own_cpu = || cpu_seconds(std::process::id()).unwrap_or(f64::NAN);
        let before = server_cpu();
        let health = drive(conns, Rpc::Health, small, concurrency, seconds).await;
        let health_cpu = server_cpu() - before;
        let before = server_cpu();
        let small_run = drive(conns, Rpc::Segment, small, concurrency, seconds).await;
        let small_cpu = server_cpu() - before;
        let (before, client_before) = (server_cpu(), own_cpu());
        let large_run = drive(conns, Rpc::Segment, large, large_concurrency, seconds).await;
        RatioRuns {
            concurrency,
            large_concurrency,
            health,
            health_cpu,
            small: small_run,
            small_cpu,
            large: large_run,
            large_cpu: server_cpu() - before,
            large_client_cpu: own_cpu() - client_before,
        }
    }

    /// The table rows, names starting with `prefix`.
    fn rows(&self, prefix: &str) -> [(String, &LoadReport); 3] {
        let (c, large_c) = (self.concurrency, self.large_concurrency);
        [
            (format!("{prefix}Health/Check c={c}"), &self.health),
            (format!("{prefix}Segment 100 chars c={c}"), &self.small),
            (format!("{prefix}Segment 100 KB c={large_c}"), &self.large),
        ]
    }

    /// Segment's requests/s on small texts as a percentage of Health's.
    fn small_share(&self) -> f64 {
        100.0 * self.small.rps() / self.health.rps()
    }

    /// Server CPU per Health and per small Segment request, and the ratio
    /// of the two.
    fn cpu_per_request(&self) -> String {
        let health = self.health_cpu / self.health.ok as f64;
        let segment = self.small_cpu / self.small.ok as f64;
        format!(
            "Health {:.1} us, Segment 100 chars {:.1} us ({:.1}% of the Health rate per server core)",
            1e6 * health,
            1e6 * segment,
            100.0 * health / segment
        )
    }

    /// Server CPU seconds per text MB of large documents.
    fn server_per_mb(&self) -> f64 {
        per_text_mb(self.large_cpu, &self.large)
    }

    /// Client CPU seconds per text MB of large documents.
    fn client_per_mb(&self) -> f64 {
        per_text_mb(self.large_client_cpu, &self.large)
    }
}

async fn suite(args: SuiteArgs) -> anyhow::Result<()> {
    let seconds = Duration::from_secs_f64(args.seconds);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let small = Arc::new(Payloads::load(&args.corpus, 100, 4096)?);
    let large = Arc::new(Payloads::load(&args.corpus, 100_000 / 3, 64)?);
    let huge = Arc::new(Payloads::load(&args.corpus, 1_000_000 / 3, 4)?);
    let server = SpawnedServer::start(&["serve", "--metrics-listen", "off"]).await?;
    let pid = server.child.id();
    let conns = channels(&server.target, 4).await?;
    let c = args.concurrency;
    let mut lines = Vec::new();
    let mut row = |name: String, report: &LoadReport| {
        let line = report.line(&name);
        eprintln!("{line}");
        lines.push(line);
    };

    // Warm-up, so that the first scenario does not pay for cold caches.
    drive(&conns, Rpc::Segment, &small, c, Duration::from_secs(1)).await;

    let large_c = 2 * cores;
    let runs = RatioRuns::run(pid, &conns, &small, &large, c, large_c, seconds).await;
    for (name, report) in runs.rows("") {
        row(name, report);
    }
    let own_cpu = || cpu_seconds(std::process::id()).unwrap_or(f64::NAN);
    let pipeline = Arc::new(tokio::task::spawn_blocking(Pipeline::load).await?);
    let before = own_cpu();
    let baseline = {
        let (pipeline, large) = (pipeline.clone(), large.clone());
        tokio::task::spawn_blocking(move || in_process(&pipeline, &large, cores, seconds)).await?
    };
    let baseline_cpu = own_cpu() - before;
    drop(pipeline);
    row(format!("in-process Segment 100 KB, {cores} threads"), &baseline);

    // Health latency while large Segment requests keep every worker busy.
    let background = {
        let (conns, large) = (conns.clone(), large.clone());
        tokio::spawn(async move { drive(&conns, Rpc::Segment, &large, 4 * cores, seconds).await })
    };
    let health_loaded = drive(&conns[..1], Rpc::Health, &small, 4, seconds).await;
    let background = background.await?;
    row("Health/Check c=4 under Segment 100 KB load".to_owned(), &health_loaded);
    row(format!("  (background Segment 100 KB c={})", 4 * cores), &background);
    let after_load = rss_mib(pid);

    // Overload: many large requests at once; admission control sheds the
    // excess instead of buffering it all.
    let started = Instant::now();
    let burst: Vec<_> = (0..args.overload_requests)
        .map(|i| {
            let channel = conns[i % conns.len()].clone();
            let text = huge.get(i);
            tokio::spawn(async move {
                let sent = Instant::now();
                (call(channel, Rpc::Segment, &text).await, sent.elapsed(), text.len())
            })
        })
        .collect();
    let mut outcomes = LoadReport::default();
    for task in burst {
        let (result, latency, len) = task.await?;
        outcomes.record(result.map_err(|s| s.code()), latency, len);
    }
    let overload = LoadReport::combine([outcomes], started);
    row(format!("{} concurrent Segment 1 MB", args.overload_requests), &overload);
    let after_overload = rss_mib(pid);
    drop(conns);
    drop(server);

    println!("\n{TABLE_HEADER}");
    for line in &lines {
        println!("{line}");
    }
    println!();
    let in_process_per_mb = per_text_mb(baseline_cpu, &baseline);
    println!(
        "Segment 100 chars / Health: {:.1}% of the requests/s (target >= 80%)",
        runs.small_share()
    );
    println!(
        "Segment 100 KB over gRPC / in-process: {:.1}% of the throughput (target >= 80%)",
        100.0 * runs.large.mbps() / baseline.mbps()
    );
    println!("server CPU per request: {}", runs.cpu_per_request());
    println!(
        "CPU per text MB: server over gRPC {:.3} s, in-process {:.3} s ({:.1}% of in-process throughput per core)",
        runs.server_per_mb(),
        in_process_per_mb,
        100.0 * in_process_per_mb / runs.server_per_mb()
    );
    println!(
        "client CPU per text MB over gRPC: {:.3} s (building requests, decoding responses), {:.0}% of the two processes' CPU",
        runs.client_per_mb(),
        100.0 * runs.client_per_mb() / (runs.client_per_mb() + runs.server_per_mb())
    );
    println!(
        "Health p99 under saturating Segment load: {:.2} ms (target < 50 ms)",
        health_loaded.percentile(0.99).as_secs_f64() * 1e3
    );
    if let (Some((rss, peak)), Some((rss2, peak2))) = (after_load, after_overload) {
        println!("server RSS after sustained load: {rss:.0} MiB (peak {peak:.0} MiB; target <= 300 MB)");
        println!("server RSS after the overload burst: {rss2:.0} MiB (peak {peak2:.0} MiB)");
    }
    println!("machine: {cores} cores; client and server share them");

    // Printed above first, so that a failure here loses none of it.
    // The floor: the same client and payloads against a server that
    // answers Segment from memory (see `floor`).
    let floor_server = SpawnedServer::start(&["bench", "floor-server"]).await?;
    let floor_pid = floor_server.child.id();
    let floor_conns = channels(&floor_server.target, 4).await?;
    remember(&floor_conns[0], &small).await?;
    remember(&floor_conns[0], &large).await?;
    let floor = RatioRuns::run(floor_pid, &floor_conns, &small, &large, c, large_c, seconds).await;
    drop(floor_conns);
    drop(floor_server);
    println!("\n{TABLE_HEADER}");
    for (name, report) in floor.rows("floor: ") {
        println!("{}", report.line(&name));
    }
    println!();
    println!("The floor: a plain tonic server answering Segment from memory (no text processing), same client:");
    println!(
        "Segment 100 chars / Health: {:.1}% of the requests/s; server CPU per request: {}",
        floor.small_share(),
        floor.cpu_per_request()
    );
    println!(
        "Segment 100 KB over gRPC / in-process pipeline: {:.1}% of the throughput",
        100.0 * floor.large.mbps() / baseline.mbps()
    );
    println!(
        "CPU per text MB: floor server {:.3} s, client {:.3} s, in-process pipeline {:.3} s; the pipeline behind this floor, with a client that cost nothing, could reach at most {:.1}% of in-process",
        floor.server_per_mb(),
        floor.client_per_mb(),
        in_process_per_mb,
        100.0 * in_process_per_mb / (in_process_per_mb + floor.server_per_mb())
    );
    Ok(())
}
