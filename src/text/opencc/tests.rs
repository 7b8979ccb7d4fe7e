//! Expected outputs below were produced with OpenCC 1.4.2 (PyPI `opencc`).

use std::sync::Arc;

use super::engine::{self, Split, TextSink, run_step};
use super::{Converter, OpenccData, Profile, config};
use crate::text::align::{AlignedSpan, Rewrite};

fn converter(profile: Profile) -> Converter {
    Converter::new(profile, &OpenccData::load())
}

/// `(original, normalized)` slices of every span.
fn pieces<'a>(input: &'a str, r: &'a Rewrite) -> Vec<(&'a str, &'a str)> {
    r.spans
        .iter()
        .map(|s| (&input[s.original.clone()], &r.text[s.normalized.clone()]))
        .collect()
}

/// Converts with and without alignment and checks that they agree.
fn convert_checked(c: &Converter, input: &str) -> Rewrite {
    let aligned = c.convert_aligned(input);
    assert_eq!(aligned.text, c.convert(input), "{} {input:?}", c.name());
    if let Err(e) = aligned.check_against(input) {
        panic!("{} {input:?}: {e}", c.name());
    }
    aligned
}

#[test]
fn profile_names_round_trip() {
    for p in Profile::ALL {
        assert_eq!(Profile::from_name(p.name()), Some(p));
    }
    assert_eq!(Profile::from_name("s2t"), Some(Profile::S2t));
    assert_eq!(Profile::from_name("s2t.json"), None);
    assert_eq!(Profile::from_name(""), None);
}

#[test]
fn converts_like_opencc() {
    let cases = [
        (Profile::S2t, "汉字转换很方便，头发和面条", "漢字轉換很方便，頭髮和麪條"),
        (Profile::T2s, "漢字轉換很方便，頭髮和麪條", "汉字转换很方便，头发和面条"),
        (Profile::S2tw, "着装里面的线", "著裝裡面的線"),
        (Profile::S2tw, "台湾", "臺灣"),
        (Profile::S2twp, "鼠标和软件", "滑鼠和軟體"),
        (Profile::S2twp, "内存", "記憶體"),
        (Profile::Tw2s, "著裝裡面的線", "着装里面的线"),
        (Profile::Tw2sp, "滑鼠和軟體", "鼠标和软件"),
        (Profile::S2hk, "着装里面的线", "着裝裏面的線"),
        (Profile::S2hkp, "信息技术", "信息技術"),
        (Profile::Hk2s, "着裝裏面的綫", "着装里面的线"),
        (Profile::Hk2sp, "資訊科技", "资讯科技"),
        (Profile::T2tw, "僞造啓事", "偽造啟事"),
        (Profile::Tw2t, "偽造啟事", "僞造啓事"),
        (Profile::T2hk, "僞造啓事", "偽造啓事"),
        (Profile::Hk2t, "偽造啓事", "僞造啓事"),
        (Profile::T2jp, "舊字體歷史", "旧字体歴史"),
        (Profile::Jp2t, "旧字体歴史", "舊字體歷史"),
    ];
    for (profile, input, expected) in cases {
        let c = converter(profile);
        assert_eq!(convert_checked(&c, input).text, expected, "{}", profile.name());
    }
}

#[test]
fn derived_dictionaries_match_opencc() {
    // STPhrases_GeneratedFromRegionalPhrases keeps 傅里叶 from becoming 傅裏葉.
    assert_eq!(converter(Profile::S2t).convert("傅里叶 方便面"), "傅里葉 方便麪");
    // TSCharactersExt (a tofu-risk table) maps 遱 to a non-BMP character.
    assert_eq!(converter(Profile::T2s).convert("遱"), "𫐷");
    // TWVariantsRev honours `# @reverse-prefer: 么 幺`.
    assert_eq!(converter(Profile::Tw2t).convert("么"), "幺");
    // JPShinjitaiCharactersRev.
    assert_eq!(converter(Profile::T2jp).convert("鹽"), "塩");
    assert_eq!(converter(Profile::Jp2t).convert("塩"), "鹽");
}

