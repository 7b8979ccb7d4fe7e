#!/usr/bin/env python3
"""Agreement of zhtext's Segment (precise mode, HMM on) with Python jieba.

Measures, per SIGHAN 2005 corpus, how many lines get the identical token
sequence from

  zh  the zhtext binary (`zhtext segment`, default options: no normalization,
      precise mode, HMM on: the same pipeline call the gRPC Segment makes),
  py  Python jieba 0.42.1, `jieba.lcut(line, cut_all=False, HMM=True)`,
  jr  raw jieba-rs `Jieba::new().cut(line, true)` (optional: a tiny helper
      crate this script can write and build, see --build-jieba-rs),

and sorts every differing stretch of text into kinds (see CATEGORIES).

The test input of a corpus is its gold file with the whitespace between words
removed, line by line (the raw testing/*.utf8 files move a few quotation marks
across lines in MSR; --input raw uses them anyway).

Usage (from anywhere; only the standard library is needed, plus jieba in the
interpreter that runs the comparison):

  # Python with jieba==0.42.1 already installed:
  python jieba-agreement.py --gold-dir /work/shared/data/sighan2005/gold \\
      --zhtext target/release/zhtext

  # let the script make its own venv with jieba==0.42.1 and re-run inside it,
  # and build the raw jieba-rs helper (cargo, nice -n 10, -j1, offline first):
  python jieba-agreement.py --venv /tmp/agree/venv \\
      --build-jieba-rs /tmp/agree/jr-build \\
      --gold-dir /work/shared/data/sighan2005/gold \\
      --zhtext target/release/zhtext --out /tmp/agree/out

Exit status is 0 unless --fail-below is given and a zh-vs-py agreement is
below it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

JIEBA_VERSION = "0.42.1"
JIEBA_RS_VERSION = "0.11.0"
SEP = "\x01"

GOLD_NAMES = {
    "pku": "pku_test_gold.utf8",
    "msr": "msr_test_gold.utf8",
    "cityu": "cityu_test_gold.utf8",
    "as": "as_testing_gold.utf8",
}
RAW_NAMES = {c: f"{c}_test.utf8" for c in GOLD_NAMES}

JR_CARGO_TOML = f"""\
[package]
name = "jr"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
jieba-rs = "={JIEBA_RS_VERSION}"

[workspace]
"""

JR_MAIN_RS = r"""//! stdin line by line (CR/LF stripped) -> jieba-rs `cut(line, hmm)` tokens
//! joined by U+0001, one output line per input line. Usage: jr [--no-hmm]
use std::io::{self, BufRead, BufWriter, Write};

