//! Danish text: a vocabulary of compound nouns drawn with a Zipf-like distribution, and sentence
//! templates in the phrasing of real minutes whose `{slots}` are filled from it.
//!
//! The vocabulary compounds every modifier with every head noun ("beskæftigelses" + "indsats"),
//! each in four forms, and ranks the compounds in a seeded order; a slot draws a rank from a
//! Zipf distribution, so a few words are everywhere and most are rare. A council's own topics
//! come up more often in its meetings.

use chrono::{Datelike, Days, NaiveDate};

use crate::rng::{Rng, Zipf};
use crate::words::{
    ADJECTIVES, FIRST_NAMES, HEADS, LAST_NAMES, MODIFIERS, ORGANISATIONS, OTHER_BODIES, PLACES,
    TITLES, VERBS,
};

/// The Danish month names, for dates written as "24. november 2023".
const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// Small numbers as words.
const NUMBER_WORDS: [&str; 7] = ["to", "tre", "fire", "fem", "seks", "syv", "otte"];

/// A noun: a head with an optional modifier in front ("beskæftigelses" + "indsats").
#[derive(Clone, Copy)]
pub struct Noun {
    /// Index into [`MODIFIERS`], if the noun is a compound.
    modifier: Option<u16>,
    /// Index into [`HEADS`].
    head: u16,
}

/// The form of a noun.
#[derive(Clone, Copy)]
enum Form {
    /// "indsats"
    Singular,
    /// "indsatsen"
    Definite,
    /// "indsatser"
    Plural,
    /// "indsatserne"
    PluralDefinite,
}

impl Noun {
    /// Writes the noun in `form`.
    fn write(self, out: &mut String, form: Form) {
        if let Some(m) = self.modifier {
            out.push_str(MODIFIERS[m as usize]);
        }
        let head = HEADS[self.head as usize];
        out.push_str(match form {
            Form::Singular => head.0,
            Form::Definite => head.1,
            Form::Plural => head.2,
            Form::PluralDefinite => head.3,
        });
    }

    /// Whether the noun takes `et`/`det` (its definite form ends in `-et`).
    fn neuter(self) -> bool {
        HEADS[self.head as usize].1.ends_with("et")
    }
}

/// What a case is about; the title and the text of its item refer to it.
#[derive(Clone, Copy)]
pub struct Topic {
    /// The main noun.
    noun: Noun,
    /// Index into [`ORGANISATIONS`].
    organisation: u16,
    /// Index into [`PLACES`].
    place: u16,
    /// The year the case is about.
    year: i32,
}

/// The words of a corpus in their seeded frequency order.
pub struct Vocabulary {
    /// Every noun, most frequent first: the heads alone, then the compounds.
    nouns: Vec<Noun>,
    /// Ranks over `nouns`.
    noun_ranks: Zipf,
    /// Head indices, most frequent first.
    heads: Vec<u16>,
    /// Ranks over `heads`.
    head_ranks: Zipf,
    /// Adjective indices, most frequent first.
    adjectives: Vec<u16>,
    /// Ranks over `adjectives`.
    adjective_ranks: Zipf,
    /// Verb indices, most frequent first.
    verbs: Vec<u16>,
    /// Ranks over `verbs`.
    verb_ranks: Zipf,
}

/// `0..n` as `u16`s in a random order.
fn shuffled(rng: &mut Rng, n: usize) -> Vec<u16> {
    let mut order: Vec<u16> = (0..n as u16).collect();
    rng.shuffle(&mut order);
    order
}

