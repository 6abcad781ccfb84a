//! The pages of the demo archive and of ../shared/examples, as a citizen sees them.

mod common;

use common::*;

#[test]
fn the_examples_meeting_page_reads_like_the_municipal_site() {
    let out = tempfile::tempdir().unwrap();
    let (_site, root) = site_copy(&examples());
    build_ok(&root, out.path(), &[]);
    let html = page(out.path(), "integrationsraadet/2023-10-10/index.html");

    assert!(html.starts_with("<!doctype html>\n<html lang=\"da\">"));
    assert!(html.contains("<h1>10. oktober 2023 - referat fra Integrationsrådet</h1>"));
    assert!(html.contains(
        "Du har valgt en specifik dagsorden eller referat fra Integrationsrådet. Du finder flere i \
         <a href=\"../../integrationsraadet/#moeder\">arkivet over referater</a>."
    ));
    assert!(html.contains("<a class=\"skip-link\" href=\"#indhold\">Skip til hoved indholdet</a>"));
    assert!(
        html.contains("<main id=\"indhold\""),
        "the skip link's target exists"
    );
    let crumbs: Vec<_> = ["Hjem", "Råd", "Integrationsrådet", "10. oktober 2023"]
        .iter()
        .map(|c| {
            html.find(&format!(">{c}<"))
                .unwrap_or_else(|| panic!("crumb {c}"))
        })
        .collect();
    assert!(
        crumbs.windows(2).all(|w| w[0] < w[1]),
        "breadcrumbs in order"
    );

    let titles = [
        "Godkendelse af dagsorden",
        "Besøg af FrivilligAalborg - Dansk Flygtningehjælp",
        "Udkast til handleplaner for Integrationsstrategi 2023-2026",
        "Indstilling af kandidat til Det Nationale Integrationsråd",
    ];
    let mut last = 0;
    for (i, title) in titles.iter().enumerate() {
        let n = i + 1;
        let heading = format!(
            "<h2 id=\"punkt-{n}-titel\"><span class=\"item-number\">{n}.</span> {title}</h2>"
        );
        let at = html
            .find(&heading)
            .unwrap_or_else(|| panic!("item {n}: {heading}"));
        assert!(at > last, "item {n} comes after item {}", n - 1);
        last = at;
        assert!(html.contains(&format!("id=\"punkt-{n}\"")));
    }
    assert_eq!(
        html.matches("<span class=\"tag tag-aaben\">Åben</span>")
            .count(),
        3
    );
    assert!(html.contains("<span class=\"tag tag-lukket\">Lukket</span>"));
    assert!(html.contains(
        "<span class=\"case\">Sags ID: <a href=\"../../sag/emn-2023-00412/\">EMN-2023-00412</a></span>"
    ));
    assert!(html.contains("<h3>Indstilling</h3>"));
    assert!(html.contains("<div class=\"item-section section-beslutning\">\n<h3>Beslutning</h3>"));
    assert!(html.contains("<dt>Afbud</dt><dd>Anna Lynge</dd>"));
    assert!(html.contains("<dd>10. oktober 2023, 16:00–18:30</dd>"));
    assert!(html.contains("Kontakt") && html.contains("Ring til os"));
    assert!(html.contains("<a href=\"tel:99313700\">99 31 37 00</a>"));
    assert!(html.contains("CVR-nummer: 29189420"));
    assert!(
        html.contains(
            "<a href=\"https://was.digst.dk/www-example-dk\">Tilgængelighedserklæring</a>"
        )
    );
}

#[test]
fn attachments_are_copied_beside_the_meeting_with_type_and_size() {
    let out = tempfile::tempdir().unwrap();
    let (_site, root) = site_copy(&examples());
    build_ok(&root, out.path(), &[]);
    let source =
        examples().join("content/integrationsraadet/2023-10-10/handleplan-maalsaetning-1.pdf");
    let copied = out
        .path()
        .join("integrationsraadet/2023-10-10/handleplan-maalsaetning-1.pdf");
    assert_eq!(
        std::fs::read(&copied).unwrap(),
        std::fs::read(&source).unwrap()
    );
    let html = page(out.path(), "integrationsraadet/2023-10-10/index.html");
    assert!(html.contains(
        "<a href=\"handleplan-maalsaetning-1.pdf\">Udkast til handleplan, målsætning 1</a> \
         <span class=\"bilag-meta\">(PDF, 57 B)</span>"
    ));
}

