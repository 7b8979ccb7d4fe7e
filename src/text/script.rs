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
    simplified_only: Vec<u64>,
    traditional_only: Vec<u64>,
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
        let simplified_only = s_changes.iter().zip(&t_changes).map(|(s, t)| s & !t).collect();
        let traditional_only = t_changes.iter().zip(&s_changes).map(|(t, s)| t & !s).collect();
        ScriptDetector {
            simplified_only,
            traditional_only,
        }
    }

    #[inline]
    fn has(bits: &[u64], c: char) -> bool {
        let c = c as usize;
        c < 0x10000 && bits[c / 64] & (1 << (c % 64)) != 0
    }

    /// Adds `c` to the counts of Simplified-only (`s`) and Traditional-only
    /// (`t`) characters.
    #[inline]
    fn tally(&self, c: char, s: &mut usize, t: &mut usize) {
        // Only CJK ideographs can differ; skip everything else cheaply.
        if (c as u32) < 0x3400 {
            return;
        }
        *s += Self::has(&self.simplified_only, c) as usize;
        *t += Self::has(&self.traditional_only, c) as usize;
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
        let (mut s, mut t) = (0usize, 0usize);
        // Checked every so many characters; a distinguishing character
        // takes at least 3 bytes of UTF-8, which bounds those still to come.
        const CHECK_EVERY: usize = 32;
        for (n, (i, c)) in text.char_indices().enumerate() {
            if n % CHECK_EVERY == 0 && t > 0 {
                let at_most = s + t + (text.len() - i) / 3;
                // The share with every character to come Simplified-only,
                // in detect's own arithmetic (f32 division rounds
                // monotonically, so the final share is at least this).
                if Self::above_minority_share(t, at_most) {
                    return true;
                }
            }
            self.tally(c, &mut s, &mut t);
        }
        t > 0 && Self::above_minority_share(t, s + t)
    }

    /// Detects the script of `text`.
    pub fn detect(&self, text: &str) -> ScriptReport {
        let (mut s, mut t) = (0usize, 0usize);
        for c in text.chars() {
            self.tally(c, &mut s, &mut t);
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
