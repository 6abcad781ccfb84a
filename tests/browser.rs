//! The site in a real browser: the demo site, built for a sub-path (`/raad/`) and served on
//! 127.0.0.1, driven in headless Chromium (playwright-core) by the scripts of `tests/browser/`:
//! `search.test.mjs` the search end to end, `accessibility.test.mjs` axe-core's WCAG 2.1 A/AA
//! rules on every kind of page and the site used with the keyboard alone.
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
    let modules = browser_dir().join("node_modules");
    if !["playwright-core", "axe-core"]
        .iter()
        .all(|package| modules.join(package).join("package.json").is_file())
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

/// A static file server for `dir` under [`PREFIX`], on a thread per connection, for the life of
/// the test process. Anything outside the prefix is a 404, so a link that escapes the sub-path
/// fails in the browser; a missing page under it is answered with the site's `404.html`, as a
/// web server set up for the site would.
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
        Resolved::NotFound if path.starts_with(PREFIX) => match fs::read(dir.join("404.html")) {
            Ok(page) => ("404 Not Found", "text/html; charset=utf-8", page, None),
            Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec(), None),
        },
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

/// The demo site built for [`PREFIX`] and served on 127.0.0.1: (guard, site root, site URL).
fn serve_demo() -> (tempfile::TempDir, PathBuf, String) {
    check_requirements();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let site_url = format!("http://{}{PREFIX}", listener.local_addr().unwrap());
    let (dir, root) = demo_site();
    let output = dir.path().join("public");
    build_ok(&root, &output, &["--base-url", &site_url]);
    serve(listener, output);
    (dir, root, site_url)
}

/// Run `node tests/browser/<script>` with `env` and fail with everything it printed unless it
/// passes within [`RUN_LIMIT`].
fn run_script(script: &str, work: &Path, site_url: &str, env: &[(&str, &str)]) {
    // Its output goes to a file: a pipe nobody reads while we wait could fill and stall it.
    let log = work.join(format!("{script}.log"));
    let log_file = fs::File::create(&log).unwrap();
    let script = browser_dir().join(script);
    let started = Instant::now();
    let mut child = Command::new("node")
        .arg(&script)
        .current_dir(browser_dir())
        .env("SITE_URL", site_url)
        .env("CHROMIUM", CHROMIUM)
        .envs(env.iter().copied())
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
        "{}: {:.1} s\n{printed}",
        script.display(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn the_search_works_in_headless_chromium() {
    let (dir, root, site_url) = serve_demo();
    run_script(
        "search.test.mjs",
        dir.path(),
        &site_url,
        &[
            ("SITE_ROOT", root.to_str().unwrap()),
            ("REFERAT_BIN", env!("CARGO_BIN_EXE_referat")),
        ],
    );
}

/// axe-core finds no WCAG 2.1 A/AA violation on any page, the keyboard alone reaches the search
/// and a result, focus always shows, and the footer links to the accessibility statement.
#[test]
fn every_page_is_accessible_in_headless_chromium() {
    let (dir, root, site_url) = serve_demo();
    let config: toml::Table = fs::read_to_string(root.join("site.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let statement = config
        .get("accessibility_statement")
        .and_then(|v| v.as_str())
        .expect("site.toml has an accessibility_statement");
    assert!(statement.starts_with("https://"), "{statement}");
    run_script(
        "accessibility.test.mjs",
        dir.path(),
        &site_url,
        &[("ACCESSIBILITY_STATEMENT", statement)],
    );
}
