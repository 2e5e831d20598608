//! Criterion benches of rlm-core on the stdlib corpus that `benches/corpus.py` builds.
//!
//! `python benches/corpus.py --size 64M` first (or set `RLM_BENCH_CORPUS` to any UTF-8 file), then
//! `cargo bench -p rlm-core`. Without a corpus the benches run on a small synthetic text, so
//! `cargo bench` never fails on a fresh clone.

use std::hint::black_box;

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rlm_core::regex::{Pattern, IGNORECASE, MULTILINE};
use rlm_core::{Context, Errors};

fn benches(c: &mut Criterion) {
    let path = common::corpus();
    let ctx = Context::open(&path, Errors::Strict).expect("the corpus is UTF-8");
    let mut g = c.benchmark_group("context");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(ctx.byte_len() as u64));

    g.bench_function("open (validate + index)", |b| {
        b.iter(|| black_box(Context::open(&path, Errors::Strict).unwrap().char_len()))
    });
    g.bench_function("count literal", |b| {
        b.iter(|| black_box(ctx.count("import ", None, None)))
    });
    g.bench_function("find_all literal (char offsets)", |b| {
        b.iter(|| black_box(ctx.find_all("import ", None, None, None).len()))
    });
    let re = Pattern::new(r"def \w+\(self", 0, false).unwrap();
    g.bench_function("regex count", |b| {
        b.iter(|| black_box(ctx.regex_count(&re, None, None)))
    });
    g.bench_function("regex spans", |b| {
        b.iter(|| black_box(ctx.regex_spans(&re, None, None, None).len()))
    });
    let grep = Pattern::new("import ", MULTILINE, true).unwrap();
    g.bench_function("grep (lines + numbers)", |b| {
        b.iter(|| black_box(ctx.grep(&grep, None).len()))
    });
    // Ranked search beside grep of the same words (the word count is cached by the first call).
    let _ = ctx.rank("warm", 1, 1);
    g.bench_function("rank BM25 (3 rare words, k=10)", |b| {
        b.iter(|| black_box(ctx.rank("decimal rounding context", 10, 1).len()))
    });
    g.bench_function("rank BM25 (3 common words, k=10)", |b| {
        b.iter(|| black_box(ctx.rank("return value self", 10, 1).len()))
    });
    let words = Pattern::new(
        r"\b(?:decimal|rounding|context)\b",
        MULTILINE | IGNORECASE,
        true,
    )
    .unwrap();
    g.bench_function("grep -c the same 3 rare words", |b| {
        b.iter(|| black_box(ctx.grep_count(&words)))
    });
    g.bench_function("char offset lookups x1000", |b| {
        let n = ctx.char_len();
        b.iter(|| {
            (0..1000)
                .map(|i| ctx.byte_of_char(i * 7919 % n))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(context, benches);
criterion_main!(context);
