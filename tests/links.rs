//! Every internal link and source resolves to a file of the output, with its anchor, when the
//! site is served from a domain root, from a sub-path, and opened from disk.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Check every href and src of every page; return how many internal links were checked.
fn check_links(output: &Path, base_url: &str, from_disk: bool) -> usize {
    let files = read_tree(output);
    let base_path = {
        let after = &base_url[base_url.find("://").unwrap() + 3..];
        &after[after.find('/').unwrap()..]
    };
    let pages: BTreeMap<&String, String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).unwrap()))
        .collect();
    let mut checked = 0;
    for (path, html) in &pages {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut links = attribute_values(html, "href");
        links.extend(attribute_values(html, "src"));
        for link in links {
            if ["mailto:", "tel:"].iter().any(|s| link.starts_with(s)) {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((t, f)) => (t.to_owned(), Some(f.to_owned())),
                None => (link.clone(), None),
            };
            let resolved = if target.is_empty() {
                path.to_string()
            } else if let Some(rest) = target.strip_prefix(base_url) {
                rest.to_owned()
            } else if target.contains("://") {
                continue;
            } else if let Some(rest) = target.strip_prefix(base_path) {
                rest.to_owned()
            } else {
                assert!(
                    !target.starts_with('/'),
                    "{path}: `{link}` leaves the base path"
                );
                format!("{dir}/{target}")
            };
            if from_disk {
                assert!(
                    target.is_empty() || !target.ends_with('/'),
                    "{path}: `{link}` is a folder link, which does not open from disk"
                );
            }
            let file = normalize(&resolved, path, &link);
            let file = if file.is_empty() || file.ends_with('/') {
                format!("{file}index.html")
            } else {
                file
            };
            assert!(
                files.contains_key(&file),
                "{path}: `{link}` leads to missing {file}"
            );
            if let Some(fragment) = fragment {
                let target_html = &pages[&file];
                assert!(
                    target_html.contains(&format!(" id=\"{fragment}\"")),
                    "{path}: `{link}`: no id `{fragment}` in {file}"
                );
            }
            checked += 1;
        }
    }
    checked
}

/// Resolve `.` and `..` in a `/`-separated path relative to the output root.
fn normalize(path: &str, page: &str, link: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/');
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "{page}: `{link}` climbs out of the site"
                );
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if trailing && !joined.is_empty() {
        joined.push('/');
    }
    joined
}

fn check_mode(site: &Path, base_url: impl Fn(&Path) -> String, from_disk: bool) {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let url = base_url(&output);
    build_ok(site, &output, &["--base-url", &url]);
    let checked = check_links(&output, &url, from_disk);
    assert!(checked > 30, "only {checked} links checked");
}

#[test]
fn links_resolve_at_a_domain_root() {
    check_mode(&repo_root(), |_| "https://www.example.dk/".into(), false);
    check_mode(&examples(), |_| "https://www.example.dk/".into(), false);
}

#[test]
fn links_resolve_under_a_sub_path() {
    check_mode(
        &repo_root(),
        |_| "https://www.example.dk/politik/raad/".into(),
        false,
    );
    check_mode(&examples(), |_| "https://www.example.dk/raad".into(), false);
}

#[test]
fn links_resolve_opened_from_disk() {
    check_mode(
        &repo_root(),
        |out| format!("file://{}/", out.display()),
        true,
    );
    check_mode(&examples(), |out| format!("file://{}", out.display()), true);
}

#[test]
fn the_404_page_links_from_the_base_path() {
    let out = tempfile::tempdir().unwrap();
    build_ok(
        &examples(),
        out.path(),
        &["--base-url", "https://www.example.dk/raad/"],
    );
    let html = page(out.path(), "404.html");
    assert!(html.contains("href=\"/raad/static/referat.css\""));
    assert!(html.contains("href=\"/raad/arkiv/\""));
}
