//! The Danish analyzer: tantivy's simple tokenizer, long tokens dropped, lowercasing, "aa"
//! written as "å", and Snowball's Danish stemmer.
//!
//! "aa" is the old spelling of "å" (Aalborg, Ålborg), so both spellings meet in one term. The
//! rewrite runs before stemming, because the stemmer treats "å" as a vowel and "aa" as two.
//!
//! The words of minutes follow a Zipf-like distribution, so each analyzer keeps the terms of
//! the words it has seen, as written: most tokens are looked up instead of lowercased and
//! stemmed. A number is its own term (it has no letter to lowercase, and no vowel, so the
//! stemmer's region R1 is empty and nothing is removed), and is not kept: amounts, dates and
//! case numbers are most of an archive's distinct words (129,000 of 160,000 in a generated
//! archive of 100,000 meetings), and grow with it, where the words of the language do not.

use foldhash::HashMap;
use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The name the Danish analyzer is registered under in a tantivy index.
pub const ANALYZER_NAME: &str = "referat_da";

/// Tokens of 40 bytes or more are not indexed (tantivy's usual limit): they are not words.
const MAX_TOKEN_BYTES: usize = 40;

/// The most words an analyzer keeps the terms of; words beyond them are stemmed each time.
const KEPT_WORDS: usize = 100_000;

/// The analyzer used for every text field, and mirrored by the browser module.
pub fn danish_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(DanishTerms)
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

/// A word lowercased (as tantivy's `LowerCaser` does) and with "aa" written "å", but not
/// stemmed: what a prefix is matched with.
pub fn fold(word: &str) -> String {
    let lower: String = if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars().flat_map(char::to_lowercase).collect()
    };
    lower.replace("aa", "å")
}

/// Makes the term of a token: lowercased, every "aa" written "å", left to right ("aaa" → "åa"),
/// then the Danish stem.
#[derive(Clone, Copy, Debug, Default)]
pub struct DanishTerms;

impl TokenFilter for DanishTerms {
    type Tokenizer<T: Tokenizer> = DanishTermsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DanishTermsFilter<T> {
        DanishTermsFilter {
            inner: tokenizer,
            terms: HashMap::default(),
        }
    }
}

/// The term of each word seen, by the word as written. The words are short and many, so they
/// are hashed with foldhash, not the standard library's SipHash: nothing is iterated, so the
/// hash's order never shows.
type Terms = HashMap<String, String>;

/// [`DanishTerms`] applied to a tokenizer, with the term of each word it has seen.
#[derive(Clone)]
pub struct DanishTermsFilter<T> {
    inner: T,
    terms: Terms,
}

impl<T: Tokenizer> Tokenizer for DanishTermsFilter<T> {
    type TokenStream<'a> = DanishTermsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DanishTermsStream {
            tail: self.inner.token_stream(text),
            terms: &mut self.terms,
            stemmer: Stemmer::new(Algorithm::Danish),
        }
    }
}

/// The token stream of [`DanishTermsFilter`].
pub struct DanishTermsStream<'a, T> {
    tail: T,
    terms: &'a mut Terms,
    stemmer: Stemmer,
}

impl<T: TokenStream> TokenStream for DanishTermsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if is_number(&token.text) {
            return true;
        }
        if let Some(term) = self.terms.get(&token.text) {
            token.text.clone_from(term);
            return true;
        }
        let term = self.stemmer.stem(&fold(&token.text)).into_owned();
        let word = std::mem::replace(&mut token.text, term);
        if self.terms.len() < KEPT_WORDS {
            self.terms.insert(word, token.text.clone());
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

/// Whether `word` is all ASCII digits: then it is its own term.
fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use frostem::{Algorithm, Stemmer};
    use tantivy::tokenizer::TokenStream;

    use super::{analyze, danish_analyzer, fold, is_number};

    #[test]
    fn a_number_is_the_term_the_stemmer_would_make_of_it() {
        let stemmer = Stemmer::new(Algorithm::Danish);
        let numbers = (0..100_000u32)
            .step_by(7)
            .flat_map(|n| [n.to_string(), format!("{n:05}"), format!("{n}00")]);
        for number in numbers {
            assert!(is_number(&number));
            assert_eq!(stemmer.stem(&fold(&number)), number);
            assert_eq!(analyze(&number), [number.as_str()]);
        }
        assert!(!is_number("2024a"));
        assert_eq!(analyze("2024erne"), [stemmer.stem("2024erne").into_owned()]);
    }

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

    #[test]
    fn a_word_seen_before_gets_the_term_it_got_then() {
        let text = "Indstillingerne om Aalborg: indstillingerne om Aalborg";
        let mut analyzer = danish_analyzer();
        let mut terms = Vec::new();
        for _ in 0..2 {
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                terms.push(stream.token().text.clone());
            }
        }
        let once = ["indstilling", "om", "ålborg"];
        assert_eq!(terms, [once, once, once, once].concat());
        assert_eq!(analyze("ÅLBORG Ålborg"), ["ålborg", "ålborg"]);
    }
}
