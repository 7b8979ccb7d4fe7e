//! Which Chinese script a text is written in, judged by the characters that
//! exist in only one of them (OpenCC's character tables decide which).

use crate::text::opencc::OpenccData;

/// The script of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Script {
    /// Simplified Chinese.
    Simplified,
    /// Traditional Chinese.
    Traditional,
    /// Both scripts in quantity.
    Mixed,
    /// No character that tells the scripts apart.
    Other,
}

/// The first CJK ideograph (Extension A); no character before it is
/// Simplified-only or Traditional-only.
const FIRST_IDEOGRAPH: usize = 0x3400;

/// The outcome of detection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScriptReport {
    /// The script.
    pub script: Script,
    /// Share of the script-distinguishing characters that belong to
    /// `script` (for `Mixed`, the larger of the two shares); 0 for `Other`.
    pub share: f32,
    /// Characters found only in Simplified text.
    pub simplified_chars: usize,
    /// Characters found only in Traditional text.
    pub traditional_chars: usize,
}

impl ScriptReport {
    /// Whether the text contains Traditional characters a Simplified
    /// dictionary would not know (Traditional or mixed text).
    pub fn has_traditional(&self) -> bool {
        matches!(self.script, Script::Traditional | Script::Mixed)
    }
}

/// Bit sets over the BMP: whether a character is Simplified-only or
/// Traditional-only. Characters outside the BMP never differ in OpenCC's
/// character tables that matter here, and are counted as neutral.
pub struct ScriptDetector {
    /// For each 64 characters, the Simplified-only and the Traditional-only
    /// bits side by side, so that a character's two bits share a cache line.
    only: Vec<[u64; 2]>,
}

impl ScriptDetector {
    /// A text is called mixed when its minority script holds more than this
    /// share of the distinguishing characters: a Traditional name quoted in
    /// Simplified news is not mixed text.
    pub const MIXED_MINORITY_SHARE: f32 = 0.05;

    /// Builds the sets from OpenCC's STCharacters and TSCharacters: a
    /// character is Simplified-only if s2t changes it and t2s does not, and
    /// the other way round.
    pub fn new(data: &OpenccData) -> Self {
        let st = data.changed_characters(true);
        let ts = data.changed_characters(false);
        let mut s_changes = vec![0u64; 1024];
        let mut t_changes = vec![0u64; 1024];
        let set = |bits: &mut Vec<u64>, c: char| {
            let c = c as usize;
            if c < 0x10000 {
                bits[c / 64] |= 1 << (c % 64);
            }
        };
        for &(k, _) in &st {
            set(&mut s_changes, k);
        }
        for &(k, _) in &ts {
            set(&mut t_changes, k);
        }
        let only = s_changes
            .iter()
            .zip(&t_changes)
            .map(|(s, t)| [s & !t, t & !s])
            .collect();
        ScriptDetector { only }
    }

    /// Adds the character of code point `c` to the counts of
    /// Simplified-only (`s`) and Traditional-only (`t`) characters.
    #[inline]
    fn tally(&self, c: usize, s: &mut usize, t: &mut usize) {
        // Only CJK ideographs of the BMP can differ; skip everything else
        // cheaply.
        if !(FIRST_IDEOGRAPH..0x10000).contains(&c) {
            return;
        }
        let [simplified, traditional] = self.only[c / 64];
        *s += (simplified >> (c % 64)) as usize & 1;
        *t += (traditional >> (c % 64)) as usize & 1;
    }

    /// Whether `part` of `total` distinguishing characters is more than the
    /// minority share that makes a text mixed.
    fn above_minority_share(part: usize, total: usize) -> bool {
        part as f32 / total as f32 > Self::MIXED_MINORITY_SHARE
    }