impl Vocabulary {
    /// The vocabulary, ranked by `rng`.
    pub fn new(rng: &mut Rng) -> Self {
        let heads = shuffled(rng, HEADS.len());
        let mut compounds: Vec<Noun> = (0..MODIFIERS.len() as u16)
            .flat_map(|m| {
                (0..HEADS.len() as u16).map(move |h| Noun {
                    modifier: Some(m),
                    head: h,
                })
            })
            .collect();
        rng.shuffle(&mut compounds);
        let nouns: Vec<Noun> = heads
            .iter()
            .map(|&head| Noun {
                modifier: None,
                head,
            })
            .chain(compounds)
            .collect();
        let adjectives = shuffled(rng, ADJECTIVES.len());
        let verbs = shuffled(rng, VERBS.len());
        Self {
            noun_ranks: Zipf::new(nouns.len()),
            nouns,
            head_ranks: Zipf::new(heads.len()),
            heads,
            adjective_ranks: Zipf::new(adjectives.len()),
            adjectives,
            verb_ranks: Zipf::new(verbs.len()),
            verbs,
        }
    }

    /// How many distinct nouns there are (each in four forms).
    pub fn noun_count(&self) -> usize {
        self.nouns.len()
    }
}

/// What the text of one council needs to know about it.
pub struct CouncilInfo {
    /// "Integrationsrådet"
    pub name: String,
    /// "Aalborg Kommune"
    pub municipality: String,
    /// "Aalborg"
    pub town: String,
    /// The administration that prepares its cases.
    pub department: &'static str,
    /// "Byrådet" or "Kommunalbestyrelsen".
    pub city_council: &'static str,
    /// Indices into [`MODIFIERS`] of its topics.
    pub topics: Vec<u16>,
    /// Its members' names.
    pub members: Vec<String>,
}

/// The genitive of a Danish name: "Integrationsrådets", "Aalborg Kommunes", "Fællesråds'".
fn genitive(out: &mut String, name: &str) {
    out.push_str(name);
    if name.ends_with(['s', 'x', 'z']) {
        out.push('\'');
    } else {
        out.push('s');
    }
}

/// Writes `date` the Danish way: "24. november 2023".
pub fn write_date(out: &mut String, date: NaiveDate) {
    use std::fmt::Write;
    let _ = write!(
        out,
        "{}. {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    );
}

/// Upper-cases the character at byte `start` of `out`, if there is one.
pub fn capitalize_from(out: &mut String, start: usize) {
    if let Some(c) = out[start..].chars().next()
        && c.is_lowercase()
    {
        let upper: String = c.to_uppercase().collect();
        out.replace_range(start..start + c.len_utf8(), &upper);
    }
}

/// A random person's name.
pub fn person(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    if rng.chance(120) {
        let initial = rng.pick(LAST_NAMES).chars().next().unwrap_or('K');
        format!("{first} {initial}. {last}")
    } else {
        format!("{first} {last}")
    }
}

/// Fills templates for one council at one date, about one topic.
pub struct Writer<'a> {
    /// The words.
    vocabulary: &'a Vocabulary,
    /// The council the text is about.
    council: &'a CouncilInfo,
    /// The day the text is written: dates in the text are before or after it.
    date: NaiveDate,
    /// What the text is about.
    pub topic: Topic,
    /// The last date written, for `{D2}` (a date after it).
    last_date: NaiveDate,
}

impl<'a> Writer<'a> {
    /// A writer for `council` on `date`, with a new topic.
    pub fn new(
        vocabulary: &'a Vocabulary,
        council: &'a CouncilInfo,
        date: NaiveDate,
        rng: &mut Rng,
    ) -> Self {
        let mut writer = Writer {
            vocabulary,
            council,
            date,
            topic: Topic {
                noun: Noun {
                    modifier: None,
                    head: 0,
                },
                organisation: 0,
                place: 0,
                year: date.year(),
            },
            last_date: date,
        };
        writer.topic = writer.new_topic(rng);
        writer
    }

    /// A topic for a new case: often a compound of one of the council's own topics.
    pub fn new_topic(&self, rng: &mut Rng) -> Topic {
        let noun = if rng.chance(450) {
            Noun {
                modifier: Some(*rng.pick(&self.council.topics)),
                head: self.vocabulary.heads[self.vocabulary.head_ranks.sample(rng)],
            }
        } else {
            self.noun(rng)
        };
        Topic {
            noun,
            organisation: rng.below(ORGANISATIONS.len()) as u16,
            place: rng.below(PLACES.len()) as u16,
            year: self.date.year() + rng.below(2) as i32,
        }
    }

