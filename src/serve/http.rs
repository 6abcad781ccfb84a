//! The HTTP side of `referat serve`: the built site's files, each HTML page with the reload
//! script added as it is sent (never on disk), the script itself at `/_referat/reload.js`, and
//! the build events at `/_referat/events`. Each request has a thread of its own, since an
//! event stream stays open as long as its page.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::thread;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::events::Hub;

/// The script that reloads the page and shows a failed build's errors.
const RELOAD_JS: &str = include_str!("reload.js");

/// What every HTML page gets before `</body>`.
const SCRIPT_TAG: &[u8] = b"<script src=\"/_referat/reload.js\" defer></script>";

/// How often an idle event stream sends a comment, so that the stream of a page that has
/// gone is noticed and closed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The page shown for every request while no build has succeeded yet; the reload script
/// added to it shows the errors and reloads once the site builds.
const NO_SITE_YET: &str = "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>No site yet – referat serve</title>
</head>
<body>
<main>
<h1>No site yet</h1>
<p>The site has not built yet: its errors are in the terminal where <code>referat serve</code>
runs. This page reloads as soon as the site builds.</p>
</main>
</body>
</html>
";

/// The built site and the news of its builds.
pub(super) struct Site {
    output: PathBuf,
    hub: Arc<Hub>,
}

/// What a request's URL names.
#[derive(Debug, PartialEq)]
enum Target {
    Script,
    Events,
    File(PathBuf),
    /// A folder named without its trailing slash: the URL with one.
    Redirect(String),
    Missing,
    BadRequest,
}

impl Site {
    /// Serve the site built into `output`, and the outcome of each build as `hub` hears it.
    pub(super) fn new(output: PathBuf, hub: Arc<Hub>) -> Site {
        Site { output, hub }
    }

    /// Answer the requests `server` receives, each on a thread of its own, for as long as the
    /// process runs.
    pub(super) fn run(self, server: Server) {
        let site = Arc::new(self);
        for request in server.incoming_requests() {
            let site = Arc::clone(&site);
            thread::spawn(move || site.respond(request));
        }
    }

    fn respond(&self, request: Request) {
        if !matches!(request.method(), Method::Get | Method::Head) {
            let allow = [("Allow", "GET, HEAD")];
            return send(
                request,
                405,
                "text/plain; charset=utf-8",
                &allow,
                b"GET only\n",
            );
        }
        match resolve(request.url(), &self.output) {
            Target::Script => send(
                request,
                200,
                "text/javascript; charset=utf-8",
                &[],
                RELOAD_JS.as_bytes(),
            ),
            Target::Events => self.stream_events(request),
            Target::File(path) => match std::fs::read(&path) {
                Ok(bytes) => send_file(request, 200, &path, bytes),
                // Gone since it was resolved: the site was rebuilt without it.
                Err(_) => self.not_found(request),
            },
            Target::Redirect(location) => {
                let location = [("Location", location.as_str())];
                send(request, 301, "text/plain; charset=utf-8", &location, b"")
            }
            Target::Missing => self.not_found(request),
            Target::BadRequest => send(
                request,
                400,
                "text/plain; charset=utf-8",
                &[],
                b"Bad request\n",
            ),
        }
    }

    /// The site's own 404 page, or the page saying that nothing has built yet.
    fn not_found(&self, request: Request) {
        let page = self.output.join("404.html");
        match std::fs::read(&page) {
            Ok(bytes) => send_file(request, 404, &page, bytes),
            Err(_) if !self.output.join("index.html").is_file() => send(
                request,
                503,
                "text/html; charset=utf-8",
                &[],
                &inject(NO_SITE_YET.as_bytes()),
            ),
            Err(_) => send(
                request,
                404,
                "text/plain; charset=utf-8",
                &[],
                b"Not found\n",
            ),
        }
    }

