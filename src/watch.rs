//! `serve --watch DIR`: the critic's folder, watched. Every page under it (`*.txt`, `*.htm`,
//! `*.html`: one review, or a letter page of many) is imported
//! at start (a file already stored is `unchanged`, so this is cheap), and then again each time
//! its writes settle: saving a review is enough for it to be stored and, through the outbox and
//! the index refresher, announced and found. A file that goes away retires its review, as
//! `marquee remove` does. The importer is the same as `marquee import`'s, so a film's identity
//! follows its file here too.
//!
//! What a batch of settled changes asks for is decided by [`classify`], a plain function of the
//! paths and what is now at each; [`Watcher::run`] does the I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, DebouncedEventKind, Debouncer};
use tokio::sync::{mpsc, watch};

use crate::import::{collect_sources, import_sources_with, is_page, Source};
use crate::review::Limits;
use crate::store::{FileOutcome, Outcome, Store};

/// Up to this many files stored at once are each logged at `info`; a larger batch (the first
/// scan of a whole archive) is summed up in one line, its files at `debug`.
const LOGGED_FILES: usize = 20;

/// How long a path must be quiet before its change is acted on: an editor's save (a temporary
/// file renamed over the review, or the review truncated and written again) is one change.
pub const SETTLE: Duration = Duration::from_millis(500);

/// Why the folder cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {dir} (serve --watch / archive.watch): it is not a directory")]
    NotADirectory { dir: PathBuf },
    #[error("cannot watch {dir} (serve --watch / archive.watch): {source}")]
    CannotWatch {
        dir: PathBuf,
        #[source]
        source: notify_debouncer_mini::notify::Error,
    },
}

/// What is at a changed path once its writes have settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    File,
    Dir,
    Nothing,
}

impl Found {
    /// Looks (following symbolic links, as the import's walk does).
    pub fn at(path: &Path) -> Found {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Found::Dir,
            Ok(_) => Found::File,
            Err(_) => Found::Nothing,
        }
    }
}

/// What a batch of settled changes asks for, every path as the import records it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Review files (`*.txt`) written: imported.
    pub import: BTreeSet<PathBuf>,
    /// Folders that appeared (made, or moved in): every `*.txt` under them is imported.
    pub rescan: BTreeSet<PathBuf>,
    /// Paths that are gone: the reviews imported from them, or from files under them (a
    /// folder), are retired.
    pub gone: BTreeSet<PathBuf>,
    /// The watched folder itself is gone (deleted, moved or unmounted).
    pub root_gone: bool,
}

/// Sorts settled changes: `changed` holds each path (as recorded: under `root`) with what is
/// at it now. A written file counts only if it is a `*.txt` (an editor's swap, backup or
/// temporary file does not); a path that is gone is retired whatever its name (a review may
/// have been imported from a folder of that name, or from a file named on the command line).
/// Paths outside `root` are ignored.
pub fn classify(root: &Path, changed: impl IntoIterator<Item = (PathBuf, Found)>) -> Changes {
    let mut changes = Changes::default();
    for (path, found) in changed {
        if path == root {
            changes.root_gone |= found != Found::Dir;
            continue;
        }
        if !path.starts_with(root) {
            continue;
        }
        match found {
            Found::File if is_page(&path) => {
                changes.import.insert(path);
            }
            Found::File => {}
            Found::Dir => {
                changes.rescan.insert(path);
            }
            Found::Nothing => {
                changes.gone.insert(path);
            }
        }
    }
    changes
}

/// The path an event names (absolute: the watcher works from the absolute folder) as the
/// import records it: joined onto the folder as it was given, so that `marquee remove` takes
/// the same path as `marquee import DIR` would have recorded. `None` outside the folder.
pub fn recorded(given: &Path, absolute: &Path, event: &Path) -> Option<PathBuf> {
    let rel = event.strip_prefix(absolute).ok()?;
    Some(if rel.as_os_str().is_empty() {
        given.to_path_buf()
    } else {
        given.join(rel)
    })
}