    /// A noun for a slot: Zipf-distributed, sometimes from the council's topics.
    fn noun(&self, rng: &mut Rng) -> Noun {
        let v = self.vocabulary;
        if rng.chance(200) {
            Noun {
                modifier: Some(*rng.pick(&self.council.topics)),
                head: v.heads[v.head_ranks.sample(rng)],
            }
        } else {
            v.nouns[v.noun_ranks.sample(rng)]
        }
    }

    /// An adjective, Zipf-distributed.
    fn adjective(&self, rng: &mut Rng) -> (&'static str, &'static str, &'static str) {
        let v = self.vocabulary;
        ADJECTIVES[v.adjectives[v.adjective_ranks.sample(rng)] as usize]
    }

    /// A verb in the infinitive, Zipf-distributed.
    fn verb(&self, rng: &mut Rng) -> &'static str {
        let v = self.vocabulary;
        VERBS[v.verbs[v.verb_ranks.sample(rng)] as usize]
    }

    /// A date `min..=max` days after the writer's date (before it for negative numbers).
    fn date_offset(&self, days: i64) -> NaiveDate {
        if days >= 0 {
            self.date + Days::new(days as u64)
        } else {
            self.date - Days::new(days.unsigned_abs())
        }
    }

    /// Appends `template` with its slots filled, capitalised, to `out`.
    pub fn sentence(&mut self, rng: &mut Rng, out: &mut String, template: &str) {
        let start = out.len();
        self.phrase(rng, out, template);
        capitalize_from(out, start);
        // "… 1,2 mio. kr." at the end of a sentence keeps one period.
        if out.ends_with("..") {
            out.pop();
        }
    }

    /// Appends `template` with its slots filled to `out`, as it is.
    pub fn phrase(&mut self, rng: &mut Rng, out: &mut String, template: &str) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("a slot is closed");
            self.slot(rng, out, &rest[open + 1..close]);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
    }

    /// A paragraph of `min..=max` sentences drawn from `templates`.
    pub fn paragraph(
        &mut self,
        rng: &mut Rng,
        templates: &[&str],
        min: usize,
        max: usize,
    ) -> String {
        let mut out = String::with_capacity(400);
        let count = rng.range(min, max).min(templates.len());
        let mut used = [usize::MAX; 8];
        for i in 0..count {
            if i > 0 {
                out.push(' ');
            }
            // No template twice in one paragraph.
            let mut t = rng.below(templates.len());
            while used[..i.min(used.len())].contains(&t) {
                t = rng.below(templates.len());
            }
            if i < used.len() {
                used[i] = t;
            }
            self.sentence(rng, &mut out, templates[t]);
        }
        out
    }

    /// One filled template as a string.
    pub fn fill(&mut self, rng: &mut Rng, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 40);
        self.sentence(rng, &mut out, template);
        out
    }

    /// Writes the value of one slot.
    fn slot(&mut self, rng: &mut Rng, out: &mut String, name: &str) {
        use std::fmt::Write;
        let c = self.council;
        match name {
            "R" => out.push_str(&c.name),
            "Rs" => genitive(out, &c.name),
            "K" => out.push_str(&c.municipality),
            "Ks" => genitive(out, &c.municipality),
            "By" => out.push_str(&c.town),
            "F" => out.push_str(c.department),
            "BR" => out.push_str(c.city_council),
            "U" => out.push_str(rng.pick::<&str>(OTHER_BODIES)),
            "n" => self.noun(rng).write(out, Form::Singular),
            "nb" => self.noun(rng).write(out, Form::Definite),
            "np" => self.noun(rng).write(out, Form::Plural),
            "npb" => self.noun(rng).write(out, Form::PluralDefinite),
            "en" => {
                let noun = self.noun(rng);
                let adjective = self.adjective(rng);
                if noun.neuter() {
                    out.push_str("et ");
                    out.push_str(adjective.1);
                } else {
                    out.push_str("en ");
                    out.push_str(adjective.0);
                }
                out.push(' ');
                noun.write(out, Form::Singular);
            }
            "dnb" => {
                let noun = self.noun(rng);
                out.push_str(if noun.neuter() { "det " } else { "den " });
                out.push_str(self.adjective(rng).2);
                out.push(' ');
                noun.write(out, Form::Singular);
            }
            "anp" => {
                out.push_str(self.adjective(rng).2);
                out.push(' ');
                self.noun(rng).write(out, Form::Plural);
            }
            "vi" => out.push_str(self.verb(rng)),
            "vp" => {
                out.push_str(self.verb(rng));
                out.push('r');
            }
            "P" => {
                if !c.members.is_empty() && rng.chance(500) {
                    out.push_str(rng.pick::<String>(&c.members));
                } else {
                    out.push_str(&person(rng));
                }
            }
            "T" => out.push_str(rng.pick::<&str>(TITLES)),
            "O" => out.push_str(rng.pick::<&str>(ORGANISATIONS)),
            "Pl" => out.push_str(rng.pick::<&str>(PLACES)),
            "D" => {
                let date = self.date_offset(rng.range(7, 200) as i64);
                self.last_date = date;
                write_date(out, date);
            }
            "D2" => {
                let date = self.last_date + Days::new(rng.range(7, 60) as u64);
                self.last_date = date;
                write_date(out, date);
            }
            "Dp" => write_date(out, self.date_offset(-(rng.range(14, 700) as i64))),
            "Mo" | "Mop" => {
                let date = if name == "Mo" {
                    self.date_offset(rng.range(20, 300) as i64)
                } else {
                    self.date_offset(-(rng.range(20, 300) as i64))
                };
                let _ = write!(out, "{} {}", MONTHS[date.month0() as usize], date.year());
            }
            "Y" => {
                let _ = write!(out, "{}", self.date.year());
            }
            "Yp" => {
                let _ = write!(out, "{}", self.date.year() - 1);
            }
            "Yn" => {
                let _ = write!(out, "{}", self.date.year() + 1);
            }
            "N" => {
                let _ = write!(out, "{}", rng.range(2, 24));
            }
            "NN" => {
                let _ = write!(out, "{}", rng.range(10, 480));
            }
            "Nw" => out.push_str(rng.pick::<&str>(&NUMBER_WORDS)),
            "Pct" => {
                let n = rng.range(2, 85);
                let _ = write!(
                    out,
                    "{n} {}",
                    if rng.chance(500) { "pct." } else { "procent" }
                );
            }
            "Kr" => {
                if rng.chance(400) {
                    let _ = write!(out, "{},{} mio. kr.", rng.range(1, 40), rng.range(0, 9));
                } else {
                    let _ = write!(out, "{}.000 kr.", rng.range(15, 990));
                }
            }
            "Par" => {
                let law = rng.pick(&[
                    "styrelseslovens",
                    "servicelovens",
                    "integrationslovens",
                    "planlovens",
                    "lov om en aktiv beskæftigelsesindsats",
                ]);
                let _ = write!(
                    out,
                    "{law} § {}, stk. {}",
                    rng.range(2, 120),
                    rng.range(1, 6)
                );
            }
            "Kl" => {
                let _ = write!(out, "kl. {}.{:02}", rng.range(8, 19), 30 * rng.below(2));
            }
            "tn" => self.topic.noun.write(out, Form::Singular),
            "tnb" => self.topic.noun.write(out, Form::Definite),
            "tnp" => self.topic.noun.write(out, Form::Plural),
            "tnpb" => self.topic.noun.write(out, Form::PluralDefinite),
            "to" => out.push_str(ORGANISATIONS[self.topic.organisation as usize]),
            "tpl" => out.push_str(PLACES[self.topic.place as usize]),
            "ty" => {
                let _ = write!(out, "{}", self.topic.year);
            }
            "tyy" => {
                let _ = write!(out, "{}-{}", self.topic.year, self.topic.year + 3);
            }
            other => panic!("unknown slot {{{other}}} in a template"),
        }
    }
}

