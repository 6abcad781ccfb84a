//! `site.toml`: what a site is called, who publishes it, where it is served, and how it looks.
//!
//! Unknown keys are errors, so a misspelt setting is caught instead of silently ignored.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex};

/// The name of the configuration file at a site's root.
pub const FILE_NAME: &str = "site.toml";

/// The parsed `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's title, shown in the header and in every page title.
    pub title: String,
    /// The publishing municipality; councils that name none belong to it.
    pub municipality: String,
    /// Where the site is served: `https://host/`, `https://host/sub/path/` or `file:///folder/`.
    /// May be left out when every build gives `--base-url`.
    #[serde(default)]
    pub base_url: String,
    /// The language of the theme's texts: a table of the theme's `i18n.toml` (`da`, `en`).
    #[serde(default = "default_language")]
    pub language: String,
    /// The theme: a folder under `themes/`, or the built-in `standard`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The URL of the site's accessibility statement (tilgængelighedserklæring).
    pub accessibility_statement: String,
    /// The municipality's contact block, shown in every page's footer.
    #[serde(default)]
    pub contact: Contact,
    /// The size in MB (1 000 000 bytes) above which `referat check` warns about an attachment.
    #[serde(default = "default_max_attachment_mb")]
    pub max_attachment_mb: f64,
    /// The hosts whose `https` pages raw HTML in Markdown may embed with `<iframe>`, e.g.
    /// `www.youtube-nocookie.com`; none by default.
    #[serde(default)]
    pub iframe_hosts: Vec<String>,
}

/// A contact block: every line optional.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The department that answers, e.g. "Job- og Uddannelsesafdelingen".
    pub department: Option<String>,
    /// Postal address on one line.
    pub address: Option<String>,
    /// Phone number as written, e.g. "99 31 37 00".
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// The municipality's CVR number.
    pub cvr: Option<String>,
}

fn default_language() -> String {
    "da".to_owned()
}

/// Whether `name` names a folder of `themes/` itself: no path, no dots.
fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn default_theme() -> String {
    "standard".to_owned()
}

fn default_max_attachment_mb() -> f64 {
    20.0
}

impl SiteConfig {
    /// Read and check `root/site.toml`; `base_url` overrides the file's `base_url`.
    pub fn load(root: &Path, base_url: Option<&str>) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(FILE_NAME);
        let shown = Path::new(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::file(
                shown,
                format!(
                    "cannot read the site configuration ({e}); expected a site.toml in {}",
                    root.display()
                ),
            )
        })?;
        let mut config: SiteConfig = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|span| LineIndex::new(&text).line(span.start));
            Diagnostic {
                file: shown.to_path_buf(),
                line,
                message: e.message().trim_end().to_owned(),
            }
        })?;
        if !(config.max_attachment_mb > 0.0 && config.max_attachment_mb.is_finite()) {
            return Err(Diagnostic {
                file: shown.to_path_buf(),
                line: key_line(&text, "max_attachment_mb"),
                message: format!(
                    "max_attachment_mb = {}: expected a size in MB above 0, e.g. 20",
                    config.max_attachment_mb
                ),
            });
        }
        if let Some(problem) = link_problem(&config.accessibility_statement) {
            return Err(Diagnostic {
                file: shown.to_path_buf(),
                line: key_line(&text, "accessibility_statement"),
                message: format!("accessibility_statement: {problem}"),
            });
        }
        if !is_folder_name(&config.theme) {
            return Err(Diagnostic {
                file: shown.to_path_buf(),
                line: key_line(&text, "theme"),
                message: format!(
                    "theme = \"{}\": expected the name of a folder under themes/ (letters, \
                     digits, `-` and `_`), or \"standard\"",
                    config.theme
                ),
            });
        }
        for host in &mut config.iframe_hosts {
            if !is_host_name(host) {
                return Err(Diagnostic {
                    file: shown.to_path_buf(),
                    line: key_line(&text, "iframe_hosts"),
                    message: format!(
                        "iframe_hosts: `{host}` is not a host name: expected names such as \
                         \"www.youtube-nocookie.com\", without `https://` or a path"
                    ),
                });
            }
            host.make_ascii_lowercase();
        }
        config.base_url = match base_url {
            Some(url) => normalize_base_url(url)
                .map_err(|message| Diagnostic::file(Path::new("--base-url"), message))?,
            None => normalize_base_url(&config.base_url).map_err(|message| Diagnostic {
                file: shown.to_path_buf(),
                line: key_line(&text, "base_url"),
                message,
            })?,
        };
        Ok(config)
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> &str {
        let after_scheme = &self.base_url[self.base_url.find("://").map_or(0, |i| i + 3)..];
        after_scheme
            .find('/')
            .map_or("/", |slash| &after_scheme[slash..])
    }

    /// True when the site is meant to be opened from disk (`file://`), where a folder link
    /// does not open its `index.html` by itself.
    pub fn opened_from_disk(&self) -> bool {
        self.base_url.starts_with("file://")
    }
}

