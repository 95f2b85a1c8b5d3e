//! A small Socrata stand-in for the fetch tests: a real HTTP server on 127.0.0.1 that serves
//! `/resource/ijzp-q8t2.csv` from an in-memory dataset, interpreting `$select`, `$where` (a
//! SoQL subset: comparisons, `IS [NOT] NULL`, `AND`, `OR`, parentheses), `$order`, `$limit` and
//! `$offset` the way Socrata does, logging every request and injecting faults on demand.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use hotspot_core::Lake;
use hotspot_core::csv::{CsvBlocks, split_fields};
use hotspot_core::socrata::{FIELDS, Field, Header, format_api_timestamp, parse_timestamp};

/// One dataset row, its 22 values written the way the SODA CSV writes them.
#[derive(Clone, Debug)]
pub struct Row {
    pub values: Vec<String>,
}

fn pos(f: Field) -> usize {
    FIELDS.iter().position(|g| *g == f).expect("field")
}

impl Row {
    pub fn get(&self, f: Field) -> &str {
        &self.values[pos(f)]
    }
    pub fn set(&mut self, f: Field, value: &str) {
        self.values[pos(f)] = value.to_string();
    }
    pub fn id(&self) -> i64 {
        self.get(Field::Id).parse().expect("id")
    }
}

