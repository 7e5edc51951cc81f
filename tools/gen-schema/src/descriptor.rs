//! The `generated.proto` files compiled into kubectl: gogo-protobuf registers each as a gzipped
//! `FileDescriptorProto` (`proto.RegisterFile("k8s.io/api/apps/v1/generated.proto", ...)`),
//! which the binary keeps. This reads them back: messages, their fields' names, numbers, labels
//! and types, and which nested messages are map entries.

use flate2::read::GzDecoder;
use std::collections::BTreeMap;
use std::io::Read;

/// `FieldDescriptorProto.Type` values.
pub const TYPE_INT64: u64 = 3;
pub const TYPE_INT32: u64 = 5;
pub const TYPE_BOOL: u64 = 8;
pub const TYPE_STRING: u64 = 9;
pub const TYPE_MESSAGE: u64 = 11;
pub const TYPE_BYTES: u64 = 12;

pub const LABEL_REPEATED: u64 = 3;

#[derive(Debug, Clone, Default)]
pub struct ProtoField {
    pub name: String,
    pub number: u64,
    pub label: u64,
    pub ty: u64,
    /// `.k8s.io.api.core.v1.PodSpec`, for messages.
    pub type_name: String,
}

#[derive(Debug, Clone, Default)]
pub struct ProtoMessage {
    pub fields: Vec<ProtoField>,
    pub map_entry: bool,
}

/// Every message of every generated.proto in the binary, by full name
/// (`.k8s.io.api.apps.v1.Deployment`; map entries `.k8s.io.api.core.v1.ConfigMap.DataEntry`),
/// and the proto files' names.
pub fn load(binary: &[u8]) -> (BTreeMap<String, ProtoMessage>, Vec<String>) {
    const GZIP: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00";
    let mut messages = BTreeMap::new();
    let mut files = Vec::new();
    let mut i = 0;
    while let Some(p) = find(&binary[i..], GZIP) {
        let start = i + p;
        i = start + 1;
        let mut out = Vec::new();
        if GzDecoder::new(&binary[start..])
            .read_to_end(&mut out)
            .is_err()
        {
            continue;
        }
        let Some(file) = parse_file(&out) else {
            continue;
        };
        if !file.0.ends_with("generated.proto") {
            continue;
        }
        files.push(file.0);
        for (name, m) in file.1 {
            messages.insert(name, m);
        }
    }
    (messages, files)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn fields(mut d: &[u8]) -> Option<Vec<(u64, Wire<'_>)>> {
    let mut out = Vec::new();
    while !d.is_empty() {
        let key = varint(&mut d)?;
        match key & 7 {
            0 => out.push((key >> 3, Wire::Varint(varint(&mut d)?))),
            2 => {
                let len = varint(&mut d)? as usize;
                if len > d.len() {
                    return None;
                }
                out.push((key >> 3, Wire::Bytes(&d[..len])));
                d = &d[len..];
            }
            1 => d = d.get(8..)?,
            5 => d = d.get(4..)?,
            _ => return None,
        }
    }
    Some(out)
}

fn varint(d: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (b, rest) = d.split_first()?;
        *d = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

type File = (String, Vec<(String, ProtoMessage)>);

fn parse_file(d: &[u8]) -> Option<File> {
    let mut name = String::new();
    let mut package = String::new();
    let mut raw_messages = Vec::new();
    for (n, w) in fields(d)? {
        match (n, w) {
            (1, Wire::Bytes(b)) => name = text(b),
            (2, Wire::Bytes(b)) => package = text(b),
            (4, Wire::Bytes(b)) => raw_messages.push(b),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for m in raw_messages {
        parse_message(m, &format!(".{package}"), &mut out)?;
    }
    Some((name, out))
}

fn parse_message(d: &[u8], scope: &str, out: &mut Vec<(String, ProtoMessage)>) -> Option<()> {
    let mut name = String::new();
    let mut message = ProtoMessage::default();
    let mut nested = Vec::new();
    for (n, w) in fields(d)? {
        match (n, w) {
            (1, Wire::Bytes(b)) => name = text(b),
            (2, Wire::Bytes(b)) => {
                let mut f = ProtoField::default();
                for (m, v) in fields(b)? {
                    match (m, v) {
                        (1, Wire::Bytes(s)) => f.name = text(s),
                        (3, Wire::Varint(x)) => f.number = x,
                        (4, Wire::Varint(x)) => f.label = x,
                        (5, Wire::Varint(x)) => f.ty = x,
                        (6, Wire::Bytes(s)) => f.type_name = text(s),
                        _ => {}
                    }
                }
                message.fields.push(f);
            }
            (3, Wire::Bytes(b)) => nested.push(b),
            // MessageOptions.map_entry = 7.
            (7, Wire::Bytes(b)) => {
                for (m, v) in fields(b)? {
                    if let (7, Wire::Varint(x)) = (m, v) {
                        message.map_entry = x != 0;
                    }
                }
            }
            _ => {}
        }
    }
    let full = format!("{scope}.{name}");
    for b in nested {
        parse_message(b, &full, out)?;
    }
    out.push((full, message));
    Some(())
}
