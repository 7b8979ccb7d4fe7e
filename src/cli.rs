//! Command-line interface: `serve` (the default) and local commands that
//! run the same pipeline on standard input.

use std::{
    io::{self, Read, Write},
    path::PathBuf,
    sync::Arc,
};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::{
    config::{LogFormat, ServeConfig},
    eval::EvalCommand,
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
    /// Train the NER model (deterministic; see src/text/tag/ner/model/README.md).
    TrainNer(TrainNerArgs),
    /// Load generator and in-process baseline (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(crate::loadgen::BenchCommand),
    /// Rebuild (or, with --check, verify) the repair character model from
    /// jieba's dict.txt and OpenCC's TSCharacters.txt.
    BuildCharModel(BuildCharModelArgs),
}

/// Flags of `zhtext train-ner`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainNerArgs {
    /// Training corpus in BIO format (msra_train_bio.txt).
    #[arg(long)]
    pub corpus: PathBuf,
    /// Development corpus, only scored for the log (example.dev).
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    /// Most training epochs (the best count is chosen on held-out blocks).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Seed of the shuffling.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Flags of `zhtext build-char-model`.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildCharModelArgs {
    /// jieba's dict.txt (in the jieba-rs crate source, src/data/dict.txt).
    #[arg(long)]
    pub jieba_dict: PathBuf,
    /// OpenCC's TSCharacters.txt (src/text/opencc/data/TSCharacters.txt).
    #[arg(long)]
    pub opencc_ts: PathBuf,
    /// Where to write the model (src/text/repair/data/char_model.bin).
    #[arg(long)]
    pub out: PathBuf,
    /// Compare with the file at --out instead of writing it; fail if stale.
    #[arg(long)]
    pub check: bool,
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

fn build_char_model(args: &BuildCharModelArgs) -> anyhow::Result<()> {
    use std::{fs::File, io::BufReader};
    let open = |path: &PathBuf| {
        File::open(path)
            .map(BufReader::new)
            .with_context(|| format!("opening {}", path.display()))
    };
    let mut bytes = Vec::new();
    crate::text::repair::write_char_model(open(&args.jieba_dict)?, open(&args.opencc_ts)?, &mut bytes)?;
    if args.check {
        let committed = std::fs::read(&args.out).with_context(|| format!("reading {}", args.out.display()))?;
        anyhow::ensure!(
            committed == bytes,
            "{} is stale: rebuild it with the same command without --check",
            args.out.display()
        );
        println!("{} is up to date ({} bytes)", args.out.display(), bytes.len());
    } else {
        std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
        println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    }
    Ok(())
}

fn train_ner(args: &TrainNerArgs) -> anyhow::Result<()> {
    use crate::text::tag::ner::{TrainOptions, train};
    let defaults = TrainOptions::default();
    let options = TrainOptions {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        seed: args.seed.unwrap_or(defaults.seed),
        ..defaults
    };
    let model = train(&args.corpus, args.dev.as_deref(), &options, &mut io::stderr())?;
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}

/// Runs a local (non-server) command.
pub fn run_local(command: Command) -> anyhow::Result<()> {
    if let Command::BuildCharModel(args) = &command {
        return build_char_model(args);
    }
    if let Command::TrainNer(args) = &command {
        return train_ner(args);
    }
    let command = match command {
        Command::Bench(bench) => return crate::loadgen::run(bench),
        other => other,
    };
    let pipeline = Pipeline::load();
    match command {
        Command::Serve(_) => anyhow::bail!("serve runs the server; it is not a local command"),
        Command::Eval(eval) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(crate::eval::run(eval, Arc::new(pipeline)))
        }
        Command::BuildCharModel(args) => build_char_model(&args),
        Command::TrainNer(args) => train_ner(&args),
        Command::Bench(bench) => crate::loadgen::run(bench),
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
                let segmentation = pipeline.segment(line, &options, mode, !args.no_hmm);
                let words: Vec<String> = segmentation
                    .words()
                    .filter(|(_, word)| !word.trim().is_empty())
                    .map(|(t, word)| {
                        if args.pos {
                            format!("{word}/{}", t.pos)
                        } else {
                            word.to_owned()
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

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn the_command_line_is_consistent_and_parses() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["zhtext"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.port(), 50051);
        assert_eq!(cli.serve.metrics_listen.0.map(|a| a.port()), Some(9090));
        let cli = Cli::try_parse_from([
            "zhtext",
            "serve",
            "--listen",
            "127.0.0.1:7000",
            "--metrics-listen",
            "off",
            "--user-dict",
            "a.txt:b.txt",
            "--max-text-bytes",
            "1000",
        ])
        .unwrap();
        let Some(Command::Serve(serve)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(serve.listen.port(), 7000);
        assert_eq!(serve.metrics_listen.0, None);
        assert_eq!(serve.user_dicts.len(), 2);
        assert_eq!(serve.max_text_bytes, 1000);
        assert!(Cli::try_parse_from(["zhtext", "--max-text-bytes", "0"]).is_err());
        assert!(Cli::try_parse_from(["zhtext", "--dict-poll-secs", "0"]).is_err());
        let cli = Cli::try_parse_from(["zhtext", "segment", "--conversion", "t2s", "--pos"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Segment(_))));
        assert!(Cli::try_parse_from(["zhtext", "segment", "--conversion", "x2y"]).is_err());
    }
}
