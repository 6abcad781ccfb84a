//! Every internal link, source and form action resolves to a file of the output, with its anchor,
//! when the site is served from a domain root, from a sub-path, and opened from disk.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// Where `link` on the page `page` leads, for a site built for `base_url`: the file under the
/// output root and the fragment, or `None` for a link off the site.
fn resolve(page: &str, link: &str, base_url: &str) -> Option<(String, Option<String>)> {
    let base_path = {
        let after = &base_url[base_url.find("://").unwrap() + 3..];
        &after[after.find('/').unwrap()..]
    };
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    let (target, fragment) = match link.split_once('#') {
        Some((t, f)) => (t, Some(f.to_owned())),
        None => (link, None),
    };
    let resolved = if target.is_empty() {
        page.to_owned()
    } else if let Some(rest) = target.strip_prefix(base_url) {
        rest.to_owned()
    } else if target.contains("://") {
        return None;
    } else if let Some(rest) = target.strip_prefix(base_path) {
        rest.to_owned()
    } else {
        assert!(
            !target.starts_with('/'),
            "{page}: `{link}` leaves the base path"
        );
        format!("{dir}/{target}")
    };
    let file = normalize(&resolved, page, link);
    let file = if file.is_empty() || file.ends_with('/') {
        format!("{file}index.html")
    } else {
        file
    };
    Some((file, fragment))
}

/// Check every href, src and form action of every page; return how many internal links were
/// checked.
fn check_links(output: &Path, base_url: &str, from_disk: bool) -> usize {
    let files = read_tree(output);
    let pages: BTreeMap<&String, String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).unwrap()))
        .collect();
    let mut checked = 0;
    for (path, html) in &pages {
        let mut links = attribute_values(html, "href");
        links.extend(attribute_values(html, "src"));
        links.extend(attribute_values(html, "action"));
        for link in links {
            if ["mailto:", "tel:"].iter().any(|s| link.starts_with(s)) {
                continue;
            }
            let Some((file, fragment)) = resolve(path, &link, base_url) else {
                continue;
            };
            if from_disk {
                let target = link.split('#').next().unwrap();
                assert!(
                    target.is_empty() || !target.ends_with('/'),
                    "{path}: `{link}` is a folder link, which does not open from disk"
                );
            }
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

/// Check that the header of every page holds a labelled search box that sends `q` to the search
/// page; return how many pages were checked.
fn check_search_boxes(output: &Path, base_url: &str) -> usize {
    let mut checked = 0;
    for (path, bytes) in read_tree(output) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
        let form = &header[header
            .find("<form")
            .unwrap_or_else(|| panic!("{path}: no search form in the header"))..];
        let form = &form[..form.find("</form>").unwrap()];
        assert!(
            form.starts_with("<form class=\"site-search\" role=\"search\"")
                && form.contains(" method=\"get\"")
                && form.contains("<input type=\"search\"")
                && form.contains(" name=\"q\"")
                && form.contains("<button type=\"submit\">"),
            "{path}: {form}"
        );
        let ids = attribute_values(form, "id");
        assert!(
            ids.len() == 1 && attribute_values(form, "for") == ids,
            "{path}: the search box has no label: {form}"
        );
        let action = attribute_values(form, "action");
        assert_eq!(action.len(), 1, "{path}: {form}");
        let (file, _) = resolve(&path, &action[0], base_url).unwrap();
        assert_eq!(
            file, "soeg/index.html",
            "{path}: the search box sends to `{}`",
            action[0]
        );
        checked += 1;
    }
    checked
}

/// Build the copied site `(guard, root)` and check its links.
fn check_mode(
    (_copy, site): (tempfile::TempDir, PathBuf),
    base_url: impl Fn(&Path) -> String,
    from_disk: bool,
) {
    let site = site.as_path();
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let url = base_url(&output);
    build_ok(site, &output, &["--base-url", &url]);
    let checked = check_links(&output, &url, from_disk);
    assert!(checked > 30, "only {checked} links checked");
}

#[test]
fn links_resolve_at_a_domain_root() {
    check_mode(demo_site(), |_| "https://www.example.dk/".into(), false);
    check_mode(
        site_copy(&examples()),
        |_| "https://www.example.dk/".into(),
        false,
    );
}

#[test]
fn links_resolve_under_a_sub_path() {
    check_mode(
        demo_site(),
        |_| "https://www.example.dk/politik/raad/".into(),
        false,
    );
    check_mode(
        site_copy(&examples()),
        |_| "https://www.example.dk/raad".into(),
        false,
    );
}

#[test]
fn links_resolve_opened_from_disk() {
    check_mode(
        demo_site(),
        |out| format!("file://{}/", out.display()),
        true,
    );
    check_mode(
        site_copy(&examples()),
        |out| format!("file://{}", out.display()),
        true,
    );
}

#[test]
fn every_page_has_a_search_box_that_leads_to_the_search_page() {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let disk = format!("file://{}/", output.display());
    for url in [
        "https://www.example.dk/",
        "https://www.example.dk/politik/raad/",
        &disk,
    ] {
        build_ok(&repo_root(), &output, &["--base-url", url]);
        let checked = check_search_boxes(&output, url);
        assert!(checked > 10, "only {checked} pages checked");
    }
}

#[test]
fn the_404_page_links_from_the_base_path() {
    let out = tempfile::tempdir().unwrap();
    let (_site, root) = site_copy(&examples());
    build_ok(
        &root,
        out.path(),
        &["--base-url", "https://www.example.dk/raad/"],
    );
    let html = page(out.path(), "404.html");
    assert!(html.contains("href=\"/raad/static/referat.css\""));
    assert!(html.contains("href=\"/raad/arkiv/\""));
    assert!(html.contains("action=\"/raad/soeg/\""));
}
