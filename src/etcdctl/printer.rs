//! etcdctl 3.4's output formats (`printer_simple.go`, `printer_json.go`, `printer_fields.go`,
//! `printer_table.go`): the same response printed as lines, Go's `encoding/json` of the client
//! structs (omitempty fields, bytes as base64), `"Field" : value` lines, or an ASCII table.

use crate::etcd::api::{
    DeleteRangeResponse, Event, EventType, KeyValue, LeaseGrantResponse, LeaseKeepAliveResponse,
    LeaseLeasesResponse, LeaseTimeToLiveResponse, MemberListResponse, PutResponse, RangeResponse,
    ResponseHeader, ResponseOp, StatusResponse, TxnResponse, WatchResponse,
};
use crate::etcdctl::flags::{go_quote, go_quote_bytes};

/// `-w`: which printer formats the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Simple,
    Json,
    Fields,
    Protobuf,
    Table,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "simple" => Some(Format::Simple),
            "json" => Some(Format::Json),
            "fields" => Some(Format::Fields),
            "protobuf" => Some(Format::Protobuf),
            "table" => Some(Format::Table),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- simple

/// `printKV`: key and value lines (hex-encoded with `--hex`), only the value with
/// `--print-value-only`.
pub fn simple_kv(out: &mut String, hex: bool, value_only: bool, kv: &KeyValue) {
    let text = |b: &[u8]| {
        if hex {
            b.iter().map(|x| format!("\\x{x:02x}")).collect::<String>()
        } else {
            String::from_utf8_lossy(b).into_owned()
        }
    };
    if !value_only {
        out.push_str(&text(&kv.key));
        out.push('\n');
    }
    out.push_str(&text(&kv.value));
    out.push('\n');
}

pub fn simple_get(out: &mut String, hex: bool, value_only: bool, r: &RangeResponse) {
    for kv in &r.kvs {
        simple_kv(out, hex, value_only, kv);
    }
}

pub fn simple_put(out: &mut String, hex: bool, value_only: bool, r: &PutResponse) {
    out.push_str("OK\n");
    if let Some(kv) = &r.prev_kv {
        simple_kv(out, hex, value_only, kv);
    }
}

pub fn simple_del(out: &mut String, hex: bool, value_only: bool, r: &DeleteRangeResponse) {
    out.push_str(&format!("{}\n", r.deleted));
    for kv in &r.prev_kvs {
        simple_kv(out, hex, value_only, kv);
    }
}

pub fn simple_txn(out: &mut String, hex: bool, r: &TxnResponse) {
    out.push_str(if r.succeeded {
        "SUCCESS\n"
    } else {
        "FAILURE\n"
    });
    for op in &r.responses {
        out.push('\n');
        match op {
            ResponseOp::DeleteRange(d) => simple_del(out, hex, false, d),
            ResponseOp::Put(p) => simple_put(out, hex, false, p),
            ResponseOp::Range(g) => simple_get(out, hex, false, g),
            // etcdctl's txn grammar cannot build a nested txn.
            ResponseOp::Txn(_) => out.push_str("unexpected response\n"),
        }
    }
}

fn event_type(kind: EventType) -> &'static str {
    match kind {
        EventType::Put => "PUT",
        EventType::Delete => "DELETE",
    }
}

pub fn simple_watch(out: &mut String, hex: bool, r: &WatchResponse) {
    for e in &r.events {
        out.push_str(event_type(e.kind));
        out.push('\n');
        if let Some(prev) = &e.prev_kv {
            simple_kv(out, hex, false, prev);
        }
        simple_kv(out, hex, false, &e.kv);
    }
}

/// `%016x` of a lease ID as Go prints an int64 (negative IDs keep their sign).
pub fn lease_hex(id: i64) -> String {
    if id < 0 {
        format!("-{:016x}", id.unsigned_abs())
    } else {
        format!("{id:016x}")
    }
}

