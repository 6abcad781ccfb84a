//! `sitemap.xml` (sitemaps.org): every page but the 404 page, by its absolute URL; and
//! `robots.txt`, which lets every crawler in and names the sitemap.
//!
//! No `<lastmod>`: the content says when a meeting was held, not when its page last changed,
//! and a wrong date is worse than none. A site of more pages than one sitemap may list gets a
//! sitemap index `sitemap.xml` and the files `sitemap-1.xml`, `sitemap-2.xml`, …

use rayon::prelude::*;

use super::{Site, xml};
use crate::render::{Page, PageKind};

/// The sitemap's file name, at the site's root.
pub(super) const SITEMAP: &str = "sitemap.xml";
/// The robots file's name, at the site's root.
pub(super) const ROBOTS: &str = "robots.txt";
/// The most URLs one sitemap file may list.
pub(super) const MAX_URLS: usize = 50_000;

const XMLNS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The sitemap files of `pages`, as (path, text), each listing at most `limit` URLs.
pub(super) fn sitemaps(site: &Site<'_>, pages: &[Page], limit: usize) -> Vec<(String, String)> {
    let urls: Vec<String> = pages
        .iter()
        .filter(|page| page.kind != PageKind::NotFound)
        .map(|page| site.page_url(page.path.strip_suffix("index.html").unwrap_or(&page.path)))
        .collect();
    if urls.len() <= limit {
        return vec![(SITEMAP.to_owned(), list("urlset", "url", &urls))];
    }
    let parts: Vec<(String, String)> = urls
        .par_chunks(limit)
        .enumerate()
        .map(|(i, chunk)| {
            (
                format!("sitemap-{}.xml", i + 1),
                list("urlset", "url", chunk),
            )
        })
        .collect();
    let index: Vec<String> = parts.iter().map(|(path, _)| site.file_url(path)).collect();
    let mut files = vec![(SITEMAP.to_owned(), list("sitemapindex", "sitemap", &index))];
    files.extend(parts);
    files
}

/// A sitemap (`urlset` of `url`) or a sitemap index (`sitemapindex` of `sitemap`) of `urls`.
fn list(root: &str, element: &str, urls: &[String]) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{XMLNS}\">\n");
    for url in urls {
        out.push_str(&format!("<{element}><loc>{}</loc></{element}>\n", xml(url)));
    }
    out.push_str(&format!("</{root}>\n"));
    out
}

/// `robots.txt`: every crawler may read every page; the sitemap's address. Crawlers read it at
/// the root of a host only: under a sub-path, its `Sitemap:` line belongs in the host's own.
pub(super) fn robots(site: &Site<'_>) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.file_url(SITEMAP)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::render::Theme;

    #[test]
    fn more_pages_than_one_sitemap_holds_get_a_sitemap_index() {
        let config: SiteConfig = toml::from_str(
            "title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://www.example.dk/raad/\"\n\
             accessibility_statement = \"a\"",
        )
        .unwrap();
        let theme = Theme::load(std::path::Path::new("/nonexistent"), "standard", "da").unwrap();
        let site = Site {
            config: &config,
            texts: &theme.texts,
        };
        let page = |path: &str, kind| Page {
            path: path.to_owned(),
            kind,
        };
        let pages = [
            page("index.html", PageKind::Front),
            page("404.html", PageKind::NotFound),
            page("arkiv/index.html", PageKind::Archive),
            page("soeg/index.html", PageKind::Search),
            page("arkiv/2023/index.html", PageKind::ArchiveYear(2023)),
        ];

        let one = sitemaps(&site, &pages, 4);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, "sitemap.xml");
        assert!(
            one[0]
                .1
                .contains("<url><loc>https://www.example.dk/raad/arkiv/2023/</loc></url>")
        );
        assert!(!one[0].1.contains("404"));

        let split = sitemaps(&site, &pages, 3);
        let paths: Vec<&str> = split.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        assert!(split[0].1.contains(
            "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n\
             <sitemap><loc>https://www.example.dk/raad/sitemap-1.xml</loc></sitemap>\n\
             <sitemap><loc>https://www.example.dk/raad/sitemap-2.xml</loc></sitemap>\n"
        ));
        assert_eq!(split[1].1.matches("<url>").count(), 3);
        assert_eq!(split[2].1.matches("<url>").count(), 1);
    }
}
