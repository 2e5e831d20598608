//! Criterion benches of the character-window chunkers on the stdlib corpus (`benches/corpus.py`),
//! beside a raw newline count of the same bytes (what `wc -l` does), in the same run.
//!
//! `python benches/corpus.py --size 64M` first (or set `RLM_BENCH_CORPUS` to any UTF-8 file), then
//! `cargo bench -p rlm-core --bench chunk`. Numbers: benches/README.md.

use std::hint::black_box;

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rlm_core::chunk::{Chunker, Strategy};
use rlm_core::{Context, Errors};

fn count_spans(ctx: &Context, strategy: Strategy, size: usize, overlap: usize) -> usize {
    let mut c = Chunker::new(ctx, strategy, size, overlap, None).expect("valid size");
    std::iter::from_fn(|| c.next_span(ctx)).count()
}

fn benches(c: &mut Criterion) {
    let ctx = Context::open(&common::corpus(), Errors::Strict).expect("the corpus is UTF-8");
    let mut g = c.benchmark_group("chunk");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(ctx.byte_len() as u64));
    g.bench_function("newline count (wc -l)", |b| {
        b.iter(|| black_box(memchr::memchr_iter(b'\n', ctx.bytes()).count()))
    });
    // 20,000 characters, 200 overlap; `lines` 545 lines, 5 overlap (as many characters' worth here).
    for (name, strategy, size, overlap) in [
        ("chars", Strategy::Chars, 20_000, 200),
        ("lines", Strategy::Lines, 545, 5),
        ("recursive", Strategy::Recursive, 20_000, 200),
        ("structural", Strategy::Structural, 20_000, 200),
    ] {
        g.bench_function(format!("{name} {size}/{overlap}"), |b| {
            b.iter(|| black_box(count_spans(&ctx, strategy, size, overlap)))
        });
    }
    g.finish();
}

criterion_group!(chunk, benches);
criterion_main!(chunk);