/// Reads an export (or API) CSV into API-style rows: timestamps rewritten as
/// `YYYY-MM-DDTHH:MM:SS.fff`, everything else verbatim.
pub fn rows_from_csv(path: &Path) -> Vec<Row> {
    let file = std::fs::File::open(path).expect("open sample");
    let mut blocks = CsvBlocks::new(file, 1 << 20);
    let mut header: Option<Header> = None;
    let mut out = Vec::new();
    while let Some(block) = blocks.next_block().expect("read") {
        for span in &block.records {
            let mut fields = Vec::new();
            split_fields(block.bytes(span), &mut fields);
            let fields: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            let Some(h) = &header else {
                header = Some(Header::detect(&fields).expect("header"));
                continue;
            };
            let values = FIELDS
                .iter()
                .map(|&f| {
                    let v = h.position(f).map_or("", |i| fields[i].as_str());
                    if matches!(f, Field::Date | Field::UpdatedOn) {
                        match parse_timestamp(v) {
                            Some(t) => {
                                let mut s = String::new();
                                format_api_timestamp(t, &mut s);
                                s
                            }
                            None => v.to_string(),
                        }
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            out.push(Row { values });
        }
    }
    out
}

/// A synthetic row.
pub fn synthetic_row(id: i64, date: &str, updated: &str, arrest: bool) -> Row {
    let mut values = vec![String::new(); 22];
    let mut set = |f: Field, v: &str| values[pos(f)] = v.to_string();
    set(Field::Id, &id.to_string());
    set(Field::CaseNumber, &format!("JH{id:06}"));
    set(Field::Date, date);
    set(Field::Block, "001XX N STATE ST");
    set(Field::Iucr, "0820");
    set(Field::PrimaryType, "THEFT");
    set(Field::Description, "$500 AND UNDER");
    set(Field::LocationDescription, "STREET");
    set(Field::Arrest, if arrest { "true" } else { "false" });
    set(Field::Domestic, "false");
    set(Field::Beat, "0111");
    set(Field::District, "001");
    set(Field::Ward, "42");
    set(Field::CommunityArea, "32");
    set(Field::FbiCode, "06");
    set(Field::XCoordinate, "1176000");
    set(Field::YCoordinate, "1900000");
    set(Field::Year, &date[..4]);
    set(Field::UpdatedOn, updated);
    set(Field::Latitude, "41.883000000");
    set(Field::Longitude, "-87.628000000");
    set(Field::Location, "(41.883000000, -87.628000000)");
    Row { values }
}

/// A fault the server injects instead of (or into) an answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status (and `Retry-After` if given) and a Socrata-like JSON body.
    Status(u16, Option<String>),
    /// Send the headers with the full `Content-Length`, half the body, then close.
    DropMidBody,
    /// Read the request, then close without answering.
    CloseWithoutResponse,
    /// Answer 200 without `Content-Length` (close-delimited) and stop mid-line.
    TruncateUndelimited,
    /// Answer the query correctly, but drop one field from the middle row of the page.
    ShortRow,
    /// Answer the query correctly, but with the portal export's header names.
    ExportHeader,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Logged {
    pub path: String,
    pub params: BTreeMap<String, String>,
    pub app_token: Option<String>,
    /// Status answered (0: the connection was dropped).
    pub status: u16,
    /// Data rows answered (before any fault mangled them).
    pub rows: usize,
}

impl Logged {
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }
}

type FaultFn = Box<dyn FnMut(usize, &Logged) -> Option<Fault> + Send>;

struct State {
    rows: Vec<Row>,
    log: Vec<Logged>,
    faults: Option<FaultFn>,
}

/// The running server.
pub struct Server {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start(rows: Vec<Row>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State {
            rows,
            log: Vec::new(),
            faults: None,
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                handle(stream, &shared);
            }
        });
        Server {
            base_url: format!("http://{addr}"),
            state,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.lock().log.clone()
    }

    pub fn clear_log(&self) {
        self.lock().log.clear();
    }

    /// Decides a fault per request: `f(request index since start, request)`.
    pub fn set_faults(&self, f: impl FnMut(usize, &Logged) -> Option<Fault> + Send + 'static) {
        self.lock().faults = Some(Box::new(f));
    }

    pub fn clear_faults(&self) {
        self.lock().faults = None;
    }

    /// Changes the dataset (an update upstream).
    pub fn edit(&self, f: impl FnOnce(&mut Vec<Row>)) {
        f(&mut self.lock().rows);
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn write_csv_field(out: &mut String, v: &str) {
    out.push('"');
    out.push_str(&v.replace('"', "\"\""));
    out.push('"');
}

fn csv_line(values: &[String]) -> String {
    let mut s = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        write_csv_field(&mut s, v);
    }
    s.push('\n');
    s
}

fn respond(stream: &mut TcpStream, status: u16, extra: &[(String, String)], body: &[u8]) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn handle(mut stream: TcpStream, state: &Arc<Mutex<State>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut app_token = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.trim().eq_ignore_ascii_case("x-app-token")
        {
            app_token = Some(v.trim().to_string());
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(percent_decode(k), percent_decode(v));
    }
    let mut logged = Logged {
        path: path.to_string(),
        params,
        app_token,
        status: 0,
        rows: 0,
    };

    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let index = st.log.len();
    let fault = match st.faults.as_mut() {
        Some(f) => f(index, &logged),
        None => None,
    };
    let answer = answer(&st.rows, &logged);
    let (status, body, rows) = match answer {
        Ok((body, rows)) => (200, body, rows),
        Err((status, msg)) => (
            status,
            format!("{{\"error\":true,\"message\":{msg:?}}}").into_bytes(),
            0,
        ),
    };
    logged.status = status;
    logged.rows = rows;
    match &fault {
        Some(Fault::Status(s, _)) => logged.status = *s,
        Some(Fault::DropMidBody | Fault::CloseWithoutResponse | Fault::TruncateUndelimited) => {
            logged.status = 0
        }
        _ => {}
    }
    st.log.push(logged);
    drop(st);

    match fault {
        None => respond(&mut stream, status, &content_type(status), &body),
        Some(Fault::Status(s, retry_after)) => {
            let mut extra = content_type(s);
            if let Some(r) = retry_after {
                extra.push(("Retry-After".into(), r));
            }
            let msg = format!("{{\"error\":true,\"message\":\"injected {s}\"}}");
            respond(&mut stream, s, &extra, msg.as_bytes());
        }
        Some(Fault::CloseWithoutResponse) => {}
        Some(Fault::DropMidBody) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
        }
        Some(Fault::TruncateUndelimited) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            // Cut inside a line: after the first byte of the last line.
            let cut = body[..body.len().saturating_sub(1)]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(body.len() / 2, |p| p + 2);
            let _ = stream.write_all(&body[..cut.min(body.len())]);
            let _ = stream.flush();
        }
        Some(Fault::ShortRow) => {
            let text = String::from_utf8_lossy(&body).into_owned();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mid = lines.len() / 2;
            if mid > 0 {
                let cut = lines[mid].find("\",\"").map_or(0, |p| p + 2);
                lines[mid] = lines[mid][cut..].to_string();
            }
            let body = lines.join("\n") + "\n";
            respond(&mut stream, 200, &content_type(200), body.as_bytes());
        }
        Some(Fault::ExportHeader) => {
            let text = String::from_utf8_lossy(&body).into_owned();
            let rest = text.split_once('\n').map_or("", |(_, r)| r);
            let names: Vec<String> = FIELDS
                .iter()
                .map(|f| f.display_name().to_string())
                .collect();
            let body = csv_line(&names) + rest;
            respond(&mut stream, 200, &content_type(200), body.as_bytes());
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn content_type(status: u16) -> Vec<(String, String)> {
    let ct = if status == 200 {
        "text/csv; charset=UTF-8"
    } else {
        "application/json; charset=UTF-8"
    };
    vec![("Content-Type".into(), ct.into())]
}

// ---- the query engine ----------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(i64),
    Op(String),
    LParen,
    RParen,
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if ch == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if ch == '\'' {
            let mut v = String::new();
            i += 1;
            loop {
                if i >= c.len() {
                    return Err("unterminated string literal".into());
                }
                if c[i] == '\'' {
                    if i + 1 < c.len() && c[i + 1] == '\'' {
                        v.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                v.push(c[i]);
                i += 1;
            }
            out.push(Tok::Str(v));
        } else if ch.is_ascii_digit() || (ch == '-' && i + 1 < c.len() && c[i + 1].is_ascii_digit())
        {
            let start = i;
            i += 1;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = c[start..i].iter().collect();
            out.push(Tok::Num(
                text.parse().map_err(|_| format!("bad number {text}"))?,
            ));
        } else if ch.is_ascii_alphabetic() || ch == '_' || ch == ':' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_' || c[i] == ':') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
        } else if "<>=!".contains(ch) {
            let start = i;
            while i < c.len() && "<>=!".contains(c[i]) {
                i += 1;
            }
            out.push(Tok::Op(c[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected character {ch:?}"));
        }
    }
    Ok(out)
}

#[derive(Clone, Debug)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    IsNull(String, bool),
    Cmp(String, String, Tok),
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }
    fn expect_kw(&mut self, kw: &str) -> Result<(), String> {
        if self.peek_kw(kw) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected {kw}"))
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.peek_kw("OR") {
            self.at += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.atom()?;
        while self.peek_kw("AND") {
            self.at += 1;
            e = Expr::And(Box::new(e), Box::new(self.atom()?));
        }
        Ok(e)
    }
    fn atom(&mut self) -> Result<Expr, String> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::LParen) => {
                self.at += 1;
                let e = self.or()?;
                if self.toks.get(self.at) != Some(&Tok::RParen) {
                    return Err("expected )".into());
                }
                self.at += 1;
                Ok(e)
            }
            Some(Tok::Ident(field)) => {
                self.at += 1;
                if self.peek_kw("IS") {
                    self.at += 1;
                    let not = self.peek_kw("NOT");
                    if not {
                        self.at += 1;
                    }
                    self.expect_kw("NULL")?;
                    return Ok(Expr::IsNull(field, !not));
                }
                let Some(Tok::Op(op)) = self.toks.get(self.at).cloned() else {
                    return Err(format!("expected an operator after {field}"));
                };
                self.at += 1;
                let lit = self
                    .toks
                    .get(self.at)
                    .cloned()
                    .ok_or("expected a literal")?;
                self.at += 1;
                if !matches!(lit, Tok::Str(_) | Tok::Num(_)) {
                    return Err(format!("expected a literal after {field} {op}"));
                }
                Ok(Expr::Cmp(field, op, lit))
            }
            other => Err(format!("unexpected token {other:?}")),
        }
    }
}

fn parse_where(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(s)?,
        at: 0,
    };
    let e = p.or()?;
    if p.at != p.toks.len() {
        return Err("trailing tokens".into());
    }
    Ok(e)
}