/// humanize.Bytes: SI units, one decimal below 10.
pub fn humanize_bytes(n: u64) -> String {
    if n < 10 {
        return format!("{n} B");
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut e = 0usize;
    let mut div = 1u64;
    while n / div >= 1000 && e + 1 < units.len() {
        div *= 1000;
        e += 1;
    }
    // val = floor(n/div*10 + 0.5)/10, computed in integers (tenths).
    let tenths = (n as u128 * 10 * 2 + div as u128) / (2 * div as u128);
    if tenths < 100 {
        format!("{}.{} {}", tenths / 10, tenths % 10, units[e])
    } else {
        // Go's %.0f rounds half to even.
        let whole = tenths / 10;
        let frac = tenths % 10;
        let rounded = if frac > 5 || (frac == 5 && whole % 2 == 1) {
            whole + 1
        } else {
            whole
        };
        format!("{rounded} {}", units[e])
    }
}

/// One endpoint's status row (`makeEndpointStatusTable`).
pub fn status_row(endpoint: &str, s: &StatusResponse) -> Vec<String> {
    vec![
        endpoint.to_string(),
        format!("{:x}", s.header.member_id),
        s.version.clone(),
        humanize_bytes(s.db_size.max(0) as u64),
        (s.leader == s.header.member_id).to_string(),
        s.is_learner.to_string(),
        s.raft_term.to_string(),
        s.raft_index.to_string(),
        s.raft_applied_index.to_string(),
        s.errors.join(", "),
    ]
}

pub const STATUS_HEADER: &[&str] = &[
    "endpoint",
    "ID",
    "version",
    "db size",
    "is leader",
    "is learner",
    "raft term",
    "raft index",
    "raft applied index",
    "errors",
];

pub fn member_rows(r: &MemberListResponse) -> Vec<Vec<String>> {
    r.members
        .iter()
        .map(|m| {
            vec![
                format!("{:x}", m.id),
                if m.name.is_empty() {
                    "unstarted"
                } else {
                    "started"
                }
                .to_string(),
                m.name.clone(),
                m.peer_urls.join(","),
                m.client_urls.join(","),
                m.is_learner.to_string(),
            ]
        })
        .collect()
}

pub const MEMBER_HEADER: &[&str] = &[
    "ID",
    "Status",
    "Name",
    "Peer Addrs",
    "Client Addrs",
    "Is Learner",
];

/// olekukonko/tablewriter as etcdctl configures it: upper-case centred headers, cells aligned
/// right.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line: String = widths
        .iter()
        .map(|w| format!("+{}", "-".repeat(w + 2)))
        .collect::<String>()
        + "+\n";
    let mut out = line.clone();
    for (h, w) in head.iter().zip(&widths) {
        let gap = w - h.chars().count();
        let left = gap / 2;
        out.push_str(&format!(
            "| {}{}{} ",
            " ".repeat(left),
            h,
            " ".repeat(gap - left)
        ));
    }
    out.push_str("|\n");
    out.push_str(&line);
    for row in rows {
        for (cell, w) in row.iter().zip(&widths) {
            out.push_str(&format!("| {cell:>w$} ", w = *w));
        }
        out.push_str("|\n");
    }
    out.push_str(&line);
    out
}

// ---------------------------------------------------------------- json

/// A JSON object writer that skips Go's `omitempty` zero values on request.
struct Obj {
    text: String,
    first: bool,
}

impl Obj {
    fn new() -> Obj {
        Obj {
            text: "{".to_string(),
            first: true,
        }
    }
    fn raw(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.first {
            self.text.push(',');
        }
        self.first = false;
        self.text.push_str(&format!("\"{name}\":{value}"));
        self
    }
    fn num<T: std::fmt::Display + Default + PartialEq>(&mut self, name: &str, v: T) -> &mut Self {
        if v != T::default() {
            self.raw(name, &v.to_string());
        }
        self
    }
    fn bytes(&mut self, name: &str, b: &[u8]) -> &mut Self {
        if !b.is_empty() {
            self.raw(name, &format!("\"{}\"", base64(b)));
        }
        self
    }
    fn flag(&mut self, name: &str, b: bool) -> &mut Self {
        if b {
            self.raw(name, "true");
        }
        self
    }
    fn done(&mut self) -> String {
        self.text.push('}');
        std::mem::take(&mut self.text)
    }
}

