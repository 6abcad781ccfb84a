//! The search page (soeg/): what it holds before its script runs, and the script beside it.

mod common;

use common::*;

#[test]
fn the_search_page_has_a_form_a_live_region_and_a_message_without_javascript() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo_root(), out.path(), &[]);
    let html = page(out.path(), "soeg/index.html");

    assert!(html.starts_with("<!doctype html>\n<html lang=\"da\">"));
    assert!(
        html.contains("<title>Søg i dagsordener og referater - Dagsordener og referater</title>")
    );
    assert!(html.contains("<h1 id=\"soeg-titel\">Søg i dagsordener og referater</h1>"));
    assert!(html.contains(
        "<nav class=\"breadcrumbs wrap\" aria-label=\"Brødkrumme\">\n<ol>\n\
         <li><a href=\"../\">Hjem</a></li>\n<li><span aria-current=\"page\">Søg</span></li>\n</ol>"
    ));

    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    assert!(main.contains(
        "<form class=\"search-form\" role=\"search\" aria-labelledby=\"soeg-titel\" \
         action=\"../soeg/\" method=\"get\">\n<label for=\"soeg-q\">Søgeord</label>"
    ));
    assert!(main.contains("<input type=\"search\" id=\"soeg-q\" name=\"q\""));
    assert!(main.contains(
        "<div class=\"search-status\" id=\"soeg-status\" role=\"status\" aria-live=\"polite\">\
         </div>"
    ));
    assert!(main.contains(
        "<noscript><p class=\"search-message\">Søgningen kræver JavaScript, som er slået fra i din \
         browser. <a href=\"../arkiv/\">Se alle møder i arkivet</a></p></noscript>"
    ));
    assert!(
        main.contains(
            "<template id=\"soeg-fejl\"><p class=\"search-message\">Søgningen kunne ikke indlæses."
        ) && main.contains("eller når forbindelsen svigter. <a href=\"../arkiv/\">"),
        "the message for a search that cannot load links to the archive"
    );
    assert!(main.contains("<h2 id=\"soeg-afgraens\">Afgræns søgningen</h2>"));
    assert!(main.contains("<ul class=\"facet\" data-facet=\"council\""));
    assert!(main.contains("<nav class=\"pagination\" aria-label=\"Sider med resultater\">"));
}

#[test]
fn the_search_page_hands_its_script_every_text_it_writes() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo_root(), out.path(), &[]);
    let html = page(out.path(), "soeg/index.html");
    let container = &html[html.find("<div class=\"search\" id=\"soeg\"").unwrap()..];
    let container = &container[..container.find('>').unwrap()];

    let texts: Vec<(&str, String)> = container
        .split("\n data-")
        .skip(1)
        .map(|pair| {
            let (name, value) = pair.split_once("=\"").unwrap();
            (name, value.trim_end_matches('"').replace("&quot;", "\""))
        })
        .collect();
    for (name, value) in &texts {
        assert!(!value.is_empty(), "data-{name} is empty");
    }
    let text = |name: &str| {
        texts
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no data-{name}"))
            .1
            .clone()
    };
    let months: Vec<String> = serde_json::from_str(&text("months")).unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[9], "oktober");
    assert_eq!(text("date-format"), "{day}. {month} {year}");
    assert_eq!(text("results-many"), "{count} resultater for »{query}«");
    assert_eq!(text("suggestion"), "Mente du »{query}«?");
    assert_eq!(text("open"), "Åben");
    assert_eq!(text("kommissorium"), "Kommissorium");
    assert_eq!(text("page-of"), "Side {page} af {pages}");

    let script = std::fs::read_to_string(out.path().join("static/search-page.js")).unwrap();
    for name in texts.iter().map(|(n, _)| *n) {
        let key = name
            .split('-')
            .enumerate()
            .map(|(i, part)| match i {
                0 => part.to_owned(),
                _ => part[..1].to_uppercase() + &part[1..],
            })
            .collect::<String>();
        assert!(
            script.contains(&format!("texts.{key}")),
            "search-page.js does not use data-{name}"
        );
    }
}

#[test]
fn the_search_script_is_published_beside_the_stylesheet_and_loads_the_bundle() {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    build_ok(
        &repo_root(),
        &output,
        &["--base-url", "https://www.example.dk/politik/raad/"],
    );
    let html = page(&output, "soeg/index.html");
    assert!(html.contains("<script defer src=\"../static/search-page.js\"></script>\n</head>"));
    let script = std::fs::read(output.join("static/search-page.js")).unwrap();
    assert_eq!(
        script,
        std::fs::read(repo_root().join("themes/standard/static/search-page.js")).unwrap()
    );
    let script = String::from_utf8(script).unwrap();
    assert!(script.contains("import(new URL('../_search/search.js', script.src).href)"));
    assert!(script.contains("module.createSearch(new URL('../', script.src).href)"));
    assert!(
        !page(&output, "index.html").contains("<script"),
        "only the search page runs a script"
    );
}

#[test]
fn an_english_site_has_an_english_search_page() {
    let (_dir, out) = build_english_examples();

    let html = page(&out, "soeg/index.html");
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(html.contains("<h1 id=\"soeg-titel\">Search agendas and minutes</h1>"));
    assert!(html.contains("<li><span aria-current=\"page\">Search</span></li>"));
    assert!(html.contains("<label for=\"soeg-q\">Search words</label>"));
    assert!(html.contains("Search needs JavaScript, which is turned off in your browser."));
    assert!(html.contains(" data-results-many=\"{count} results for “{query}”\""));
    assert!(html.contains("&quot;October&quot;"));
    assert!(html.contains(" data-open=\"Open\""));
    for danish in ["Søg", "søg", "resultater for", "Åben", "oktober", "Alle "] {
        assert!(
            !html.contains(danish),
            "`{danish}` on the English search page"
        );
    }

    let meeting = page(&out, "integrationsraadet/2023-10-10/index.html");
    assert!(meeting.contains(
        "<label class=\"visually-hidden\" for=\"site-search-q\">Search agendas and minutes</label>"
    ));
    assert!(meeting.contains("<button type=\"submit\">Search</button>"));
}