/// The folder, watched: built by [`Watcher::start`] (which fails if it cannot be watched),
/// run as one of `serve`'s supervised tasks.
pub struct Watcher {
    /// As given (`--watch` or `archive.watch`): the prefix of every recorded path.
    dir: PathBuf,
    absolute: PathBuf,
    store: Store,
    limits: Limits,
    events: mpsc::UnboundedReceiver<DebounceEventResult>,
    /// Watching stops when it is dropped.
    _debouncer: Debouncer<RecommendedWatcher>,
    /// Files that failed because their corrected film belongs to another file, with the
    /// error: tried again whenever the archive changes, since that may settle it.
    conflicts: BTreeMap<String, String>,
}

/// What one pass over changes did.
#[derive(Debug, Default)]
struct Applied {
    /// Whether the archive changed (reviews added, updated or retired).
    changed: bool,
}

impl Watcher {
    /// Starts watching `dir` (recursively). Events that arrive before [`Watcher::run`] are
    /// kept, so nothing written between the start and the first scan is missed.
    pub fn start(dir: &Path, store: Store, limits: Limits) -> Result<Watcher, WatchError> {
        if !dir.is_dir() {
            return Err(WatchError::NotADirectory {
                dir: dir.to_path_buf(),
            });
        }
        let cannot = |source| WatchError::CannotWatch {
            dir: dir.to_path_buf(),
            source,
        };
        // As notify makes it: the working directory joined with a relative path.
        let absolute = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|err| cannot(notify_debouncer_mini::notify::Error::io(err)))?
                .join(dir)
        };
        let (tx, events) = mpsc::unbounded_channel();
        let mut debouncer = new_debouncer(SETTLE, move |result: DebounceEventResult| {
            // The receiver has gone only when the app is stopping.
            let _ = tx.send(result);
        })
        .map_err(cannot)?;
        debouncer
            .watcher()
            .watch(&absolute, RecursiveMode::Recursive)
            .map_err(cannot)?;
        Ok(Watcher {
            dir: dir.to_path_buf(),
            absolute,
            store,
            limits,
            events,
            _debouncer: debouncer,
            conflicts: BTreeMap::new(),
        })
    }

    /// The folder as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Imports everything under the folder, then acts on each batch of settled changes until
    /// `shutdown` turns true. Ends with an error when the folder goes away, when watching it
    /// fails, or when the database refuses a write; `serve` then stops, and a restart's first
    /// scan picks up whatever was missed.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        let dir = self.dir.display().to_string();
        tracing::info!(dir, "watching the archive folder");
        let all = Changes {
            rescan: BTreeSet::from([self.dir.clone()]),
            ..Changes::default()
        };
        self.apply(all).await?;
        loop {
            let first = tokio::select! {
                got = self.events.recv() => got,
                stop = shutdown.changed() => {
                    if stop.is_err() || *shutdown.borrow() {
                        return Ok(());
                    }
                    continue;
                }
            };
            let Some(first) = first else {
                anyhow::bail!("the watcher of {dir} stopped");
            };
            // Everything already reported is one batch.
            let mut settled = Vec::new();
            let mut next = Some(first);
            while let Some(result) = next.take() {
                let events =
                    result.with_context(|| format!("watching {dir} (serve --watch) failed"))?;
                settled.extend(
                    events
                        .into_iter()
                        .filter(|e| e.kind == DebouncedEventKind::Any)
                        .filter_map(|e| recorded(&self.dir, &self.absolute, &e.path)),
                );
                next = self.events.try_recv().ok();
            }
            let changes = classify(
                &self.dir,
                settled.into_iter().map(|path| {
                    let found = Found::at(&path);
                    (path, found)
                }),
            );
            // Checked before anything is retired: a folder that is gone (moved away,
            // unmounted) must not take the archive with it.
            if changes.root_gone || !self.dir.is_dir() {
                anyhow::bail!(
                    "the watched folder {dir} (serve --watch / archive.watch) is gone or is no \
                     longer a directory"
                );
            }
            self.apply(changes).await?;
        }
    }

    /// Imports what was written, then retires what is gone (in that order, so that a file
    /// moved within the folder keeps its film: the import moves the film's path to the new
    /// name first), then tries the conflicted files again if the archive changed, and saves
    /// the title index for the refresher.
    async fn apply(&mut self, changes: Changes) -> anyhow::Result<()> {
        let mut files: BTreeSet<PathBuf> = changes.import;
        let dirs: Vec<PathBuf> = changes.rescan.into_iter().collect();
        let mut sources = collect_sources(&dirs);
        sources.retain(|s| match s {
            Source::File(path) => !files.contains(path),
            _ => true,
        });
        sources.extend(std::mem::take(&mut files).into_iter().map(Source::File));
        let mut applied = Applied::default();
        if !sources.is_empty() {
            self.import(sources, false, &mut applied).await?;
        }
        for path in &changes.gone {
            let path = path.display().to_string();
            for (from, title, year) in self.store.remove_imported_under(&path).await? {
                applied.changed = true;
                self.conflicts.remove(&from);
                tracing::info!(file = from, title, year, "retired: its file is gone");
            }
        }
        // A conflict may be settled by the change (the other file renamed, corrected or
        // removed): the conflicted files are tried again while that helps.
        while applied.changed && !self.conflicts.is_empty() {
            let retry: Vec<Source> = self
                .conflicts
                .keys()
                .map(PathBuf::from)
                .filter(|p| p.is_file())
                .map(Source::File)
                .collect();
            let mut again = Applied::default();
            if !retry.is_empty() {
                self.import(retry, true, &mut again).await?;
            }
            if !again.changed {
                break;
            }
        }
        if applied.changed {
            crate::archive::save_title_index(&self.store).await?;
        }
        Ok(())
    }

    /// Imports `sources`, logging each file that was stored or failed. A failure is a
    /// warning with the file, the line and the error; a conflict tried again (`retry`) is
    /// logged again only if it changed.
    async fn import(
        &mut self,
        sources: Vec<Source>,
        retry: bool,
        applied: &mut Applied,
    ) -> anyhow::Result<()> {
        let mut outcomes: Vec<FileOutcome> = Vec::new();
        let report = import_sources_with(&self.store, sources, &self.limits, |o| {
            outcomes.push(o.clone())
        })
        .await
        .with_context(|| format!("cannot import from {}", self.dir.display()))?;
        let each = outcomes.len() <= LOGGED_FILES;
        let counts = report.counts;
        if !each && counts.added + counts.updated + counts.failed > 0 {
            tracing::info!(
                added = counts.added,
                updated = counts.updated,
                unchanged = counts.unchanged,
                failed = counts.failed,
                "imported from {}",
                self.dir.display()
            );
        }
        // A page is in conflict while any of its reviews is.
        let mut conflicted: BTreeMap<String, Option<String>> = BTreeMap::new();
        for o in outcomes {
            let place = match o.line {
                Some(line) => format!("{}:{line}", o.path),
                None => o.path.clone(),
            };
            let film = o.film.clone().unwrap_or_default();
            match o.outcome {
                Outcome::Failed => {
                    let error = o.error.unwrap_or_default();
                    let repeated = retry && self.conflicts.get(&o.path) == Some(&error);
                    if repeated {
                        tracing::debug!(file = place, error, "still in conflict");
                    } else {
                        tracing::warn!(
                            file = place,
                            error,
                            "{place}: {error} (it is read again when it changes)"
                        );
                    }
                    let entry = conflicted.entry(o.path).or_default();
                    if o.conflict_with.is_some() {
                        *entry = Some(error);
                    }
                }
                Outcome::Added | Outcome::Updated | Outcome::Retired => {
                    applied.changed = true;
                    let outcome = o.outcome.as_str();
                    if each {
                        tracing::info!(file = place, film, outcome, "imported");
                    } else {
                        tracing::debug!(file = place, film, outcome, "imported");
                    }
                    conflicted.entry(o.path).or_default();
                }
                Outcome::Unchanged => {
                    conflicted.entry(o.path).or_default();
                }
            }
        }
        for (path, conflict) in conflicted {
            match conflict {
                Some(error) => {
                    self.conflicts.insert(path, error);
                }
                None => {
                    self.conflicts.remove(&path);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn written_reviews_are_imported_and_editor_files_ignored() {
        let changes = classify(
            Path::new("archive"),
            [
                (p("archive/walk.txt"), Found::File),
                (p("archive/sub/Notes.TXT"), Found::File),
                (p("archive/letters/g.htm"), Found::File),
                (p("archive/saved/walk.html"), Found::File),
                (p("archive/walk.txt~"), Found::File),
                (p("archive/.walk.txt.swp"), Found::File),
                (p("archive/4913"), Found::File),
                (p("archive/#walk.txt#"), Found::File),
            ],
        );
        assert_eq!(
            changes.import,
            BTreeSet::from([
                p("archive/walk.txt"),
                p("archive/sub/Notes.TXT"),
                p("archive/letters/g.htm"),
                p("archive/saved/walk.html"),
            ])
        );
        assert!(changes.rescan.is_empty() && changes.gone.is_empty());
        assert!(!changes.root_gone);
    }

    #[test]
    fn a_rename_over_the_review_imports_it_and_forgets_the_temporary_file() {
        // vim: `walk.txt` → `walk.txt~`, new `walk.txt`, `walk.txt~` deleted; an atomic save:
        // `.walk.txt.tmp` written, then renamed over `walk.txt`.
        let changes = classify(
            Path::new("archive"),
            [
                (p("archive/walk.txt"), Found::File),
                (p("archive/walk.txt~"), Found::Nothing),
                (p("archive/.walk.txt.tmp"), Found::Nothing),
            ],
        );
        assert_eq!(changes.import, BTreeSet::from([p("archive/walk.txt")]));
        // Gone paths are retired whatever their name; no review came from these.
        assert_eq!(
            changes.gone,
            BTreeSet::from([p("archive/walk.txt~"), p("archive/.walk.txt.tmp")])
        );
    }

    #[test]
    fn deleted_files_and_folders_are_gone_and_new_folders_rescanned() {
        let changes = classify(
            Path::new("archive"),
            [
                (p("archive/old.txt"), Found::Nothing),
                (p("archive/1970s"), Found::Nothing),
                (p("archive/1980s"), Found::Dir),
            ],
        );
        assert_eq!(
            changes.gone,
            BTreeSet::from([p("archive/old.txt"), p("archive/1970s")])
        );
        assert_eq!(changes.rescan, BTreeSet::from([p("archive/1980s")]));
        assert!(changes.import.is_empty());
    }

    #[test]
    fn the_folder_itself_gone_is_said_and_elsewhere_is_ignored() {
        let changes = classify(
            Path::new("archive/"),
            [
                (p("archive"), Found::Nothing),
                (p("elsewhere/x.txt"), Found::File),
            ],
        );
        assert!(changes.root_gone);
        assert_eq!(
            changes,
            Changes {
                root_gone: true,
                ..Changes::default()
            }
        );
        let still = classify(Path::new("archive"), [(p("archive"), Found::Dir)]);
        assert_eq!(still, Changes::default());
    }

    #[test]
    fn event_paths_are_recorded_under_the_folder_as_given() {
        let abs = Path::new("/home/critic/archive");
        assert_eq!(
            recorded(
                Path::new("archive"),
                abs,
                Path::new("/home/critic/archive/a/b.txt")
            ),
            Some(p("archive/a/b.txt"))
        );
        assert_eq!(
            recorded(
                Path::new("./archive/"),
                abs,
                Path::new("/home/critic/archive/b.txt")
            ),
            Some(p("./archive/b.txt"))
        );
        assert_eq!(recorded(Path::new("archive"), abs, abs), Some(p("archive")));
        assert_eq!(
            recorded(
                Path::new("archive"),
                abs,
                Path::new("/home/critic/other/b.txt")
            ),
            None
        );
    }
}
