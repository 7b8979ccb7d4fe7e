//! Command-line interface: `serve` (the default) and local commands that
//! run the same pipeline on standard input.

use std::{
    io::{self, Read, Write},
    path::PathBuf,
    sync::Arc,
};

use clap::{Parser, Subcommand, ValueEnum};

use crate::{
    config::{LogFormat, ServeConfig},
    text::{
        normalize::NormalizeOptions, offsets::OffsetUnit, opencc::Profile, pipeline::Pipeline, segment::SegmentMode,
    },
};

/// zhtext: clean up, segment and entity-tag Chinese text over gRPC.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Log format (also ZHTEXT_LOG_FORMAT).
    #[arg(long, env = "ZHTEXT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Server settings, used when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeConfig,

    /// What to do; serve when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server (the default).
    Serve(ServeConfig),
    /// Normalize standard input line by line and print the result.
    Normalize(NormalizeArgs),
    /// Segment standard input line by line: words separated by spaces, or
    /// word/pos with --pos.
    Segment(SegmentArgs),
    /// Tag entities in standard input line by line: one tab-separated line
    /// per entity (line, begin, end, type, text, normalized value).
    Tag(NormalizeArgs),
    /// Evaluations over the shared corpora (run in CI).
    #[command(subcommand)]
    Eval(EvalCommand),
}

/// `zhtext eval` subcommands.
#[derive(Debug, Subcommand)]
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
}

fn parse_requirement(value: &str) -> Result<(String, f64), String> {
    let (name, f1) = value.split_once('=').ok_or("expected NAME=F1")?;
    let f1: f64 = f1.parse().map_err(|e| format!("bad F1 `{f1}`: {e}"))?;
    Ok((name.to_owned(), f1))
}

/// Normalization flags shared by the local commands.
#[derive(Debug, Clone, clap::Args)]
pub struct NormalizeArgs {
    /// OpenCC profile, for example s2t or t2s.
    #[arg(long, value_parser = parse_profile)]
    pub conversion: Option<Profile>,
    /// Remove pinyin annotations such as 發(fā)展.
    #[arg(long)]
    pub strip_pinyin: bool,
    /// Fold full-width letters and digits.
    #[arg(long)]
    pub fold_width: bool,
    /// Remove spaces between CJK characters.
    #[arg(long)]
    pub collapse_cjk_spaces: bool,
    /// Repair GBK/UTF-8 mojibake.
    #[arg(long)]
    pub repair_mojibake: bool,
    /// Remove invisible characters.
    #[arg(long)]
    pub remove_invisible: bool,
}

impl NormalizeArgs {
    fn options(&self) -> NormalizeOptions {
        NormalizeOptions {
            conversion: self.conversion,
            strip_pinyin_annotations: self.strip_pinyin,
            fold_width: self.fold_width,
            collapse_cjk_spaces: self.collapse_cjk_spaces,
            repair_mojibake: self.repair_mojibake,
            remove_invisible: self.remove_invisible,
        }
    }
}

/// Flags of `zhtext segment`.
#[derive(Debug, Clone, clap::Args)]
pub struct SegmentArgs {
    /// Normalization before segmenting.
    #[command(flatten)]
    pub normalize: NormalizeArgs,
    /// Segmentation mode.
    #[arg(long, value_enum, default_value_t = ModeArg::Precise)]
    pub mode: ModeArg,
    /// Turn off jieba's HMM for unknown words.
    #[arg(long)]
    pub no_hmm: bool,
    /// Print word/pos instead of words.
    #[arg(long)]
    pub pos: bool,
}

/// `--mode` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Most likely segmentation.
    Precise,
    /// Every dictionary word.
    Full,
    /// Precise plus inner words.
    Search,
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!("unknown profile `{name}`; known: {}", names.join(", "))
    })
}

fn for_each_line(mut f: impl FnMut(&str, &mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut input = String::new();
    stdin.lock().read_to_string(&mut input)?;
    for line in input.lines() {
        f(line, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// Runs a local (non-server) command.
pub fn run_local(command: Command) -> anyhow::Result<()> {
    let pipeline = Pipeline::load();
    match command {
        Command::Serve(_) => anyhow::bail!("serve runs the server; it is not a local command"),
        Command::Eval(eval) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let pipeline = Arc::new(pipeline);
            runtime.block_on(async move {
                match eval {
                    EvalCommand::Opencc { cases } => crate::eval::opencc::run(&cases, pipeline).await.map(drop),
                    EvalCommand::Sighan { gold_dir, require } => {
                        let server = crate::eval::LocalServer::start(pipeline).await?;
                        let mut failed = Vec::new();
                        println!("SIGHAN 2005 segmentation through TextService.Segment (precise, HMM on)");
                        for (name, file) in crate::eval::sighan::SETS {
                            let score = crate::eval::sighan::score_file(&server, name, &gold_dir.join(file)).await?;
                            println!("{score}");
                            for (_, min) in require.iter().filter(|(n, _)| n == name) {
                                if score.f1() < *min {
                                    failed.push(format!("{name} F1 {:.4} < {min}", score.f1()));
                                }
                            }
                        }
                        server.stop().await?;
                        if !failed.is_empty() {
                            anyhow::bail!("segmentation below the gate: {}", failed.join(", "));
                        }
                        Ok(())
                    }
                }
            })
        }
        Command::Normalize(args) => {
            let options = args.options();
            for_each_line(|line, out| writeln!(out, "{}", pipeline.normalize_text(line, &options)))
        }
        Command::Segment(args) => {
            let options = args.normalize.options();
            let mode = match args.mode {
                ModeArg::Precise => SegmentMode::Precise,
                ModeArg::Full => SegmentMode::Full,
                ModeArg::Search => SegmentMode::Search,
            };
            for_each_line(|line, out| {
                let tokens = pipeline.segment(line, &options, mode, !args.no_hmm);
                let words: Vec<String> = tokens
                    .iter()
                    .filter(|t| !t.text.trim().is_empty())
                    .map(|t| {
                        if args.pos {
                            format!("{}/{}", t.text, t.pos)
                        } else {
                            t.text.clone()
                        }
                    })
                    .collect();
                writeln!(out, "{}", words.join(" "))
            })
        }
        Command::Tag(args) => {
            let options = args.options();
            let mut n = 0;
            for_each_line(|line, out| {
                n += 1;
                let units = crate::text::offsets::OffsetConverter::new(line, OffsetUnit::CodePoint);
                for e in pipeline.tag(line, &options, &[]) {
                    let r = units.convert_range(&e.original);
                    writeln!(
                        out,
                        "{n}\t{}\t{}\t{:?}\t{}\t{}",
                        r.start,
                        r.end,
                        e.kind,
                        e.text,
                        e.normalized.as_deref().unwrap_or("")
                    )?;
                }
                Ok(())
            })
        }
    }
}
