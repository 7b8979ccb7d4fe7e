//! Evaluations over the shared public corpora (`../shared/data`), run by
//! `zhtext eval ...` in CI. Each goes through the real gRPC API of a server
//! started in-process on 127.0.0.1:0, so what is scored is what callers get.

pub mod opencc;
pub mod pos;
pub mod sighan;

use std::path::PathBuf;

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::transport::Channel;

use crate::{
    api::proto::text_service_client::TextServiceClient,
    server::{self, ServerSettings},
    text::pipeline::Pipeline,
    text::{
        normalize::NormalizeOptions,
        tag::{EntityKind, EntityMention, EntityTagger},
    },
};

/// `zhtext eval` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// OpenCC's own conversion test cases through TextService.Normalize.
    Opencc {
        /// Path of OpenCC's testcases.json.
        #[arg(long)]
        cases: PathBuf,
    },
    /// SIGHAN 2005 word segmentation (pku, msr, as, cityu) through
    /// TextService.Segment.
    Sighan {
        /// The `gold/` directory of the SIGHAN 2005 data.
        #[arg(long)]
        gold_dir: PathBuf,
        /// Fail unless a set reaches this F1, as NAME=F1 (repeatable),
        /// for example --require pku=0.81.
        #[arg(long, value_parser = parse_requirement)]
        require: Vec<(String, f64)>,
    },
    /// Named entity recognition (PERSON, LOCATION, ORGANIZATION) of the
    /// pipeline as served (rules and the model, Traditional through its t2s
    /// view): strict span+type P/R/F1 per type on BIO test sets.
    Ner {
        /// MSRA NER test file (msra_test_bio.txt).
        #[arg(long)]
        msra: Option<PathBuf>,
        /// People's Daily 1998 NER test file (example.test).
        #[arg(long)]
        people_daily: Option<PathBuf>,
        /// Weibo NER test file (weiboNER_2nd_conll.test); named mentions only.
        #[arg(long)]
        weibo: Option<PathBuf>,
        /// Fail unless a set reaches this micro F1, as NAME=F1 with NAME one
        /// of msra, people_daily, weibo (repeatable).
        #[arg(long, value_parser = parse_requirement)]
        require: Vec<(String, f64)>,
    },
    /// Part-of-speech tags on Traditional text through TextService.Segment,
    /// against raw jieba-rs: agreement of s2t-converted pku and msr with
    /// their Simplified source, and Han words tagged `x` on as and cityu.
    Pos {
        /// The `gold/` directory of the SIGHAN 2005 data.
        #[arg(long)]
        gold_dir: PathBuf,
        /// Fail unless the served tags on Traditional text agree with the
        /// Simplified source at least this often (0..1), on pku and msr.
        #[arg(long)]
        require_agreement: Option<f64>,
    },
    /// Repair precision on clean news text (the SIGHAN gold sentences) and
    /// recall on synthetic corruptions made from it.
    Repair {
        /// The `gold/` directory of the SIGHAN 2005 data.
        #[arg(long)]
        gold_dir: PathBuf,
        /// Seed of the synthetic corruptions.
        #[arg(long, default_value_t = 20240601)]
        seed: u64,
    },
}

fn parse_requirement(value: &str) -> Result<(String, f64), String> {
    let (name, f1) = value.split_once('=').ok_or("expected NAME=F1")?;
    let f1: f64 = f1.parse().map_err(|e| format!("bad F1 `{f1}`: {e}"))?;
    Ok((name.to_owned(), f1))
}

