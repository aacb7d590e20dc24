//! Peak resident memory after building a title index, measured in a child process of this
//! benchmark binary, so that nothing the benchmarks did before (an import, other indexes)
//! counts. The parent writes the entries to a file; the child reads them, resets its peak
//! (`/proc/self/clear_refs`), builds the index and reports `VmHWM` from `/proc/self/status`.

use std::io::Write as _;
use std::process::Command;

use marquee::search::{IndexEntry, TitleIndex};

/// Set in the child's environment to the file of entries it should index.
const CHILD_ENV: &str = "MARQUEE_BENCH_RSS_ENTRIES";

/// A `Vm…:` line of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// In the child (`CHILD_ENV` set): measures, prints its line and returns the exit code.
pub fn run_child_if_asked() -> Option<i32> {
    let path = std::env::var_os(CHILD_ENV)?;
    let entries: Vec<IndexEntry> = match std::fs::read(&path)
        .map_err(|err| err.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|err| err.to_string()))
    {
        Ok(entries) => entries,
        Err(err) => {
            eprintln!("rss: cannot read the entries: {err}");
            return Some(1);
        }
    };
    let before = status_kib("VmRSS").unwrap_or(0);
    // "5" resets the peak to the current size (Linux 4.0 and later).
    let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let index = TitleIndex::new(entries);
    let peak = status_kib("VmHWM").unwrap_or(0);
    let after = status_kib("VmRSS").unwrap_or(0);
    // The parent reads this line: before, peak and after in KiB, and whether the peak was reset.
    println!("{before} {peak} {after} {}", u8::from(peak_reset));
    // Exiting frees the index at once; dropping it would free it string by string.
    std::mem::forget(index);
    Some(0)
}

/// Builds the index of `entries` in a child process; the line to print, or why not.
pub fn measure(label: &str, entries: &[IndexEntry]) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|err| err.to_string())?;
    let mut file = tempfile::NamedTempFile::new().map_err(|err| err.to_string())?;
    serde_json::to_writer(&mut file, entries).map_err(|err| err.to_string())?;
    file.flush().map_err(|err| err.to_string())?;
    let output = Command::new(exe)
        .env(CHILD_ENV, file.path())
        .output()
        .map_err(|err| err.to_string())?;
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [before, peak, after, reset] = fields[..] else {
        return Err(format!(
            "the child said {:?} {:?}",
            line.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    };
    let mib = |kib: u64| kib as f64 / 1024.0;
    Ok(format!(
        "rss/{label}: peak RSS (VmHWM) after building the index of {} titles: {:.1} MiB; \
         {:.1} MiB with only the titles loaded, {:.1} MiB once built{}",
        entries.len(),
        mib(peak),
        mib(before),
        mib(after),
        if reset == 1 {
            ""
        } else {
            " (peak not reset: it includes reading the titles)"
        }
    ))
}
