//! Reads the Go types compiled into a kubectl binary: every struct reachable from the binary's
//! type links, with its fields' Go names, types and struct tags (`json:"replicas,omitempty"
//! protobuf:"varint,1,opt,name=replicas"`), from the runtime type descriptors Go keeps for
//! reflection (`internal/abi`: Type, StructType, Name; the layout of Go 1.22 to 1.24 on amd64).
//!
//! Why the binary: the protobuf tags carry the field numbers and wire types of the
//! `generated.proto` files, and the Go types add what the proto files do not say but a faithful
//! JSON rendering needs: which fields are pointers (a present `replicas: 0` stays) and which are
//! `omitempty`. The kubectl 1.33 binary holds exactly the k8s.io/api v0.33 types.

use std::collections::BTreeMap;

/// `abi.Kind` values used here.
pub const KIND_BOOL: u8 = 1;
pub const KIND_INT: u8 = 2;
pub const KIND_INT32: u8 = 5;
pub const KIND_INT64: u8 = 6;
pub const KIND_UINT8: u8 = 8;
pub const KIND_FLOAT64: u8 = 14;
pub const KIND_ARRAY: u8 = 17;
pub const KIND_MAP: u8 = 21;
pub const KIND_POINTER: u8 = 22;
pub const KIND_SLICE: u8 = 23;
pub const KIND_STRING: u8 = 24;
pub const KIND_STRUCT: u8 = 25;

const TFLAG_UNCOMMON: u8 = 1;
const TFLAG_EXTRA_STAR: u8 = 2;
const TFLAG_NAMED: u8 = 4;

/// One type descriptor.
#[derive(Debug, Clone)]
pub struct GoType {
    pub kind: u8,
    /// `v1.Deployment`, `*v1.Deployment`, `[]string`.
    pub name: String,
    pub named: bool,
    /// The defining package of a named type (`k8s.io/api/apps/v1`), when it has one.
    pub pkg_path: String,
    /// Pointer, slice, array, map value: the element type's address.
    pub elem: Option<u64>,
    /// Map key type.
    pub key: Option<u64>,
    pub fields: Vec<GoField>,
}

#[derive(Debug, Clone)]
pub struct GoField {
    pub name: String,
    pub embedded: bool,
    pub tag: String,
    pub ty: u64,
}

impl GoType {
    /// `k8s.io/api/apps/v1.Deployment`.
    pub fn full_name(&self) -> String {
        let short = self.name.rsplit('.').next().unwrap_or(&self.name);
        format!("{}.{short}", self.pkg_path)
    }
}

struct Section {
    name: String,
    addr: u64,
    offset: u64,
    size: u64,
    nobits: bool,
}

pub struct Binary {
    data: Vec<u8>,
    sections: Vec<Section>,
    types_base: u64,
    pub types: BTreeMap<u64, GoType>,
}

fn u16_at(d: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(d[o..o + 2].try_into().unwrap())
}
fn u32_at(d: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(d[o..o + 4].try_into().unwrap())
}
fn u64_at(d: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(d[o..o + 8].try_into().unwrap())
}

