//! Slugs: the lowercase ASCII names of councils and meetings in URLs.
//!
//! Danish letters keep their Danish spelling (æ → ae, ø → oe, å → aa); other letters lose their
//! accents (deunicode); anything else becomes a single `-`.

/// The URL slug of `text`, e.g. "Integrationsrådet" → "integrationsraadet".
pub fn slugify(text: &str) -> String {
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'æ' | 'Æ' => ascii.push_str("ae"),
            'ø' | 'Ø' => ascii.push_str("oe"),
            'å' | 'Å' => ascii.push_str("aa"),
            c if c.is_ascii() => ascii.push(c),
            c => ascii.push_str(deunicode::deunicode_char(c).unwrap_or("-")),
        }
    }
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn danish_letters_keep_their_spelling() {
        assert_eq!(slugify("Integrationsrådet"), "integrationsraadet");
        assert_eq!(slugify("Ældreråd Øst"), "aeldreraad-oest");
    }

    #[test]
    fn other_accents_are_dropped_and_separators_collapse() {
        assert_eq!(slugify("  Café  --  Über_Udvalg! "), "cafe-uber-udvalg");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn a_slug_is_a_safe_file_name_whatever_it_is_made_from() {
        for text in [
            "\"><img src=x onerror=alert(1)>",
            "../../etc/passwd",
            "..\\..\\windows",
            "%2e%2e%2f",
            "a\u{0}b\u{202e}c\r\nd",
            "\u{1F600} emoji ﬁ ligature ß",
        ] {
            let slug = slugify(text);
            assert!(
                slug.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{text:?} → {slug:?}"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
        }
        assert_eq!(
            slugify("\"><img src=x onerror=alert(1)>"),
            "img-src-x-onerror-alert-1"
        );
    }
}