/// Standard base64 with padding, as Go's encoding/json writes `[]byte`.
pub fn base64(b: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's encoding/json string escaping (HTML-safe, as json.Marshal does).
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn header_fields(o: &mut Obj, h: &ResponseHeader) {
    o.num("cluster_id", h.cluster_id)
        .num("member_id", h.member_id)
        .num("revision", h.revision)
        .num("raft_term", h.raft_term);
}

pub fn json_header(h: &ResponseHeader) -> String {
    let mut o = Obj::new();
    header_fields(&mut o, h);
    o.done()
}

pub fn json_kv(kv: &KeyValue) -> String {
    Obj::new()
        .bytes("key", &kv.key)
        .num("create_revision", kv.create_revision)
        .num("mod_revision", kv.mod_revision)
        .num("version", kv.version)
        .bytes("value", &kv.value)
        .num("lease", kv.lease)
        .done()
}

fn json_list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(","))
}

pub fn json_range(r: &RangeResponse) -> String {
    let mut o = Obj::new();
    o.raw("header", &json_header(&r.header));
    if !r.kvs.is_empty() {
        o.raw("kvs", &json_list(r.kvs.iter().map(json_kv)));
    }
    o.flag("more", r.more).num("count", r.count).done()
}

pub fn json_put(r: &PutResponse) -> String {
    let mut o = Obj::new();
    o.raw("header", &json_header(&r.header));
    if let Some(kv) = &r.prev_kv {
        o.raw("prev_kv", &json_kv(kv));
    }
    o.done()
}

pub fn json_del(r: &DeleteRangeResponse) -> String {
    let mut o = Obj::new();
    o.raw("header", &json_header(&r.header));
    o.num("deleted", r.deleted);
    if !r.prev_kvs.is_empty() {
        o.raw("prev_kvs", &json_list(r.prev_kvs.iter().map(json_kv)));
    }
    o.done()
}

pub fn json_txn(r: &TxnResponse) -> String {
    let mut o = Obj::new();
    o.raw("header", &json_header(&r.header));
    o.flag("succeeded", r.succeeded);
    if !r.responses.is_empty() {
        let ops = r.responses.iter().map(|op| {
            let (name, body) = match op {
                ResponseOp::Range(g) => ("ResponseRange", json_range(g)),
                ResponseOp::Put(p) => ("ResponsePut", json_put(p)),
                ResponseOp::DeleteRange(d) => ("ResponseDeleteRange", json_del(d)),
                ResponseOp::Txn(t) => ("ResponseTxn", json_txn(t)),
            };
            format!("{{\"Response\":{{\"{name}\":{body}}}}}")
        });
        o.raw("responses", &json_list(ops));
    }
    o.done()
}

fn json_event(e: &Event) -> String {
    let mut o = Obj::new();
    if e.kind == EventType::Delete {
        o.raw("type", "1");
    }
    o.raw("kv", &json_kv(&e.kv));
    if let Some(prev) = &e.prev_kv {
        o.raw("prev_kv", &json_kv(prev));
    }
    o.done()
}

/// clientv3.WatchResponse: exported Go fields without json tags.
pub fn json_watch(r: &WatchResponse) -> String {
    let events = if r.events.is_empty() {
        "null".to_string()
    } else {
        json_list(r.events.iter().map(json_event))
    };
    format!(
        "{{\"Header\":{},\"Events\":{events},\"CompactRevision\":{},\"Canceled\":{},\"Created\":{}}}",
        json_header(&r.header),
        r.compact_revision,
        r.canceled,
        r.created
    )
}

