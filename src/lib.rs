//! referat: a static site generator for the meeting archives of municipal councils.
//!
//! The pipeline runs one way: [`config`] and [`content`] load the site into an
//! [`content::Archive`]; [`render`] turns it into pages; [`output`] writes them into a staging
//! folder and swaps it into place; [`search`] indexes it and writes the search bundle; [`feeds`]
//! writes the Atom feeds, calendars, sitemap and robots.txt; [`opendata`] writes every meeting
//! as JSON with an index. [`build`] runs all of it; [`scaffold`] writes new sites and meeting
//! files; [`check`] finds what a build would refuse or should not publish, writing nothing;
//! [`serve`] serves the site while it is written, rebuilding and reloading pages on each change;
//! [`sitelock`] lets one process at a time write a site's cache; [`cli`] is the command line.

#![warn(missing_docs)]

pub mod build;
pub mod cachefile;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod feeds;
pub mod filestamp;
pub mod guard;
pub mod html;
pub mod opendata;
pub mod output;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod sitelock;
pub mod slug;