impl Binary {
    pub fn load(path: &str) -> Binary {
        let data = std::fs::read(path).expect("read the kubectl binary");
        assert_eq!(&data[..4], b"\x7fELF", "an ELF file");
        assert_eq!(data[4], 2, "64-bit ELF");
        let shoff = u64_at(&data, 0x28) as usize;
        let shentsize = u16_at(&data, 0x3a) as usize;
        let shnum = u16_at(&data, 0x3c) as usize;
        let shstrndx = u16_at(&data, 0x3e) as usize;
        let header = |i: usize| shoff + i * shentsize;
        let strtab = u64_at(&data, header(shstrndx) + 24) as usize;
        let mut sections = Vec::new();
        for i in 0..shnum {
            let h = header(i);
            let name_off = strtab + u32_at(&data, h) as usize;
            let end = data[name_off..].iter().position(|b| *b == 0).unwrap();
            sections.push(Section {
                name: String::from_utf8_lossy(&data[name_off..name_off + end]).into_owned(),
                addr: u64_at(&data, h + 16),
                offset: u64_at(&data, h + 24),
                size: u64_at(&data, h + 32),
                nobits: u32_at(&data, h + 4) == 8,
            });
        }
        let mut bin = Binary {
            data,
            sections,
            types_base: 0,
            types: BTreeMap::new(),
        };
        bin.types_base = bin.find_types_base();
        let typelinks = bin.section(".typelink");
        let (off, size) = (typelinks.offset as usize, typelinks.size as usize);
        let links: Vec<u64> = (0..size / 4)
            .map(|i| bin.types_base + u64::from(u32_at(&bin.data, off + i * 4)))
            .collect();
        for addr in links {
            bin.visit(addr);
        }
        bin
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    fn section(&self, name: &str) -> &Section {
        self.sections
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no {name} section"))
    }

    /// The file offset of a virtual address.
    fn at(&self, addr: u64) -> usize {
        let s = self
            .sections
            .iter()
            .find(|s| !s.nobits && s.addr != 0 && addr >= s.addr && addr < s.addr + s.size)
            .unwrap_or_else(|| panic!("address {addr:#x} is in no loaded section"));
        (s.offset + addr - s.addr) as usize
    }

    fn word(&self, addr: u64) -> u64 {
        u64_at(&self.data, self.at(addr))
    }

    /// `runtime.firstmoduledata.types`: the module data is the one word in the data sections
    /// that points at the pclntab header; its `noptrdata` and `data` fields confirm the layout.
    fn find_types_base(&self) -> u64 {
        let pclntab = self.section(".gopclntab").addr;
        let noptrdata = self.section(".noptrdata").addr;
        let data = self.section(".data").addr;
        for name in [".noptrdata", ".data"] {
            let s = self.section(name);
            for i in (0..s.size).step_by(8) {
                let addr = s.addr + i;
                if self.word(addr) != pclntab {
                    continue;
                }
                // Words: 0 pcHeader, 1-18 six slices, 19 findfunctab, 20-21 min/maxpc,
                // 22-23 text, 24-25 noptrdata, 26-27 data, ..., 37 types.
                if self.word(addr + 24 * 8) == noptrdata && self.word(addr + 26 * 8) == data {
                    return self.word(addr + 37 * 8);
                }
            }
        }
        panic!("no module data found");
    }

    /// A `runtime.name` at a file offset: (name, tag, embedded).
    fn name_at(&self, off: usize) -> (String, String, bool) {
        let d = &self.data;
        let flags = d[off];
        let (len, n) = varint(&d[off + 1..]);
        let start = off + 1 + n;
        let name = String::from_utf8_lossy(&d[start..start + len]).into_owned();
        let mut tag = String::new();
        if flags & 2 != 0 {
            let t = start + len;
            let (tlen, tn) = varint(&d[t..]);
            tag = String::from_utf8_lossy(&d[t + tn..t + tn + tlen]).into_owned();
        }
        (name, tag, flags & 8 != 0)
    }

    fn name_off(&self, off: i32) -> String {
        let addr = (self.types_base as i64 + i64::from(off)) as u64;
        self.name_at(self.at(addr)).0
    }

    fn visit(&mut self, addr: u64) {
        if addr == 0 || self.types.contains_key(&addr) {
            return;
        }
        let o = self.at(addr);
        let d = &self.data;
        let tflag = d[o + 20];
        let kind = d[o + 23] & 0x1f;
        let str_off = u32_at(d, o + 40) as i32;
        let mut name = self.name_off(str_off);
        if tflag & TFLAG_EXTRA_STAR != 0 {
            name.remove(0);
        }
        let mut ty = GoType {
            kind,
            name,
            named: tflag & TFLAG_NAMED != 0,
            pkg_path: String::new(),
            elem: None,
            key: None,
            fields: Vec::new(),
        };
        // The kind-specific part follows the 48-byte abi.Type; the UncommonType follows it.
        let uncommon = match kind {
            // Only structs' package paths are needed: the others' UncommonType is not read.
            KIND_POINTER | KIND_SLICE | KIND_ARRAY => {
                ty.elem = Some(u64_at(d, o + 48));
                0
            }
            KIND_MAP => {
                ty.key = Some(u64_at(d, o + 48));
                ty.elem = Some(u64_at(d, o + 56));
                0
            }
            KIND_STRUCT => {
                let fields = u64_at(d, o + 56);
                let n = u64_at(d, o + 64);
                for i in 0..n {
                    let f = self.at(fields + i * 24);
                    let name_ptr = u64_at(&self.data, f);
                    let typ = u64_at(&self.data, f + 8);
                    let (fname, tag, embedded) = self.name_at(self.at(name_ptr));
                    ty.fields.push(GoField {
                        name: fname,
                        embedded,
                        tag,
                        ty: typ,
                    });
                }
                80
            }
            KIND_BOOL..=KIND_FLOAT64 | KIND_STRING => 48,
            _ => 0,
        };
        if tflag & TFLAG_UNCOMMON != 0 && uncommon != 0 {
            let pkg = u32_at(&self.data, o + uncommon) as i32;
            if pkg != 0 {
                ty.pkg_path = self.name_off(pkg);
            }
        }
        let next: Vec<u64> = ty
            .elem
            .into_iter()
            .chain(ty.key)
            .chain(ty.fields.iter().map(|f| f.ty))
            .collect();
        self.types.insert(addr, ty);
        for n in next {
            self.visit(n);
        }
    }

    /// The named struct types by full name (`k8s.io/api/apps/v1.Deployment`) → address.
    pub fn structs(&self) -> BTreeMap<String, u64> {
        self.types
            .iter()
            .filter(|(_, t)| t.kind == KIND_STRUCT && t.named && !t.pkg_path.is_empty())
            .map(|(a, t)| (t.full_name(), *a))
            .collect()
    }
}

fn varint(d: &[u8]) -> (usize, usize) {
    let mut v = 0usize;
    for (i, b) in d.iter().enumerate() {
        v |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    panic!("unterminated varint");
}

/// The value of `key` in a Go struct tag (`reflect.StructTag.Get`).
pub fn tag_get<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(' ');
        let colon = rest.find(':')?;
        let name = &rest[..colon];
        let after = rest[colon + 1..].strip_prefix('"')?;
        let mut end = 0;
        let bytes = after.as_bytes();
        while end < bytes.len() && bytes[end] != b'"' {
            if bytes[end] == b'\\' {
                end += 1;
            }
            end += 1;
        }
        let value = &after[..end.min(after.len())];
        if name == key {
            return Some(value);
        }
        rest = after.get(end + 1..)?;
    }
}
