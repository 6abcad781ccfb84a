//! `referat serve`: build the site, serve it over HTTP, and rebuild it whenever its sources
//! change, telling the open pages to reload (docs/serve.md).
//!
//! It builds with [`crate::build::build`] into `.referat-cache/serve/`: files are staged and
//! moved in whole, so the server never reads a half-written file, and a build that fails
//! publishes nothing, so the last good site stays served. The reload script is added to pages
//! as they are sent, so no build ever holds it.

mod events;
mod http;
mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use anyhow::{Context, Result, anyhow, bail};

use crate::build::{BuildOptions, build};
use crate::progress::{Progress, Verbosity};
use crate::search::CACHE_DIR;
use events::Hub;
use watch::Watch;

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root: the folder with site.toml and content/.
    pub root: PathBuf,
    /// The port to listen on; 0 takes a free one.
    pub port: u16,
    /// The address to listen on, e.g. 127.0.0.1 for this machine only.
    pub bind: IpAddr,
    /// Open the site in the default browser after the first build.
    pub open: bool,
}

/// Serve the site until the process is stopped. A build that fails is reported in the
/// terminal and over the open pages, and serving goes on; only failing to listen or to watch
/// the sources is an error.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let (server, address) = listen(options.bind, options.port)?;
    let url = format!("http://{address}/");
    let output = options.root.join(CACHE_DIR).join("serve");
    let build_options = BuildOptions {
        root: options.root.clone(),
        output: Some(output.clone()),
        base_url: Some(url.clone()),
        clean: false,
    };
    let watch = Watch::start(&options.root)?;
    let hub = Arc::new(Hub::default());
    let site = http::Site::new(output, Arc::clone(&hub));
    thread::spawn(move || site.run(server));

    rebuild(&build_options, &hub, &[]);
    let root = std::path::absolute(&options.root).unwrap_or_else(|_| options.root.clone());
    eprintln!("Serving {} at {url} (Ctrl+C to stop)", root.display());
    if options.open
        && let Err(error) = opener::open(&url)
    {
        eprintln!("warning: cannot open {url} in a browser: {error}");
    }
    while let Some(changed) = watch.next_change() {
        rebuild(&build_options, &hub, &changed);
    }
    bail!("stopped watching {} for changes", root.display())
}

/// Listen on `bind:port`; the server and the address it listens on, with the port it got
/// when `port` is 0.
fn listen(bind: IpAddr, port: u16) -> Result<(tiny_http::Server, SocketAddr)> {
    let listener = TcpListener::bind((bind, port)).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AddrInUse {
            anyhow!(
                "port {port} on {bind} is in use: stop what is using it, or choose another \
                 with --port (--port 0 takes a free one)"
            )
        } else {
            anyhow!(error).context(format!("cannot listen on port {port} of {bind}"))
        }
    })?;
    let address = listener
        .local_addr()
        .context("cannot tell which port the server listens on")?;
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|error| anyhow!("cannot serve on {address}: {error}"))?;
    Ok((server, address))
}

/// Build the site, report the outcome in the terminal, and tell the open pages: reload, or
/// show the errors. `changed` is what made this build; none for the first.
fn rebuild(options: &BuildOptions, hub: &Hub, changed: &[PathBuf]) {
    match build(options, &Progress::new(Verbosity::Quiet)) {
        Ok(summary) if changed.is_empty() => {
            eprintln!("Built {} pages in {:.2} s", summary.pages, summary.seconds);
            hub.publish(None);
        }
        Ok(summary) => {
            eprintln!(
                "Rebuilt in {:.2} s (changed: {})",
                summary.seconds,
                list(changed)
            );
            hub.publish(None);
        }
        Err(error) => {
            let errors = error.lines();
            eprint!("{errors}");
            eprintln!(
                "The site did not build; the last site that built is served, with these errors \
                 over its pages, until it does."
            );
            hub.publish(Some(errors));
        }
    }
}

/// The changed files, the first few by name.
fn list(changed: &[PathBuf]) -> String {
    const NAMED: usize = 3;
    let names: Vec<String> = changed
        .iter()
        .take(NAMED)
        .map(|path| path.display().to_string())
        .collect();
    match changed.len().saturating_sub(NAMED) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_changes_names_the_first_three() {
        let changed: Vec<PathBuf> = ["content/a.md", "content/b.md", "site.toml"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(list(&changed), "content/a.md, content/b.md, site.toml");
        let more = [&changed[..], &changed[..]].concat();
        assert_eq!(
            list(&more),
            "content/a.md, content/b.md, site.toml and 3 more"
        );
    }

    #[test]
    fn a_used_port_is_named_with_a_way_out() {
        let (_server, address) = listen(IpAddr::from([127, 0, 0, 1]), 0).unwrap();
        let Err(error) = listen(address.ip(), address.port()) else {
            panic!("two servers listen on {address}");
        };
        let error = error.to_string();
        assert!(
            error.starts_with(&format!("port {} on 127.0.0.1 is in use", address.port()))
                && error.contains("--port"),
            "{error}"
        );
    }
}
