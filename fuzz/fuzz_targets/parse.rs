//! `Review::parse_bytes` on arbitrary bytes: it must never panic, never hang, and what it
//! parses must satisfy the invariants (`tests/it/fuzz_regressions/invariants.rs`, which
//! `cargo test` checks the kept corpus against).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marquee::review::Review;

#[allow(dead_code)] // each target uses one of the two checks
#[path = "../../tests/it/fuzz_regressions/invariants.rs"]
mod invariants;

fuzz_target!(|bytes: &[u8]| {
    let result = Review::parse_bytes(bytes);
    invariants::check_bytes(bytes, &result);
});
