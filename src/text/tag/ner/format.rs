//! The model file: a small binary format of its own, little-endian.
//!
//! ```text
//! magic        8 bytes  "ZHTXNER\0"
//! version      u32      FORMAT_VERSION
//! features     u32      features::FEATURE_VERSION the model was trained with
//! scheme       u8       0 = BIO, 1 = BIOES
//! labels       u8       number of labels L
//! reserved     u16      0
//! temperature  f32      for confidences, in weight units
//! start        L × f32  start scores
//! trans        L×L f32  transition scores (forbidden ones are ignored)
//! count        u32      number of features N
//! keys         N × varint, deltas between ascending feature keys
//! weights      N×L × varint, zigzag i16 label weights, feature-major
//! names        u32      number of gazetteer names M
//! name         M × (u8 type bits, varint byte length, UTF-8 bytes)
//! checksum     u64      FNV-1a of everything before it
//! ```
//!
//! Varints keep the file small: sorted 32-bit keys are about 2 bytes apart
//! and most weights are near zero.

use thiserror::Error;

use super::labels::Scheme;

const MAGIC: &[u8; 8] = b"ZHTXNER\0";
/// Bumped whenever the layout above changes.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Why bytes could not be read as a model.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NerError {
    /// The bytes do not start like a model file.
    #[error("not a zhtext NER model (bad magic)")]
    BadMagic,
    /// The file was written by another version of the format.
    #[error("NER model format version {found} is not supported (this build reads {expected})")]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The model was trained on other features than this build extracts.
    #[error("NER model was trained with feature set {found}, this build extracts feature set {expected}")]
    FeatureMismatch {
        /// Feature set in the file.
        found: u32,
        /// Feature set this build extracts.
        expected: u32,
    },
    /// The bytes end early.
    #[error("NER model file is truncated")]
    Truncated,
    /// The bytes are damaged or inconsistent.
    #[error("NER model file is corrupt: {0}")]
    Corrupt(&'static str),
}

/// The parts of a model as stored.
pub(crate) struct Stored {
    pub features: u32,
    pub scheme: Scheme,
    pub temperature: f32,
    pub start: Vec<f32>,
    pub trans: Vec<f32>,
    pub keys: Vec<u32>,
    pub weights: Vec<i16>,
    pub names: Vec<(String, u8)>,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes a model; `rows` are `(key, weights)` in ascending key order.
pub(crate) fn write(
    features: u32,
    scheme: Scheme,
    temperature: f32,
    start: &[f32],
    trans: &[f32],
    rows: &[(u32, &[i16])],
    names: &[(String, u8)],
) -> Vec<u8> {
    let labels = scheme.num_labels();
    let mut out = Vec::with_capacity(64 + rows.len() * (3 + labels));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&features.to_le_bytes());
    out.extend_from_slice(&[scheme.code(), labels as u8, 0, 0]);
    out.extend_from_slice(&temperature.to_le_bytes());
    for &v in start.iter().chain(trans) {
        // Forbidden transitions are stored as 0; the reader restores them.
        let v = if v.is_finite() { v } else { 0.0 };
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    let mut prev = 0u32;
    for &(key, _) in rows {
        put_varint(&mut out, key - prev);
        prev = key;
    }
    for &(_, row) in rows {
        for &w in row {
            // Zigzag: small magnitudes of either sign get small codes.
            put_varint(&mut out, ((i32::from(w) << 1) ^ (i32::from(w) >> 31)) as u32);
        }
    }
    out.extend_from_slice(&(names.len() as u32).to_le_bytes());
    for (name, bits) in names {
        out.push(*bits);
        put_varint(&mut out, name.len() as u32);
        out.extend_from_slice(name.as_bytes());
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], NerError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(NerError::Truncated)?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, NerError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn f32(&mut self) -> Result<f32, NerError> {
        let v = f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if v.is_finite() {
            Ok(v)
        } else {
            Err(NerError::Corrupt("non-finite score"))
        }
    }

    fn varint(&mut self) -> Result<u32, NerError> {
        let mut v = 0u32;
        for shift in (0..35).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or(NerError::Truncated)?;
            self.at += 1;
            v |= u32::from(b & 0x7f)
                .checked_shl(shift)
                .ok_or(NerError::Corrupt("varint overflow"))?;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(NerError::Corrupt("varint too long"))
    }
}

/// Reads a model written by [`write`].
pub(crate) fn read(bytes: &[u8]) -> Result<Stored, NerError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(NerError::BadMagic);
    }
    let body_len = bytes.len().checked_sub(8).ok_or(NerError::Truncated)?;
    let mut r = Reader {
        bytes: &bytes[..body_len],
        at: MAGIC.len(),
    };
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(NerError::UnsupportedVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let stored_sum = u64::from_le_bytes(bytes[body_len..].try_into().expect("8 bytes"));
    if fnv1a(&bytes[..body_len]) != stored_sum {
        return Err(NerError::Corrupt("checksum mismatch"));
    }
    let features = r.u32()?;
    let head = r.take(4)?;
    let scheme = Scheme::from_code(head[0]).ok_or(NerError::Corrupt("unknown label scheme"))?;
    let labels = scheme.num_labels();
    if usize::from(head[1]) != labels {
        return Err(NerError::Corrupt("label count does not match the scheme"));
    }
    let temperature = r.f32()?;
    if temperature <= 0.0 {
        return Err(NerError::Corrupt("temperature must be positive"));
    }
    let start = (0..labels).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let trans = (0..labels * labels).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let count = r.u32()? as usize;
    // Each feature takes at least one byte per key and per weight.
    if count.saturating_mul(1 + labels) > body_len {
        return Err(NerError::Truncated);
    }
    let mut keys = Vec::with_capacity(count);
    let mut prev = 0u32;
    for i in 0..count {
        let delta = r.varint()?;
        let key = prev
            .checked_add(delta)
            .ok_or(NerError::Corrupt("feature key overflow"))?;
        if key == 0 || (i > 0 && delta == 0) {
            return Err(NerError::Corrupt("feature keys not ascending"));
        }
        keys.push(key);
        prev = key;
    }
    let mut weights = Vec::with_capacity(count * labels);
    for _ in 0..count * labels {
        let z = r.varint()?;
        let w = ((z >> 1) as i32) ^ -((z & 1) as i32);
        weights.push(i16::try_from(w).map_err(|_| NerError::Corrupt("weight out of range"))?);
    }
    let count = r.u32()? as usize;
    if count > body_len {
        return Err(NerError::Truncated);
    }
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        let bits = r.take(1)?[0];
        let len = r.varint()? as usize;
        let name = std::str::from_utf8(r.take(len)?).map_err(|_| NerError::Corrupt("name is not UTF-8"))?;
        names.push((name.to_owned(), bits));
    }
    if r.at != body_len {
        return Err(NerError::Corrupt("trailing bytes"));
    }
    Ok(Stored {
        features,
        scheme,
        temperature,
        start,
        trans,
        keys,
        weights,
        names,
    })
}
