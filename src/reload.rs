//! Live user dictionaries: read the configured files, build segmenters from
//! them, and rebuild in the background when a file changes.
//!
//! Changes are found by polling file *contents*, not modification times or
//! inotify: a Kubernetes ConfigMap update swaps a `..data` symlink, which
//! leaves the visible path's metadata alone and is missed by watches on the
//! file. Dictionary files are small, so reading them every few seconds is
//! cheap. A file that fails to parse keeps the previous segmenters serving.

use std::{
    collections::BTreeMap,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{
    api::PipelineSlot,
    text::{
        dictionary::{DictionaryError, UserDictionary},
        segment::SegmenterSet,
    },
};

/// Where user dictionaries come from.
#[derive(Clone, Debug, Default)]
pub struct DictionarySources {
    /// Global user dictionaries, extending the default dictionary.
    pub user_dicts: Vec<PathBuf>,
    /// A directory with one dictionary per file; the file stem names the
    /// profile `SegmentRequest.dictionary` selects.
    pub dict_dir: Option<PathBuf>,
}

/// The bytes of every dictionary file at one moment.
#[derive(Debug, Hash, PartialEq, Eq)]
pub struct Snapshot {
    global: Vec<(PathBuf, Result<Vec<u8>, String>)>,
    profiles: Vec<(String, PathBuf, Result<Vec<u8>, String>)>,
    listing_error: Option<String>,
}

impl Snapshot {
    /// A hash of everything read, to compare snapshots cheaply.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }

    /// Parses the snapshot and builds the segmenters.
    pub fn build(&self) -> Result<SegmenterSet, DictionaryError> {
        let (global, profiles) = self.parse()?;
        Ok(SegmenterSet::build(&global, &profiles))
    }

    /// [`Snapshot::build`], keeping from `previous` the segmenters whose
    /// dictionaries did not change.
    pub fn rebuild(&self, previous: &SegmenterSet) -> Result<SegmenterSet, DictionaryError> {
        let (global, profiles) = self.parse()?;
        Ok(previous.rebuild(&global, &profiles))
    }

    /// The global dictionaries and the profiles, parsed.
    fn parse(&self) -> Result<(Vec<UserDictionary>, BTreeMap<String, UserDictionary>), DictionaryError> {
        if let Some(error) = &self.listing_error {
            return Err(DictionaryError::Io {
                path: PathBuf::from("ZHTEXT_DICT_DIR"),
                source: std::io::Error::other(error.clone()),
            });
        }
        let parse = |path: &Path, bytes: &Result<Vec<u8>, String>| match bytes {
            Ok(bytes) => UserDictionary::parse(path, bytes),
            Err(error) => Err(DictionaryError::Io {
                path: path.to_owned(),
                source: std::io::Error::other(error.clone()),
            }),
        };
        let global = self
            .global
            .iter()
            .map(|(path, bytes)| parse(path, bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let profiles = self
            .profiles
            .iter()
            .map(|(name, path, bytes)| Ok((name.clone(), parse(path, bytes)?)))
            .collect::<Result<BTreeMap<_, _>, DictionaryError>>()?;
        Ok((global, profiles))
    }
}

impl DictionarySources {
    /// Whether any dictionary is configured.
    pub fn is_empty(&self) -> bool {
        self.user_dicts.is_empty() && self.dict_dir.is_none()
    }

    /// Reads every dictionary file.
    pub fn snapshot(&self) -> Snapshot {
        let read = |path: &Path| std::fs::read(path).map_err(|e| e.to_string());
        let global = self.user_dicts.iter().map(|p| (p.clone(), read(p))).collect();
        let (profiles, listing_error) = match &self.dict_dir {
            None => (Vec::new(), None),
            Some(dir) => match profile_files(dir) {
                Ok(files) => (files.into_iter().map(|(n, p)| (n, p.clone(), read(&p))).collect(), None),
                Err(e) => (Vec::new(), Some(format!("cannot list {}: {e}", dir.display()))),
            },
        };
        Snapshot {
            global,
            profiles,
            listing_error,
        }
    }
}

/// The profile files of a directory: visible entries that are (or link to)
/// regular files, named by their stem. Hidden entries are skipped, which
/// also skips a ConfigMap's `..data` and timestamped directories.
fn profile_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or(name).to_owned();
        files.push((stem, path));
    }
    files.sort();
    Ok(files)
}

/// Counters of the reloader, for metrics and tests.
#[derive(Debug, Default)]
pub struct ReloadStats {
    /// Successful rebuilds after a change.
    pub reloads: std::sync::atomic::AtomicU64,
    /// Changes that could not be loaded (the old dictionaries kept serving).
    pub failures: std::sync::atomic::AtomicU64,
}

/// Polls `sources` every `interval` and swaps rebuilt segmenters into
/// `slot`. `last` is the fingerprint the current pipeline was built from.
/// Runs until the task is dropped.
pub async fn watch(
    sources: DictionarySources,
    slot: PipelineSlot,
    interval: Duration,
    mut last: u64,
    stats: Arc<ReloadStats>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let sources = sources.clone();
        let Ok(snapshot) = tokio::task::spawn_blocking(move || sources.snapshot()).await else {
            continue;
        };
        let fingerprint = snapshot.fingerprint();
        if fingerprint == last {
            continue;
        }
        last = fingerprint;
        let started = Instant::now();
        let previous = slot.get().map(|pipeline| pipeline.segmenters().clone());
        let built = tokio::task::spawn_blocking(move || match previous {
            Some(previous) => snapshot.rebuild(&previous),
            None => snapshot.build(),
        })
        .await
        .map_err(|panicked| format!("the rebuild panicked: {panicked}"))
        .and_then(|built| built.map_err(|error| error.to_string()));
        match built {
            Ok(segmenters) => {
                if let Some(current) = slot.get() {
                    let profiles = segmenters.profile_names();
                    slot.set(Arc::new(current.with_segmenters(segmenters)));
                    drop(current);
                    stats.reloads.fetch_add(1, Relaxed);
                    crate::metrics::dictionary_reloaded(true);
                    tracing::info!(
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        ?profiles,
                        "dictionaries reloaded"
                    );
                    // The replaced segmenters are freed once no request uses
                    // them (now, when none is in flight); hand their pages
                    // back to the system rather than keep them.
                    let _ = tokio::task::spawn_blocking(release_free_memory).await;
                }
            }
            Err(error) => {
                stats.failures.fetch_add(1, Relaxed);
                crate::metrics::dictionary_reloaded(false);
                tracing::error!(%error, "dictionary reload failed; the previous dictionaries keep serving");
            }
        }
    }
}

/// Returns memory that the allocator holds but no longer uses to the
/// operating system. glibc keeps freed memory in its arenas, so without
/// this every rebuild of the segmenters (tens of megabytes each) would
/// stay resident until the next one reuses it.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
