//! `gen-schema protobuf`: the protobuf message tables of the served kinds
//! (src/apiserver/schema/protobuf.json), from kubectl 1.33 itself: its `generated.proto`
//! descriptors (field numbers and proto types, see descriptor.rs) joined with the Go types they
//! decode into (pointers, `omitempty`, inlined structs, Go field names, see gobinary.rs). One
//! entry per Go struct reachable from a served kind: its fields in Go declaration order (the
//! order encoding/json writes them), each with its protobuf field number and JSON rendering.
//! Every field's number and type is checked against both sources, and every proto field must
//! have its Go field.

use crate::descriptor::{self, ProtoMessage};
use crate::gobinary::{self, tag_get, Binary, GoType};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};

/// Structs with their own protobuf and JSON encodings, kept as leaf codes (the decoder knows
/// their messages: Quantity `string = 1`, IntOrString `type = 1, intVal = 2, strVal = 3`,
/// Time/MicroTime a Timestamp `seconds = 1, nanos = 2`, FieldsV1 `Raw = 1`). The served kinds
/// reach no other such type (metav1.Duration, runtime.RawExtension): the generator stops on
/// one it does not know rather than treat it as a plain struct.
const SPECIAL: &[(&str, &str)] = &[
    ("k8s.io/apimachinery/pkg/api/resource.Quantity", "Q"),
    ("k8s.io/apimachinery/pkg/util/intstr.IntOrString", "IOS"),
    ("k8s.io/apimachinery/pkg/apis/meta/v1.Time", "T"),
    ("k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime", "MT"),
    ("k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1", "F1"),
];

/// The Go package of an API group's v1 types.
fn package(group: &str, version: &str, kind: &str) -> String {
    if matches!(kind, "Status" | "DeleteOptions") {
        return "k8s.io/apimachinery/pkg/apis/meta/v1".into();
    }
    let short = match group {
        "" => "core",
        g => g.split('.').next().unwrap(),
    };
    format!("k8s.io/api/{short}/{version}")
}

/// The proto messages of the SPECIAL types, as the decoder hard-codes them: (proto message,
/// [(field, number, type)]).
const SPECIAL_MESSAGES: &[(&str, &[(&str, u64, u64)])] = &[
    (
        ".k8s.io.apimachinery.pkg.api.resource.Quantity",
        &[("string", 1, descriptor::TYPE_STRING)],
    ),
    (
        ".k8s.io.apimachinery.pkg.util.intstr.IntOrString",
        &[
            ("type", 1, descriptor::TYPE_INT64),
            ("intVal", 2, descriptor::TYPE_INT32),
            ("strVal", 3, descriptor::TYPE_STRING),
        ],
    ),
    (
        ".k8s.io.apimachinery.pkg.apis.meta.v1.Time",
        &[
            ("seconds", 1, descriptor::TYPE_INT64),
            ("nanos", 2, descriptor::TYPE_INT32),
        ],
    ),
    (
        ".k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
        &[
            ("seconds", 1, descriptor::TYPE_INT64),
            ("nanos", 2, descriptor::TYPE_INT32),
        ],
    ),
    (
        ".k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
        &[("Raw", 1, descriptor::TYPE_BYTES)],
    ),
];

/// The proto message name of a Go struct (`.k8s.io.api.apps.v1.Deployment`).
fn proto_name(go_full: &str) -> String {
    format!(".{}", go_full.replace('/', "."))
}

struct Gen<'a> {
    bin: &'a Binary,
    protos: BTreeMap<String, ProtoMessage>,
    structs: BTreeMap<String, u64>,
    index: BTreeMap<u64, usize>,
    order: Vec<u64>,
    queue: VecDeque<u64>,
    notes: Vec<String>,
}