fn main() {
    let hmm = !std::env::args().any(|a| a == "--no-hmm");
    let jieba = jieba_rs::Jieba::new();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in io::stdin().lock().lines() {
        let line = line.expect("utf-8 input");
        let line = line.strip_suffix('\r').unwrap_or(&line);
        let words: Vec<&str> = jieba.cut(line, hmm).into_iter().map(|t| t.word).collect();
        writeln!(out, "{}", words.join("\u{1}")).unwrap();
    }
}
"""

# Kinds of difference, in the order they are tested (first match wins).
CATEGORIES = {
    "text-changed": "the tokens do not concatenate to the same text (normalization rewrote it)",
    "t2s-view": "zhtext segmented its t2s view of a line it judged Traditional/mixed: "
    "here zh equals raw jieba-rs run on `zhtext normalize --conversion t2s` of the line",
    "t2s-phrase-merge": "as t2s-view, but zh is coarser than jieba-rs on the view: a view word "
    "ended inside an OpenCC phrase replaced as one atomic span (找藉口->找借口), its offsets "
    "widened to the whole phrase and pipeline.rs merged the overlapping tokens",
    "whitespace": "the stretch holds whitespace",
    "alnum-connector": "ASCII letters/digits joined by . _ - (jieba-rs keeps `1.2.3`, "
    "`www.a.com`, `ISU-CNS24093` whole in its HMM pass; Python jieba's "
    "finalseg re_skip `[a-zA-Z0-9]+(?:\\.\\d+)?%?` splits them)",
    "han-outside-9FD5": "CJK characters outside U+4E00..U+9FD5 (extensions, compatibility, "
    "U+9FD6..U+9FFF): jieba-rs's han class has them, Python's re_han_default does not",
    "fullwidth": "full-width forms U+FF01..U+FF5E",
    "ascii-alnum": "other stretches with ASCII letters or digits",
    "han-only": "only U+4E00..U+9FD5 characters (dictionary/route/HMM differences)",
    "other": "anything else (punctuation, symbols)",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- set-up


def ensure_jieba(args) -> None:
    """Import jieba, or re-run this script inside a venv that has it."""
    try:
        import jieba  # noqa: F401

        if jieba.__version__ != JIEBA_VERSION:
            log(f"warning: jieba {jieba.__version__} is installed, not {JIEBA_VERSION}")
        return
    except ImportError:
        pass
    if not args.venv:
        sys.exit(f"jieba is not importable by {sys.executable}; pip install jieba=={JIEBA_VERSION} or pass --venv DIR")
    venv = Path(args.venv)
    py = venv / "bin" / "python"
    if not py.exists():
        log(f"creating venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(py), "-c", "import jieba"], capture_output=True).returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"jieba=={JIEBA_VERSION}"], check=True)
    if os.environ.get("JIEBA_AGREEMENT_REEXEC"):
        sys.exit(f"jieba still not importable by {sys.executable} inside the venv")
    os.environ["JIEBA_AGREEMENT_REEXEC"] = "1"
    os.execv(str(py), [str(py), os.path.abspath(__file__), *sys.argv[1:]])


def build_jieba_rs(directory: str) -> str:
    """Writes the helper crate into `directory` and builds it (nice, -j1)."""
    d = Path(directory)
    (d / "src").mkdir(parents=True, exist_ok=True)
    for rel, body in (("Cargo.toml", JR_CARGO_TOML), ("src/main.rs", JR_MAIN_RS)):
        p = d / rel
        if not p.exists() or p.read_text() != body:
            p.write_text(body)
    env = dict(os.environ, CARGO_TARGET_DIR=str(d / "target"))
    cmd = ["nice", "-n", "10", "cargo", "build", "--release", "-j1", "--manifest-path", str(d / "Cargo.toml")]
    log("building jieba-rs helper:", " ".join(cmd))
    if subprocess.run(cmd + ["--offline"], env=env).returncode != 0:
        subprocess.run(cmd, env=env, check=True)
    return str(d / "target" / "release" / "jr")


# ---------------------------------------------------------------- segmenters


def read_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [l.rstrip("\r\n") for l in f]


def corpus_input(args, corpus: str) -> tuple[list[str], list[list[str]]]:
    """(input lines, gold words per line)."""
    gold = [l.split() for l in read_lines(Path(args.gold_dir) / GOLD_NAMES[corpus])]
    if args.input == "gold":
        lines = ["".join(w) for w in gold]
    else:
        raw_dir = Path(args.raw_dir or Path(args.gold_dir).parent / "testing")
        lines = read_lines(raw_dir / RAW_NAMES[corpus])
    return lines, gold


def run_lines(cmd: list[str], lines: list[str]) -> list[str]:
    for l in lines:
        assert "\n" not in l and "\r" not in l
    res = subprocess.run(
        cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, encoding="utf-8", check=True
    )
    out = res.stdout.split("\n")
    assert out[-1] == "", "output must end with a newline"
    out = out[:-1]
    if len(out) != len(lines):
        sys.exit(f"{cmd[0]}: {len(out)} output lines for {len(lines)} input lines")
    return out


def seg_zhtext(binary: str, lines: list[str]) -> list[list[str]]:
    # `zhtext segment` prints the tokens space-separated and leaves out the
    # whitespace-only ones, so whitespace tokens are dropped on every side.
    return [l.split(" ") if l else [] for l in run_lines([binary, "segment"], lines)]


def seg_jieba_rs(binary: str, lines: list[str]) -> list[list[str]]:
    return [l.split(SEP) if l else [] for l in run_lines([binary], lines)]


def seg_python(lines: list[str]) -> list[list[str]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return [jieba.lcut(l, cut_all=False, HMM=True) for l in lines]


def t2s_lines(binary: str, lines: list[str]) -> list[str]:
    return run_lines([binary, "normalize", "--conversion", "t2s"], lines)


def drop_ws(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t.strip()]


# ---------------------------------------------------------------- comparison


def boundaries(tokens: list[str]) -> list[int]:
    out, pos = [0], 0
    for t in tokens:
        pos += len(t)
        out.append(pos)
    return out


def chunks(a: list[str], b: list[str]):
    """Differing stretches of two segmentations of the same text: the spans
    between consecutive shared boundaries where the two disagree, with each
    side's tokens there."""
    ba, bb = boundaries(a), boundaries(b)
    common = sorted(set(ba) & set(bb))
    sa, sb = set(ba), set(bb)
    ia = ib = 0
    for lo, hi in zip(common, common[1:]):
        inner_a = {x for x in sa if lo < x < hi}
        inner_b = {x for x in sb if lo < x < hi}
        ta, tb = [], []
        while ia < len(a) and ba[ia] < hi:
            ta.append(a[ia])
            ia += 1
        while ib < len(b) and bb[ib] < hi:
            tb.append(b[ib])
            ib += 1
        if inner_a != inner_b:
            yield lo, hi, ta, tb


CONNECTED = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)+")