/// Sentences of a Resumé.
pub const RESUME: &[&str] = &[
    "{R} skal på mødet drøfte {tnb} på baggrund af {anp} fra {F}.",
    "Som led i {dnb} er der behov for at evaluere {tnb}.",
    "Administrationen vurderer, at {tnb} kan bidrage positivt til {nb} i {K}.",
    "Sagen forelægges {R} til orientering, idet {tnb} har betydning for {anp}.",
    "{F} har udarbejdet et udkast til {tn}, som {R} skal kvalificere på mødet.",
    "Formålet med sagen er at give {R} mulighed for at {vi} {tnb} i {K}.",
    "Der er i {ty} afsat {Kr} til {tn} i {tpl}.",
    "{R} fik på mødet i {Mop} præsenteret {anp}, som nu skal kvalificeres til en række samlede anbefalinger.",
    "Sagen har tidligere været behandlet i {U} den {Dp}.",
    "Med {tnb} ønsker {K} at {vi} {anp} og {vi} {npb}.",
    "{Ks} {n} for {tyy} sætter rammen for {tnb}.",
    "{U} besluttede den {Dp} at igangsætte {en} med fokus på {np}.",
    "Udvalget har tidligere leveret mål for {dnb} og {dnb}.",
    "Det foreslås, at {tnb} forankres i {nb} fra {Yn}.",
    "Administrationen vurderer, at {R} med {tnb} har opfyldt kommissoriet og kan afslutte arbejdet med {npb}.",
];

