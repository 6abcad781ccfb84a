//! The search in a real browser: the demo site, built for a sub-path (`/raad/`) and served on
//! 127.0.0.1, driven in headless Chromium by `tests/browser/search.test.mjs` (playwright-core).
//!
//! Needs Debian's Chromium at /usr/bin/chromium, Node.js 20 or newer, and the npm packages of
//! tests/browser/; when one is missing the test fails and says how to install it.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::*;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The path the site is served under: links must work below the domain root.
const PREFIX: &str = "/raad/";
/// The whole browser run, in case something hangs that the script's own timeouts miss.
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn browser_dir() -> PathBuf {
    repo_root().join("tests/browser")
}

/// What the browser test needs and how to install it; the test fails, never skips, without it.
fn check_requirements() {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!(
            "Chromium is not installed at {CHROMIUM}: apt-get install -y chromium"
        ));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        missing.push(
            "node is not installed: apt-get install -y nodejs (Node.js 20 or newer)".to_owned(),
        );
    }
    if !browser_dir()
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.push(
            "the npm packages of tests/browser are not installed: npm ci --prefix tests/browser \
             (from the repository root)"
                .to_owned(),
        );
    }
    assert!(
        missing.is_empty(),
        "the browser test cannot run:\n  - {}\n(.ci/run installs all of these)",
        missing.join("\n  - ")
    );
}

/// The demo site (the repository's `content/` and `site.toml`) in a temporary folder.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = site_copy(&repo_root().join("content"));
    fs::rename(&root, dir.path().join("content")).unwrap();
    let root = dir.path().to_path_buf();
    fs::copy(repo_root().join("site.toml"), root.join("site.toml")).unwrap();
    (dir, root)
}

/// A static file server for `dir` under [`PREFIX`], on a thread per connection, for the life of
/// the test process. Anything outside the prefix is a 404, so a link that escapes the sub-path
/// fails in the browser.
fn serve(listener: TcpListener, dir: PathBuf) {
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            thread::spawn(move || {
                let _ = answer(stream, &dir);
            });
        }
    });
}

fn answer(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let path = target.split(['?', '#']).next().unwrap_or("");

    let (status, content_type, body, location) = match resolve(dir, path) {
        _ if method != "GET" && method != "HEAD" => {
            ("405 Method Not Allowed", "text/plain", Vec::new(), None)
        }
        Resolved::File(file) => match fs::read(&file) {
            Ok(bytes) => ("200 OK", content_type(&file), bytes, None),
            Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec(), None),
        },
        Resolved::Redirect(to) => ("301 Moved Permanently", "text/plain", Vec::new(), Some(to)),
        Resolved::NotFound => ("404 Not Found", "text/plain", b"not found".to_vec(), None),
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(to) = location {
        head.push_str(&format!("Location: {to}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

enum Resolved {
    File(PathBuf),
    Redirect(String),
    NotFound,
}

/// The file a URL path names under [`PREFIX`]; a folder is its `index.html`.
fn resolve(dir: &Path, path: &str) -> Resolved {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Resolved::NotFound;
    };
    let Some(rest) = percent_decode(rest) else {
        return Resolved::NotFound;
    };
    let relative = Path::new(&rest);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Resolved::NotFound;
    }
    let file = dir.join(relative);
    if file.is_dir() {
        if !(rest.is_empty() || rest.ends_with('/')) {
            return Resolved::Redirect(format!("{path}/"));
        }
        return Resolved::File(file.join("index.html"));
    }
    if file.is_file() {
        Resolved::File(file)
    } else {
        Resolved::NotFound
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[test]
fn the_search_works_in_headless_chromium() {
    check_requirements();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let site_url = format!("http://{}{PREFIX}", listener.local_addr().unwrap());
    let (dir, root) = demo();
    let output = dir.path().join("public");
    build_ok(&root, &output, &["--base-url", &site_url]);
    serve(listener, output);

    // Its output goes to a file: a pipe nobody reads while we wait could fill and stall it.
    let log = dir.path().join("browser.log");
    let log_file = fs::File::create(&log).unwrap();
    let script = browser_dir().join("search.test.mjs");
    let started = Instant::now();
    let mut child = Command::new("node")
        .arg(&script)
        .current_dir(browser_dir())
        .env("SITE_URL", &site_url)
        .env("SITE_ROOT", &root)
        .env("REFERAT_BIN", env!("CARGO_BIN_EXE_referat"))
        .env("CHROMIUM", CHROMIUM)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .expect("node runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let printed = fs::read_to_string(&log).unwrap_or_default();
    match status {
        None => panic!(
            "node {} did not finish in {RUN_LIMIT:?}:\n{printed}",
            script.display()
        ),
        Some(status) => assert!(
            status.success(),
            "the browser test failed (node {}, site at {site_url}):\n{printed}",
            script.display()
        ),
    }
    eprintln!(
        "browser test: {:.1} s\n{printed}",
        started.elapsed().as_secs_f64()
    );
}
