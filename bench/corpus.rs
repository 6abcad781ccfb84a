//! Generates the corpus model from a number of meetings and a seed.
//!
//! First the plan, from ChaCha stream 0: the municipalities, the councils, their active years
//! and how many meetings each holds. Then each council on its own stream (1 + its index), so
//! councils are generated in parallel and still come out the same: members, kommissorium,
//! meeting days, and the meetings with their cases. A case gets a Sags ID when it first comes up
//! and may return at a later meeting of its council: as a follow-up, or because it was postponed
//! ("Udsat").

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rayon::prelude::*;
use referat::slug::slugify;

use crate::model::{
    Attachment, Block, Contact, Corpus, Council, Item, Meeting, Member, Section, Site, Status,
};
use crate::rng::Rng;
use crate::text::{
    self, ATTACHMENT_TITLE, BRIEFING, BULLET, CASE, CLOSED, CLOSED_TITLE, CouncilInfo, DISCUSSION,
    INTRO, LIST_INTRO, RECOMMENDATION_EXTRA, RESUME, Topic, Vocabulary, Writer,
};
use crate::words::{
    COUNCILS, CouncilTemplate, DEPARTMENTS, MODIFIERS, MUNICIPALITIES, Municipality,
};

/// The word every closed item's text carries, so that tests can check it is never published.
pub const CLOSED_MARKER: &str = "LUKKETTEKST";

/// The first year of the archive.
const FIRST_YEAR: i32 = 2007;
/// The last year of the archive.
const LAST_YEAR: i32 = 2026;

/// Chance in 1000 that an item is closed.
const CLOSED_PER_MILLE: usize = 80;
/// Chance in 1000 that a meeting other than a council's newest is published as an agenda only.
const AGENDA_PER_MILLE: usize = 30;
/// Chance in 1000 that an open case in minutes is postponed to the next meeting.
const POSTPONED_PER_MILLE: usize = 60;
/// Chance in 1000 that a new case is planned to return at a later meeting.
const FOLLOW_UP_PER_MILLE: usize = 200;
/// A follow-up that has not come up this many days after its last meeting is dropped.
const FOLLOW_UP_MAX_DAYS: i64 = 730;
/// Chance in 1000 that a meeting is an extra meeting on the day of another.
const EXTRA_MEETING_PER_MILLE: usize = 5;
/// Chance in 1000 that an open case has attachments.
const ATTACHMENTS_PER_MILLE: usize = 150;

/// The corpus of `meetings` meetings (at least 1) generated from `seed`.
pub fn generate(meetings: usize, seed: u64) -> (Corpus, Vocabulary) {
    let mut rng = Rng::new(seed, 0);
    let vocabulary = Vocabulary::new(&mut rng);
    let (home, plans) = plan(&mut rng, meetings);
    let site = site(&mut rng, home);
    let total = plans.len();
    let councils = plans
        .par_iter()
        .enumerate()
        .map(|(index, plan)| {
            let mut rng = Rng::new(seed, index as u64 + 1);
            council(&mut rng, &vocabulary, plan, index, total)
        })
        .collect();
    (Corpus { site, councils }, vocabulary)
}

/// What stream 0 decides about a council.
struct Plan {
    /// The row of [`COUNCILS`] it is made from.
    template: &'static CouncilTemplate,
    /// Its municipality.
    municipality: &'static Municipality,
    /// Its display name.
    name: String,
    /// Its folder name.
    slug: String,
    /// The first day it may meet.
    first: NaiveDate,
    /// The last day it may meet.
    last: NaiveDate,
    /// How many meetings it holds.
    meetings: usize,
}

/// The site's municipality and the plan of every council.
fn plan(rng: &mut Rng, meetings: usize) -> (&'static Municipality, Vec<Plan>) {
    let target = 26 + rng.below(9);
    let count = target.min(meetings.div_ceil(3)).max(1);
    let municipality_count = (1 + rng.below(3)).min(count);
    let mut order: Vec<usize> = (0..MUNICIPALITIES.len()).collect();
    rng.shuffle(&mut order);
    let municipalities: Vec<&'static Municipality> = order[..municipality_count]
        .iter()
        .map(|&i| &MUNICIPALITIES[i])
        .collect();
    let others_each = if municipality_count == 1 {
        0
    } else {
        (count / (2 * municipality_count)).max(1)
    };
    let mut plans = Vec::with_capacity(count);
    let mut slugs = BTreeSet::new();
    for (m, &municipality) in municipalities.iter().enumerate() {
        let councils = if m == 0 {
            count - others_each * (municipality_count - 1)
        } else {
            others_each
        };
        // The municipality's own Byrådet comes first; the other councils in a random order.
        let mut templates: Vec<usize> = (1..COUNCILS.len()).collect();
        rng.shuffle(&mut templates);
        templates.insert(0, 0);
        for &t in &templates[..councils.min(templates.len())] {
            let template = &COUNCILS[t];
            let name = template.0.unwrap_or(municipality.3).to_string();
            let mut slug = slugify(&name);
            if !slugs.insert(slug.clone()) {
                slug = slugify(&format!("{name} {}", municipality.1));
                slugs.insert(slug.clone());
            }
            let (first, last) = period(rng, template.1);
            plans.push(Plan {
                template,
                municipality,
                name,
                slug,
                first,
                last,
                meetings: 0,
            });
        }
    }
    allocate(&mut plans, meetings);
    (municipalities[0], plans)
}