/// Sentences of a Sagsfremstilling or Baggrund.
pub const CASE: &[&str] = &[
    "På mødet den {Dp} præsenterede {T} {P} status på {tnb}.",
    "Det har været tydeligt, at {en} kræver samarbejde på tværs af {npb} i kommunen.",
    "I {Yp} deltog {NN} borgere i {tnb}, hvilket er en stigning på {Pct} i forhold til året før.",
    "Arbejdsgrupperne pegede på en række anbefalinger og initiativer, der kan {vi} {anp}.",
    "{Ks} {n} for {tyy} lægger vægt på {anp} og {anp}.",
    "Der er i alt modtaget {N} høringssvar, som er vedlagt som bilag.",
    "{O} har i forlængelse heraf rettet henvendelse til {F} vedr. {tnb}.",
    "Administrationen har efterfølgende behandlet kommentarerne til et samlet udkast til {tn}.",
    "Udgifterne finansieres inden for de afsatte midler jf. {Ks} budgetaftale for {ty}.",
    "Efter høringsperioden vil {tnb} blive behandlet i {U} d. {D} og i {BR} d. {D2}.",
    "Målet er, at {Pct} af {npb} er i gang med {n} inden udgangen af {Yn}.",
    "Sagen vedrører {np} i {tpl} og {Pl}.",
    "Det vurderes, at {tnb} ikke har konsekvenser for {npb}.",
    "Der henvises i øvrigt til {Par}.",
    "Ændringerne træder i kraft den {D}.",
    "{R} beskæftiger sig med emner og temaer på et overordnet plan, der vedrører {npb} og {npb}.",
    "Med {tnb} er der ud over anbefalingerne også skabt kontakter og samarbejder på tværs af {npb}.",
    "Der er tale om en videreførelse af {tnb}, som blev igangsat i {Yp} med støtte fra {to}.",
    "Det samlede budget for {tnb} udgør {Kr} fordelt over {Nw} år.",
    "I {tpl} er {NN} borgere omfattet af {tnb}, mens tallet i {Pl} er {NN}.",
    "Evalueringen viser, at {anp} har haft en positiv effekt på {nb}, men at {npb} fortsat er en udfordring.",
    "{F} foreslår derfor, at {tnb} justeres, så {anp} i højere grad understøtter {nb}.",
    "Erfaringerne fra {Pl} og {Pl} viser, at {en} kan {vi} {nb} hos {np}.",
    "Der har den {Dp} været afholdt et dialogmøde med {to}, hvor {anp} blev drøftet.",
    "Sagen blev drøftet på mødet i {U} den {Dp}, hvor der var enighed om at {vi} {tnb}.",
    "Det forventes, at {tnb} kan implementeres i løbet af {Yn}.",
    "Tidsplanen for {tnb} fremgår af bilaget.",
    "Kommunens andel af udgifterne udgør {Kr}, mens {to} bidrager med {Kr}.",
    "Mødet afholdes i {tpl} {Kl}, og udvides således med en time.",
    "Forummet fungerer som et forum for kvalificering af {dnb} på {nb}.",
    "Det drejer sig om {Ks} ønske om at oprette {np} for {np} i {tpl}.",
];