/// The 1-based line of the first line of `text` that starts with `key`.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
}

/// What is wrong with `url` as the target of a link on every page, if anything: a scheme
/// other than `http` or `https`, or characters a URL cannot hold.
fn link_problem(url: &str) -> Option<String> {
    if let Some(bad) = url
        .chars()
        .find(|&c| c.is_control() || "\"<>\\`{}|^ ".contains(c))
    {
        return Some(format!(
            "`{}` contains {:?}, which a URL cannot hold: expected a URL such as \
             `https://www.kommune.dk/tilgaengelighed`",
            url.escape_debug(),
            bad
        ));
    }
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    (is_scheme && !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")).then(|| {
        format!(
            "`{url}` has the scheme `{scheme}:`: expected an http:// or https:// URL, e.g. \
             `https://www.kommune.dk/tilgaengelighed`"
        )
    })
}

/// True for a host name such as `www.youtube-nocookie.com`: letters, digits, `-` and `.`.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && !host.starts_with(['.', '-'])
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
}

fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err(
            "base_url is missing: expected the URL the site is served from, e.g. \
                    `https://www.kommune.dk/raad/`, in site.toml or as --base-url"
                .to_owned(),
        );
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "base_url `{url}` is not a full URL: expected e.g. `https://www.kommune.dk/raad/` or `file:///srv/site/`"
        ));
    };
    if !matches!(scheme, "http" | "https" | "file") {
        return Err(format!(
            "base_url `{url}` has the scheme `{scheme}`: expected http, https or file"
        ));
    }
    if scheme != "file" && rest.split('/').next().unwrap_or("").is_empty() {
        return Err(format!("base_url `{url}` has no host name"));
    }
    if rest.contains(['?', '#', ' ']) {
        return Err(format!(
            "base_url `{url}` may not contain `?`, `#` or spaces"
        ));
    }
    if let Some(bad) = url
        .chars()
        .find(|&c| c.is_control() || "\"'<>\\`{}|^".contains(c))
    {
        return Err(format!(
            "base_url `{}` contains {bad:?}, which a URL cannot hold unencoded",
            url.escape_debug()
        ));
    }
    let mut url = url.to_owned();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str) -> SiteConfig {
        SiteConfig {
            title: "t".into(),
            municipality: "m".into(),
            base_url: normalize_base_url(base_url).unwrap(),
            language: default_language(),
            theme: default_theme(),
            accessibility_statement: "https://a".into(),
            contact: Contact::default(),
            max_attachment_mb: default_max_attachment_mb(),
            iframe_hosts: Vec::new(),
        }
    }

    #[test]
    fn base_path_of_each_hosting_mode() {
        assert_eq!(config("https://www.example.dk").base_path(), "/");
        assert_eq!(config("https://www.example.dk/raad").base_path(), "/raad/");
        assert_eq!(config("file:///tmp/site/").base_path(), "/tmp/site/");
        assert!(config("file:///tmp/site").opened_from_disk());
    }

    #[test]
    fn base_url_must_be_a_full_url() {
        assert!(normalize_base_url("www.example.dk").is_err());
        assert!(normalize_base_url("ftp://example.dk/").is_err());
        assert!(normalize_base_url("https:///raad").is_err());
        assert!(normalize_base_url("https://x.dk/\"><script>").is_err());
        assert!(normalize_base_url("https://x.dk/a\nBEGIN:VEVENT").is_err());
    }

    #[test]
    fn a_theme_is_a_folder_name_not_a_path() {
        assert!(is_folder_name("standard") && is_folder_name("min_kommune-2"));
        for name in ["", "../x", "a/b", "/etc", ".", "..", "x y"] {
            assert!(!is_folder_name(name), "{name:?}");
        }
    }

    #[test]
    fn the_accessibility_statement_is_a_web_link() {
        assert_eq!(link_problem("https://was.digst.dk/x"), None);
        assert_eq!(link_problem("tilgaengelighed.html"), None);
        assert!(
            link_problem("javascript:alert(1)")
                .unwrap()
                .contains("`javascript:`")
        );
        assert!(link_problem("JavaScript:alert(1)").is_some());
        assert!(link_problem("\u{1}javascript:alert(1)").is_some());
        assert!(link_problem("data:text/html,x").is_some());
        assert!(is_host_name("www.youtube-nocookie.com"));
        assert!(!is_host_name("https://www.youtube-nocookie.com/"));
    }
}