pub fn json_lease_grant(r: &LeaseGrantResponse) -> String {
    let mut o = Obj::new();
    header_fields(&mut o, &r.header);
    o.raw("ID", &r.id.to_string())
        .raw("TTL", &r.ttl.to_string())
        .raw("Error", &json_string(&r.error))
        .done()
}

pub fn json_lease_keepalive(r: &LeaseKeepAliveResponse) -> String {
    let mut o = Obj::new();
    header_fields(&mut o, &r.header);
    o.raw("ID", &r.id.to_string())
        .raw("TTL", &r.ttl.to_string())
        .done()
}

pub fn json_lease_ttl(r: &LeaseTimeToLiveResponse) -> String {
    let mut o = Obj::new();
    header_fields(&mut o, &r.header);
    let keys = if r.keys.is_empty() {
        "null".to_string()
    } else {
        json_list(r.keys.iter().map(|k| format!("\"{}\"", base64(k))))
    };
    o.raw("id", &r.id.to_string())
        .raw("ttl", &r.ttl.to_string())
        .raw("granted-ttl", &r.granted_ttl.to_string())
        .raw("keys", &keys)
        .done()
}

pub fn json_lease_list(r: &LeaseLeasesResponse) -> String {
    let mut o = Obj::new();
    header_fields(&mut o, &r.header);
    let leases = if r.leases.is_empty() {
        "null".to_string()
    } else {
        json_list(r.leases.iter().map(|id| format!("{{\"id\":{id}}}")))
    };
    o.raw("leases", &leases).done()
}

pub fn json_status(endpoint: &str, s: &StatusResponse) -> String {
    let mut st = Obj::new();
    st.raw("header", &json_header(&s.header));
    if !s.version.is_empty() {
        st.raw("version", &json_string(&s.version));
    }
    st.num("dbSize", s.db_size)
        .num("leader", s.leader)
        .num("raftIndex", s.raft_index)
        .num("raftTerm", s.raft_term)
        .num("raftAppliedIndex", s.raft_applied_index);
    if !s.errors.is_empty() {
        st.raw(
            "errors",
            &json_list(s.errors.iter().map(|e| json_string(e))),
        );
    }
    st.num("dbSizeInUse", s.db_size_in_use)
        .flag("isLearner", s.is_learner);
    let status = st.done();
    format!(
        "[{{\"Endpoint\":{},\"Status\":{status}}}]",
        json_string(endpoint)
    )
}

pub fn json_members(r: &MemberListResponse) -> String {
    let members = r.members.iter().map(|m| {
        let mut o = Obj::new();
        o.num("ID", m.id);
        if !m.name.is_empty() {
            o.raw("name", &json_string(&m.name));
        }
        if !m.peer_urls.is_empty() {
            o.raw(
                "peerURLs",
                &json_list(m.peer_urls.iter().map(|u| json_string(u))),
            );
        }
        if !m.client_urls.is_empty() {
            o.raw(
                "clientURLs",
                &json_list(m.client_urls.iter().map(|u| json_string(u))),
            );
        }
        o.flag("isLearner", m.is_learner).done()
    });
    let mut o = Obj::new();
    o.raw("header", &json_header(&r.header));
    if !r.members.is_empty() {
        o.raw("members", &json_list(members));
    }
    o.done()
}

// ---------------------------------------------------------------- fields

pub fn fields_header(out: &mut String, h: &ResponseHeader) {
    out.push_str(&format!(
        "\"ClusterID\" : {}\n\"MemberID\" : {}\n\"Revision\" : {}\n\"RaftTerm\" : {}\n",
        h.cluster_id, h.member_id, h.revision, h.raft_term
    ));
}

pub fn fields_kv(out: &mut String, pfx: &str, kv: &KeyValue) {
    out.push_str(&format!(
        "\"{pfx}Key\" : {}\n\"{pfx}CreateRevision\" : {}\n\"{pfx}ModRevision\" : {}\n\"{pfx}Version\" : {}\n\"{pfx}Value\" : {}\n\"{pfx}Lease\" : {}\n",
        go_quote_bytes(&kv.key),
        kv.create_revision,
        kv.mod_revision,
        kv.version,
        go_quote_bytes(&kv.value),
        kv.lease
    ));
}