/// Sentences that introduce a list; they end in a colon.
pub const LIST_INTRO: &[&str] = &[
    "Målet med mødet er at opfylde kommissoriet for {R}:",
    "Dagsordenen for mødet vil således bestå af følgende elementer:",
    "Arbejdsgrupperne har peget på følgende indsatser:",
    "Høringssvarene kan sammenfattes i følgende punkter:",
    "Administrationen foreslår, at der arbejdes videre med:",
    "{R} havde følgende bemærkninger:",
];

/// Points of a list.
pub const BULLET: &[&str] = &[
    "At anbefale {anp} for {np}.",
    "At {vi} {anp} i {tpl}.",
    "Velkomst ved formanden",
    "Kort oplæg om {tnb}",
    "Evaluering af {nb}",
    "Status på {anp}",
    "Koordinering mellem {npb} og {npb}",
    "Opfølgning på {nb} fra {Yp}",
    "Bedre rammer for {np}",
    "Styrket indsats for {np} i {Pl}",
    "{R} anbefaler, at {tnb} prioriteres i {Yn}.",
    "{R} godkendte udkast til {n}.",
];

/// Further sentences of an Indstilling.
pub const RECOMMENDATION_EXTRA: &[&str] = &[
    "{T} {P} deltager under punktet.",
    "Sagen sendes efterfølgende til endelig behandling i {U}.",
    "Udkastet er udarbejdet i samarbejde med {to}.",
    "{T} {P} ({F}) deltager under punktet ift. præsentation af {tnb}.",
];

/// Sentences of a Beslutning after its first line.
pub const DISCUSSION: &[&str] = &[
    "Det aftales, at {P} og {P} kontakter {to} ift. en drøftelse af {anp}.",
    "{R} vil gerne kvittere for, at {tnb} er fremhævet i {nb}.",
    "Sekretariatet udarbejder høringssvar på baggrund af {Rs} faldne bemærkninger.",
    "{P} deltog ikke i behandlingen af punktet.",
    "{T} {P} orienterede om {npb}, herunder {nb}.",
    "Indstillingen blev godkendt med den bemærkning, at {tnb} skal evalueres i {Yn}.",
    "{R} anbefaler, at {nb} sættes på dagsordenen igen i {Mo}.",
    "Der var enighed om, at {tnb} skal {vi} {anp}.",
    "{R} ønsker en status på {tnb} på et kommende møde.",
    "{P} tog forbehold for {nb}.",
    "Herefter drøftede {R} {anp}, og hvordan {npb} kan afdækkes i et tættere samarbejde med {to}.",
    "{R} er ærgerlige over, at {tnb} ikke forholder sig til {anp}.",
    "{to} gav indledningsvist en introduktion til arbejdet med {tnb}.",
    "Samtidig opfordres {to} til at udarbejde en konkret ansøgning, som kan forelægges {K}.",
];

