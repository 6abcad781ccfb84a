//! The Danish analyzer: tantivy's simple tokenizer, long tokens dropped, lowercasing, "aa"
//! written as "å", and Snowball's Danish stemmer.
//!
//! "aa" is the old spelling of "å" (Aalborg, Ålborg), so both spellings meet in one term. The
//! rewrite runs before stemming, because the stemmer treats "å" as a vowel and "aa" as two.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The name the Danish analyzer is registered under in a tantivy index.
pub const ANALYZER_NAME: &str = "referat_da";

/// Tokens of 40 bytes or more are not indexed (tantivy's usual limit): they are not words.
const MAX_TOKEN_BYTES: usize = 40;

/// The analyzer used for every text field, and mirrored by the browser module.
pub fn danish_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AaFilter)
        .filter(Stemmer::new(Language::Danish))
        .build()
}

/// The terms the index holds for `text`, in order.
pub fn analyze(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.text).collect()
}

/// The tokens of `text` as the index holds them: term, position and byte offsets in `text`.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut analyzer = danish_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// A word lowercased and with "aa" written "å", but not stemmed: what a prefix is matched with.
pub fn fold(word: &str) -> String {
    let lower: String = if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars().flat_map(char::to_lowercase).collect()
    };
    lower.replace("aa", "å")
}

/// Rewrites every "aa" of a lowercased token as "å", left to right ("aaa" → "åa").
#[derive(Clone, Copy, Debug, Default)]
pub struct AaFilter;

impl TokenFilter for AaFilter {
    type Tokenizer<T: Tokenizer> = AaFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> AaFilterWrapper<T> {
        AaFilterWrapper { inner: tokenizer }
    }
}

/// [`AaFilter`] applied to a tokenizer.
#[derive(Clone)]
pub struct AaFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for AaFilterWrapper<T> {
    type TokenStream<'a> = AaFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AaFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`AaFilterWrapper`].
pub struct AaFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for AaFilterStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.contains("aa") {
            token.text = token.text.replace("aa", "å");
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::analyze;

    #[test]
    fn aa_and_aa_letter_meet_and_danish_letters_stay() {
        assert_eq!(analyze("Aalborg"), analyze("Ålborg"));
        assert_eq!(analyze("AALBORG"), analyze("ålborg"));
        assert!(
            analyze("Søerne")[0].starts_with("sø"),
            "ø is a letter of its own"
        );
        assert_ne!(analyze("bør"), analyze("bor"));
    }

    #[test]
    fn stems_and_splits_like_the_snowball_danish_stemmer() {
        assert_eq!(
            analyze("Beskæftigelsesplan 2024"),
            ["beskæftigelsesplan", "2024"]
        );
        assert_eq!(analyze("EMN-2016-02142"), ["emn", "2016", "02142"]);
        assert_eq!(analyze("indstillingerne"), analyze("indstilling"));
    }
}
