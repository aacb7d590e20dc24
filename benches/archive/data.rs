//! The review sets the benchmarks run on: the sample, the corpus (or reviews generated in its
//! place), and the archive named by `MARQUEE_BENCH_ARCHIVE`.

use std::path::{Path, PathBuf};

use marquee::import::{collect_sources, Source};
use marquee::review::Review;
use marquee::search::IndexEntry;
use rayon::prelude::*;

use crate::generate;
use crate::titles::TitleSet;

/// Names the corpus's directory instead of `../shared/corpus/reviews` (a directory that does
/// not exist benchmarks generated reviews in its place).
pub const CORPUS_ENV: &str = "MARQUEE_BENCH_CORPUS";
/// Names a directory of review files (a generated 100k archive) to benchmark as well.
pub const ARCHIVE_ENV: &str = "MARQUEE_BENCH_ARCHIVE";
/// How many reviews stand in for the corpus when `../shared` is not there.
const CORPUS_SIZE: usize = 3_200;
/// How many titles stand in for the archive's in the title benchmarks when it is not given.
const GENERATED_TITLES: usize = 100_000;
const SEED: u64 = 0x6d61_7271_7565_6521;

/// One review file, in memory; `path` is set when it was read from disk.
pub struct ReviewFile {
    pub name: String,
    pub path: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

/// A set of review files and the label its benchmarks carry (`corpus-3.2k`).
pub struct Reviews {
    pub label: String,
    pub files: Vec<ReviewFile>,
}

impl Reviews {
    fn new(kind: &str, files: Vec<ReviewFile>) -> Reviews {
        Reviews {
            label: label(kind, files.len()),
            files,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes.len() as u64).sum()
    }

    /// What `marquee import` would be given: the files on disk, or the bytes of those that
    /// were made in memory.
    pub fn sources(&self) -> Vec<Source> {
        self.files
            .iter()
            .map(|file| match &file.path {
                Some(path) => Source::File(path.clone()),
                None => Source::Bytes {
                    name: file.name.clone(),
                    bytes: file.bytes.clone(),
                },
            })
            .collect()
    }

    /// The title index's entries for the reviews that parse, numbered from 1 like rows.
    pub fn entries(&self) -> Vec<IndexEntry> {
        let parsed: Vec<Option<Review>> = self
            .files
            .par_iter()
            .map(|file| Review::parse_bytes(&file.bytes).ok())
            .collect();
        parsed
            .into_iter()
            .flatten()
            .zip(1..)
            .map(|(review, id)| IndexEntry {
                id,
                year: review.year(),
                title: review.title,
                alt_titles: review.alt_titles,
                grade: review.grade,
            })
            .collect()
    }
}

pub struct Data {
    sample: Reviews,
    corpus: Reviews,
    archive: Option<Reviews>,
}

impl Data {
    pub fn load() -> Data {
        let sample = Reviews::new(
            "sample",
            marquee::sample::FILES
                .iter()
                .map(|(name, bytes)| ReviewFile {
                    name: format!("sample/{name}"),
                    path: None,
                    bytes: bytes.to_vec(),
                })
                .collect(),
        );
        let corpus_dir = std::env::var_os(CORPUS_ENV).map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reviews"),
            PathBuf::from,
        );
        let corpus = match read_reviews(&corpus_dir) {
            Some(files) if !files.is_empty() => Reviews::new("corpus", files),
            _ => {
                eprintln!(
                    "note: no corpus at {}: benchmarking {CORPUS_SIZE} reviews generated in the \
                     critic's layouts instead",
                    corpus_dir.display()
                );
                Reviews::new("generated", generated_reviews(CORPUS_SIZE))
            }
        };
        let archive = std::env::var_os(ARCHIVE_ENV).and_then(|dir| {
            let dir = PathBuf::from(dir);
            match read_reviews(&dir) {
                Some(files) if !files.is_empty() => Some(Reviews::new("archive", files)),
                _ => {
                    eprintln!(
                        "warning: {ARCHIVE_ENV}={} is not a directory of review files; skipped",
                        dir.display()
                    );
                    None
                }
            }
        });
        Data {
            sample,
            corpus,
            archive,
        }
    }

    /// Parsing: every set.
    pub fn parse_sets(&self) -> Vec<&Reviews> {
        let mut sets = vec![&self.sample, &self.corpus];
        sets.extend(&self.archive);
        sets
    }

    /// Importing: the corpus and the archive (the sample is too small to time an import by).
    pub fn import_sets(&self) -> Vec<&Reviews> {
        let mut sets = vec![&self.corpus];
        sets.extend(&self.archive);
        sets
    }

    /// The title index: the corpus's titles, and the archive's or 100k generated ones.
    pub fn title_sets(&self) -> Vec<TitleSet> {
        let corpus = TitleSet {
            label: self.corpus.label.clone(),
            entries: self.corpus.entries(),
        };
        let large = match &self.archive {
            Some(archive) => TitleSet {
                label: archive.label.clone(),
                entries: archive.entries(),
            },
            None => TitleSet {
                label: label("generated", GENERATED_TITLES),
                entries: generate::entries(GENERATED_TITLES, SEED),
            },
        };
        vec![corpus, large]
    }
}

/// The reviews generated in the critic's layouts; says so when one does not parse (the
/// generator, not the parser, would be at fault).
fn generated_reviews(count: usize) -> Vec<ReviewFile> {
    let files: Vec<ReviewFile> = generate::reviews(count, SEED)
        .into_iter()
        .enumerate()
        .map(|(i, text)| ReviewFile {
            name: format!("generated/{i:05}.txt"),
            path: None,
            bytes: text.into_bytes(),
        })
        .collect();
    let failed = files
        .iter()
        .filter(|f| Review::parse_bytes(&f.bytes).is_err())
        .count();
    if failed > 0 {
        eprintln!("warning: {failed} of {count} generated reviews do not parse");
    }
    files
}

/// Every `*.txt` under `dir`, as `marquee import` lists them; `None` if `dir` is no directory.
fn read_reviews(dir: &Path) -> Option<Vec<ReviewFile>> {
    if !dir.is_dir() {
        return None;
    }
    let paths: Vec<PathBuf> = collect_sources(&[dir.to_path_buf()])
        .into_iter()
        .filter_map(|source| match source {
            Source::File(path) => Some(path),
            _ => None,
        })
        .collect();
    let read: Vec<Option<ReviewFile>> = paths
        .into_par_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            Some(ReviewFile {
                name: path.display().to_string(),
                path: Some(path),
                bytes,
            })
        })
        .collect();
    let listed = read.len();
    let files: Vec<ReviewFile> = read.into_iter().flatten().collect();
    if files.len() < listed {
        eprintln!(
            "warning: {} of {listed} files in {} could not be read",
            listed - files.len(),
            dir.display()
        );
    }
    Some(files)
}

/// `corpus-3.2k`, `archive-100k`, `sample-36`.
pub fn label(kind: &str, count: usize) -> String {
    let count = match count {
        n if n >= 1000 && n % 1000 == 0 => format!("{}k", n / 1000),
        n if n >= 1000 => format!("{:.1}k", n as f64 / 1000.0),
        n => n.to_string(),
    };
    format!("{kind}-{count}")
}
