//! kubectl's YAML handling: go-yaml v2's error texts and line numbers, YAML 1.1 scalars as
//! sigs.k8s.io/yaml converts them, duplicate keys, and `---` document splitting.

use kubestep::apiserver::decode::{
    is_empty_document, split_documents, yaml_to_json, yaml_to_json_strict,
};
use serde_json::json;

/// Each text is what kubectl v1.33.1 printed after `error converting YAML to JSON: ` for the
/// document.
#[test]
fn syntax_errors_have_go_yaml_texts_and_lines() {
    let table: &[(&str, &str)] = &[
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: a: b\n", "yaml: line 5: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n   foo: bar\n", "yaml: line 5: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\n  foo: bar\n", "yaml: line 4: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n   image: x\n", "yaml: line 7: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n", "yaml: line 4: found character that cannot start any token"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  \"a\n", "yaml: line 6: found unexpected end of stream"),
        ("apiVersion: v1\nkind: Pod\nmetadata\n  name: p\n", "yaml: line 4: could not find expected ':'"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p\n", "yaml: line 3: did not find expected ',' or '}'"),
        ("apiVersion: v1\nkind: Pod\nmetadata: [a, b\n", "yaml: line 3: did not find expected ',' or ']'"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: @p\n", "yaml: line 4: found character that cannot start any token"),
        ("apiVersion: v1\nkind: `Pod\n", "yaml: line 2: found character that cannot start any token"),
        ("apiVersion: v1\nkind: *x\n", "yaml: unknown anchor 'x' referenced"),
        ("apiVersion: v1\nkind: Pod\x01\n", "yaml: control characters are not allowed"),
        ("apiVersion: v1\nkind: \"Pod\n", "yaml: line 3: found unexpected end of stream"),
        ("apiVersion: v1\nkind: \"P\\qod\"\n", "yaml: line 2: found unknown escape character"),
        ("a: b: c\n", "yaml: mapping values are not allowed in this context"),
        ("apiVersion: v1\n kind: Pod\n", "yaml: line 2: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: b\n  - name: c\n   image: d\n", "yaml: line 7: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n  - image: b\n    - x\n", "yaml: line 6: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n- a\n", "yaml: line 4: did not find expected key"),
        ("apiVersion: v1\nkind:Pod\n", "yaml: line 3: could not find expected ':'"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\"x\n", "yaml: line 3: did not find expected key"),
        ("a: &x [1, *x]\n", "yaml: anchor 'x' value contains itself"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: }\nspec: [}\n", "yaml: line 3: did not find expected node content"),
        ("apiVersion: v1\nkind: Pod\nmetadata: {a: 1, b}\nx: ]\n", "yaml: line 3: did not find expected node content"),
        ("apiVersion: v1\nkind: Pod\ndata: |\n  ok\n bad\n", "yaml: line 4: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %p\n", "yaml: line 4: found character that cannot start any token"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    a: 1\n      b: 2\n", "yaml: line 6: mapping values are not allowed in this context"),        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n     image: x\n", "yaml: line 6: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: 'Pod\n", "yaml: line 3: found unexpected end of stream"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n    x: y\n", "yaml: line 5: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    command: *\n", "yaml: line 6: did not find expected alphabetic or numeric character"),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n  image: x\n   - name: d\n", "yaml: line 7: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: \"unterminated\n    b: c\n", "yaml: line 8: found unexpected end of stream"),
        ("apiVersion: v1\nkind: Pod\nmetadata: [\n", "yaml: line 3: did not find expected node content"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n\ttab: x\n", "yaml: line 5: found a tab character that violates indentation"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: |\n  bad\n", "yaml: line 6: could not find expected ':'"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: >\n    ok\n   less\n", "yaml: line 5: did not find expected key"),
        ("apiVersion: v1\nkind: Pod\n  metadata:\n", "yaml: line 3: mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    app: web\n   tier: x\n", "yaml: line 6: did not find expected key"),
        ("- a\n- b: c\n  d\n", "yaml: line 4: could not find expected ':'"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a, b]]\n", "yaml: line 3: did not find expected key"),
        ("key: value\nkey2 value2\nkey3: value3\n", "yaml: line 3: could not find expected ':'"),
        ("a: b\n\n\n\nc: d: e\n", "yaml: line 5: mapping values are not allowed in this context"),
        ("a:\n  - b\n  -c\n  - d: e\n    f\n", "yaml: line 4: could not find expected ':'"),
        ("a: \"b\" c\n", "yaml: did not find expected key"),
        ("a: [b, c]d\n", "yaml: did not find expected key"),
        ("a: {b: c}d\n", "yaml: did not find expected key"),
        ("- - - a\n  - b\n - c\n", "yaml: line 2: did not find expected '-' indicator"),
        ("a: b\n- c\n", "yaml: line 1: did not find expected key"),
        ("a: 'it''s'\nb: 'x\n", "yaml: line 3: found unexpected end of stream"),
        ("a: b\n  # comment\n  c: d\n", "yaml: line 2: did not find expected key"),
        ("a:\n\t- b\n", "yaml: line 2: found character that cannot start any token"),
        ("a: &x\n  b: c\nd: *y\n", "yaml: unknown anchor 'y' referenced"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  k2: [a, b\n  k3: c\n",
            "yaml: line 7: did not find expected ',' or ']'",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: {a: 1\n  k2: b\n",
            "yaml: line 6: did not find expected ',' or '}'",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n data:\n  k: v\n",
            "yaml: line 4: did not find expected key",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    line1\n    line2\n  j: \"unterminated\n",
            "yaml: line 10: found unexpected end of stream",
        ),
    ];
    for (yaml, expected) in table {
        let err = yaml_to_json(yaml).unwrap_err();
        assert_eq!(err.to_string(), *expected, "{yaml}");
    }
}

/// Conversions as kubectl v1.33.1 showed them (`kubectl label --local -o json`).
#[test]
fn scalars_resolve_as_yaml_1_1() {
    let yaml = "a: yes\nb: no\nc: on\nd: off\ne: y\nf: ~\ng: 017\nh: 0x1F\ni: 1_000\nj: 1.0\nk: 1e3\nl: .5\n\
                m: 2024-01-02\nn: 08\no: +12\np: -0\nq: 12345678901234567890\ns: 0o17\nt: 0b101\nu: \"yes\"\n\
                v: !!str 5\nw: 1.25e-3\nz: 1e21\naa: 0.0000001\nab: !!float 3\n\
                ac: |\n  multi\n  line\nad: >-\n  folded\n  text\n1.5: float key\ntrue: bool key\n2: int key\n\
                base: &b {k1: v1, k2: v2}\nmerged:\n  <<: *b\n  k2: override\n";
    let v = yaml_to_json(yaml).unwrap();
    let expected = json!({
        "1.5": "float key", "2": "int key", "a": true, "aa": 1e-07, "ab": 3, "ac": "multi\nline\n",
        "ad": "folded text", "b": false, "base": {"k1": "v1", "k2": "v2"}, "c": true, "d": false,
        "e": true, "f": null, "false": 8, "g": 15, "h": 31, "i": 1000, "j": 1, "k": 1000, "l": 0.5,
        "m": "2024-01-02", "merged": {"k1": "v1", "k2": "override"}, "o": 12, "p": 0,
        "q": 12345678901234567890u64, "s": 15, "t": 5, "true": "bool key", "u": "yes", "v": "5",
        "w": 0.00125, "z": 1e21
    });
    assert_eq!(v, expected);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "json.Marshal sorts map keys");
}

/// More documents kubectl v1.33.1 accepted, with what it made of them.
#[test]
fn accepted_documents_convert_as_kubectl_did() {
    let table: &[(&str, serde_json::Value)] = &[
        (
            "a: b # comment\nn: \"a: b\"\nx: a:b\n",
            // `n` is a YAML 1.1 boolean, and so becomes the key "false".
            json!({"a": "b", "false": "a: b", "x": "a:b"}),
        ),
        (
            "name: this is\n  a multi line\n",
            json!({"name": "this is a multi line"}),
        ),
        ("? complex\n: value\n", json!({"complex": "value"})),
        (
            "labels: {a: b, c}\n",
            json!({"labels": {"a": "b", "c": null}}),
        ),
        ("name: !foo p\n", json!({"name": "p"})),
        (
            "spec: {containers: [{name: c, image: \"x\"}]}\n",
            json!({"spec": {"containers": [{"image": "x", "name": "c"}]}}),
        ),
        ("name: \"a\\x41\\u00e9\"\n", json!({"name": "aAé"})),
        (
            "&anchor name: p\nother: *anchor\n",
            json!({"name": "p", "other": "name"}),
        ),
        ("a: |2\n   x\n  y\n", json!({"a": " x\ny\n"})),
        (
            "\u{feff}apiVersion: v1\r\nkind: Pod\r\n",
            json!({"apiVersion": "v1", "kind": "Pod"}),
        ),
        ("-name: c\n", json!({"-name": "c"})),
        ("name:\tp\n", json!({"name": "p"})),
    ];
    for (yaml, expected) in table {
        assert_eq!(&yaml_to_json(yaml).unwrap(), expected, "{yaml}");
    }
}

#[test]
fn conversion_errors_have_kubectl_texts() {
    let table: &[(&str, &str)] = &[
        ("x: .inf\n", "json: unsupported value: +Inf"),
        ("x: -.inf\n", "json: unsupported value: -Inf"),
        (
            "~: a\n",
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"a\"",
        ),
        (
            "x: !!int abc\n",
            "yaml: cannot decode !!str `abc` as a !!int",
        ),
        (
            "x: !!binary \"!!\"\n",
            "yaml: !!binary value contains invalid base64 data",
        ),
        (
            "<<: 5\n",
            "yaml: map merge requires map or sequence of maps as the value",
        ),
    ];
    for (yaml, expected) in table {
        assert_eq!(
            yaml_to_json(yaml).unwrap_err().to_string(),
            *expected,
            "{yaml}"
        );
    }
}

/// Duplicate keys as sigs.k8s.io/yaml 1.3 over go-yaml 2.4 (`YAMLToJSONStrict`) reports them.
#[test]
fn duplicate_keys_keep_the_later_value_and_are_reported_at_the_value_line() {
    let table: &[(&str, serde_json::Value, &[&str])] = &[
        (
            "a: 1\nb:\n  x: 1\na:\n  y: 2\n",
            json!({"a": {"true": 2}, "b": {"x": 1}}),
            &["line 5: key \"a\" already set in map"],
        ),
        (
            "a: 1\na: 2\na: 3\nb: {c: 1, c: 2}\n",
            json!({"a": 3, "b": {"c": 2}}),
            &[
                "line 2: key \"a\" already set in map",
                "line 3: key \"a\" already set in map",
                "line 4: key \"c\" already set in map",
            ],
        ),
        (
            "a:\n  - 1\na: x\n1: a\n1: b\ntrue: c\ny: d\n",
            json!({"1": "b", "a": "x", "true": "d"}),
            &[
                "line 3: key \"a\" already set in map",
                "line 5: key 1 already set in map",
                "line 7: key true already set in map",
            ],
        ),
        (
            "a: 1\na:\n",
            json!({"a": null}),
            &["line 2: key \"a\" already set in map"],
        ),
        (
            "a: 1\na: |\n  text\n",
            json!({"a": "text\n"}),
            &["line 2: key \"a\" already set in map"],
        ),
    ];
    for (yaml, value, dups) in table {
        let (v, d) = yaml_to_json_strict(yaml).unwrap();
        assert_eq!(&v, value, "{yaml}");
        assert_eq!(d, *dups, "{yaml}");
        assert_eq!(&yaml_to_json(yaml).unwrap(), value);
    }
}

#[test]
fn alias_bombs_and_self_references_are_refused() {
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        yaml.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    assert_eq!(
        yaml_to_json(&yaml).unwrap_err().to_string(),
        "yaml: document contains excessive aliasing"
    );
    assert_eq!(
        yaml_to_json("a: &x [1, *x]\n").unwrap_err().to_string(),
        "yaml: anchor 'x' value contains itself"
    );
}

#[test]
fn only_the_first_document_is_converted() {
    assert_eq!(yaml_to_json("a: 1\n---\nb: [\n").unwrap(), json!({"a": 1}));
    assert_eq!(yaml_to_json("").unwrap(), json!(null));
    assert_eq!(yaml_to_json("# only a comment\n").unwrap(), json!(null));
}

#[test]
fn streams_split_at_separator_lines_with_each_documents_first_line() {
    let stream =
        "apiVersion: v1\nkind: ConfigMap\n---\n# second\nkind: Pod\n--- # third\nx: y: z\n---\n";
    let docs = split_documents(stream).unwrap();
    let starts: Vec<usize> = docs.iter().map(|d| d.start_line).collect();
    assert_eq!(starts, [1, 4, 7]);
    assert_eq!(docs[1].text, "# second\nkind: Pod\n");
    // go-yaml counts lines within the document: stream line 7 is the third document's line 1
    // (and go-yaml names no line for an error on a document's first line).
    let err = yaml_to_json(&docs[2].text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "yaml: mapping values are not allowed in this context"
    );
    assert_eq!(err.line(), None);
    let docs = split_documents("a: 1\n---\nb: 2\nc:\n  d: e\n   f: g\n").unwrap();
    let err = yaml_to_json(&docs[1].text).unwrap_err();
    assert_eq!(err.line(), Some(4));
    assert_eq!(docs[1].stream_line(4), 6);
    assert!(!is_empty_document(&docs[1].text));
    assert!(is_empty_document("# c\n\n  \n"));
    assert_eq!(
        split_documents("a: 1\n---x\nb: 2\n").unwrap_err(),
        "invalid Yaml document separator: x"
    );
}
