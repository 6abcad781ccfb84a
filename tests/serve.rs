//! `referat serve`: the real binary on a free port, fetched over HTTP, with its event stream
//! read as a browser's EventSource would, while the tests edit the site's files.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use common::*;

/// How long to wait for anything the server should do; far more than it needs.
const PATIENCE: Duration = Duration::from_secs(30);

const MEETING: &str = "content/integrationsraadet/2023-10-10.md";
const MEETING_URL: &str = "/integrationsraadet/2023-10-10/";
const TITLE: &str = "Besøg af FrivilligAalborg - Dansk Flygtningehjælp";
const SCRIPT_TAG: &str = "<script src=\"/_referat/reload.js\" defer></script>";

/// A running `referat serve`, stopped when dropped, and what it has printed.
struct Server {
    child: Child,
    stderr: Receiver<String>,
    printed: Vec<String>,
    /// host:port, as printed.
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `referat serve --root root --port 0`, once it says where it serves.
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_referat"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the referat binary runs");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (sender, receiver) = channel();
        thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stderr: receiver,
            printed: Vec::new(),
            address: String::new(),
        };
        let serving = server.wait_for_line("Serving ");
        let address = serving
            .split_once(" at http://")
            .and_then(|(_, rest)| rest.split_once("/ (Ctrl+C to stop)"))
            .map(|(address, _)| address.to_owned())
            .unwrap_or_else(|| panic!("no URL in `{serving}`"));
        assert!(
            !address.ends_with(":0") && address.starts_with("127.0.0.1:"),
            "{serving}"
        );
        server.address = address;
        server
    }

    /// The next line printed that starts with `start`.
    fn wait_for_line(&mut self, start: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.printed.push(line.clone());
                    if line.starts_with(start) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "referat serve printed no line starting with `{start}`; it printed:\n{}",
                    self.printed.join("\n")
                ),
            }
        }
    }

    /// The lines printed since the last look, as far as they have arrived.
    fn new_lines(&mut self) -> Vec<String> {
        let lines: Vec<String> = self.stderr.try_iter().collect();
        self.printed.extend(lines.iter().cloned());
        lines
    }

    fn get(&self, path: &str) -> Reply {
        get(&self.address, path)
    }

    fn events(&self) -> Events {
        Events::open(&self.address)
    }
}

/// An HTTP response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Send `GET path` to `address` over HTTP/1.1 and read the response.
fn get(address: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let length: usize = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, value)| value.parse().unwrap())
        .unwrap_or_else(|| panic!("GET {path}: no Content-Length in {headers:?}"));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// The status and the headers of a response.
fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            return (status, headers);
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
}

/// One server-sent event.
#[derive(Debug)]
struct Event {
    name: String,
    data: String,
}

/// The server's event stream, read as a browser's EventSource reads it.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// Connect; once this returns, the server tells this stream of every build.
    fn open(address: &str) -> Events {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "GET /_referat/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200);
        assert!(
            headers
                .iter()
                .any(|(key, value)| key.eq_ignore_ascii_case("Content-Type")
                    && value == "text/event-stream"),
            "{headers:?}"
        );
        Events { reader }
    }

    /// The next event, or `None` if none comes within `wait`.
    fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = Instant::now() + wait;
        let mut name = String::new();
        let mut data: Vec<String> = Vec::new();
        let mut line = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the server closed the event stream"),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return None;
                }
                Err(e) => panic!("cannot read the event stream: {e}"),
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !data.is_empty() {
                    return Some(Event {
                        name,
                        data: data.join("\n"),
                    });
                }
                name.clear();
            } else if let Some(value) = line.strip_prefix("event:") {
                name = value.trim_start().to_owned();
            } else if let Some(value) = line.strip_prefix("data:") {
                data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
            }
        }
    }

    /// The next event, which must be `name`.
    fn expect(&mut self, name: &str) -> Event {
        let event = self
            .next(PATIENCE)
            .unwrap_or_else(|| panic!("no `{name}` event within {PATIENCE:?}"));
        assert_eq!(event.name, name, "{event:?}");
        event
    }
}

