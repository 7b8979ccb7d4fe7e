//! User dictionaries in jieba's text format (`word [freq] [tag]` per line),
//! parsed strictly so that a malformed file is reported with its line
//! number instead of half-loaded.

use std::{
    fmt,
    path::{Path, PathBuf},
};

/// One word of a user dictionary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DictEntry {
    /// The word.
    pub word: String,
    /// Frequency; `None` lets jieba pick one that keeps the word whole.
    pub freq: Option<usize>,
    /// Part-of-speech tag, if given.
    pub tag: Option<String>,
}

/// A parsed user dictionary file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDictionary {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its words, in file order.
    pub entries: Vec<DictEntry>,
}

/// Why a dictionary file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not `word [freq] [tag]`.
    #[error("{path}:{line}: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl UserDictionary {
    /// Reads and parses a dictionary file.
    pub fn read(path: &Path) -> Result<UserDictionary, DictionaryError> {
        let bytes = std::fs::read(path).map_err(|source| DictionaryError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &bytes)
    }

    /// Parses dictionary text; `path` is only used in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<UserDictionary, DictionaryError> {
        let malformed = |line: usize, reason: String| DictionaryError::Malformed {
            path: path.to_owned(),
            line,
            reason,
        };
        let mut entries = Vec::new();
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            let line = std::str::from_utf8(raw).map_err(|e| malformed(line_no, format!("not UTF-8 ({e})")))?;
            let line = line.trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            entries.push(parse_line(line).map_err(|reason| malformed(line_no, reason))?);
        }
        Ok(UserDictionary {
            path: path.to_owned(),
            entries,
        })
    }
}

fn parse_line(line: &str) -> Result<DictEntry, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    // jieba's tags are short ASCII words (n, nr, vn, eng, x): a letter first.
    let valid_tag = |t: &str| {
        t.len() <= 16
            && t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let freq = |f: &str| {
        f.parse::<usize>()
            .map_err(|_| format!("frequency `{f}` is not a whole number"))
            .and_then(|n| {
                if n == 0 {
                    Err("frequency must be at least 1".to_owned())
                } else {
                    Ok(n)
                }
            })
    };
    let (word, freq, tag) = match fields.as_slice() {
        [word] => (*word, None, None),
        [word, second] if second.bytes().all(|b| b.is_ascii_digit()) => (*word, Some(freq(second)?), None),
        [word, tag] if valid_tag(tag) => (*word, None, Some(*tag)),
        [word, f, tag] if valid_tag(tag) => (*word, Some(freq(f)?), Some(*tag)),
        [_, second] => return Err(format!("`{second}` is neither a frequency nor a POS tag")),
        [_, _, tag] => {
            return Err(format!(
                "`{tag}` is not a POS tag (an ASCII letter, then letters, digits or _)"
            ));
        }
        _ => return Err(format!("expected `word [freq] [tag]`, found {} fields", fields.len())),
    };
    if word.chars().count() > 64 {
        return Err("word longer than 64 characters".to_owned());
    }
    Ok(DictEntry {
        word: word.to_owned(),
        freq,
        tag: tag.map(str::to_owned),
    })
}

impl fmt::Display for UserDictionary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} words)", self.path.display(), self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_jieba_form() {
        let text = "\u{feff}# comment\n新质生产力\n江阴 100\n长江存储 200 nt\n星链 nz\n\n";
        let dict = UserDictionary::parse(Path::new("d.txt"), text.as_bytes()).unwrap();
        assert_eq!(
            dict.entries,
            vec![
                DictEntry {
                    word: "新质生产力".into(),
                    freq: None,
                    tag: None
                },
                DictEntry {
                    word: "江阴".into(),
                    freq: Some(100),
                    tag: None
                },
                DictEntry {
                    word: "长江存储".into(),
                    freq: Some(200),
                    tag: Some("nt".into())
                },
                DictEntry {
                    word: "星链".into(),
                    freq: None,
                    tag: Some("nz".into())
                },
            ]
        );
    }

    #[test]
    fn reports_the_line_of_a_malformed_entry() {
        for (text, line, needle) in [
            ("好\n坏 abc! n\n", 2, "abc!"),
            ("a 1 n extra\n", 1, "4 fields"),
            ("a 0\n", 1, "at least 1"),
            ("ok\nx 12a\n", 2, "12a"),
        ] {
            let err = UserDictionary::parse(Path::new("d.txt"), text.as_bytes()).unwrap_err();
            match &err {
                DictionaryError::Malformed { line: l, reason, .. } => {
                    assert_eq!(*l, line, "{text:?}");
                    assert!(err.to_string().contains(needle), "{reason}");
                }
                other => panic!("{other}"),
            }
        }
        let err = UserDictionary::parse(Path::new("d.txt"), b"ok\n\xff\xfe\n").unwrap_err();
        assert!(err.to_string().starts_with("d.txt:2: not UTF-8"), "{err}");
    }
}