/// The days a council of `kind` may meet: most exist all years, some start later, some
/// (every opgaveudvalg) exist a few years only.
fn period(rng: &mut Rng, kind: &str) -> (NaiveDate, NaiveDate) {
    let roll = rng.below(100);
    let (start, end) = if kind == "opgaveudvalg" {
        let start = rng.range(2010, LAST_YEAR as usize - 1) as i32;
        (start, start + 1)
    } else if kind == "byråd" || roll < 55 {
        (FIRST_YEAR, LAST_YEAR)
    } else if roll < 85 {
        (rng.range(2008, 2022) as i32, LAST_YEAR)
    } else {
        let start = rng.range(FIRST_YEAR as usize, 2022) as i32;
        (start, (start + rng.range(1, 4) as i32).min(LAST_YEAR))
    };
    let first = day(start, 1, 1)
        + Days::new(if start == FIRST_YEAR {
            0
        } else {
            rng.below(180) as u64
        });
    (first, day(end, 12, 31))
}

/// A day of the calendar that exists.
fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a day of the calendar")
}

/// Shares `meetings` out: one to each council, the rest by how many meetings a year it holds
/// times its years, by largest remainder.
fn allocate(plans: &mut [Plan], meetings: usize) {
    let weights: Vec<u128> = plans
        .iter()
        .map(|p| u128::from(p.template.4) * ((p.last - p.first).num_days() as u128 + 1))
        .collect();
    let total: u128 = weights.iter().sum();
    let rest = meetings - plans.len();
    let mut given = 0;
    let mut remainders = Vec::with_capacity(plans.len());
    for (i, plan) in plans.iter_mut().enumerate() {
        let share = rest as u128 * weights[i];
        plan.meetings = 1 + (share / total) as usize;
        given += (share / total) as usize;
        remainders.push((share % total, i));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(rest - given) {
        plans[i].meetings += 1;
    }
}

/// The site's settings.
fn site(rng: &mut Rng, home: &Municipality) -> Site {
    Site {
        title: "Dagsordener og referater".into(),
        municipality: home.0.into(),
        base_url: "https://dagsordener.example.dk/".into(),
        accessibility_statement: "https://was.digst.dk/dagsordener-example-dk".into(),
        contact: Contact {
            department: rng.pick(DEPARTMENTS).to_string(),
            address: format!("Rådhuspladsen {}, {} {}", rng.range(1, 40), home.2, home.1),
            phone: format!(
                "{} {:02} {:02} {:02}",
                rng.range(30, 99),
                rng.below(100),
                rng.below(100),
                rng.below(100)
            ),
            email: "dagsordener@example.dk".into(),
            cvr: format!("{}", rng.range(10_000_000, 99_999_999)),
        },
    }
}

/// One council with its meetings, from its own stream.
fn council(
    rng: &mut Rng,
    vocabulary: &Vocabulary,
    plan: &Plan,
    index: usize,
    total: usize,
) -> Council {
    let (_, kind, department, topics, rate) = *plan.template;
    let members = members(rng, kind);
    let info = CouncilInfo {
        name: plan.name.clone(),
        municipality: plan.municipality.0.to_string(),
        town: plan.municipality.1.to_string(),
        department,
        city_council: plan.municipality.3,
        topics: topics
            .iter()
            .map(|t| {
                MODIFIERS
                    .iter()
                    .position(|m| m == t)
                    .unwrap_or_else(|| panic!("{t} is not a modifier")) as u16
            })
            .collect(),
        members: members.iter().map(|m| m.name.clone()).collect(),
    };
    let established = if plan.first.year() == FIRST_YEAR {
        plan.first
    } else {
        plan.first - Days::new(rng.below(300) as u64)
    };
    let kommissorium = kommissorium(rng, vocabulary, &info, established, members.len(), rate);
    let days = meeting_days(rng, plan);
    let meetings = Meetings {
        vocabulary,
        info: &info,
        case_numbers: CaseNumbers {
            index,
            total,
            next: BTreeMap::new(),
        },
        start: rng.pick::<&str>(&[
            "16:00", "17:00", "15:30", "09:00", "13:00", "19:00", "08:30",
        ]),
        place: usual_place(rng, &info),
        agenda_at_end: plan.last.year() == LAST_YEAR,
    }
    .generate(rng, &days);
    Council {
        slug: plan.slug.clone(),
        name: plan.name.clone(),
        kind: kind.to_string(),
        municipality: plan.municipality.0.to_string(),
        established,
        members,
        kommissorium,
        meetings,
    }
}

/// 5–13 members with different names, the chair first.
fn members(rng: &mut Rng, kind: &str) -> Vec<Member> {
    let count = rng.range(5, 13);
    let (chair, deputy) = if kind == "dialogforum" {
        ("forperson", "næstforperson")
    } else {
        ("formand", "næstformand")
    };
    let mut names = BTreeSet::new();
    let mut members = Vec::with_capacity(count);
    while members.len() < count {
        let name = text::person(rng);
        if names.insert(name.clone()) {
            let role = match members.len() {
                0 => Some(chair),
                1 if rng.chance(700) => Some(deputy),
                _ => None,
            };
            members.push(Member { name, role });
        }
    }
    members
}

/// Where the council usually meets.
fn usual_place(rng: &mut Rng, info: &CouncilInfo) -> String {
    match rng.below(4) {
        0 => format!("Mødelokale {}, Rådhuset, {}", rng.range(1, 12), info.town),
        1 => format!("Byrådssalen, Rådhuset, {}", info.town),
        2 => format!("Jobcenter {}", info.town),
        _ => format!("Borgernes Hus, {}", info.town),
    }
}

/// The kommissorium, in the sections of the seed documents.
fn kommissorium(
    rng: &mut Rng,
    vocabulary: &Vocabulary,
    info: &CouncilInfo,
    established: NaiveDate,
    members: usize,
    rate: u32,
) -> Vec<Section> {
    let mut w = Writer::new(vocabulary, info, established, rng);
    let mut background = w.fill(
        rng,
        "{R} blev oprettet i {Y} for at sikre en sammenhængende og koordineret indsats på {tnb} i {K}.",
    );
    if rng.chance(500) {
        background.push(' ');
        w.sentence(
            rng,
            &mut background,
            "Dette kommissorium er en revideret udgave af kommissoriet for {R} godkendt af {BR} den {D}.",
        );
    }
    let mut purpose = w.fill(
        rng,
        "Formålet med {R} er at skabe en platform for drøftelse og samarbejde mellem relevante aktører, som bidrager til {en}.",
    );
    purpose.push(' ');
    w.sentence(
        rng,
        &mut purpose,
        "{R} arbejder ud fra {Ks} vision om at {vi} {anp} og {vi} {npb}.",
    );
    let interest = w.fill(rng, "{Rs} interesseområde er {tnb} og {npb} i {K}.");
    let mut tasks: Vec<String> = [
        "Koordinering og samarbejde: Sikre en tæt koordinering mellem {npb}, {npb} og {npb} i forhold til {tnb}.",
        "Rådgivning og anbefalinger: Give input og anbefalinger til {Ks} {n}, herunder tiltag for at øge {nb}.",
        "Dialog og netværk: Skabe et forum, hvor relevante parter kan dele erfaringer, udfordringer og succeser for at fremme {en}.",
        "Høring: Afgive høringssvar på planer, der har betydning for {tnb}, fx {Ks} {n}.",
        "Udpegning: Indstille kandidater og udpege deltagere til arbejdsgrupper om {np}.",
        "Opfølgning: Følge {dnb} og bidrage til den årlige afrapportering til {U}.",
    ]
    .iter()
    .map(|t| w.fill(rng, t))
    .collect();
    tasks.truncate(rng.range(3, tasks.len()));
    let composition = w.fill(
        rng,
        &format!(
            "{{R}} består af i alt {members} medlemmer med særlig viden om eller interesse for {{tnb}}. Medlemmerne sammensættes som følger:"
        ),
    );
    let mut appointed: Vec<String> = (0..rng.range(2, 4))
        .map(|_| w.fill(rng, "Et medlem samt en suppleant udpeges af {O}"))
        .collect();
    appointed.push(w.fill(rng, "Øvrige medlemmer udpeges af {BR}"));
    let term = w.fill(
        rng,
        "Medlemmerne udpeges for en fireårig periode. {R} udpeger selv en formand og en næstformand.",
    );
    let mut frequency = w.fill(
        rng,
        &format!("{{R}} holder som minimum ordinært møde {rate} gange årligt."),
    );
    if rng.chance(400) {
        frequency.push(' ');
        w.sentence(
            rng,
            &mut frequency,
            "Derudover deltager {R} i et årligt dialogmøde med repræsentanter for de politiske partier i {BR}.",
        );
    }
    let secretariat = w.fill(
        rng,
        "{R} sekretariatsbetjenes af {F}, som er ansvarlig for mødeindkaldelse, referater og koordinering af opfølgning på møder og initiativer.",
    );
    let mut approved = format!("Godkendt i {} den ", info.city_council);
    text::write_date(&mut approved, established);
    approved.push('.');
    let section = |heading: &str, blocks: Vec<Block>| Section {
        heading: heading.to_string(),
        blocks,
    };
    vec![
        section("1. Baggrund", vec![Block::Paragraph(background)]),
        section(
            "2. Formål og interesseområde",
            vec![Block::Paragraph(purpose), Block::Paragraph(interest)],
        ),
        section("3. Opgaver og ansvarsområder", vec![Block::Bullets(tasks)]),
        section(
            "4. Sammensætning og udpegning",
            vec![
                Block::Paragraph(composition),
                Block::Bullets(appointed),
                Block::Paragraph(term),
            ],
        ),
        section("5. Mødefrekvens", vec![Block::Paragraph(frequency)]),
        section(
            "6. Sekretariatsbetjening",
            vec![Block::Paragraph(secretariat), Block::Paragraph(approved)],
        ),
    ]
}

/// The days of a council's meetings, oldest first, each with its file-name suffix: different
/// weekdays in its period while there are enough of them, except for a few extra meetings on
/// the day of another; a second meeting on the same day is "ekstra", a third "ekstra-2" …
fn meeting_days(rng: &mut Rng, plan: &Plan) -> Vec<(NaiveDate, Option<String>)> {
    let span = (plan.last - plan.first).num_days() as usize + 1;
    let weekday = |rng: &mut Rng| {
        let day = plan.first + Days::new(rng.below(span) as u64);
        let back = match day.weekday() {
            Weekday::Sat => 1,
            Weekday::Sun => 2,
            _ => 0,
        };
        if day - Days::new(back) >= plan.first {
            day - Days::new(back)
        } else {
            day + Days::new(3 - back)
        }
    };
    let mut taken = BTreeSet::new();
    let mut days: Vec<NaiveDate> = Vec::with_capacity(plan.meetings);
    for _ in 0..plan.meetings {
        let day = match days.last() {
            Some(&last) if rng.chance(EXTRA_MEETING_PER_MILLE) => last,
            _ => {
                let mut day = weekday(rng);
                for _ in 0..8 {
                    if !taken.contains(&day) {
                        break;
                    }
                    day = weekday(rng);
                }
                day
            }
        };
        taken.insert(day);
        days.push(day);
    }
    days.sort();
    let mut out: Vec<(NaiveDate, Option<String>)> = Vec::with_capacity(days.len());
    let mut same_day = 0;
    for (i, &day) in days.iter().enumerate() {
        same_day = if i > 0 && days[i - 1] == day {
            same_day + 1
        } else {
            0
        };
        let suffix = match same_day {
            0 => None,
            1 => Some("ekstra".to_string()),
            n => Some(format!("ekstra-{n}")),
        };
        out.push((day, suffix));
    }
    out
}

/// Hands out the Sags IDs of one council: `EMN-<year>-<number>`, where the number is a multiple
/// of the council count plus the council's index, so that councils never share an ID.
struct CaseNumbers {
    /// The council's index.
    index: usize,
    /// How many councils there are.
    total: usize,
    /// The next sequence number per year.
    next: BTreeMap<i32, usize>,
}

impl CaseNumbers {
    /// A new Sags ID of `year`.
    fn next(&mut self, rng: &mut Rng, year: i32) -> String {
        let step = rng.range(1, 3);
        let sequence = self.next.entry(year).or_insert_with(|| rng.range(1, 60));
        *sequence += step;
        format!("EMN-{year}-{:05}", *sequence * self.total + self.index)
    }
}

/// What the administration recommends, and the decision that follows it.
#[derive(Clone, Copy)]
enum Verb {
    /// "… godkender …" → "Godkendt."
    Approve,
    /// "… drøfter …" → "Drøftedes."
    Discuss,
    /// "… tager … til efterretning" → "Taget til efterretning."
    Note,
    /// "… anbefaler … at godkende …" → "Anbefales."
    Recommend,
    /// "… afgiver høringssvar vedr. …" → "Høringssvar afgives …"
    Consult,
}

/// Titles of cases, what the Indstilling names, and what it recommends.
const CASE_TITLE: &[(&str, &str, Verb)] = &[
    ("{tn} {ty}", "udkast til {tn} {ty}", Verb::Approve),
    (
        "Udkast til {tn} {tyy}",
        "udkast til {tn} {tyy}",
        Verb::Discuss,
    ),
    (
        "Høring: {tn} {ty}",
        "høringsudkast til {tn} {ty}",
        Verb::Consult,
    ),
    ("Orientering om {tnp}", "orienteringen om {tnp}", Verb::Note),
    (
        "Evaluering af {tnb}",
        "evalueringen af {tnb}",
        Verb::Discuss,
    ),
    ("Status på {tnb}", "status på {tnb}", Verb::Note),
    (
        "Henvendelse fra {to}",
        "henvendelse fra {to} vedr. {tnb}",
        Verb::Discuss,
    ),
    (
        "Ansøgning om tilskud til {tn} i {tpl}",
        "ansøgning om tilskud til {tn} i {tpl}",
        Verb::Approve,
    ),
    (
        "Temadrøftelse: {tn}",
        "{tnb} som tema for det kommende år",
        Verb::Discuss,
    ),
    (
        "Godkendelse af {tn} for {ty}",
        "{tn} for {ty}",
        Verb::Approve,
    ),
    (
        "Forslag til {tn} i {tpl}",
        "forslag til {tn} i {tpl}",
        Verb::Recommend,
    ),
    (
        "Årsrapport {ty} for {tnb}",
        "årsrapport {ty} for {tnb}",
        Verb::Note,
    ),
    (
        "Besøg af {to}",
        "information vedr. besøg af {to}",
        Verb::Note,
    ),
    (
        "Udpegning af medlem til {tn}",
        "udpegning af medlem til {tn}",
        Verb::Approve,
    ),
    ("{tn} - opfølgning", "opfølgning på {tnb}", Verb::Discuss),
    (
        "Budget {ty}: {tnp}",
        "budgetforslag for {tnp} i {ty}",
        Verb::Recommend,
    ),
    ("Mødeplan {ty}", "udkast til mødeplan {ty}", Verb::Approve),
];

/// A matter that may come up at several meetings.
#[derive(Clone)]
struct Case {
    /// Its Sags ID.
    id: String,
    /// What it is about.
    topic: Topic,
    /// The item's title.
    title: String,
    /// What the Indstilling names ("udkast til beskæftigelsesplan 2024").
    object: String,
    /// What is recommended.
    verb: Verb,
    /// Earlier meetings that handled it: the day, and whether it was postponed.
    history: Vec<(NaiveDate, bool)>,
}

/// A case due at a later meeting.
struct Pending {
    /// The index of the first meeting it may come up at.
    due: usize,
    /// Postponed cases come back at the next meeting, whatever else is due.
    postponed: bool,
    /// The case.
    case: Case,
}

/// Generates the meetings of one council.
struct Meetings<'a> {
    /// The words.
    vocabulary: &'a Vocabulary,
    /// The council.
    info: &'a CouncilInfo,
    /// Its Sags IDs.
    case_numbers: CaseNumbers,
    /// When its meetings usually start.
    start: &'static str,
    /// Where it usually meets.
    place: String,
    /// Whether its newest meeting is an agenda (the council still exists).
    agenda_at_end: bool,
}