impl Gen<'_> {
    fn ty(&self, addr: u64) -> &GoType {
        &self.bin.types[&addr]
    }

    fn message(&mut self, addr: u64) -> usize {
        if let Some(i) = self.index.get(&addr) {
            return *i;
        }
        let i = self.order.len();
        self.index.insert(addr, i);
        self.order.push(addr);
        self.queue.push_back(addr);
        i
    }

    /// The compact code of a Go type (the grammar of schema.json, plus `D` Duration).
    fn code(&mut self, addr: u64, ctx: &str) -> String {
        let t = self.ty(addr).clone();
        match t.kind {
            gobinary::KIND_STRUCT => {
                let full = t.full_name();
                if let Some((_, c)) = SPECIAL.iter().find(|(n, _)| *n == full) {
                    return c.to_string();
                }
                format!("@{}", self.message(addr))
            }
            gobinary::KIND_SLICE => {
                let elem = t.elem.unwrap();
                if self.ty(elem).kind == gobinary::KIND_UINT8 {
                    return "by".into();
                }
                // A named slice is a message of `repeated items = 1`: the decoder knows
                // ExtraValue (the only one reachable, a map value) by that name.
                assert!(
                    !t.named || t.name == "v1.ExtraValue",
                    "{ctx}: named slice {}",
                    t.name
                );
                format!("[{}", self.code(elem, ctx))
            }
            gobinary::KIND_MAP => {
                assert_eq!(
                    self.ty(t.key.unwrap()).kind,
                    gobinary::KIND_STRING,
                    "{ctx}: map keys are strings"
                );
                format!("{{{}", self.code(t.elem.unwrap(), ctx))
            }
            gobinary::KIND_STRING => "s".into(),
            gobinary::KIND_BOOL => "b".into(),
            gobinary::KIND_INT32 => "i32".into(),
            gobinary::KIND_INT64 | gobinary::KIND_INT => "i64".into(),
            gobinary::KIND_POINTER => panic!("{ctx}: a pointer inside a collection"),
            k => panic!("{ctx}: unexpected Go kind {k} ({})", t.name),
        }
    }

    /// Whether a code matches a proto field's type (its label checked by the caller).
    fn check(&self, code: &str, ty: u64, type_name: &str, ctx: &str) {
        let special = |c: &str| {
            let go = SPECIAL.iter().find(|(_, k)| *k == c).unwrap().0;
            proto_name(go)
        };
        let ok = match code {
            "s" => ty == descriptor::TYPE_STRING,
            "by" => ty == descriptor::TYPE_BYTES,
            "b" => ty == descriptor::TYPE_BOOL,
            "i32" => ty == descriptor::TYPE_INT32,
            "i64" => ty == descriptor::TYPE_INT64,
            c if c.starts_with('@') => {
                let i: usize = c[1..].parse().unwrap();
                ty == descriptor::TYPE_MESSAGE
                    && type_name == proto_name(&self.ty(self.order[i]).full_name())
            }
            // A named slice (ExtraValue) is a message of `repeated items = 1`.
            c if c.starts_with('[') => {
                let m = &self.protos[type_name];
                let items = &m.fields[0];
                ty == descriptor::TYPE_MESSAGE
                    && m.fields.len() == 1
                    && items.name == "items"
                    && items.number == 1
                    && items.label == descriptor::LABEL_REPEATED
                    && {
                        self.check(&c[1..], items.ty, &items.type_name, ctx);
                        true
                    }
            }
            c => ty == descriptor::TYPE_MESSAGE && type_name == special(c),
        };
        assert!(ok, "{ctx}: code {code} against proto type {ty} {type_name}");
    }

    /// Checks a field's code against its proto field (label, type, map entry).
    fn check_field(&self, code: &str, pf: &descriptor::ProtoField, ctx: &str) {
        let repeated = pf.label == descriptor::LABEL_REPEATED;
        if let Some(value) = code.strip_prefix('{') {
            let entry = &self.protos[&pf.type_name];
            assert!(
                repeated && entry.map_entry,
                "{ctx}: a map is a repeated entry"
            );
            let key = entry.fields.iter().find(|f| f.number == 1).unwrap();
            let val = entry.fields.iter().find(|f| f.number == 2).unwrap();
            assert_eq!(key.ty, descriptor::TYPE_STRING, "{ctx}: string keys");
            self.check(value, val.ty, &val.type_name, ctx);
        } else if let Some(elem) = code.strip_prefix('[') {
            assert!(repeated, "{ctx}: a slice is repeated");
            self.check(elem, pf.ty, &pf.type_name, ctx);
        } else {
            assert!(!repeated, "{ctx}: a {code} is not repeated");
            self.check(code, pf.ty, &pf.type_name, ctx);
        }
    }

    fn fields(&mut self, addr: u64) -> Value {
        let t = self.ty(addr).clone();
        let proto = proto_name(&t.full_name());
        let proto_fields = self
            .protos
            .get(&proto)
            .unwrap_or_else(|| panic!("no proto message {proto}"))
            .fields
            .clone();
        let mut covered = Vec::new();
        let mut out = Vec::new();
        for f in &t.fields {
            let ctx = format!("{}.{}", t.full_name(), f.name);
            let json_tag = tag_get(&f.tag, "json");
            let mut parts = json_tag.unwrap_or("").split(',');
            let json_name = parts.next().unwrap_or("").to_string();
            let opts: Vec<&str> = parts.collect();
            if json_name == "-" {
                continue;
            }
            let inline = opts.contains(&"inline") || (f.embedded && json_tag.is_none());
            let omitempty = opts.contains(&"omitempty");
            let Some(pb) = tag_get(&f.tag, "protobuf") else {
                let name = self.ty(f.ty).name.clone();
                if name != "v1.TypeMeta" {
                    self.notes
                        .push(format!("{ctx}: no protobuf tag ({name}), not decoded"));
                }
                continue;
            };
            let pb: Vec<&str> = pb.split(',').collect();
            let number: u64 = pb[1].parse().expect("a field number");
            // EphemeralContainer's inlined EphemeralContainerCommon has no `name=`: by number.
            let proto_field_name = pb.iter().find_map(|p| p.strip_prefix("name="));
            let pf = proto_fields
                .iter()
                .find(|p| proto_field_name.map_or(p.number == number, |n| p.name == n))
                .unwrap_or_else(|| panic!("{ctx}: no proto field {pb:?}"))
                .clone();
            assert_eq!(pf.number, number, "{ctx}: the tag's number is the proto's");
            covered.push(number);
            let mut ty = f.ty;
            let mut flags = String::new();
            if self.ty(ty).kind == gobinary::KIND_POINTER {
                flags.push('p');
                ty = self.ty(ty).elem.unwrap();
            }
            if omitempty {
                flags.push('o');
            }
            if inline {
                flags.push('i');
            }
            let code = self.code(ty, &ctx);
            // The tag's `opt`/`rep` is not always right (EndpointSlice.addressType is tagged
            // `rep` but is `optional string addressType = 4`, PodSpec.tolerations `opt` but
            // repeated): the Go type and the proto decide, and check_field checks they agree.
            // The tag's wire type is not always right (DeleteOptions.propagationPolicy is
            // tagged varint, a string in the proto): the proto's type decides.
            self.check_field(&code, &pf, &ctx);
            assert!(inline || !json_name.is_empty(), "{ctx}: no JSON name");
            let json_name = if inline { String::new() } else { json_name };
            // [number, jsonName, code, flags?, GoName?]: the Go name only where it is not the
            // JSON name capitalised (`ObjectMeta` for `metadata`, `TTY` for `tty`).
            let mut entry = vec![json!(number), json!(json_name), json!(code)];
            let derived = {
                let mut c = json_name.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            };
            if derived != f.name {
                entry.push(json!(flags));
                entry.push(json!(f.name));
            } else if !flags.is_empty() {
                entry.push(json!(flags));
            }
            out.push(Value::Array(entry));
        }
        for pf in &proto_fields {
            assert!(
                covered.contains(&pf.number),
                "{proto}: proto field {} ({}) has no Go field",
                pf.name,
                pf.number
            );
        }
        Value::Array(out)
    }
}