    /// `self.detect(text).has_traditional()`, stopping as soon as the
    /// answer is certain: on Traditional text, after the first few
    /// characters.
    pub fn has_traditional(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let (mut s, mut t) = (0usize, 0usize);
        // Checked every so many bytes; a distinguishing character takes 3
        // bytes of UTF-8, which bounds those still to come.
        const CHECK_EVERY: usize = 96;
        let mut next_check = 0;
        let mut i = 0;
        // The text is valid UTF-8, so it is read byte by byte: only a lead
        // byte of E3 to EF starts a character from U+3000 to U+FFFF, where
        // the ideographs are; every other byte (ASCII, a lead of a shorter
        // sequence, a continuation) is skipped on its own, and a four-byte
        // character (outside the BMP, neutral) at once.
        while let Some(&lead) = bytes.get(i) {
            if lead < 0xE3 {
                i += 1;
                continue;
            }
            if lead >= 0xF0 {
                i += 4;
                continue;
            }
            let c = usize::from(lead & 0x0F) << 12
                | usize::from(bytes[i + 1] & 0x3F) << 6
                | usize::from(bytes[i + 2] & 0x3F);
            i += 3;
            self.tally(c, &mut s, &mut t);
            if t > 0 && i >= next_check {
                next_check = i + CHECK_EVERY;
                let at_most = s + t + (bytes.len() - i) / 3;
                // The share with every character to come Simplified-only,
                // in detect's own arithmetic (f32 division rounds
                // monotonically, so the final share is at least this).
                if Self::above_minority_share(t, at_most) {
                    return true;
                }
            }
        }
        t > 0 && Self::above_minority_share(t, s + t)
    }

    /// Detects the script of `text`.
    pub fn detect(&self, text: &str) -> ScriptReport {
        let (mut s, mut t) = (0usize, 0usize);
        for c in text.chars() {
            self.tally(c as usize, &mut s, &mut t);
        }
        let total = s + t;
        if total == 0 {
            return ScriptReport {
                script: Script::Other,
                share: 0.0,
                simplified_chars: s,
                traditional_chars: t,
            };
        }
        let script = if !Self::above_minority_share(t, total) {
            Script::Simplified
        } else if !Self::above_minority_share(s, total) {
            Script::Traditional
        } else {
            Script::Mixed
        };
        let (s_share, t_share) = (s as f32 / total as f32, t as f32 / total as f32);
        ScriptReport {
            script,
            share: s_share.max(t_share),
            simplified_chars: s,
            traditional_chars: t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_early_answer_is_detects() {
        let d = ScriptDetector::new(&OpenccData::load());
        let simplified = "我们在北京开会，讨论经济发展。";
        let traditional = "我們在臺北開會，討論經濟發展。";
        let mut texts = vec![
            String::new(),
            "Hello 2024".to_owned(),
            traditional.repeat(40),
            // Traditional at the start, outweighed later, and the reverse,
            // around the 5% share.
            format!("{traditional}{}", simplified.repeat(60)),
            format!("{}{traditional}", simplified.repeat(60)),
        ];
        for k in 0..40 {
            texts.push(format!("{}{}", simplified.repeat(k), traditional));
            texts.push(format!(
                "{}{}{}",
                "臺".repeat(k % 7),
                simplified.repeat(k),
                "abc".repeat(k)
            ));
        }
        // Every length of UTF-8 around the distinguishing characters: the
        // early answer reads bytes, detect reads characters.
        for k in 0..12 {
            let others = "é𠀀　㐀Ω\u{FFFF}x".repeat(k);
            texts.push(format!("{others}{traditional}{others}{}", simplified.repeat(k)));
            texts.push(format!("{}{others}臺", simplified.repeat(k)));
        }
        for text in &texts {
            assert_eq!(d.has_traditional(text), d.detect(text).has_traditional(), "{text}");
        }
    }

    #[test]
    fn detects_each_script() {
        let d = ScriptDetector::new(&OpenccData::load());
        assert_eq!(d.detect("我们在北京开会，讨论经济发展。").script, Script::Simplified);
        assert_eq!(d.detect("我們在臺北開會，討論經濟發展。").script, Script::Traditional);
        let mixed = d.detect("我们在臺北開會，讨论经济發展。");
        assert_eq!(mixed.script, Script::Mixed);
        assert!(mixed.share > 0.5 && mixed.share < 1.0);
        assert_eq!(d.detect("Hello 2024 中国人").script, Script::Simplified);
        assert_eq!(d.detect("Hello 2024").script, Script::Other);
        assert_eq!(d.detect("大家好").script, Script::Other);
        assert_eq!(d.detect("").share, 0.0);
        // One Traditional name in a long Simplified text is still Simplified.
        let text = format!("{}「臺灣」", "我们讨论经济发展问题".repeat(10));
        assert_eq!(d.detect(&text).script, Script::Simplified);
    }
}
