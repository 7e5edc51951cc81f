//! The HTTP/1.1 wire format `kubestep serve` speaks: reading requests off a TCP stream (with
//! keep-alive, `Content-Length` and chunked bodies) and writing responses, whole or as a chunked
//! stream of watch events, as Go's `net/http` server would.

use std::io::{self, BufRead, Read, Write};

use crate::apiserver::request::{status_text, Body, HttpRequest, HttpResponse};

/// A request header block larger than this is refused (Go's `DefaultMaxHeaderBytes` is 1 MiB).
const MAX_HEADER_BYTES: usize = 1 << 20;
/// kube-apiserver refuses request bodies over 3 MiB (`MaxRequestBodyBytes`); a little headroom
/// lets the API server answer 413 itself where it checks.
const MAX_BODY_BYTES: usize = 8 << 20;

/// One request as read off the wire.
#[derive(Debug)]
pub struct WireRequest {
    pub request: HttpRequest,
    /// Whether the client wants the connection kept open after the response.
    pub keep_alive: bool,
}

/// Why a request could not be read: answered with 400 and the connection closed.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    Malformed(String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads one request. `Ok(None)` when the client closed the connection between requests. A
/// client that waits for `100 Continue` before its body (`Expect: 100-continue`, as curl does
/// for larger bodies) gets it on `interim`.
pub fn read_request(
    reader: &mut impl BufRead,
    interim: &mut impl Write,
) -> Result<Option<WireRequest>, ReadError> {
    let mut head_bytes = 0usize;
    let mut line = String::new();
    // Go's server skips empty lines before a request line (RFC 7230 section 3.5).
    loop {
        line.clear();
        let n = read_line(reader, &mut line, &mut head_bytes)?;
        if n == 0 {
            return Ok(None);
        }
        if !line.trim_end_matches(['\r', '\n']).is_empty() {
            break;
        }
    }
    let request_line = line.trim_end_matches(['\r', '\n']).to_string();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(format!(
            "malformed HTTP request {request_line:?}"
        )));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Malformed(format!(
            "unsupported protocol version {version:?}"
        )));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line, &mut head_bytes)? == 0 {
            return Err(ReadError::Malformed("unexpected EOF in headers".into()));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else {
            return Err(ReadError::Malformed(format!(
                "malformed MIME header line: {l}"
            )));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("Expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        interim.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        interim.flush()?;
    }
    let chunked = header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        read_chunked_body(reader)?
    } else {
        match header("Content-Length") {
            Some(v) => {
                let len: usize = v
                    .parse()
                    .map_err(|_| ReadError::Malformed(format!("bad Content-Length {v:?}")))?;
                if len > MAX_BODY_BYTES {
                    return Err(ReadError::Malformed("request body too large".into()));
                }
                let mut body = vec![0; len];
                reader.read_exact(&mut body)?;
                body
            }
            None => Vec::new(),
        }
    };
    let connection = header("Connection").map(str::to_ascii_lowercase);
    let keep_alive = if version == "HTTP/1.0" {
        connection.as_deref() == Some("keep-alive")
    } else {
        connection.as_deref() != Some("close")
    };
    let (raw_path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let path = percent_decode_path(raw_path);
    let path_and_query = match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut request = HttpRequest::new(method, &path_and_query);
    // Transfer framing is the transport's business, not the API server's.
    request.headers = headers
        .into_iter()
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("Transfer-Encoding") && !n.eq_ignore_ascii_case("Connection")
        })
        .collect();
    if !body.is_empty() {
        request.body = Body::Bytes(body);
    }
    Ok(Some(WireRequest {
        request,
        keep_alive,
    }))
}

fn read_line(
    reader: &mut impl BufRead,
    line: &mut String,
    head_bytes: &mut usize,
) -> Result<usize, ReadError> {
    let mut raw = Vec::new();
    let n = reader
        .take((MAX_HEADER_BYTES - *head_bytes) as u64 + 1)
        .read_until(b'\n', &mut raw)?;
    *head_bytes += n;
    if *head_bytes > MAX_HEADER_BYTES {
        return Err(ReadError::Malformed("request header too large".into()));
    }
    line.push_str(&String::from_utf8_lossy(&raw));
    Ok(n)
}