def is_py_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fd5"


def is_rs_han_extra(c: str) -> bool:
    o = ord(c)
    return (
        0x9FD6 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2A6DF
        or 0x2A700 <= o <= 0x2EBEF
        or 0x2F800 <= o <= 0x2FA1F
    )


def classify(text: str, ta: list[str], tb: list[str]) -> str:
    if any(c.isspace() for c in text):
        return "whitespace"
    if any(CONNECTED.fullmatch(t) for t in ta + tb):
        return "alnum-connector"
    if any(is_rs_han_extra(c) for c in text):
        return "han-outside-9FD5"
    if any("\uff01" <= c <= "\uff5e" for c in text):
        return "fullwidth"
    if any(c.isascii() and c.isalnum() for c in text):
        return "ascii-alnum"
    if all(is_py_han(c) for c in text):
        return "han-only"
    return "other"


def compare(name, A, B, lines, extra_category=None, examples=3):
    """Line agreement of segmentations A and B, and their differing stretches
    sorted into CATEGORIES. `extra_category(i, lo, hi, a)` may name the
    category of a stretch (tested before the per-stretch rules)."""
    same = 0
    cats = collections.Counter()
    cat_lines = collections.defaultdict(set)
    ex = collections.defaultdict(list)
    rows = []
    for i, (a, b) in enumerate(zip(A, B)):
        if a == b:
            same += 1
            continue
        text = "".join(a)
        if text != "".join(b):
            found, line_cat = [(0, len(text), a, b)], "text-changed"
        else:
            found, line_cat = list(chunks(a, b)), None
        for lo, hi, ta, tb in found:
            cat = line_cat or (extra_category and extra_category(i, lo, hi, a)) or classify(text[lo:hi], ta, tb)
            cats[cat] += 1
            cat_lines[cat].add(i)
            ctx = text[max(0, lo - 8) : hi + 8]
            row = {"line": i + 1, "category": cat, "text": text[lo:hi], "context": ctx, "a": ta, "b": tb}
            rows.append(row)
            if len(ex[cat]) < examples:
                ex[cat].append(row)
    n = len(lines)
    return {
        "pair": name,
        "lines": n,
        "identical": same,
        "identical_pct": 100.0 * same / n if n else 0.0,
        "differing_lines": n - same,
        "categories": {c: {"stretches": cats[c], "lines": len(cat_lines[c])} for c in cats},
        "examples": ex,
        "rows": rows,
    }


def prf(system: list[list[str]], gold: list[list[str]]):
    tp = ns = ng = 0
    for s, g in zip(system, gold):
        if "".join(s) != "".join(g):
            continue  # (raw input only) text differs from the gold line
        spans = lambda ts: set(zip(boundaries(ts), boundaries(ts)[1:]))
        ss, gs = spans(s), spans(g)
        tp += len(ss & gs)
        ns += len(ss)
        ng += len(gs)
    p = tp / ns if ns else 0.0
    r = tp / ng if ng else 0.0
    return {"P": p, "R": r, "F": 2 * p * r / (p + r) if p + r else 0.0}


