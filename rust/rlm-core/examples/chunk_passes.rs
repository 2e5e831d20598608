//! Chunk a file N times with one strategy and print a checksum of the spans: a fixed amount of
//! work for an instruction count, which a shared machine's load does not move as it moves time.
//!
//!     cargo build --release -p rlm-core --example chunk_passes
//!     valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!         target/release/examples/chunk_passes benches/data/corpus-64m.txt structural 3
//!
//! (the same with 1 pass; the difference over 2 is one pass without the open). `newlines` counts
//! the file's line breaks instead, what `wc -l` does. Numbers: benches/README.md.

use rlm_core::chunk::{Chunker, Strategy};
use rlm_core::{Context, Errors};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, name, passes] = &args[..] else {
        eprintln!("usage: chunk_passes FILE STRATEGY|newlines PASSES");
        std::process::exit(2);
    };
    let ctx = Context::open(std::path::Path::new(path), Errors::Strict).expect("a UTF-8 file");
    let passes: usize = passes.parse().expect("PASSES is a number");
    let sizes = if name == "lines" {
        (545, 5)
    } else {
        (20_000, 200)
    };
    let mut checksum = 0usize;
    for _ in 0..passes {
        checksum = checksum.wrapping_add(if name == "newlines" {
            memchr::memchr_iter(b'\n', ctx.bytes()).count()
        } else {
            let strategy = Strategy::from_name(name).expect("a strategy name or newlines");
            let mut c = Chunker::new(&ctx, strategy, sizes.0, sizes.1, None).expect("valid sizes");
            std::iter::from_fn(|| c.next_span(&ctx)).fold(0usize, |h, (s, e)| {
                h.wrapping_mul(31).wrapping_add(s * 7 + e)
            })
        });
    }
    println!("{checksum}");
}