pub fn fields_get(out: &mut String, r: &RangeResponse) {
    fields_header(out, &r.header);
    for kv in &r.kvs {
        fields_kv(out, "", kv);
    }
    out.push_str(&format!("\"More\" : {}\n\"Count\" : {}\n", r.more, r.count));
}

pub fn fields_put(out: &mut String, r: &PutResponse) {
    fields_header(out, &r.header);
    if let Some(kv) = &r.prev_kv {
        fields_kv(out, "Prev", kv);
    }
}

pub fn fields_del(out: &mut String, r: &DeleteRangeResponse) {
    fields_header(out, &r.header);
    out.push_str(&format!("\"Deleted\" : {}\n", r.deleted));
    for kv in &r.prev_kvs {
        fields_kv(out, "Prev", kv);
    }
}

pub fn fields_txn(out: &mut String, r: &TxnResponse) {
    fields_header(out, &r.header);
    out.push_str(&format!("\"Succeeded\" : {}\n", r.succeeded));
    for op in &r.responses {
        match op {
            ResponseOp::DeleteRange(d) => fields_del(out, d),
            ResponseOp::Put(p) => fields_put(out, p),
            ResponseOp::Range(g) => fields_get(out, g),
            ResponseOp::Txn(t) => fields_txn(out, t),
        }
    }
}

pub fn fields_watch(out: &mut String, r: &WatchResponse) {
    fields_header(out, &r.header);
    for e in &r.events {
        out.push_str(&format!("\"Type\" : {}\n", event_type(e.kind)));
        if let Some(prev) = &e.prev_kv {
            fields_kv(out, "Prev", prev);
        }
        fields_kv(out, "", &e.kv);
    }
}

pub fn fields_status(out: &mut String, endpoint: &str, s: &StatusResponse) {
    fields_header(out, &s.header);
    out.push_str(&format!(
        "\"Version\" : {}\n\"DBSize\" : {}\n\"Leader\" : {}\n\"IsLearner\" : {}\n\"RaftIndex\" : {}\n\"RaftTerm\" : {}\n\"RaftAppliedIndex\" : {}\n\"Errors\" : [{}]\n\"Endpoint\" : {}\n\n",
        go_quote(&s.version),
        s.db_size,
        s.leader,
        s.is_learner,
        s.raft_index,
        s.raft_term,
        s.raft_applied_index,
        s.errors.join(" "),
        go_quote(endpoint)
    ));
}

pub fn fields_members(out: &mut String, r: &MemberListResponse) {
    fields_header(out, &r.header);
    for m in &r.members {
        out.push_str(&format!(
            "\"ID\" : {}\n\"Name\" : {}\n",
            m.id,
            go_quote(&m.name)
        ));
        for u in &m.peer_urls {
            out.push_str(&format!("\"PeerURL\" : {}\n", go_quote(u)));
        }
        for u in &m.client_urls {
            out.push_str(&format!("\"ClientURL\" : {}\n", go_quote(u)));
        }
        out.push_str(&format!("\"IsLearner\" : {}\n\n", m.is_learner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_humanize_match_go() {
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"11"), "MTE=");
        assert_eq!(humanize_bytes(20480), "20 kB");
        assert_eq!(humanize_bytes(25000), "25 kB");
        assert_eq!(humanize_bytes(5), "5 B");
        assert_eq!(humanize_bytes(1500), "1.5 kB");
    }

    #[test]
    fn a_table_like_tablewriter() {
        let t = table(&["ID", "name"], &[vec!["1".into(), "default".into()]]);
        assert_eq!(
            t,
            "+----+---------+\n| ID |  NAME   |\n+----+---------+\n|  1 | default |\n+----+---------+\n"
        );
    }
}