#[test]
fn tw2sp_phrase_is_one_span() {
    let input = "滑鼠和軟體";
    let r = convert_checked(&converter(Profile::Tw2sp), input);
    assert_eq!(r.text, "鼠标和软件");
    assert_eq!(pieces(input, &r), [("滑鼠", "鼠标"), ("和", "和"), ("軟體", "软件")]);
    assert_eq!(
        r.spans[0],
        AlignedSpan {
            original: 0..6,
            normalized: 0..6
        }
    );
}

#[test]
fn length_changing_phrase() {
    let input = "内存很大";
    let r = convert_checked(&converter(Profile::S2twp), input);
    assert_eq!(pieces(input, &r), [("内存", "記憶體"), ("很大", "很大")]);
}

#[test]
fn chain_steps_compose_to_smallest_spans() {
    // s2tw: 里面 -> 裏面 (phrase) -> 裡面 (variant of 裏): one span, while
    // the neighbouring characters keep their own.
    let input = "着装里面的线";
    let r = convert_checked(&converter(Profile::S2tw), input);
    assert_eq!(
        pieces(input, &r),
        [("着", "著"), ("装", "裝"), ("里面", "裡面"), ("的", "的"), ("线", "線")]
    );
}

#[test]
fn non_bmp_and_compatibility_ideographs() {
    let c = converter(Profile::S2t);
    // 𨰾 (4 bytes) -> 鎷 (3 bytes); U+2F800 (compatibility, 4 bytes) is
    // normalized to 丽 and then converted to 麗; U+F900 becomes U+8C48.
    let input = "𨰾\u{2F800}\u{F900}𠮷";
    let r = convert_checked(&c, input);
    assert_eq!(r.text, "鎷麗\u{8C48}𠮷");
    assert_eq!(
        pieces(input, &r),
        [
            ("𨰾", "鎷"),
            ("\u{2F800}", "麗"),
            ("\u{F900}", "\u{8C48}"),
            ("𠮷", "𠮷")
        ]
    );
    assert_eq!(r.spans[0].original, 0..4);
    assert_eq!(r.spans[0].normalized, 0..3);
}

#[test]
fn ideographic_description_sequences_pass_through() {
    let r = convert_checked(&converter(Profile::S2t), "⿰讠五 说");
    assert_eq!(r.text, "⿰讠五 說");
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "",
        "\0",
        "汉\0字",
        "\u{301}",
        "\u{301}\u{301}头\u{301}发",
        "\u{1}\u{7f}\u{85}\u{200d}\u{feff}",
        "⿰",
        "⿰⿰⿰⿲⿲",
        "\u{FFFD}\u{10FFFF}",
        "a\r\nb\tc",
    ];
    for profile in Profile::ALL {
        let c = converter(profile);
        for input in inputs {
            convert_checked(&c, input);
        }
    }
    // NUL is an ordinary character here (OpenCC truncates at it).
    assert_eq!(converter(Profile::Tw2sp).convert("滑鼠\0滑鼠"), "鼠标\0鼠标");
}

#[test]
fn long_line_without_punctuation() {
    let input = "头发".repeat(50_000);
    let r = convert_checked(&converter(Profile::S2twp), &input);
    assert_eq!(r.text, "頭髮".repeat(50_000));
    assert_eq!(r.spans.len(), 50_000);
    let ids = "⿰".repeat(20_000);
    assert_eq!(converter(Profile::S2t).convert(&ids), ids);
}

#[test]
fn converter_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Converter>();
    assert_send_sync::<OpenccData>();
    let c = Arc::new(converter(Profile::S2t));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || c.convert("头发"))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), "頭髮");
    }
}

