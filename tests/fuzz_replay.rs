//! Replays the fuzz corpus (`fuzz/corpus/apiserver_pipeline`) through kube-apiserver's pipeline:
//! every input found by `cargo fuzz run apiserver_pipeline` stays a regression test here.

#[test]
fn every_corpus_input_is_answered_without_a_panic() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/apiserver_pipeline");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the fuzz corpus is in the repository")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "corpus at {} is too small",
        dir.display()
    );
    for f in &files {
        let data = std::fs::read(f).expect("readable corpus file");
        let result = std::panic::catch_unwind(|| kubestep::apiserver::fuzzing::run(&data));
        assert!(result.is_ok(), "corpus input {} panicked", f.display());
    }
}