/// Sentences of the news items (orienteringer) of a meeting.
pub const BRIEFING: &[&str] = &[
    "{P} orienterede om {anp}.",
    "{T} {P} orienterede om {nb} i {Pl}.",
    "Sekretariatet orienterede om {npb} og om mødeplanen for {Yn}.",
    "{P} og {P} orienterede om besøg fra {O}.",
    "Der blev orienteret om {dnb}.",
    "{P} orienterede om det indgåede budgetforlig og opfordrede {R} til at orientere sig heri.",
];

/// Sentences before the first item of a meeting.
pub const INTRO: &[&str] = &[
    "Mødet blev holdt som hybridmøde.",
    "{P} deltog via Teams.",
    "Formanden bød velkommen, og {T} {P} deltog under hele mødet.",
    "Mødet blev afholdt hos {O} i {Pl}.",
];

/// The text of a closed item, after its marker word.
pub const CLOSED: &[&str] = &[
    "Personfølsomme oplysninger om {P} i forbindelse med {tnb}.",
    "Sagen indeholder fortrolige oplysninger om {to} og {tn} i {tpl}.",
    "Tilbudsgiverne har afgivet priser på {Kr} og {Kr}.",
    "{R} indstillede {P} som kandidat.",
    "Klagerens oplysninger om {nb} fremgår af bilaget.",
];

/// Titles of closed items.
pub const CLOSED_TITLE: &[&str] = &[
    "Personsag",
    "Personalesag",
    "Klage over afgørelse vedr. {tn}",
    "Køb af ejendom i {tpl}",
    "Salg af grund i {tpl}",
    "Indstilling af kandidat til {to}",
    "Udbud af {tn} - tildeling",
    "Dispensationsansøgning fra {to}",
    "Erstatningssag vedr. {tnb}",
];

/// Titles of attachments.
pub const ATTACHMENT_TITLE: &[&str] = &[
    "Udkast til {tn} {ty}",
    "Høringsudkast til {tn} {ty}",
    "Notat om {tnb}",
    "Præsentation fra {to}",
    "Oversigt over {tnp} {ty}",
    "Kommissorium for arbejdsgruppe om {tn}",
    "Henvendelse fra {to}",
    "Evaluering af {tnb}",
    "Tidsplan for {tnb}",
    "Høringssvar fra {to}",
    "Budgetoversigt {ty}",
    "Kort over {tpl}",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every template of this module.
    fn all_templates() -> Vec<&'static str> {
        [
            RESUME,
            CASE,
            LIST_INTRO,
            BULLET,
            RECOMMENDATION_EXTRA,
            DISCUSSION,
            BRIEFING,
            INTRO,
            CLOSED,
            CLOSED_TITLE,
            ATTACHMENT_TITLE,
        ]
        .concat()
    }

    fn council() -> CouncilInfo {
        CouncilInfo {
            name: "Integrationsrådet".into(),
            municipality: "Aalborg Kommune".into(),
            town: "Aalborg".into(),
            department: "Job og Velfærd",
            city_council: "Byrådet",
            topics: vec![0, 1],
            members: vec!["Anna Lynge".into()],
        }
    }

    #[test]
    fn every_slot_of_every_template_is_known() {
        let mut rng = Rng::new(1, 0);
        let vocabulary = Vocabulary::new(&mut rng);
        let council = council();
        let date = NaiveDate::from_ymd_opt(2023, 10, 10).unwrap();
        let mut writer = Writer::new(&vocabulary, &council, date, &mut rng);
        for template in all_templates() {
            let text = writer.fill(&mut rng, template);
            assert!(
                !text.contains(['{', '}', '*', '_', '#', '<', '[']),
                "{text}"
            );
            assert!(text.starts_with(|c: char| c.is_uppercase()), "{text}");
        }
    }

    #[test]
    fn genitives_and_dates_are_danish() {
        let mut out = String::new();
        genitive(&mut out, "Integrationsrådet");
        out.push(' ');
        genitive(&mut out, "Fællesråds");
        out.push(' ');
        write_date(&mut out, NaiveDate::from_ymd_opt(2023, 11, 24).unwrap());
        assert_eq!(out, "Integrationsrådets Fællesråds' 24. november 2023");
    }
}
