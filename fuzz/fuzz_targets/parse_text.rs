//! `Review::parse` on arbitrary UTF-8 text (control characters too, which `parse_bytes`
//! refuses before parsing): it must never panic, never hang, and what it parses must satisfy
//! the invariants (`tests/it/fuzz_regressions/invariants.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marquee::review::Review;

#[allow(dead_code)] // each target uses one of the two checks
#[path = "../../tests/it/fuzz_regressions/invariants.rs"]
mod invariants;

fuzz_target!(|text: &str| {
    let result = Review::parse(text);
    invariants::check_text(text, &result);
});
