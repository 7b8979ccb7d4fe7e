//! Reading character-per-line NER corpora into sentences with entity spans.

use std::{ops::Range, path::Path};

use anyhow::Context;

use crate::text::tag::EntityKind;

/// Layout of a character-per-line NER corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorpusFormat {
    /// `char<space or tab>tag` with BIO (or BIOES) tags over PER/LOC/ORG,
    /// blank line between sentences: MSRA NER, People's Daily 1998.
    Bio,
    /// Weibo NER: `char<k><tab>tag`, where `k` is the character's position
    /// in its word and tags carry `.NAM` (named) or `.NOM` (nominal). Only
    /// named mentions are kept; `GPE` counts as a location.
    WeiboNamed,
}

/// A sentence of a corpus with its gold entities.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Sentence {
    /// The characters, joined.
    pub text: String,
    /// Gold mentions: byte ranges into `text`, sorted and disjoint.
    pub entities: Vec<(Range<usize>, EntityKind)>,
}

fn kind_of(name: &str) -> Option<EntityKind> {
    match name {
        "PER" | "PERSON" | "NR" => Some(EntityKind::Person),
        "LOC" | "LOCATION" | "GPE" | "NS" => Some(EntityKind::Location),
        "ORG" | "ORGANIZATION" | "NT" => Some(EntityKind::Organization),
        _ => None,
    }
}

/// The token and tag of a line; the separator is the last space or tab, so
/// a token may itself be an ideographic space.
fn split_line(line: &str) -> Option<(&str, &str)> {
    let (token, tag) = line.rsplit_once([' ', '\t'])?;
    Some((token, tag.trim()))
}

/// Weibo tokens are a character followed by its position in the word; a
/// digit character keeps its first digit.
fn weibo_token(token: &str) -> &str {
    let stripped = token.trim_end_matches(|c: char| c.is_ascii_digit());
    if stripped.is_empty() {
        token.get(..1).unwrap_or(token)
    } else {
        stripped
    }
}

/// Reads every sentence of a corpus.
pub(crate) fn read(path: &Path, format: CorpusFormat) -> anyhow::Result<Vec<Sentence>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&raw, format).with_context(|| format!("parsing {}", path.display()))
}

/// Parses the text of a corpus.
pub(crate) fn parse(raw: &str, format: CorpusFormat) -> anyhow::Result<Vec<Sentence>> {
    let mut sentences = Vec::new();
    let mut current = Sentence::default();
    // The open entity: start byte and kind.
    let mut open: Option<(usize, EntityKind)> = None;
    let close = |current: &mut Sentence, open: &mut Option<(usize, EntityKind)>| {
        if let Some((start, kind)) = open.take() {
            current.entities.push((start..current.text.len(), kind));
        }
    };
    for (number, line) in raw.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            close(&mut current, &mut open);
            if !current.text.is_empty() {
                sentences.push(std::mem::take(&mut current));
            }
            continue;
        }
        let (token, tag) = split_line(line).with_context(|| format!("line {}: no tag in {line:?}", number + 1))?;
        let token = match format {
            CorpusFormat::Bio => token,
            CorpusFormat::WeiboNamed => weibo_token(token),
        };
        let (prefix, name) = tag.split_once('-').unwrap_or((tag, ""));
        let kind = match format {
            CorpusFormat::Bio => kind_of(name),
            CorpusFormat::WeiboNamed => name.strip_suffix(".NAM").and_then(kind_of),
        };
        let at = current.text.len();
        match (prefix, kind) {
            ("I" | "M" | "E", Some(kind)) if open.is_some_and(|(_, k)| k == kind) => {}
            ("B" | "I" | "M" | "E" | "S", Some(kind)) => {
                close(&mut current, &mut open);
                open = Some((at, kind));
            }
            _ => close(&mut current, &mut open),
        }
        current.text.push_str(token);
        if matches!(prefix, "E" | "S") {
            close(&mut current, &mut open);
        }
    }
    close(&mut current, &mut open);
    if !current.text.is_empty() {
        sentences.push(current);
    }
    Ok(sentences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bio_with_either_separator() {
        let raw = "李\tB-PER\n强\tI-PER\n在 O\n北 B-LOC\n京 I-LOC\n\n中\tB-ORG\n\n";
        let s = parse(raw, CorpusFormat::Bio).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "李强在北京");
        assert_eq!(
            s[0].entities,
            vec![(0..6, EntityKind::Person), (9..15, EntityKind::Location)]
        );
        assert_eq!(s[1].entities, vec![(0..3, EntityKind::Organization)]);
    }

    #[test]
    fn reads_weibo_named_only() {
        let raw = "张0\tB-PER.NAM\n三1\tI-PER.NAM\n是0\tO\n老0\tB-PER.NOM\n师1\tI-PER.NOM\n1\
                   0\tO\n112\tB-GPE.NAM\n\n";
        let s = parse(raw, CorpusFormat::WeiboNamed).unwrap();
        assert_eq!(s[0].text, "张三是老师11");
        assert_eq!(
            s[0].entities,
            vec![(0..6, EntityKind::Person), (16..17, EntityKind::Location)]
        );
    }

    #[test]
    fn stray_inside_tag_opens_an_entity() {
        let s = parse("a O\nb I-LOC\nc I-ORG\n", CorpusFormat::Bio).unwrap();
        assert_eq!(
            s[0].entities,
            vec![(1..2, EntityKind::Location), (2..3, EntityKind::Organization)]
        );
    }
}
