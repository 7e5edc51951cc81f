//! No input makes decoding panic or hang: random bytes, random JSON/YAML-like text, deep
//! nesting and huge bodies all get an answer.

use kubestep::apiserver::decode::{
    decode, split_documents, yaml_to_json, ContentType, FieldValidation, Gvk,
};
use proptest::prelude::*;

fn all_ways(body: &[u8]) {
    let gvk = Gvk::new("", "v1", "Pod");
    for ct in [ContentType::Json, ContentType::Yaml] {
        for v in [
            FieldValidation::Strict,
            FieldValidation::Warn,
            FieldValidation::Ignore,
        ] {
            if let Err(e) = decode(body, ct, &gvk, v) {
                let _ = e.status_message("Pod", body);
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    if let Ok(docs) = split_documents(&text) {
        for d in docs {
            let _ = yaml_to_json(&d.text);
        }
    }
}

/// Fragments that steer random text into the decoder's interesting paths.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "'",
    "\n",
    "  ",
    "- ",
    "---\n",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "!!binary ",
    "|\n",
    ">-\n",
    "#",
    "\t",
    "\\u12",
    "\\",
    "apiVersion",
    "kind",
    "Pod",
    "v1",
    "spec",
    "containers",
    "metadata",
    "name",
    "labels",
    "ports",
    "containerPort",
    "resources",
    "limits",
    "cpu",
    "500m",
    "1Gi",
    "true",
    "yes",
    "null",
    "~",
    "0x1F",
    "1e400",
    "-",
    ".inf",
    "1.5",
    "80",
    "creationTimestamp",
    "2024-01-02T03:04:05Z",
    "targetPort",
    "\u{1}",
    "é",
    "\u{feff}",
];

fn pieces() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0..PIECES.len(), 0..80)
        .prop_map(|ix| ix.into_iter().flat_map(|i| PIECES[i].bytes()).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        all_ways(&body);
    }

    #[test]
    fn random_fragments_never_panic(body in pieces()) {
        all_ways(&body);
    }
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let deep = 200_000;
    all_ways("[".repeat(deep).as_bytes());
    all_ways(format!("{}{}", "{\"a\":".repeat(deep), "1").as_bytes());
    all_ways(
        format!(
            "{{\"metadata\":{{\"managedFields\":[{{\"fieldsV1\":{}}}]}}}}",
            "[".repeat(deep)
        )
        .as_bytes(),
    );
    let mut yaml = String::new();
    for i in 0..2_000 {
        yaml.push_str(&" ".repeat(i));
        yaml.push_str("- \n");
    }
    all_ways(yaml.as_bytes());
    all_ways("a: ".repeat(2_000).as_bytes());
    all_ways("[".repeat(deep).as_bytes());
    let gvk = Gvk::new("", "v1", "Pod");
    let err = decode(
        "[".repeat(deep).as_bytes(),
        ContentType::Json,
        &gvk,
        FieldValidation::Strict,
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth"
    );
}

#[test]
fn big_bodies_decode_in_reasonable_time() {
    let item = r#"{"name":"c","image":"nginx","env":[{"name":"A","value":"x"}]},"#;
    let n = 3 * 1024 * 1024 / item.len() - 10;
    let body = format!(
        r#"{{"spec":{{"containers":[{}{{"name":"last"}}]}}}}"#,
        item.repeat(n)
    );
    let gvk = Gvk::new("", "v1", "Pod");
    let d = decode(
        body.as_bytes(),
        ContentType::Json,
        &gvk,
        FieldValidation::Strict,
    )
    .unwrap();
    assert_eq!(
        d.object["spec"]["containers"].as_array().unwrap().len(),
        n + 1
    );
    let yaml = format!(
        "spec:\n  containers:\n{}",
        "  - name: c\n    image: nginx\n".repeat(60_000)
    );
    let d = decode(
        yaml.as_bytes(),
        ContentType::Yaml,
        &gvk,
        FieldValidation::Strict,
    )
    .unwrap();
    assert_eq!(
        d.object["spec"]["containers"].as_array().unwrap().len(),
        60_000
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Quantities of any shape: an answer, never a panic (overflowing digits and exponents).
    #[test]
    fn random_quantities_never_panic(q in "[-+]?[0-9]{0,45}(\\.[0-9]{0,45})?([eEinumkKMGTP]{0,3}[-+]?[0-9]{0,12})?") {
        let body = format!(r#"{{"spec":{{"containers":[{{"name":"c","resources":{{"limits":{{"cpu":"{q}"}}}}}}]}}}}"#);
        let _ = decode(body.as_bytes(), ContentType::Json, &Gvk::new("", "v1", "Pod"), FieldValidation::Strict);
    }
}
