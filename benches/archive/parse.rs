//! `parse/<set>`: the layout parser alone (decoding included, no I/O, one thread) over every
//! file of a set held in memory, in bytes per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use marquee::review::Review;

use crate::data::Reviews;

/// Above this many bytes a set is timed in ten passes, not a hundred.
const LARGE: u64 = 20_000_000;

pub fn bench(criterion: &mut Criterion, sets: &[&Reviews]) {
    let mut group = criterion.benchmark_group("parse");
    for set in sets {
        let bytes = set.bytes();
        group.throughput(Throughput::Bytes(bytes));
        group.sampling_mode(SamplingMode::Flat);
        if bytes > LARGE {
            // About 3.5 s a pass at 100k: one pass a sample (criterion notes that it could
            // not fit them in the target time).
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_secs(20));
        } else {
            group
                .sample_size(50)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(10));
        }
        group.bench_function(BenchmarkId::from_parameter(&set.label), |b| {
            b.iter(|| {
                set.files
                    .iter()
                    .filter(|file| Review::parse_bytes(black_box(&file.bytes)).is_ok())
                    .count()
            })
        });
    }
    group.finish();
}
