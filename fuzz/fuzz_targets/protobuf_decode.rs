//! Fuzz target: arbitrary protobuf request bodies through the API server's protobuf decoder
//! (as a Deployment, a Pod, a Secret and a DELETE's DeleteOptions) must decode or be refused
//! with an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubestep::apiserver::decode::protobuf::fuzz(data);
});