/// Runs one evaluation, printing its report; fails when a gate fails.
pub async fn run(command: EvalCommand, pipeline: Arc<Pipeline>) -> anyhow::Result<()> {
    match command {
        EvalCommand::Opencc { cases } => opencc::run(&cases, pipeline).await.map(drop),
        EvalCommand::Sighan { gold_dir, require } => {
            let server = LocalServer::start(pipeline).await?;
            let mut failed = Vec::new();
            println!("SIGHAN 2005 segmentation through TextService.Segment (precise, HMM on)");
            for (name, file) in sighan::SETS {
                let score = sighan::score_file(&server, name, &gold_dir.join(file)).await?;
                println!("{score}");
                for (_, min) in require.iter().filter(|(n, _)| n == name) {
                    if score.f1() < *min {
                        failed.push(format!("{name} F1 {:.4} < {min}", score.f1()));
                    }
                }
            }
            server.stop().await?;
            anyhow::ensure!(failed.is_empty(), "segmentation below the gate: {}", failed.join(", "));
            Ok(())
        }
        EvalCommand::Ner {
            msra,
            people_daily,
            weibo,
            require,
        } => {
            use crate::text::tag::ner::{CorpusFormat, evaluate};
            let tagger = PipelineTagger(&pipeline);
            let segment = |_: &str| Vec::new();
            let mut failed = Vec::new();
            for (name, path, format) in [
                ("msra", msra, CorpusFormat::Bio),
                ("people_daily", people_daily, CorpusFormat::Bio),
                ("weibo", weibo, CorpusFormat::WeiboNamed),
            ] {
                let Some(path) = path else { continue };
                let report = evaluate(&tagger, &segment, &path, format)?;
                println!("== {name}: {}", path.display());
                println!("{report}");
                let f1 = report.micro.f1();
                for (_, min) in require.iter().filter(|(n, _)| n == name) {
                    if f1 < *min {
                        failed.push(format!("{name} micro F1 {f1:.4} < {min}"));
                    }
                }
            }
            anyhow::ensure!(failed.is_empty(), "NER below the gate: {}", failed.join(", "));
            Ok(())
        }
        EvalCommand::Pos {
            gold_dir,
            require_agreement,
        } => {
            let server = LocalServer::start(pipeline.clone()).await?;
            let jieba = pipeline.segmenters().default_segmenter().jieba();
            let mut failed = Vec::new();
            println!("POS tags on Traditional text: zhtext Segment (precise, HMM on) vs raw jieba-rs tag");
            for (name, file) in &sighan::SETS[..2] {
                let (served, raw) = pos::agreement(&server, jieba, &gold_dir.join(file)).await?;
                println!("{name:<6} s2t vs Simplified  zhtext: {served}");
                println!("{name:<6} s2t vs Simplified  jieba:  {raw}");
                if let Some(min) = require_agreement
                    && served.tag_agreement() < min
                {
                    failed.push(format!("{name} agreement {:.4} < {min}", served.tag_agreement()));
                }
            }
            for (name, file) in &sighan::SETS[2..] {
                let (served, raw) = pos::unknown_tags(&server, jieba, &gold_dir.join(file)).await?;
                println!("{name:<6} native Traditional  zhtext: {served}");
                println!("{name:<6} native Traditional  jieba:  {raw}");
            }
            server.stop().await?;
            anyhow::ensure!(
                failed.is_empty(),
                "POS on Traditional below the gate: {}",
                failed.join(", ")
            );
            Ok(())
        }
        EvalCommand::Repair { gold_dir, seed } => {
            for (name, file) in sighan::SETS {
                let path = gold_dir.join(file);
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                let lines: Vec<String> = text
                    .lines()
                    .map(crate::text::repair::eval::join_segmented)
                    .filter(|l| !l.trim().is_empty())
                    .collect();
                println!("== {name} ({} lines)", lines.len());
                println!("{}", crate::text::repair::evaluate(&lines, seed));
            }
            Ok(())
        }
    }
}

/// The pipeline's tagging as an [`EntityTagger`], so evaluations score what
/// TagEntities serves (it segments by itself; the words passed in are unused).
struct PipelineTagger<'p>(&'p Pipeline);

impl EntityTagger for PipelineTagger<'_> {
    fn name(&self) -> &'static str {
        "pipeline"
    }

    fn tag(&self, text: &str, _words: &[crate::text::segment::Word]) -> Vec<EntityMention> {
        const NAMES: [EntityKind; 3] = [EntityKind::Person, EntityKind::Location, EntityKind::Organization];
        self.0
            .tag(text, &NormalizeOptions::default(), &NAMES)
            .into_iter()
            .map(|e| EntityMention {
                range: e.original,
                kind: e.kind,
                confidence: e.confidence,
                normalized: e.normalized,
            })
            .collect()
    }
}

/// A server on a loopback port with a client connected to it.
pub struct LocalServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// A client on one shared HTTP/2 connection.
    pub client: TextServiceClient<Channel>,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl LocalServer {
    /// Starts the server with `pipeline` already loaded.
    pub async fn start(pipeline: Arc<Pipeline>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let settings = ServerSettings::default();
        let handle = tokio::spawn(server::run(
            listener,
            settings,
            async move { Ok(pipeline.into()) },
            async {
                let _ = stopped.await;
            },
        ));
        let channel = Channel::from_shared(format!("http://{addr}"))?
            .connect()
            .await
            .context("connecting to the local server")?;
        // The server answers UNAVAILABLE until it reports SERVING, which it
        // does just after it starts listening; a first request sent in
        // between was refused (seen once in CI).
        let started = Instant::now();
        loop {
            if server::reports_serving(channel.clone()).await {
                break;
            }
            anyhow::ensure!(!handle.is_finished(), "the local server stopped before serving");
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "the local server did not report SERVING within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(LocalServer {
            addr,
            client: TextServiceClient::new(channel).max_decoding_message_size(usize::MAX),
            stop: Some(stop),
            handle,
        })
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.handle.await?
    }
}

/// Reads a JSON file that may have trailing commas before `]` or `}` (as
/// OpenCC's test cases do), removing them outside strings.
pub fn read_lenient_json(path: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut cleaned = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            cleaned.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some(']' | '}')) {
                continue;
            }
        }
        cleaned.push(c);
    }
    serde_json::from_str(&cleaned).with_context(|| format!("parsing {}", path.display()))
}
