//! Replays the fuzz corpus kept in the repository (`fuzz/seeds/`, `fuzz/regressions/`): every
//! input goes through `Review::parse_bytes` (and, when it is UTF-8, `Review::parse`), which
//! must not panic, and what parses must satisfy the fuzz targets' invariants
//! ([`invariants`], the same file the fuzz targets include). See `fuzz/README.md`.
//!
//! No timing assertion (the machine is noisy), but the slowest input is printed.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marquee::review::Review;

mod invariants;

/// The inputs in `dir`, sorted (dot files left out).
fn inputs_in(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter(|path| {
            !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[test]
fn every_kept_fuzz_input_parses_without_panicking_and_keeps_the_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failures = Vec::new();
    let mut slowest: Option<(Duration, PathBuf)> = None;
    let mut replayed = 0usize;
    for dir in ["seeds", "regressions"] {
        let files = inputs_in(&root.join(dir));
        assert!(
            !files.is_empty(),
            "fuzz/{dir}/ holds no inputs: the replay would pass vacuously"
        );
        for path in files {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let start = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                invariants::check_bytes(&bytes, &Review::parse_bytes(&bytes));
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    invariants::check_text(text, &Review::parse(text));
                }
            }));
            let took = start.elapsed();
            replayed += 1;
            let slower = match &slowest {
                Some((most, _)) => took > *most,
                None => true,
            };
            if slower {
                slowest = Some((took, path.clone()));
            }
            if let Err(panic) = outcome {
                failures.push(format!("{}: {}", path.display(), panic_message(&*panic)));
            }
        }
    }
    if let Some((took, path)) = &slowest {
        eprintln!(
            "replayed {replayed} fuzz inputs; the slowest was {} ({took:?})",
            path.display()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} fuzz inputs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
