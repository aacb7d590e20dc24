//! The sample archive shipped inside the binary: reviews written for marquee in the critic's
//! layouts, so that a fresh clone can answer `lookup` and `random` before any import.

use crate::import::{import_sources, ImportReport, Source};
use crate::store::Store;

/// (file name, bytes) of every sample review.
pub static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));

/// A private in-memory database holding the sample archive. Never touches a file.
pub async fn store() -> anyhow::Result<(Store, ImportReport)> {
    let store = Store::in_memory().await?;
    let sources = FILES.iter().map(|(name, bytes)| Source::Bytes {
        name: format!("sample/{name}"),
        bytes: bytes.to_vec(),
    });
    let report = import_sources(&store, sources.collect(), |_| {}).await?;
    Ok((store, report))
}