#[derive(Clone, Debug, PartialEq, PartialOrd)]
enum Val {
    Null,
    Int(i64),
    Ts(i64),
    Text(String),
}

fn field_of(name: &str) -> Result<Field, String> {
    FIELDS
        .iter()
        .copied()
        .find(|f| f.api_name() == name)
        .ok_or_else(|| format!("no such column: {name}"))
}

fn value(row: &Row, f: Field) -> Val {
    let raw = row.get(f);
    if raw.is_empty() {
        return Val::Null;
    }
    match f {
        Field::Id => raw.parse().map_or(Val::Null, Val::Int),
        Field::Date | Field::UpdatedOn => parse_timestamp(raw).map_or(Val::Null, Val::Ts),
        _ => Val::Text(raw.to_string()),
    }
}

fn eval(e: &Expr, row: &Row) -> Result<bool, String> {
    Ok(match e {
        Expr::And(a, b) => eval(a, row)? && eval(b, row)?,
        Expr::Or(a, b) => eval(a, row)? || eval(b, row)?,
        Expr::IsNull(f, want_null) => (value(row, field_of(f)?) == Val::Null) == *want_null,
        Expr::Cmp(f, op, lit) => {
            let field = field_of(f)?;
            let left = value(row, field);
            let right = match (field, lit) {
                (Field::Id, Tok::Num(n)) => Val::Int(*n),
                (Field::Date | Field::UpdatedOn, Tok::Str(s)) => Val::Ts(
                    parse_timestamp(s)
                        .ok_or_else(|| format!("could not parse '{s}' as a floating timestamp"))?,
                ),
                (Field::Id | Field::Date | Field::UpdatedOn, _) => {
                    return Err(format!("type mismatch for {f} {op} {lit:?}"));
                }
                (_, Tok::Str(s)) => Val::Text(s.clone()),
                (_, Tok::Num(n)) => Val::Text(n.to_string()),
                _ => return Err("bad literal".into()),
            };
            if left == Val::Null {
                return Ok(false);
            }
            match op.as_str() {
                "=" => left == right,
                "!=" | "<>" => left != right,
                ">" => left > right,
                ">=" => left >= right,
                "<" => left < right,
                "<=" => left <= right,
                _ => return Err(format!("unknown operator {op}")),
            }
        }
    })
}

