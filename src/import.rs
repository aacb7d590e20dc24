//! `marquee import`: files and directories → parsed reviews → the store, in batches.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use crate::review::{Limits, ParseError, Review};
use crate::store::{FileOutcome, ImportCounts, Importer, Outcome, Parsed, Store};

/// How many files the parsing threads parse together (a batch).
pub const BATCH: usize = 500;
/// Parsed batches that may wait for the writer.
pub const BATCHES_IN_FLIGHT: usize = 2;
/// How many files one transaction stores at most, taking parsed batches as they come.
pub const FILES_PER_TRANSACTION: usize = 4_000;

/// Something to import: a file on disk, or bytes already in memory (the sample archive).
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
    /// A path that could not be listed; imported as a failure.
    Missing {
        path: PathBuf,
        error: String,
    },
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::File(path) | Source::Missing { path, .. } => path.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    fn parse(self, limits: &Limits) -> (String, Result<Review, ParseError>) {
        let name = self.name();
        let parsed = match self {
            Source::File(path) => match read_bounded(&path, limits.max_file_bytes) {
                Ok(bytes) => Review::parse_bytes_with(&bytes, limits),
                Err(err) => Err(ParseError {
                    line: None,
                    message: format!("cannot read the file: {err}"),
                }),
            },
            Source::Bytes { bytes, .. } => Review::parse_bytes_with(&bytes, limits),
            Source::Missing { error, .. } => Err(ParseError {
                line: None,
                message: error,
            }),
        };
        (name, parsed)
    }
}

/// Reads a file, but no more than one byte past `max`: a file larger than the limit is not
/// read into memory only to be refused (the parser reports its size).
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let expected = file.metadata().map(|m| m.len()).unwrap_or(0).min(max + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Expands the command line's paths: a directory gives its `*.txt` files, recursively and in
/// name order; a file is taken whatever its name; a path that does not exist is a failure.
pub fn collect_sources(paths: &[PathBuf]) -> Vec<Source> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_txt(e.path()) => {
                        sources.push(Source::File(e.into_path()))
                    }
                    Ok(_) => {}
                    Err(err) => sources.push(Source::Missing {
                        path: err.path().unwrap_or(path).to_path_buf(),
                        error: format!("cannot list: {err}"),
                    }),
                }
            }
        } else if path.exists() {
            sources.push(Source::File(path.clone()));
        } else {
            sources.push(Source::Missing {
                path: path.clone(),
                error: "no such file or directory".into(),
            });
        }
    }
    sources
}

/// Whether a path names a review file (`*.txt`, any case).
pub fn is_txt(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// A failed file, as `import --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub path: String,
    pub line: Option<usize>,
    pub error: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub counts: ImportCounts,
    pub failed: Vec<Failure>,
    /// Ids of the reviews that are new to the archive.
    pub added_ids: Vec<i64>,
}

impl ImportReport {
    /// `{"added":N,"updated":N,"unchanged":N,"failed":[{"path","line","error"}…]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "added": self.counts.added,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "failed": self.failed,
        })
    }
}

/// [`import_sources_with`] within the default [`Limits`].
pub async fn import_sources(
    store: &Store,
    sources: Vec<Source>,
    on_file: impl FnMut(&FileOutcome),
) -> anyhow::Result<ImportReport> {
    import_sources_with(store, sources, &Limits::default(), on_file).await
}

/// Parses and stores `sources`; a file past one of the `limits` fails alone. `on_file` is
/// called for each file once its transaction has committed (for a progress bar).
///
/// A pipeline: the files are read and parsed on every core (rayon), [`BATCH`] at a time,
/// while the one writer stores the batches before, up to [`FILES_PER_TRANSACTION`] files to
/// a transaction. At most [`BATCHES_IN_FLIGHT`] parsed batches wait for the writer, so
/// memory stays flat however large the archive.
pub async fn import_sources_with(
    store: &Store,
    sources: Vec<Source>,
    limits: &Limits,
    mut on_file: impl FnMut(&FileOutcome),
) -> anyhow::Result<ImportReport> {
    let limits = *limits;
    let mut importer = Importer::start(store).await?;
    let mut report = ImportReport::default();
    let (parsed_tx, mut parsed_rx) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
    // Reading and parsing are blocking work: keep them off the async threads.
    let parsing = tokio::task::spawn_blocking(move || {
        let mut sources = sources.into_iter().peekable();
        while sources.peek().is_some() {
            let chunk: Vec<Source> = sources.by_ref().take(BATCH).collect();
            let parsed: Vec<Parsed> = chunk
                .into_par_iter()
                .map(|source| {
                    let (name, review) = source.parse(&limits);
                    Parsed::new(name, review)
                })
                .collect();
            if parsed_tx.blocking_send(parsed).is_err() {
                // The writer failed and has gone: its error is the one reported.
                return;
            }
        }
    });
    while let Some(batch) = parsed_rx.recv().await {
        let stored = importer
            .store_chunks(batch, &mut parsed_rx, FILES_PER_TRANSACTION)
            .await?;
        for outcome in stored {
            match outcome.outcome {
                Outcome::Failed => report.failed.push(Failure {
                    path: outcome.path.clone(),
                    line: outcome.line,
                    error: outcome.error.clone().unwrap_or_default(),
                }),
                Outcome::Added => report.added_ids.extend(outcome.review_id),
                Outcome::Updated | Outcome::Unchanged => {}
            }
            on_file(&outcome);
        }
    }
    parsing.await.context("parsing the files failed")?;
    report.counts = importer.finish().await?;
    Ok(report)
}
