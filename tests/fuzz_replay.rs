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

#[test]
fn non_object_bodies_and_patches_are_refused_not_panicked() {
    // A YAML scalar as a Pod, and patches that turn the object into a scalar or an array.
    for data in [
        &[0u8, 0, 1, b'5'][..],
        &[0u8, 0, 0, b'[', b']'][..],
        b"\x02\x80\x03[{\"op\":\"replace\",\"path\":\"\",\"value\":5}]",
        b"\x02\x80\x02[1,2]",
        b"\x01\x80\x00\"text\"",
    ] {
        kubestep::apiserver::fuzzing::run(data);
    }
}
