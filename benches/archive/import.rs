//! `import/<set>`: what `marquee import DIR` does, in reviews per second. Each iteration opens
//! a fresh SQLite database in a new temporary directory (migrations applied), imports the set
//! (files read from disk when the set came from disk, parsed on every core, stored by the one
//! writer), builds and saves the title index as `marquee import` does at its end, and closes
//! the database. Creating the directory, and removing it and the index, are not timed.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use marquee::archive::{Archive, Origin};
use marquee::import::{import_sources, Source};
use marquee::store::Store;

use crate::data::Reviews;

/// Above this many reviews, one import is one sample and there is no warm-up beyond one run.
const LARGE: usize = 20_000;

pub fn bench(criterion: &mut Criterion, sets: &[&Reviews]) {
    // As the command line runs `import`.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("import benchmarks skipped: cannot start a runtime: {err}");
            return;
        }
    };
    let mut group = criterion.benchmark_group("import");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for set in sets {
        let reviews = set.files.len();
        group.throughput(Throughput::Elements(reviews as u64));
        if reviews > LARGE {
            // About 30 s an import at 100k: ten samples of one import each, and criterion's
            // note that it could not fit them in the target time.
            group
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_secs(60));
        } else {
            group
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(20));
        }
        let mut failed = None;
        group.bench_function(BenchmarkId::from_parameter(&set.label), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let sources = set.sources();
                    match runtime.block_on(import_once(sources)) {
                        Ok((took, failures)) => {
                            total += took;
                            failed = Some(failures);
                        }
                        Err(err) => panic!("import/{}: {err:#}", set.label),
                    }
                }
                total
            })
        });
        if let Some(failed) = failed.filter(|&n| n > 0) {
            println!(
                "import/{}: {failed} of {reviews} files failed to import",
                set.label
            );
        }
    }
    group.finish();
}

/// One import into a new database; how long it took and how many files failed.
async fn import_once(sources: Vec<Source>) -> anyhow::Result<(Duration, usize)> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let started = Instant::now();
    let store = Store::open(&url, true).await?;
    let report = import_sources(&store, sources, |_| {}).await?;
    let archive = Archive::new(store.clone(), Origin::Database).await?;
    let index = archive.index().await?;
    store.close().await;
    let took = started.elapsed();
    drop((index, archive));
    Ok((took, report.failed.len()))
}