/// Replace `from` by `to` in the file `path` of the site at `root`.
fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} lacks `{from}`");
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_edit_rebuilds_the_site_and_reloads_the_open_pages() {
    let (_dir, root) = site_copy(&examples());
    let mut server = Server::start(&root);

    let page = server.get(MEETING_URL);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    assert!(page.body.contains(TITLE), "{}", page.body);
    assert_eq!(page.body.matches(SCRIPT_TAG).count(), 1);
    assert!(page.body.contains(&format!("{SCRIPT_TAG}</body>")));

    let script = server.get("/_referat/reload.js");
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("Content-Type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        script
            .body
            .contains("new EventSource(\"/_referat/events\")")
    );

    let mut events = server.events();
    edit(&root, MEETING, TITLE, "Besøg af Frivilligcentret");
    events.expect("reload");

    let page = server.get(MEETING_URL);
    assert!(
        page.body.contains("Besøg af Frivilligcentret"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(TITLE));
    let rebuilt = server.wait_for_line("Rebuilt in ");
    assert!(
        rebuilt.ends_with(&format!("s (changed: {MEETING})")),
        "{rebuilt}"
    );

    let on_disk = page_of(&root, "integrationsraadet/2023-10-10/index.html");
    assert!(on_disk.contains("Besøg af Frivilligcentret"));
    assert!(
        !on_disk.contains("_referat"),
        "the reload script reached a built file"
    );
}

/// A page of the site `referat serve` built for `root`.
fn page_of(root: &Path, path: &str) -> String {
    page(&root.join(".referat-cache/serve"), path)
}

#[test]
fn folders_the_site_s_404_page_and_paths_outside_the_site() {
    let (_dir, root) = site_copy(&examples());
    let server = Server::start(&root);

    let redirect = server.get("/integrationsraadet/2023-10-10?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.header("Location"),
        Some("/integrationsraadet/2023-10-10/?x=1")
    );

    let missing = server.get("/ingen/side/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        page_of(&root, "404.html").replace("</body>", &format!("{SCRIPT_TAG}</body>"))
    );

    let pdf = server.get("/integrationsraadet/2023-10-10/handleplan-maalsaetning-1.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("Content-Type"), Some("application/pdf"));
    let calendar = server.get("/kalender.ics");
    assert_eq!(calendar.status, 200);
    assert_eq!(
        calendar.header("Content-Type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(!calendar.body.contains("_referat"));

    for outside in ["/../site.toml", "/%2e%2e/site.toml", "/..%2fsite.toml"] {
        let reply = server.get(outside);
        assert_eq!(reply.status, 400, "{outside}");
        assert!(!reply.body.contains("municipality"), "{outside}");
    }
}

#[test]
fn a_broken_file_is_reported_and_the_last_good_site_stays_until_it_is_fixed() {
    let (_dir, root) = site_copy(&examples());
    let mut server = Server::start(&root);
    let mut events = server.events();

    edit(&root, MEETING, "date: 2023-10-10", "date: tirsdag");
    let error = events.expect("error");
    assert!(
        error
            .data
            .starts_with(&format!("error: {MEETING}:2: front matter: date:")),
        "{error:?}"
    );
    let printed = server.wait_for_line("error: ");
    assert_eq!(printed, error.data);

    let page = server.get(MEETING_URL);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(TITLE));

    // A page opened now hears of the error at once.
    let mut late = server.events();
    assert_eq!(late.expect("error").data, error.data);

    edit(&root, MEETING, "date: tirsdag", "date: 2023-10-10");
    events.expect("reload");
    late.expect("reload");
    server.wait_for_line("Rebuilt in ");
}

#[test]
fn when_the_first_build_fails_every_page_shows_the_errors_until_it_is_fixed() {
    let (_dir, root) = site_copy(&examples());
    edit(&root, MEETING, "date: 2023-10-10", "date: tirsdag");
    let server = Server::start(&root);
    assert!(
        server
            .printed
            .iter()
            .any(|line| line.starts_with(&format!("error: {MEETING}:2: "))),
        "{:?}",
        server.printed
    );

    let page = server.get(MEETING_URL);
    assert_eq!(page.status, 503);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains(SCRIPT_TAG), "{}", page.body);
    let mut events = server.events();
    assert!(events.expect("error").data.contains(MEETING));

    edit(&root, MEETING, "date: tirsdag", "date: 2023-10-10");
    events.expect("reload");
    let page = server.get(MEETING_URL);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(TITLE));
}

#[test]
fn saving_a_burst_of_files_rebuilds_once() {
    let (_dir, root) = site_copy(&examples());
    let mut server = Server::start(&root);
    let mut events = server.events();

    let saves = [
        (MEETING, TITLE, "Første udgave"),
        (
            "content/integrationsraadet/_index.md",
            "## Formål",
            "## Rådets formål",
        ),
        ("site.toml", "Dagsordener og referater", "Referater"),
        (MEETING, "Første udgave", "Anden udgave"),
        (MEETING, "Anden udgave", "Tredje udgave"),
    ];
    for (path, from, to) in saves {
        edit(&root, path, from, to);
        thread::sleep(Duration::from_millis(10));
    }

    events.expect("reload");
    let rebuilt = server.wait_for_line("Rebuilt in ");
    assert!(
        rebuilt.ends_with(&format!(
            "(changed: {MEETING}, content/integrationsraadet/_index.md, site.toml)"
        )),
        "{rebuilt}"
    );
    let more = events.next(Duration::from_secs(2));
    assert!(more.is_none(), "a second event after one burst: {more:?}");
    let again: Vec<String> = server
        .new_lines()
        .into_iter()
        .filter(|line| line.starts_with("Rebuilt"))
        .collect();
    assert!(again.is_empty(), "{again:?}");
    assert!(server.get(MEETING_URL).body.contains("Tredje udgave"));
}

#[test]
fn a_port_in_use_is_named_with_a_way_out() {
    let (_dir, root) = site_copy(&examples());
    let server = Server::start(&root);
    let port = server.address.rsplit(':').next().unwrap();
    let mut second = Command::new(env!("CARGO_BIN_EXE_referat"))
        .args(["serve", "--port", port, "--root"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            second.kill().unwrap();
            panic!("a second server on port {port} did not stop");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    second
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.starts_with(&format!("Error: port {port} on 127.0.0.1 is in use"))
            && stderr.contains("--port"),
        "{stderr}"
    );
}

#[test]
fn serve_help_names_its_options() {
    let out = referat(&["serve", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for option in ["--root", "--port", "--bind", "--open", "1111", "127.0.0.1"] {
        assert!(
            text.contains(option),
            "serve --help lacks {option}:\n{text}"
        );
    }
}
