//! Helpers shared by the integration tests: build a site with the real binary into a temporary
//! folder and read what it wrote.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the demo site).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/examples`, the content format by example.
pub fn examples() -> PathBuf {
    let dir = repo_root().join("../shared/examples");
    assert!(
        dir.join("site.toml").is_file(),
        "{} is missing: the tests need the shared/ folder beside the repository clone",
        dir.display()
    );
    dir
}

/// Run `referat` with `args`.
pub fn referat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_referat"))
        .args(args)
        .output()
        .expect("the referat binary runs")
}

/// Run `referat` with `args` in the folder `dir`.
pub fn referat_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_referat"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the referat binary runs")
}

/// Build the site at `root` into `output`, with extra arguments.
pub fn build(root: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        "--quiet",
        "--root",
        root.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    referat(&args)
}

/// Build and require success.
pub fn build_ok(root: &Path, output: &Path, extra: &[&str]) {
    let out = build(root, output, extra);
    assert!(
        out.status.success(),
        "the build of {} failed:\n{}",
        root.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the folder `from` at `to` (files and folders, not links).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
            let mut permissions = fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            fs::set_permissions(&target, permissions).unwrap();
        }
    }
}

/// A writable copy of a site in a new temporary folder: (guard, root).
pub fn site_copy(from: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(from, &root);
    (dir, root)
}

/// The demo site (the repository's `content/` and `site.toml`) copied into a new temporary
/// folder: (guard, root).
pub fn demo_site() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = site_copy(&repo_root().join("content"));
    fs::rename(&root, dir.path().join("content")).unwrap();
    let root = dir.path().to_path_buf();
    fs::copy(repo_root().join("site.toml"), root.join("site.toml")).unwrap();
    (dir, root)
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// The text of the page at `path` under `output`.
pub fn page(output: &Path, path: &str) -> String {
    fs::read_to_string(output.join(path))
        .unwrap_or_else(|e| panic!("cannot read {path} in {}: {e}", output.display()))
}

/// Every value of `attribute="…"` in `html`, with `&amp;` decoded.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

/// ../shared/examples switched to English and built: (guard, output folder).
pub fn build_english_examples() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = site_copy(&examples());
    let config = root.join("site.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        text.replace("language = \"da\"", "language = \"en\""),
    )
    .unwrap();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    (dir, out)
}

/// Write a generated archive of `meetings` meetings (seed 1) at `root`.
pub fn generate_corpus(root: &Path, meetings: u32) {
    let out = Command::new(env!("CARGO_BIN_EXE_referat-bench"))
        .args(["corpus", "--meetings", &meetings.to_string(), "--out"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "referat-bench corpus failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The file under the output that `url`, an absolute URL of a site built for `base_url`, names
/// (a folder URL names its `index.html`), without the fragment.
pub fn file_of_url(base_url: &str, url: &str) -> String {
    let base = if base_url.ends_with('/') {
        base_url.to_owned()
    } else {
        format!("{base_url}/")
    };
    let path = url
        .strip_prefix(&base)
        .unwrap_or_else(|| panic!("`{url}` is not under the base URL {base}"));
    let path = path.split('#').next().unwrap();
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// Write a file at `root/path`, creating its folders.
pub fn write_file(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(file, text).unwrap();
}

/// The bytes of the output file `path` to scan: an iCalendar file unfolded, since its long
/// lines are folded (CRLF and a space) wherever they reach 75 octets, even inside a word.
pub fn scanned(path: &str, bytes: &[u8]) -> Vec<u8> {
    if !path.ends_with(".ics") {
        return bytes.to_vec();
    }
    let mut unfolded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\r\n ") {
            i += 3;
        } else {
            unfolded.push(bytes[i]);
            i += 1;
        }
    }
    unfolded
}

/// The segments of the search index kept at `root`, from its meta.json: (documents, of which
/// deleted), in the index's order.
pub fn search_index_segments(root: &Path) -> Vec<(u64, u64)> {
    let meta: serde_json::Value = serde_json::from_slice(
        &fs::read(root.join(".referat-cache/search/index/meta.json")).unwrap(),
    )
    .unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["max_doc"].as_u64().unwrap(),
                s["deletes"]["num_deleted_docs"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Hold the lock of the cache of the site at `root`, as a build does while it runs.
pub fn hold_site_lock(root: &Path) -> referat::sitelock::SiteLock {
    referat::sitelock::take(root, |line| panic!("nothing else holds the lock: {line}"))
}

/// Start `referat` with `args`, and return it once the first line of its stderr, which must
/// say that it waits for another build, has come.
pub fn referat_waiting(args: &[&std::ffi::OsStr]) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_referat"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the referat binary runs");
    let mut stderr = std::io::BufReader::new(child.stderr.as_mut().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
    assert!(line.starts_with("Waiting for another build of"), "{line}");
    assert!(
        child.try_wait().unwrap().is_none(),
        "referat went on while another build held the site's cache"
    );
    child
}
