//! What the criterion benches share: the corpus they run on.

use std::path::PathBuf;

/// `RLM_BENCH_CORPUS`, else `benches/data/corpus-64m.txt` (`python benches/corpus.py --size 64M`),
/// else a small synthetic text, so `cargo bench` never fails on a fresh clone.
pub fn corpus() -> PathBuf {
    if let Ok(p) = std::env::var("RLM_BENCH_CORPUS") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/data/corpus-64m.txt");
    if root.exists() {
        return root;
    }
    let synthetic = std::env::temp_dir().join("rlm-core-bench-synthetic.txt");
    if !synthetic.exists() {
        let unit = "import os\nclass Ünïcode:\n    def f(self, x):\r\n        return x  # é€\n";
        std::fs::write(&synthetic, unit.repeat(200_000)).expect("write the synthetic corpus");
    }
    synthetic
}