/// Answers a query: the CSV body and the number of data rows, or a status and message.
fn answer(rows: &[Row], q: &Logged) -> Result<(Vec<u8>, usize), (u16, String)> {
    if q.path != "/resource/ijzp-q8t2.csv" {
        return Err((404, format!("no such resource {}", q.path)));
    }
    let bad = |m: String| (400, m);
    let select: Vec<Field> = match q.params.get("$select") {
        Some(s) => s
            .split(',')
            .map(|n| field_of(n.trim()))
            .collect::<Result<_, _>>()
            .map_err(bad)?,
        None => FIELDS.to_vec(),
    };
    let filter = match q.params.get("$where") {
        Some(w) => Some(parse_where(w).map_err(|e| bad(format!("bad $where {w:?}: {e}")))?),
        None => None,
    };
    let mut order: Vec<(Field, bool)> = Vec::new();
    if let Some(o) = q.params.get("$order") {
        for part in o.split(',') {
            let mut it = part.split_whitespace();
            let f = field_of(it.next().unwrap_or("")).map_err(bad)?;
            let desc = it.next().is_some_and(|d| d.eq_ignore_ascii_case("DESC"));
            order.push((f, desc));
        }
    }
    let num = |name: &str, default: usize| -> Result<usize, (u16, String)> {
        match q.params.get(name) {
            Some(v) => v.parse().map_err(|_| (400, format!("bad {name}"))),
            None => Ok(default),
        }
    };
    let limit = num("$limit", 1000)?;
    let offset = num("$offset", 0)?;
    let mut hits: Vec<&Row> = Vec::new();
    for r in rows {
        let keep = match &filter {
            Some(e) => eval(e, r).map_err(bad)?,
            None => true,
        };
        if keep {
            hits.push(r);
        }
    }
    if !order.is_empty() {
        hits.sort_by(|a, b| {
            for (f, desc) in &order {
                let c = value(a, *f)
                    .partial_cmp(&value(b, *f))
                    .unwrap_or(std::cmp::Ordering::Equal);
                let c = if *desc { c.reverse() } else { c };
                if c.is_ne() {
                    return c;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let page: Vec<&Row> = hits.into_iter().skip(offset).take(limit).collect();
    let names: Vec<String> = select.iter().map(|f| f.api_name().to_string()).collect();
    let mut body = csv_line(&names);
    for r in &page {
        let values: Vec<String> = select.iter().map(|f| r.get(*f).to_string()).collect();
        body.push_str(&csv_line(&values));
    }
    Ok((body.into_bytes(), page.len()))
}

// ---- lake comparison ------------------------------------------------------------------------

/// Every Bronze row of the lake, by id, as printed values (plus the month it sits in).
pub fn bronze_rows(lake: &Lake) -> BTreeMap<i64, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for ym in lake.bronze_months().expect("months") {
        let df = hotspot_pipeline::frame::read_parquet(&lake.bronze(ym), None).expect("read");
        let names: Vec<String> = df.columns().iter().map(|c| c.name().to_string()).collect();
        let id_col = names.iter().position(|n| n == "id").expect("id column");
        for i in 0..df.height() {
            let row = df.get(i).expect("row");
            let values: Vec<String> = row
                .iter()
                .zip(&names)
                .map(|(v, n)| format!("{n}={v}"))
                .collect();
            let id: i64 = format!("{}", row[id_col]).parse().expect("id");
            assert!(
                out.insert(id, (ym.to_string(), values)).is_none(),
                "id {id} twice in Bronze"
            );
        }
    }
    out
}

/// Fast options for tests against `server`.
pub fn options(server: &Server, page_size: usize) -> hotspot_fetch::FetchOptions {
    use std::time::Duration;
    hotspot_fetch::FetchOptions {
        base_url: server.base_url.clone(),
        page_size: Some(page_size),
        max_retries: 5,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(5),
        build: false,
        ..hotspot_fetch::FetchOptions::default()
    }
}

/// Requests for data pages (ignoring none today, kept for clarity), with their where clauses.
pub fn wheres(log: &[Logged]) -> Vec<String> {
    log.iter().map(|l| l.param("$where").to_string()).collect()
}

/// Page files left in the lake's fetch directory.
pub fn page_files(lake: &Lake) -> Vec<PathBuf> {
    match std::fs::read_dir(hotspot_fetch::pages_dir(lake)) {
        Ok(d) => d.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Distinct ids of `rows`.
pub fn ids(rows: &[Row]) -> BTreeSet<i64> {
    rows.iter().map(Row::id).collect()
}

/// Counts per key.
pub fn counts<K: std::hash::Hash + Eq>(keys: impl IntoIterator<Item = K>) -> HashMap<K, usize> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// A progress sink that adds up what each stage reports.
#[derive(Default)]
pub struct Recorder {
    totals: Arc<Mutex<BTreeMap<String, u64>>>,
}

struct RecorderStage {
    name: String,
    totals: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl hotspot_core::progress::Stage for RecorderStage {
    fn advance(&self, n: u64) {
        let mut t = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        *t.entry(self.name.clone()).or_insert(0) += n;
    }
    fn finish(&self) {}
}

impl hotspot_core::progress::Progress for Recorder {
    fn stage(&self, name: &str, _total: Option<u64>) -> Box<dyn hotspot_core::progress::Stage> {
        Box::new(RecorderStage {
            name: name.to_string(),
            totals: Arc::clone(&self.totals),
        })
    }
}

impl Recorder {
    /// Units reported by stage `name`.
    pub fn rows(&self, name: &str) -> u64 {
        let t = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        t.get(name).copied().unwrap_or(0)
    }
}
