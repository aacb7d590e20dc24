//! `cargo bench --bench archive`: the parser, the import, and the title index, measured with
//! criterion. BENCHMARKS.md ("cargo bench") says what each benchmark measures and what it gave.
//!
//! Data, found at start:
//! - the built-in sample (`sample/`, 36 reviews), always;
//! - the 3,200-review corpus in `../shared/corpus/reviews` when it is there, otherwise 3,200
//!   reviews generated here in the critic's layouts (`MARQUEE_BENCH_CORPUS` names another
//!   directory instead);
//! - the directory named by `MARQUEE_BENCH_ARCHIVE` (e.g. a 100k archive from
//!   `gen_corpus.py`), when set; without it the 100k-title benchmarks use 100,000 titles
//!   generated here.
//!
//! Criterion prints means and medians. The per-query p50/p99 of search and autocomplete, and
//! the peak RSS after building an index, are printed by the benchmarks themselves, after the
//! criterion lines of the benchmark they belong to. Nothing here asserts a timing.

mod data;
mod generate;
mod import;
mod parse;
mod queries;
mod rss;
mod titles;

use criterion::Criterion;

fn main() {
    // The RSS measurement runs in a child process of this binary (see `rss`).
    if let Some(code) = rss::run_child_if_asked() {
        std::process::exit(code);
    }
    let mut criterion = Criterion::default().configure_from_args();
    let data = data::Data::load();
    parse::bench(&mut criterion, &data.parse_sets());
    import::bench(&mut criterion, &data.import_sets());
    titles::bench(&mut criterion, &data.title_sets());
    criterion.final_summary();
}
