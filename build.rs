//! Embeds the sample archive (`sample/*.txt`) so a fresh clone answers lookups at once.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=sample");
    // `sqlx::migrate!` embeds the migrations: a new one must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations-postgres");
    // The PostgreSQL tests run when MARQUEE_TEST_POSTGRES names a server to make their
    // databases on; without it they are ignored, saying how to run them.
    println!("cargo:rustc-check-cfg=cfg(marquee_pg)");
    println!("cargo:rerun-if-env-changed=MARQUEE_TEST_POSTGRES");
    if std::env::var_os("MARQUEE_TEST_POSTGRES").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=marquee_pg");
    }
    index_format();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("&[\n");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?}) as &[u8]),",
            path.display()
        );
    }
    code.push_str("]\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("sample_files.rs");
    if let Err(err) = std::fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
}

/// A fingerprint of the code a persisted title index is made by (the search module and the
/// grades), as `MARQUEE_INDEX_FORMAT`: an index saved by a build whose search code differs
/// is rebuilt, never decoded with the wrong layout or the wrong normalisation.
fn index_format() {
    use std::hash::{Hash, Hasher};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("src/search"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.push(root.join("src/review/grade.rs"));
    files.sort();
    // `DefaultHasher::new` has fixed keys: the same sources (and compiler) give the same
    // fingerprint on every machine.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.file_name().hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rerun-if-changed=src/search");
    println!(
        "cargo:rustc-env=MARQUEE_INDEX_FORMAT={}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        hasher.finish()
    );
}
