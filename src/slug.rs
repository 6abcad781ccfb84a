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
}