/// The same conversion the slow way: OpenCC's segmentation with the
/// config's own dictionary, each step over the whole text, alignments
/// composed as lists.
fn reference(c: &Converter, text: &str) -> Rewrite {
    let data = OpenccData::load();
    let spec = config::spec(c.profile().expect("a profile converter"));
    let mut sink = TextSink::new(true);
    run_step(&data.group(spec.normalization), text, None, Split::None, &mut sink);
    let (normalized, mut total) = sink.finish_with_edits(text);
    let mut current = normalized.unwrap_or_else(|| text.to_owned());
    let mut ends = spec.segmentation.map(|g| engine::segment(&data.group(g), &current));
    for (i, &group) in spec.chain.iter().enumerate() {
        let split = match ends {
            Some(_) if i + 1 < spec.chain.len() => Split::Segments,
            _ => Split::None,
        };
        let mut sink = TextSink::new(true);
        run_step(&data.group(group), &current, ends.as_deref(), split, &mut sink);
        let step_ends = sink.take_ends();
        let (converted, edits) = sink.finish_with_edits(&current);
        let mut composed = Vec::new();
        engine::compose(&total, &edits, &mut composed);
        total = composed;
        if split == Split::Segments {
            ends = Some(step_ends);
        }
        if let Some(converted) = converted {
            current = converted;
        }
    }
    let mut b = Rewrite::builder(current.len());
    let mut pos = 0;
    for e in &total {
        b.keep(&text[pos..e.src_start]);
        let (from, to) = (&text[e.src_start..e.src_end], &current[e.dst_start..e.dst_end]);
        if from == to {
            b.keep(from);
        } else {
            b.replace(from.len(), to);
        }
        pos = e.src_end;
    }
    b.keep(&text[pos..]);
    b.finish()
}

#[test]
fn streaming_alignment_matches_reference() {
    const PIECES: &[&str] = &[
        "头发",
        "里面",
        "干",
        "什么",
        "着",
        "装",
        "鼠标",
        "滑鼠",
        "軟體",
        "软件",
        "内存",
        "傅里叶",
        "方便面",
        "遱",
        "么",
        "鹽",
        "塩",
        "𨰾",
        "\u{2F800}",
        "\u{F900}",
        "⿰",
        "⿱",
        "讠",
        "五",
        "a",
        " ",
        "，",
        "\u{301}",
        "\0",
        "台湾",
        "資訊",
        "信息",
        "技术",
        "线",
        "綫",
        "裏",
        "裡",
        "僞",
        "啓",
        "偽",
        "啟",
        "旧",
        "舊",
        "字体",
        "歴史",
        "𠮷",
        "發",
        "后",
        "後",
        "面條",
        "计算机",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let converters: Vec<Converter> = Profile::ALL.into_iter().map(converter).collect();
    for _ in 0..150 {
        let len = next() % 24 + 1;
        let input: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        for c in &converters {
            let got = convert_checked(c, &input);
            assert_eq!(got, reference(c, &input), "{} {input:?}", c.name());
        }
    }
}

/// Random sorted, non-overlapping edits `(start, end, other side length)`
/// over `len` bytes. Both sides are non-empty, as OpenCC's keys and values
/// are.
fn random_edits(next: &mut impl FnMut() -> u64, len: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        pos += (next() % 4) as usize;
        let width = (next() % 3) as usize + 1;
        if pos + width > len {
            return out;
        }
        out.push((pos, pos + width, (next() % 3) as usize + 1));
        pos += width;
    }
}

/// Lays out edits given as (start, end, other length) on their y side.
fn edits_on_y(spec: &[(usize, usize, usize)], y_is_dst: bool) -> Vec<engine::Edit> {
    let mut shift = 0isize;
    spec.iter()
        .map(|&(start, end, other)| {
            let o0 = start.wrapping_add_signed(shift);
            shift += other as isize - (end - start) as isize;
            let (y, o) = ((start, end), (o0, o0 + other));
            let (src, dst) = if y_is_dst { (o, y) } else { (y, o) };
            engine::Edit {
                src_start: src.0,
                src_end: src.1,
                dst_start: dst.0,
                dst_end: dst.1,
                merged: false,
            }
        })
        .collect()
}