pub fn generate(kubectl: &str, roots: &[(&str, &str, &str)], out_path: &str) {
    let bin = Binary::load(kubectl);
    let structs = bin.structs();
    let (protos, files) = descriptor::load(bin.bytes());
    eprintln!("{} generated.proto files in {kubectl}", files.len());
    for (name, want) in SPECIAL_MESSAGES {
        let m = &protos[*name];
        let got: Vec<(&str, u64, u64)> = m
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.number, f.ty))
            .collect();
        assert_eq!(&got, want, "{name}: the decoder's hard-coded message");
    }
    let mut gen = Gen {
        bin: &bin,
        protos,
        structs,
        index: BTreeMap::new(),
        order: Vec::new(),
        queue: VecDeque::new(),
        notes: Vec::new(),
    };
    let mut kinds = Vec::new();
    for (group, version, kind) in roots {
        let full = format!("{}.{kind}", package(group, version, kind));
        let addr = *gen
            .structs
            .get(&full)
            .unwrap_or_else(|| panic!("kubectl has no {full}"));
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        kinds.push(json!([api_version, kind, gen.message(addr)]));
    }
    let mut messages = BTreeMap::new();
    while let Some(addr) = gen.queue.pop_front() {
        let fields = gen.fields(addr);
        messages.insert(gen.index[&addr], (gen.ty(addr).full_name(), fields));
    }
    for n in &gen.notes {
        eprintln!("note: {n}");
    }
    // One message per line, so a regeneration diffs readably.
    let mut text = String::from("{\"kinds\":[\n");
    let kinds: Vec<String> = kinds.iter().map(Value::to_string).collect();
    text.push_str(&kinds.join(",\n"));
    text.push_str("\n],\"messages\":[\n");
    let lines: Vec<String> = messages
        .values()
        .map(|(name, fields)| json!([name, fields]).to_string())
        .collect();
    text.push_str(&lines.join(",\n"));
    text.push_str("\n]}\n");
    std::fs::write(out_path, text).expect("write protobuf.json");
    eprintln!(
        "{} kinds, {} messages -> {out_path}",
        kinds.len(),
        messages.len()
    );
}