#[test]
fn council_front_and_archive_pages_list_the_meetings() {
    let out = tempfile::tempdir().unwrap();
    build_ok(&repo_root(), out.path(), &[]);

    let council = page(out.path(), "integrationsraadet/index.html");
    assert!(council.contains("<h1>Integrationsrådet</h1>"));
    assert!(council.contains("<h2 id=\"kommissorium\">Kommissorium</h2>"));
    assert!(council.contains("<h2 id=\"medlemmer\">Medlemmer</h2>"));
    assert!(council.contains("<li>Nuuradiin S. Hussein, formand</li>"));
    assert!(council.contains("<h3>2023</h3>"));
    assert!(
        council.contains(
            "<a href=\"../integrationsraadet/2023-10-10/\">10. oktober 2023 - Referat</a>"
        )
    );

    let front = page(out.path(), "index.html");
    for municipality in [
        "Aalborg Kommune",
        "Gentofte Kommune",
        "Norddjurs Kommune",
        "Slagelse Kommune",
    ] {
        assert!(
            front.contains(&format!("<h3>{municipality}</h3>")),
            "{municipality}"
        );
    }
    assert!(
        front.find("<h3>Aalborg Kommune</h3>") < front.find("<h3>Gentofte Kommune</h3>"),
        "the site's own municipality comes first"
    );
    let latest_2023 = front
        .find("10. oktober 2023 - referat fra Integrationsrådet")
        .unwrap();
    let latest_2016 = front
        .find("26. april 2016 - referat fra Opgaveudvalget")
        .unwrap();
    assert!(latest_2023 < latest_2016, "latest meetings newest first");

    let norddjurs = page(out.path(), "dialogforum-for-integration/index.html");
    assert!(norddjurs.contains("Norddjurs Kommune"));
    assert!(norddjurs.contains("Der er endnu ikke offentliggjort dagsordener eller referater."));

    let archive = page(out.path(), "arkiv/index.html");
    assert!(archive.find(">2023<").unwrap() < archive.find(">2016<").unwrap());
    let year = page(out.path(), "arkiv/2016/index.html");
    assert!(year.contains("<h1>Møder i 2016</h1>"));
    assert!(year.contains("../../opgaveudvalget-integration-af-flygtninge/2016-04-26/"));

    let gentofte = page(
        out.path(),
        "opgaveudvalget-integration-af-flygtninge/2016-04-26/index.html",
    );
    for case in ["EMN-2016-02142", "EMN-2016-02143"] {
        let link = format!(
            "Sags ID: <a href=\"../../sag/{}/\">{case}</a>",
            case.to_lowercase()
        );
        assert!(gentofte.contains(&link), "{link}");
    }
    assert!(gentofte.contains("opgaveudvalgets-leverance-ver-0-1.pdf"));

    let not_found = page(out.path(), "404.html");
    assert!(not_found.contains("<h1>Siden findes ikke</h1>"));
}

#[test]
fn a_dagsorden_is_presented_as_an_agenda() {
    let (_dir, root) = site_copy(&examples());
    let file = root.join("content/integrationsraadet/2023-10-10.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("status: referat", "status: dagsorden")).unwrap();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let html = page(&out, "integrationsraadet/2023-10-10/index.html");
    assert!(html.contains("<h1>10. oktober 2023 - dagsorden for Integrationsrådet</h1>"));
    assert!(html.contains("Dette er dagsordenen."));
    assert!(page(&out, "integrationsraadet/index.html").contains("10. oktober 2023 - Dagsorden"));
}

#[test]
fn an_english_site_has_every_text_in_english() {
    let (_dir, out) = build_english_examples();
    let html = page(&out, "integrationsraadet/2023-10-10/index.html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1>10 October 2023 - minutes of Integrationsrådet</h1>"));
    assert!(html.contains("Skip to main content"));
    assert!(html.contains(">Open</span>") && html.contains(">Closed</span>"));
    assert!(html.contains("Accessibility statement"));
    assert!(!html.contains("Åben") && !html.contains("Ring til os"));
}

/// Each page sees its own values only, never those of a page rendered before it: a theme may
/// test whether one is there.
#[test]
fn a_page_sees_none_of_the_values_of_the_pages_rendered_before_it() {
    let (_dir, root) = demo_site();
    let kinds = [
        "municipalities",
        "latest",
        "council",
        "years",
        "meeting",
        "heading",
        "meetings",
        "case",
        "script",
        "months",
    ];
    let seen: String = kinds
        .iter()
        .map(|k| format!("{{% if {k} is defined %}}{k} {{% endif %}}"))
        .collect();
    write_file(
        &root,
        "templates/base.html",
        &format!(
            "<p id=values>{seen}</p>{{% block head %}}{{% endblock head %}}\
             {{% block main %}}{{% endblock main %}}"
        ),
    );
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let values = |path: &str| {
        let html = page(&out, path);
        let start = html.find("<p id=values>").expect(path) + "<p id=values>".len();
        html[start..start + html[start..].find("</p>").unwrap()].to_owned()
    };
    let tree = read_tree(&out);
    let pages: Vec<&String> = tree.keys().filter(|p| p.ends_with(".html")).collect();
    assert!(pages.len() > 15, "{pages:?}");
    for path in pages {
        let parts: Vec<&str> = path.split('/').collect();
        let expected = match parts.as_slice() {
            ["index.html"] => "municipalities latest ",
            ["404.html"] => "",
            ["arkiv", "index.html"] => "years ",
            ["arkiv", _, "index.html"] => "heading meetings ",
            ["soeg", "index.html"] => "script months ",
            ["sag", _, "index.html"] => "case ",
            [_, "index.html"] => "council years ",
            [_, _, "index.html"] => "council meeting ",
            _ => continue,
        };
        assert_eq!(values(path), expected, "{path}");
    }
}

#[test]
fn a_site_overrides_a_theme_template_and_an_unknown_theme_is_an_error() {
    let (_dir, root) = site_copy(&examples());
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Væk!</h1>{% endblock main %}",
    )
    .unwrap();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    assert!(page(&out, "404.html").contains("<h1>Væk!</h1>"));
    assert!(page(&out, "index.html").contains("Skip til hoved indholdet"));

    let config = root.join("site.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("theme = \"standard\"", "theme = \"moerk\""),
    )
    .unwrap();
    let failed = build(&root, &out, &[]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("the theme `moerk` was not found"),
        "{stderr}"
    );
}

#[test]
fn two_builds_give_byte_identical_output() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    build_ok(&repo_root(), first.path(), &[]);
    build_ok(&repo_root(), second.path(), &[]);
    let a = read_tree(first.path());
    let b = read_tree(second.path());
    assert!(a.len() > 10, "the demo builds more than ten files");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}