impl Meetings<'_> {
    /// The meetings on `days`, in order.
    fn generate(mut self, rng: &mut Rng, days: &[(NaiveDate, Option<String>)]) -> Vec<Meeting> {
        let mut pending: Vec<Pending> = Vec::new();
        let mut meetings = Vec::with_capacity(days.len());
        for (i, (date, suffix)) in days.iter().enumerate() {
            let last = i + 1 == days.len();
            let status = if (last && self.agenda_at_end) || rng.chance(AGENDA_PER_MILLE) {
                Status::Dagsorden
            } else {
                Status::Referat
            };
            let next = days.get(i + 1).map(|d| d.0);
            let previous = i.checked_sub(1).map(|p| days[p].0);
            meetings.push(self.meeting(
                rng,
                MeetingDay {
                    index: i,
                    date: *date,
                    suffix: suffix.clone(),
                    status,
                    previous,
                    next,
                },
                &mut pending,
            ));
        }
        meetings
    }

    /// One meeting; takes the cases due from `pending` and adds the ones that will return.
    fn meeting(&mut self, rng: &mut Rng, day: MeetingDay, pending: &mut Vec<Pending>) -> Meeting {
        let referat = day.status == Status::Referat;
        let mut w = Writer::new(self.vocabulary, self.info, day.date, rng);
        let total = rng.range(8, 20);
        let mut head = Vec::new();
        if rng.chance(950) {
            head.push(self.approve_agenda(rng, referat, total));
        }
        if let Some(previous) = day.previous
            && rng.chance(400)
        {
            head.push(self.approve_minutes(referat, previous));
        }
        let mut tail = Vec::new();
        for (title, per_mille) in [
            ("Orientering fra formandskabet", 450),
            ("Orientering fra sekretariatet", 500),
        ] {
            if rng.chance(per_mille) {
                tail.push(self.briefing(rng, &mut w, title, referat));
            }
        }
        if rng.chance(850) {
            let decision = if rng.chance(700) {
                "Intet.".to_string()
            } else {
                w.paragraph(rng, BRIEFING, 1, 1)
            };
            tail.push(standard_item("Eventuelt", referat, decision));
        }
        let slots = total - head.len() - tail.len();
        let closed = (0..total)
            .filter(|_| rng.chance(CLOSED_PER_MILLE))
            .count()
            .min(slots - 1);
        let mut open = slots - closed;

        // Cases due: every postponed one, then follow-ups while there is room.
        let postponed = pending
            .iter()
            .filter(|p| p.postponed && p.due <= day.index)
            .count();
        open = open.max(postponed);
        let mut cases = Vec::with_capacity(open);
        let mut kept = Vec::with_capacity(pending.len());
        let mut follow_ups = 0;
        for p in pending.drain(..) {
            let stale = p
                .case
                .history
                .last()
                .is_some_and(|&(date, _)| (day.date - date).num_days() > FOLLOW_UP_MAX_DAYS);
            if stale && !p.postponed {
                // A follow-up that did not come up within two years is dropped.
                continue;
            }
            if p.due > day.index {
                kept.push(p);
            } else if p.postponed {
                cases.push(p.case);
            } else if postponed + follow_ups < open {
                follow_ups += 1;
                cases.push(p.case);
            } else {
                kept.push(p);
            }
        }
        *pending = kept;
        while cases.len() < open {
            cases.push(self.new_case(rng, &mut w, day.date));
        }

        let mut attachments = BTreeSet::new();
        let mut items = head;
        for mut case in cases {
            let postpone = referat && day.next.is_some() && rng.chance(POSTPONED_PER_MILLE);
            items.push(self.case_item(rng, &mut w, &case, &day, postpone, &mut attachments));
            let returns = if postpone {
                Some(day.index + 1)
            } else if day.next.is_some()
                && rng.chance(FOLLOW_UP_PER_MILLE / (case.history.len() + 1))
            {
                Some(day.index + rng.range(1, 6))
            } else {
                None
            };
            if let Some(due) = returns {
                case.history.push((day.date, postpone));
                pending.push(Pending {
                    due,
                    postponed: postpone,
                    case,
                });
            }
        }
        for _ in 0..closed {
            items.push(self.closed_item(rng, &mut w, &day, &mut attachments));
        }
        items.extend(tail);

        let intro = if rng.chance(150) {
            vec![Block::Paragraph(w.paragraph(rng, INTRO, 1, 2))]
        } else {
            Vec::new()
        };
        let (participants, absent) = if referat {
            let absent: Vec<String> = (0..[0, 0, 0, 1, 1, 2][rng.below(6)])
                .map(|_| rng.pick(&self.info.members).clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let participants = self
                .info
                .members
                .iter()
                .filter(|m| !absent.contains(m))
                .cloned()
                .collect();
            (participants, absent)
        } else {
            (Vec::new(), Vec::new())
        };
        let start = if rng.chance(850) {
            self.start.to_string()
        } else {
            format!("{:02}:{:02}", rng.range(8, 19), 30 * rng.below(2))
        };
        let minutes = start[..2].parse::<usize>().unwrap_or(16) * 60
            + start[3..].parse::<usize>().unwrap_or(0)
            + 30 * rng.range(2, 6);
        let place = if rng.chance(900) {
            self.place.clone()
        } else {
            w.fill(rng, "{O}, {Pl}")
        };
        Meeting {
            date: day.date,
            suffix: day.suffix,
            status: day.status,
            start,
            end: format!("{:02}:{:02}", (minutes / 60).min(23), minutes % 60),
            place,
            participants,
            absent,
            intro,
            items,
        }
    }

    /// "Godkendelse af dagsorden".
    fn approve_agenda(&self, rng: &mut Rng, referat: bool, total: usize) -> Item {
        let decision = if rng.chance(100) {
            format!(
                "Godkendt med den tilføjelse, at punkt {} behandles først.",
                rng.range(2, total)
            )
        } else {
            "Godkendt.".to_string()
        };
        standard_item("Godkendelse af dagsorden", referat, decision)
    }

    /// "Godkendelse af referat fra sidste møde".
    fn approve_minutes(&self, referat: bool, previous: NaiveDate) -> Item {
        let mut decision = "Referatet fra mødet den ".to_string();
        text::write_date(&mut decision, previous);
        decision.push_str(" blev godkendt.");
        standard_item("Godkendelse af referat fra sidste møde", referat, decision)
    }

    /// A news item: "Til orientering." and what was told.
    fn briefing(&self, rng: &mut Rng, w: &mut Writer, title: &str, referat: bool) -> Item {
        let mut blocks = vec![Block::Paragraph("Til orientering.".into())];
        if rng.chance(500) {
            blocks.push(Block::Paragraph(w.paragraph(rng, BRIEFING, 1, 2)));
        }
        Item {
            title: title.into(),
            case: None,
            closed: false,
            sections: if referat {
                vec![section("Beslutning", blocks)]
            } else {
                Vec::new()
            },
        }
    }

    /// A case that comes up for the first time.
    fn new_case(&mut self, rng: &mut Rng, w: &mut Writer, date: NaiveDate) -> Case {
        w.topic = w.new_topic(rng);
        let (title, object, verb) = *rng.pick(CASE_TITLE);
        Case {
            id: self.case_numbers.next(rng, date.year()),
            topic: w.topic,
            title: w.fill(rng, title),
            object: {
                let mut out = String::new();
                w.phrase(rng, &mut out, object);
                out
            },
            verb,
            history: Vec::new(),
        }
    }

    /// The item of an open case.
    fn case_item(
        &self,
        rng: &mut Rng,
        w: &mut Writer,
        case: &Case,
        day: &MeetingDay,
        postpone: bool,
        attachments: &mut BTreeSet<String>,
    ) -> Item {
        w.topic = case.topic;
        let mut sections = Vec::with_capacity(6);
        if rng.chance(650) {
            sections.push(section(
                "Resumé",
                vec![Block::Paragraph(w.paragraph(rng, RESUME, 1, 3))],
            ));
        }
        if rng.chance(150) {
            sections.push(section(
                "Baggrund",
                vec![Block::Paragraph(w.paragraph(rng, CASE, 2, 3))],
            ));
        }
        if rng.chance(800) {
            let mut blocks: Vec<Block> = (0..rng.range(1, 2))
                .map(|_| Block::Paragraph(w.paragraph(rng, CASE, 2, 4)))
                .collect();
            if rng.chance(250) {
                blocks.push(Block::Paragraph(w.paragraph(rng, LIST_INTRO, 1, 1)));
                let points = (0..rng.range(3, 6))
                    .map(|_| w.paragraph(rng, BULLET, 1, 1))
                    .collect();
                blocks.push(if rng.chance(250) {
                    Block::Numbered(points)
                } else {
                    Block::Bullets(points)
                });
            }
            sections.push(section("Sagsfremstilling", blocks));
        }
        if !case.history.is_empty() {
            let blocks = case
                .history
                .iter()
                .map(|&(date, postponed)| {
                    let mut line = format!("{} behandlede sagen på mødet den ", self.info.name);
                    text::write_date(&mut line, date);
                    line.push_str(if postponed {
                        ", hvor punktet blev udsat."
                    } else {
                        "."
                    });
                    Block::Paragraph(line)
                })
                .collect();
            sections.push(section("Tidligere beslutninger", blocks));
        }
        sections.push(section("Indstilling", self.recommendation(rng, w, case)));
        if day.status == Status::Referat {
            let mut blocks = Vec::new();
            if postpone {
                let mut line = "Udsat til mødet den ".to_string();
                text::write_date(&mut line, day.next.unwrap_or(day.date));
                line.push('.');
                blocks.push(Block::Paragraph(line));
            } else {
                blocks.push(Block::Paragraph(
                    match case.verb {
                        Verb::Approve => "Godkendt.",
                        Verb::Discuss => "Drøftedes.",
                        Verb::Note => "Taget til efterretning.",
                        Verb::Recommend => "Anbefales.",
                        Verb::Consult => {
                            "Høringssvar afgives i overensstemmelse med de faldne bemærkninger."
                        }
                    }
                    .to_string(),
                ));
                for _ in 0..[0, 0, 1, 1, 2][rng.below(5)] {
                    blocks.push(Block::Paragraph(w.paragraph(rng, DISCUSSION, 1, 2)));
                }
            }
            sections.push(section("Beslutning", blocks));
        }
        if rng.chance(ATTACHMENTS_PER_MILLE) {
            let files = (0..rng.range(1, 2))
                .map(|_| attachment(rng, w, attachments, false))
                .collect();
            sections.push(section("Bilag", vec![Block::Attachments(files)]));
        }
        Item {
            title: case.title.clone(),
            case: Some(case.id.clone()),
            closed: false,
            sections,
        }
    }

    /// The Indstilling of a case.
    fn recommendation(&self, rng: &mut Rng, w: &mut Writer, case: &Case) -> Vec<Block> {
        let what = match case.verb {
            Verb::Approve => format!("godkender {}", case.object),
            Verb::Discuss => format!("drøfter {}", case.object),
            Verb::Note => format!("tager {} til efterretning", case.object),
            Verb::Recommend => {
                let mut out = String::from("anbefaler ");
                w.phrase(rng, &mut out, "{U}");
                out.push_str(" at godkende ");
                out.push_str(&case.object);
                out
            }
            Verb::Consult => format!("afgiver høringssvar vedr. {}", case.object),
        };
        let department = self.info.department;
        let council = &self.info.name;
        let mut blocks = if rng.chance(120) {
            vec![
                Block::Paragraph(format!("{department} indstiller")),
                Block::Paragraph(format!("Til {council}:")),
                Block::Numbered(vec![format!("At {council} {what}.")]),
            ]
        } else {
            vec![Block::Paragraph(format!(
                "{department} indstiller, at {council} {what}."
            ))]
        };
        if rng.chance(350) {
            blocks.push(Block::Paragraph(w.paragraph(
                rng,
                RECOMMENDATION_EXTRA,
                1,
                2,
            )));
        }
        blocks
    }

    /// A closed item: a title, and text that carries [`CLOSED_MARKER`].
    fn closed_item(
        &mut self,
        rng: &mut Rng,
        w: &mut Writer,
        day: &MeetingDay,
        attachments: &mut BTreeSet<String>,
    ) -> Item {
        w.topic = w.new_topic(rng);
        let template = *rng.pick(CLOSED_TITLE);
        let title = w.fill(rng, template);
        let case = rng
            .chance(700)
            .then(|| self.case_numbers.next(rng, day.date.year()));
        let closed_text = |rng: &mut Rng, w: &mut Writer| {
            Block::Paragraph(format!(
                "{CLOSED_MARKER}: {}",
                w.paragraph(rng, CLOSED, 1, 3)
            ))
        };
        let mut sections = vec![section("Indstilling", vec![closed_text(rng, w)])];
        if day.status == Status::Referat {
            sections.push(section("Beslutning", vec![closed_text(rng, w)]));
        }
        if rng.chance(200) {
            sections.push(section(
                "Bilag",
                vec![Block::Attachments(vec![attachment(
                    rng,
                    w,
                    attachments,
                    true,
                )])],
            ));
        }
        Item {
            title,
            case,
            closed: true,
            sections,
        }
    }
}