    /// Send the outcome of each build as it comes, until the page goes. tiny_http buffers a
    /// response's body, so the stream is written to the connection directly and flushed after
    /// each event; it ends when the connection closes.
    fn stream_events(&self, request: Request) {
        let events = self.hub.subscribe();
        let mut connection = request.into_writer();
        let mut message = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                           Cache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n"
            .to_owned();
        loop {
            let sent = connection
                .write_all(message.as_bytes())
                .and_then(|()| connection.flush());
            if sent.is_err() {
                return;
            }
            message = match events.recv_timeout(KEEP_ALIVE) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_owned(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
        }
    }
}

/// What `url` (a request's path and query) names in the site built into `output`.
fn resolve(url: &str, output: &Path) -> Target {
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    match path {
        "/_referat/reload.js" => return Target::Script,
        "/_referat/events" => return Target::Events,
        _ => {}
    }
    let Some(relative) = path
        .strip_prefix('/')
        .filter(|_| path.is_ascii())
        .and_then(percent_decode)
    else {
        return Target::BadRequest;
    };
    let outside = relative.starts_with('/')
        || relative
            .split('/')
            .any(|part| matches!(part, "." | "..") || part.contains(['\\', ':', '\0']));
    if outside {
        return Target::BadRequest;
    }
    let file = output.join(&relative);
    if file.is_dir() {
        if relative.is_empty() || relative.ends_with('/') {
            let index = file.join("index.html");
            if index.is_file() {
                Target::File(index)
            } else {
                Target::Missing
            }
        } else {
            let query = query.map(|query| format!("?{query}")).unwrap_or_default();
            Target::Redirect(format!("{path}/{query}"))
        }
    } else if file.is_file() {
        Target::File(file)
    } else {
        Target::Missing
    }
}

/// `text` with each `%XX` replaced by its byte; `None` when that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// The Content-Type of a file, by its extension.
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `html` with the reload script before its last `</body>`, or at its end if it has none.
fn inject(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(b"</body>".len())
        .rposition(|window| window.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    [&html[..at], SCRIPT_TAG, &html[at..]].concat()
}

/// Send the file at `path`, read as `bytes`, with the reload script added if it is a page.
fn send_file(request: Request, status: u16, path: &Path, bytes: Vec<u8>) {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        inject(&bytes)
    } else {
        bytes
    };
    send(request, status, content_type, &[], &body);
}

/// Answer `request`, never to be cached: a rebuild may change any file.
fn send(request: Request, status: u16, content_type: &str, headers: &[(&str, &str)], body: &[u8]) {
    // Always with a Content-Length, whatever the size: simpler for clients than chunks.
    let mut response = Response::from_data(body)
        .with_status_code(status)
        .with_chunked_threshold(usize::MAX);
    let all = [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
    ];
    for (name, value) in all.iter().chain(headers) {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // A page that has gone away before its answer is no error.
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_end_of_body() {
        assert_eq!(
            inject(b"<p></body> <BODY></BODY></html>"),
            b"<p></body> <BODY><script src=\"/_referat/reload.js\" defer></script></BODY></html>"
        );
        assert_eq!(
            inject(b"<p>x"),
            b"<p>x<script src=\"/_referat/reload.js\" defer></script>"
        );
    }

    #[test]
    fn urls_name_files_folders_and_nothing_outside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("byraadet/2024-01-01")).unwrap();
        std::fs::write(out.join("index.html"), "front").unwrap();
        std::fs::write(out.join("byraadet/index.html"), "council").unwrap();
        std::fs::write(out.join("byraadet/a b.pdf"), "pdf").unwrap();
        assert_eq!(resolve("/", out), Target::File(out.join("index.html")));
        assert_eq!(
            resolve("/byraadet/?q=1", out),
            Target::File(out.join("byraadet/index.html"))
        );
        assert_eq!(
            resolve("/byraadet?q=1", out),
            Target::Redirect("/byraadet/?q=1".to_owned())
        );
        assert_eq!(
            resolve("/byraadet/a%20b.pdf", out),
            Target::File(out.join("byraadet/a b.pdf"))
        );
        assert_eq!(resolve("/byraadet/2024-01-01/", out), Target::Missing);
        assert_eq!(resolve("/nope.html", out), Target::Missing);
        assert_eq!(resolve("/_referat/events", out), Target::Events);
        for bad in [
            "/../secret",
            "/byraadet/%2e%2e/%2e%2e/secret",
            "//etc/passwd",
            "/%2Fetc/passwd",
            "/a\\..\\b",
            "/%ff",
            "relative",
        ] {
            assert_eq!(resolve(bad, out), Target::BadRequest, "{bad}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        for (file, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("kalender.ics", "text/calendar; charset=utf-8"),
            ("atom.xml", "application/xml; charset=utf-8"),
            ("moeder.json", "application/json"),
            ("bilag.PDF", "application/pdf"),
            ("_search/terms-0.bin", "application/octet-stream"),
            ("README", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(file)), expected, "{file}");
        }
    }
}
