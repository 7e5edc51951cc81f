//! Fuzz target: arbitrary requests through kube-apiserver's decode → admission → validation →
//! storage pipeline must always be answered, never panic and never be a 500.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubestep::apiserver::fuzzing::run(data);
});