# ---------------------------------------------------------------- report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold-dir", required=True, help="directory with {pku,msr}_test_gold.utf8")
    ap.add_argument("--zhtext", required=True, help="path to the zhtext binary (not rebuilt)")
    ap.add_argument("--corpora", nargs="+", default=["pku", "msr"], choices=sorted(GOLD_NAMES))
    ap.add_argument("--input", choices=["gold", "raw"], default="gold",
                    help="gold: gold words joined per line (default); raw: testing/*_test.utf8")
    ap.add_argument("--raw-dir", help="directory of the raw test files (default: GOLD_DIR/../testing)")
    ap.add_argument("--venv", help=f"create/use this venv with jieba=={JIEBA_VERSION} if jieba is not importable")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--jieba-rs", help="helper binary printing jieba-rs cut(line, true) tokens joined by U+0001")
    g.add_argument("--build-jieba-rs", metavar="DIR", help="write and build that helper crate in DIR")
    ap.add_argument("--out", help="directory for report.json, diffs-*.tsv and the token files")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--fail-below", type=float, help="exit 1 if zh-vs-py identical-line %% is below this")
    args = ap.parse_args()

    ensure_jieba(args)
    import jieba

    jr_bin = build_jieba_rs(args.build_jieba_rs) if args.build_jieba_rs else args.jieba_rs
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)

    report = {"jieba": jieba.__version__, "jieba_rs": JIEBA_RS_VERSION if jr_bin else None,
              "zhtext": args.zhtext, "input": args.input, "corpora": {}}
    failed = False
    for corpus in args.corpora:
        lines, gold = corpus_input(args, corpus)
        has_ws = any(any(c.isspace() for c in l) for l in lines)
        zh = seg_zhtext(args.zhtext, lines)
        py = [drop_ws(t) for t in seg_python(lines)]
        jr = [drop_ws(t) for t in seg_jieba_rs(jr_bin, lines)] if jr_bin else None
        if out:
            for tag, segs in (("zh", zh), ("py", py), ("jr", jr)):
                if segs is not None:
                    (out / f"{corpus}.{tag}").write_text("".join(SEP.join(t) + "\n" for t in segs), encoding="utf-8")

        t2s_cause = None
        converted = 0
        if jr is not None:
            # zhtext segments the t2s view of lines it judges Traditional or
            # mixed. Run raw jieba-rs on that view (same length: OpenCC t2s
            # maps character for character) to tell its effect apart.
            view = t2s_lines(args.zhtext, lines)
            changed = [i for i, (v, l) in enumerate(zip(view, lines)) if v != l and len(v) == len(l)]
            converted = len(changed)
            view_bounds = {
                i: set(boundaries(drop_ws(t)))
                for i, t in zip(changed, seg_jieba_rs(jr_bin, [view[i] for i in changed]) if changed else [])
            }

            def t2s_cause(i, lo, hi, a):
                if i not in view_bounds:
                    return None
                inner = lambda bs: {x for x in bs if lo < x < hi}
                za, va = inner(boundaries(a)), inner(view_bounds[i])
                if za == inner(boundaries(jr[i])):
                    return None  # zhtext agrees with raw jieba-rs here: not the view
                if za == va:
                    return "t2s-view"
                if za < va:
                    return "t2s-phrase-merge"
                return None

        res = {"lines": len(lines), "input_has_whitespace": has_ws, "pairs": {}, "gold_prf": {},
               "lines_changed_by_t2s": converted if jr is not None else None}
        pairs = [("zh-vs-py", zh, py, t2s_cause)]
        if jr is not None:
            pairs += [("jr-vs-py", jr, py, None), ("zh-vs-jr", zh, jr, t2s_cause)]
        for name, a, b, extra in pairs:
            r = compare(name, a, b, lines, extra, args.examples)
            if out:
                with open(out / f"diffs-{corpus}-{name}.tsv", "w", encoding="utf-8") as f:
                    f.write("line\tcategory\tstretch\tcontext\ta\tb\n")
                    for row in r["rows"]:
                        f.write(f"{row['line']}\t{row['category']}\t{row['text']}\t{row['context']}\t"
                                f"{' '.join(row['a'])}\t{' '.join(row['b'])}\n")
            del r["rows"]
            res["pairs"][name] = r
            if name == "zh-vs-py" and args.fail_below is not None and r["identical_pct"] < args.fail_below:
                failed = True
        for tag, segs in (("zh", zh), ("py", py), ("jr", jr)):
            if segs is not None:
                res["gold_prf"][tag] = prf(segs, gold)
        report["corpora"][corpus] = res

    # Markdown summary on stdout.
    print(f"# jieba agreement (Python jieba {report['jieba']}, jieba-rs {report['jieba_rs'] or '-'}, "
          f"input: {args.input})\n")
    print("| corpus | pair | lines | identical | % | differing |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for corpus, res in report["corpora"].items():
        for name, r in res["pairs"].items():
            print(f"| {corpus} | {name} | {r['lines']} | {r['identical']} | {r['identical_pct']:.2f} | "
                  f"{r['differing_lines']} |")
    print()
    for corpus, res in report["corpora"].items():
        if res["lines_changed_by_t2s"] is not None:
            print(f"- {corpus}: {res['lines_changed_by_t2s']} of {res['lines']} lines change under t2s "
                  f"(zhtext segments the t2s view of those it judges Traditional or mixed)")
    print("\nWord P/R/F against the gold segmentation:\n")
    print("| corpus | system | P | R | F |")
    print("| --- | --- | ---: | ---: | ---: |")
    for corpus, res in report["corpora"].items():
        for tag, m in res["gold_prf"].items():
            print(f"| {corpus} | {tag} | {m['P']:.4f} | {m['R']:.4f} | {m['F']:.4f} |")
    print("\nKinds of difference (stretches / lines):\n")
    for corpus, res in report["corpora"].items():
        for name, r in res["pairs"].items():
            if not r["categories"]:
                continue
            print(f"## {corpus} {name}\n")
            for cat, c in sorted(r["categories"].items(), key=lambda kv: -kv[1]["stretches"]):
                print(f"- **{cat}** ({c['stretches']} / {c['lines']}): {CATEGORIES[cat]}")
                for e in r["examples"][cat]:
                    print(f"  - line {e['line']} `{e['context']}`: {' | '.join(e['a'])}  vs  {' | '.join(e['b'])}")
            print()
    if out:
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"wrote {out}/report.json and diffs-*.tsv")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