#[test]
fn compose_matches_naive_merging() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let len = (next() % 30) as usize;
        let first = edits_on_y(&random_edits(&mut next, len), true);
        let second = edits_on_y(&random_edits(&mut next, len), false);
        let mut got = Vec::new();
        engine::compose(&first, &second, &mut got);

        // Naive: merge overlapping y ranges, then map each group's ends
        // through both sides (outside edits, positions shift by the growth
        // of the edits before them).
        let mut groups: Vec<(usize, usize, usize)> = first
            .iter()
            .map(|e| (e.dst_start, e.dst_end, 1))
            .chain(second.iter().map(|e| (e.src_start, e.src_end, 1)))
            .collect();
        groups.sort_by_key(|g| (g.0, g.1));
        let mut merged: Vec<(usize, usize, usize)> = Vec::new();
        for g in groups {
            match merged.last_mut() {
                Some(last) if g.0 < last.1 => {
                    last.1 = last.1.max(g.1);
                    last.2 += g.2;
                }
                _ => merged.push(g),
            }
        }
        let growth = |e: &engine::Edit| (e.dst_end - e.dst_start) as isize - (e.src_end - e.src_start) as isize;
        let x_of =
            |y: usize| y.wrapping_add_signed(-first.iter().filter(|e| e.dst_end <= y).map(growth).sum::<isize>());
        let z_of =
            |y: usize| y.wrapping_add_signed(second.iter().filter(|e| e.src_end <= y).map(growth).sum::<isize>());
        let expected: Vec<(usize, usize, usize, usize, bool)> = merged
            .iter()
            .map(|&(y0, y1, n)| (x_of(y0), x_of(y1), z_of(y0), z_of(y1), n > 1))
            .collect();
        let got: Vec<_> = got
            .iter()
            .map(|e| (e.src_start, e.src_end, e.dst_start, e.dst_end, e.merged))
            .collect();
        assert_eq!(got, expected, "first {first:?} second {second:?}");
    }
}

#[test]
fn the_reading_conversion_is_t2s_with_regional_variants_folded() {
    let data = OpenccData::load();
    let reading = Converter::reading(&data);
    let (t2s, hk2s, tw2s) = (
        converter(Profile::T2s),
        converter(Profile::Hk2s),
        converter(Profile::Tw2s),
    );
    assert_eq!(reading.profile(), None);
    assert_eq!(reading.name(), "t2s-reading");
    // Each folded variant is one that t2s leaves alone and that hk2s or
    // tw2s converts, to the same character.
    let entries = super::dicts::parse(super::dicts::source(config::DictId::ReadingVariants).unwrap());
    assert_eq!(entries.len(), 9);
    for e in &entries {
        assert_eq!(t2s.convert(&e.key), e.key);
        assert!(
            hk2s.convert(&e.key) == e.value || tw2s.convert(&e.key) == e.value,
            "{}",
            e.key
        );
        assert_eq!(convert_checked(&reading, &e.key).text, e.value);
    }
    // Otherwise it is t2s, phrases included.
    let text = "食物及衞生局局長表示，香港特別行政區政府會繼續瞭解情況，他總是找藉口。";
    assert_eq!(
        convert_checked(&reading, text).text,
        "食物及卫生局局长表示，香港特别行政区政府会继续了解情况，他总是找借口。"
    );
    assert_eq!(
        reading.convert(&text.replace('衞', "衛")),
        t2s.convert(&text.replace('衞', "衛"))
    );
}

#[test]
fn char_for_char_conversion_agrees_with_convert() {
    let data = OpenccData::load();
    let texts = [
        "香港特別行政區政府發言人說：「經濟數據顯示，第三季度增長2.1%。」",
        "他總是找藉口，我們瞭解到了。食物及衞生局",
        "二噁英排放超標",
        "㗲字與豈字",
        "plain ascii",
        "",
    ];
    let mut converters: Vec<Converter> = Profile::ALL.iter().map(|&p| Converter::new(p, &data)).collect();
    converters.push(Converter::reading(&data));
    for c in &converters {
        for text in texts {
            let converted = c.convert(text);
            match c.convert_char_for_char(text) {
                Some(same) => {
                    assert_eq!(same, converted, "{} {text:?}", c.name());
                    let lengths = |s: &str| s.chars().map(char::len_utf8).collect::<Vec<_>>();
                    assert_eq!(lengths(&same), lengths(text), "{} {text:?}", c.name());
                }
                // Declined only where some replacement changed lengths.
                None => assert_ne!(
                    converted.chars().map(char::len_utf8).collect::<Vec<_>>(),
                    text.chars().map(char::len_utf8).collect::<Vec<_>>(),
                    "{} {text:?}",
                    c.name()
                ),
            }
        }
    }
    let t2s = converter(Profile::T2s);
    // 噁 → 𫫇 (three bytes to four, in a phrase), 㗲 → 𠵾 (a character).
    assert_eq!(t2s.convert_char_for_char("二噁英"), None);
    assert_eq!(t2s.convert_char_for_char("㗲"), None);
    assert_eq!(t2s.convert_char_for_char("瞭解").as_deref(), Some("了解"));
}
