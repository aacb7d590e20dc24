//! `marquee import`: files and directories → parsed reviews → the store, in batches.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use crate::page::{self, Kind};
use crate::review::{Limits, ParseError, Part};
use crate::store::{FileOutcome, ImportCounts, Importer, Outcome, Page, Store};

/// How many files the parsing threads parse together (a batch).
pub const BATCH: usize = 500;
/// Parsed batches that may wait for the writer.
pub const BATCHES_IN_FLIGHT: usize = 2;
/// How many files one transaction stores at most, taking parsed batches as they come.
pub const FILES_PER_TRANSACTION: usize = 4_000;

/// Something to import: a file on disk, bytes already in memory (the sample archive), or a
/// web page's HTML (a feed item).
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Bytes {
        name: String,
        bytes: Vec<u8>,
    },
    /// A feed item or a post of the critic's site: its HTML, recorded under `name` (the
    /// item's key), its reviews published at `url`.
    Html {
        name: String,
        html: String,
        url: Option<String>,
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
            Source::Bytes { name, .. } | Source::Html { name, .. } => name.clone(),
        }
    }

    /// Reads and parses the page: its reviews, or why each part of it is not one.
    fn parse(self, limits: &Limits) -> Page {
        let name = self.name();
        let failed = |message: String| {
            vec![Part {
                line: 1,
                review: Err(ParseError {
                    line: None,
                    message,
                }),
            }]
        };
        let parts = match self {
            Source::File(path) => match read_bounded(&path, limits.max_file_bytes) {
                // A file named on the command line is read as text unless it says otherwise.
                Ok(bytes) => page::read(&bytes, Kind::of(&path).unwrap_or(Kind::Text), limits),
                Err(err) => failed(format!("cannot read the file: {err}")),
            },
            Source::Bytes { bytes, .. } => page::read(&bytes, Kind::Text, limits),
            Source::Html { html, url, .. } => page::read_html(&html, url.as_deref(), limits),
            Source::Missing { error, .. } => failed(error),
        };
        Page::new(name, parts)
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

/// Expands the command line's paths: a directory gives its pages (`*.txt`, `*.htm`, `*.html`),
/// recursively and in name order; a file is taken whatever its name; a path that does not
/// exist is a failure.
pub fn collect_sources(paths: &[PathBuf]) -> Vec<Source> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_page(e.path()) => {
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

/// Whether a path names a page of reviews (`*.txt`, `*.htm`, `*.html`, any case).
pub fn is_page(path: &Path) -> bool {
    Kind::of(path).is_some()
}

/// A failed file, as `import --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub path: String,
    pub line: Option<usize>,
    pub error: String,
}

/// What an import did, review by review (a letter page holds many).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub counts: ImportCounts,
    pub failed: Vec<Failure>,
    /// Ids of the reviews that are new to the archive.
    pub added_ids: Vec<i64>,
}

impl ImportReport {
    /// `{"added":N,"updated":N,"unchanged":N,"retired":N,"failed":[{"path","line","error"}…]}`,
    /// counting reviews.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "added": self.counts.added,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "retired": self.counts.retired,
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

/// Parses and stores `sources`; a file past one of the `limits` fails alone, and so does each
/// broken part of a page. `on_file` is called for each review (or failed part, or review a page
/// no longer holds) once its transaction has committed (for a progress bar and logs); a
/// page's outcomes come one after the other.
///
/// A pipeline: the files are read and parsed on every core (rayon), [`BATCH`] at a time,
/// while the one writer stores the batches before, up to [`FILES_PER_TRANSACTION`] files to
/// a transaction. At most [`BATCHES_IN_FLIGHT`] parsed batches wait for the writer, so
/// memory stays flat however large the archive.
pub async fn import_sources_with(
    store: &Store,
    sources: Vec<Source>,
    limits: &Limits,
    on_file: impl FnMut(&FileOutcome),
) -> anyhow::Result<ImportReport> {
    import(Importer::start(store).await?, sources, limits, on_file).await
}

/// [`import_sources_with`], announcing nothing: for the archive's past (a feed's first poll,
/// a site's backfill), which is not news.
pub async fn import_quietly(
    store: &Store,
    sources: Vec<Source>,
    limits: &Limits,
    on_file: impl FnMut(&FileOutcome),
) -> anyhow::Result<ImportReport> {
    import(
        Importer::start(store).await?.quietly(),
        sources,
        limits,
        on_file,
    )
    .await
}

async fn import(
    mut importer: Importer,
    sources: Vec<Source>,
    limits: &Limits,
    mut on_file: impl FnMut(&FileOutcome),
) -> anyhow::Result<ImportReport> {
    let limits = *limits;
    let mut report = ImportReport::default();
    let (parsed_tx, mut parsed_rx) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
    // Reading and parsing are blocking work: keep them off the async threads.
    let parsing = tokio::task::spawn_blocking(move || {
        let mut sources = sources.into_iter().peekable();
        while sources.peek().is_some() {
            let chunk: Vec<Source> = sources.by_ref().take(BATCH).collect();
            let parsed: Vec<Page> = chunk
                .into_par_iter()
                .map(|source| source.parse(&limits))
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
                Outcome::Updated | Outcome::Unchanged | Outcome::Retired => {}
            }
            on_file(&outcome);
        }
    }
    parsing.await.context("parsing the files failed")?;
    report.counts = importer.finish().await?;
    Ok(report)
}