fn read_chunked_body(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut head_bytes = 0;
    loop {
        let mut line = String::new();
        if read_line(reader, &mut line, &mut head_bytes)? == 0 {
            return Err(ReadError::Malformed(
                "unexpected EOF in chunked body".into(),
            ));
        }
        let size_text = line.trim_end_matches(['\r', '\n']);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Malformed(format!("bad chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                line.clear();
                if read_line(reader, &mut line, &mut head_bytes)? == 0
                    || line.trim_end_matches(['\r', '\n']).is_empty()
                {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(ReadError::Malformed("request body too large".into()));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(ReadError::Malformed("malformed chunked encoding".into()));
        }
    }
}

/// Percent-decoding of a URL path (Go's `url.PathUnescape`: `+` stays a plus).
pub fn percent_decode_path(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the API server answered with a stream (a watch) rather than a whole body.
pub fn is_stream(response: &HttpResponse) -> bool {
    response
        .header_value("Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
}

/// The head of a response: status line and headers, sorted by name as Go's `Header.Write`
/// writes them, with `Date` (from the simulation clock, in HTTP's IMF-fixdate form) and either
/// `Content-Length` or `Transfer-Encoding: chunked`.
pub fn response_head(response: &HttpResponse, date: &str, keep_alive: bool) -> Vec<u8> {
    let stream = is_stream(response);
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("Transfer-Encoding")
                && !n.eq_ignore_ascii_case("Content-Length")
        })
        .cloned()
        .collect();
    headers.push(("Date".to_string(), date.to_string()));
    if stream {
        headers.push(("Transfer-Encoding".to_string(), "chunked".to_string()));
    } else if !matches!(response.status, 100..=199 | 204 | 304) {
        // Responses that never carry a body have no length either (RFC 9110 section 8.6).
        headers.push((
            "Content-Length".to_string(),
            response.body.len().to_string(),
        ));
    }
    if !keep_alive {
        headers.push(("Connection".to_string(), "close".to_string()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let reason = status_text(response.status);
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (n, v) in &headers {
        head.push_str(n);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Writes a whole (non-streamed) response.
pub fn write_response(
    w: &mut impl Write,
    response: &HttpResponse,
    date: &str,
    keep_alive: bool,
) -> io::Result<()> {
    let mut out = response_head(response, date, keep_alive);
    out.extend_from_slice(&response.body.to_bytes());
    w.write_all(&out)?;
    w.flush()
}

/// Writes one chunk of a chunked response (an empty `data` would end the stream: use
/// [`write_last_chunk`] for that).
pub fn write_chunk(w: &mut impl Write, data: &[u8]) -> io::Result<()> {
    debug_assert!(!data.is_empty(), "an empty chunk ends the stream");
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    w.write_all(&out)?;
    w.flush()
}

/// Ends a chunked response.
pub fn write_last_chunk(w: &mut impl Write) -> io::Result<()> {
    w.write_all(b"0\r\n\r\n")?;
    w.flush()
}

/// A plain-text error answered by the transport itself (a request it could not read).
pub fn transport_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![(
            "Content-Type".to_string(),
            "text/plain; charset=utf-8".to_string(),
        )],
        body: Body::Bytes(format!("{status} {message}").into_bytes()),
    }
}

/// HTTP's date format (RFC 9110's IMF-fixdate, Go's `http.TimeFormat`) for Unix seconds:
/// `Thu, 01 Jan 2026 00:00:05 GMT`.
pub fn http_date(unix_seconds: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_seconds / 86_400;
    let rem = unix_seconds % 86_400;
    // Days to civil date (Howard Hinnant's algorithm, as `sim::clock` formats RFC 3339).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn read(text: &str) -> WireRequest {
        read_request(&mut BufReader::new(text.as_bytes()), &mut Vec::new())
            .expect("readable")
            .expect("a request")
    }

    #[test]
    fn reads_a_request_with_a_body_and_keeps_the_connection() {
        let r = read(
            "POST /api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict HTTP/1.1\r\n\
             Host: 127.0.0.1:6443\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        );
        assert_eq!(r.request.method, "POST");
        assert_eq!(r.request.path, "/api/v1/namespaces/default/pods");
        assert_eq!(r.request.query_value("fieldValidation"), Some("Strict"));
        assert_eq!(
            r.request.header_value("content-type"),
            Some("application/json")
        );
        assert_eq!(r.request.body, Body::Bytes(b"{}".to_vec()));
        assert!(r.keep_alive);
    }

    #[test]
    fn reads_chunked_bodies_and_connection_close() {
        let r = read(
            "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
             3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
        );
        assert_eq!(r.request.body, Body::Bytes(b"abcde".to_vec()));
        assert!(!r.keep_alive);
        assert!(r.request.header_value("Transfer-Encoding").is_none());
    }

    #[test]
    fn a_client_that_expects_100_continue_gets_it_before_sending_its_body() {
        let mut interim = Vec::new();
        let r = read_request(
            &mut BufReader::new(
                &b"POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"[..],
            ),
            &mut interim,
        )
        .unwrap()
        .unwrap();
        assert_eq!(interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        assert_eq!(r.request.body, Body::Bytes(b"{}".to_vec()));
    }

    #[test]
    fn a_closed_connection_between_requests_is_not_an_error() {
        assert!(read_request(&mut BufReader::new(&b""[..]), &mut Vec::new())
            .expect("no error")
            .is_none());
    }

    #[test]
    fn malformed_requests_are_errors() {
        for text in [
            "GET\r\n\r\n",
            "GET / SPDY/3\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        ] {
            assert!(
                matches!(
                    read_request(&mut BufReader::new(text.as_bytes()), &mut Vec::new()),
                    Err(ReadError::Malformed(_))
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn paths_are_percent_decoded_but_plus_stays() {
        assert_eq!(
            percent_decode_path("/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Anode+x"),
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node+x"
        );
        assert_eq!(percent_decode_path("/a%2"), "/a%2");
        assert_eq!(percent_decode_path("/a%"), "/a%");
    }

    #[test]
    fn writes_a_response_like_go() {
        let response = HttpResponse::json(201, serde_json::json!({"kind": "Pod"}));
        let mut out = Vec::new();
        write_response(&mut out, &response, "Thu, 01 Jan 2026 00:00:05 GMT", true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 201 Created\r\nContent-Length: 14\r\nContent-Type: application/json\r\n\
             Date: Thu, 01 Jan 2026 00:00:05 GMT\r\n\r\n{\"kind\":\"Pod\"}"
        );
    }

    #[test]
    fn streams_are_chunked() {
        let mut head = HttpResponse::json(200, serde_json::Value::Null);
        head.body = Body::Empty;
        head.headers
            .push(("Transfer-Encoding".into(), "chunked".into()));
        assert!(is_stream(&head));
        let text = String::from_utf8(response_head(&head, "d", true)).unwrap();
        assert!(text.contains("Transfer-Encoding: chunked\r\n"), "{text}");
        assert!(!text.contains("Content-Length"), "{text}");
        let mut out = Vec::new();
        write_chunk(&mut out, b"{\"type\":\"ADDED\"}\n").unwrap();
        write_last_chunk(&mut out).unwrap();
        assert_eq!(out, b"11\r\n{\"type\":\"ADDED\"}\n\r\n0\r\n\r\n");
    }

    #[test]
    fn http_dates_follow_imf_fixdate() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            http_date(crate::sim::clock::EPOCH_UNIX_SECONDS + 5),
            "Thu, 01 Jan 2026 00:00:05 GMT"
        );
        assert_eq!(http_date(1_795_956_154), "Sun, 29 Nov 2026 12:42:34 GMT");
    }
}
