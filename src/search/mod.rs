//! Search: the Danish text analysis shared by the build's tantivy index and the browser.
//!
//! The browser runs the same analysis in `themes/standard/search/analyzer.js`; the tests hold
//! the two to identical output, token by token.

mod analysis;

pub use analysis::{ANALYZER_NAME, AaFilter, analyze, danish_analyzer};