/// What a meeting needs to know about its day.
struct MeetingDay {
    /// Its position among the council's meetings.
    index: usize,
    /// The day.
    date: NaiveDate,
    /// The file-name suffix.
    suffix: Option<String>,
    /// Agenda or minutes.
    status: Status,
    /// The day of the council's previous meeting.
    previous: Option<NaiveDate>,
    /// The day of the council's next meeting.
    next: Option<NaiveDate>,
}

/// A section.
fn section(heading: &str, blocks: Vec<Block>) -> Section {
    Section {
        heading: heading.to_string(),
        blocks,
    }
}

/// An item without a case whose Beslutning (in minutes) is `decision`.
fn standard_item(title: &str, referat: bool, decision: String) -> Item {
    Item {
        title: title.to_string(),
        case: None,
        closed: false,
        sections: if referat {
            vec![section("Beslutning", vec![Block::Paragraph(decision)])]
        } else {
            Vec::new()
        },
    }
}

/// An attachment with a new name in the meeting's folder; a closed item's carries the marker.
fn attachment(
    rng: &mut Rng,
    w: &mut Writer,
    taken: &mut BTreeSet<String>,
    closed: bool,
) -> Attachment {
    let template = *rng.pick(ATTACHMENT_TITLE);
    let title = w.fill(rng, template);
    let extension = ["pdf", "pdf", "pdf", "pdf", "pdf", "pdf", "docx", "xlsx"][rng.below(8)];
    let mut base = slugify(&title);
    if base.len() > 60 {
        base.truncate(60);
        base.truncate(base.trim_end_matches('-').len());
    }
    let mut file_name = format!("{base}.{extension}");
    let mut n = 2;
    while !taken.insert(file_name.clone()) {
        file_name = format!("{base}-{n}.{extension}");
        n += 1;
    }
    let content = if closed {
        format!("%PDF-1.4\n% {CLOSED_MARKER} {file_name}\n%%EOF\n")
    } else if extension == "pdf" {
        format!("%PDF-1.4\n% {file_name}\n%%EOF\n")
    } else {
        format!("{file_name}\n")
    };
    Attachment {
        title,
        file_name,
        content: content.into_bytes(),
    }
}
