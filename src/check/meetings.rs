//! Rules on what a meeting says about itself: a referat dated after today, a dagsorden that
//! already holds decisions, and attachments above the site's size limit.

use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{Finding, Rule};
use crate::content::{Archive, Meeting, SectionKind, Source, Status};
use crate::diagnostics::Diagnostic;

/// The findings of these rules for every meeting of `archive`, checked on `today`, with
/// attachments allowed up to `max_attachment_mb` MB.
pub(super) fn check(
    root: &Path,
    archive: &Archive,
    today: NaiveDate,
    max_attachment_mb: f64,
) -> Vec<Finding> {
    let meetings: Vec<&Meeting> = archive.meetings().map(|(_, m)| m).collect();
    meetings
        .par_iter()
        .flat_map_iter(|meeting| {
            let mut findings = Vec::new();
            future_referat(root, meeting, today, &mut findings);
            decisions_in_dagsorden(meeting, &mut findings);
            attachment_sizes(root, meeting, max_attachment_mb, &mut findings);
            findings
        })
        .collect()
}

/// Minutes record a meeting that was held: a referat dated after today has a wrong date or a
/// wrong status.
fn future_referat(root: &Path, meeting: &Meeting, today: NaiveDate, out: &mut Vec<Finding>) {
    if meeting.status != Status::Referat || meeting.date <= today {
        return;
    }
    let line = match Source::read(&root.join(&meeting.source), &meeting.source) {
        Ok(source) => source.key_line("date"),
        Err(diagnostic) => return out.push(Finding::build(diagnostic)),
    };
    out.push(Finding::new(
        Rule::FutureReferat,
        &meeting.source,
        Some(line),
        format!(
            "a referat dated {}, after today ({today}): minutes are written after the meeting",
            meeting.date
        ),
        "correct the date, or publish it as `status: dagsorden` until the meeting is held",
    ));
}

/// Decisions are made at the meeting: a dagsorden with a Beslutning section was most likely
/// meant to become the referat.
fn decisions_in_dagsorden(meeting: &Meeting, out: &mut Vec<Finding>) {
    if meeting.status != Status::Dagsorden {
        return;
    }
    let text = match meeting.text() {
        Ok(text) => text,
        Err(e) => {
            return out.push(Finding::build(Diagnostic::file(
                &meeting.source,
                e.to_string(),
            )));
        }
    };
    for item in &meeting.items {
        for section in text.of(item) {
            if section.kind == SectionKind::Beslutning {
                out.push(Finding::new(
                    Rule::DecisionInDagsorden,
                    &meeting.source,
                    Some(section.line),
                    format!(
                        "item {} of a dagsorden has a `{}` section: decisions belong in the \
                         referat",
                        item.number, section.title
                    ),
                    "once the meeting is held, set `status: referat`; before that, leave the \
                     Beslutning section out",
                ));
            }
        }
    }
}

/// Large files are slow to fetch on a phone and may be scans that were never meant for the web.
fn attachment_sizes(
    root: &Path,
    meeting: &Meeting,
    max_attachment_mb: f64,
    out: &mut Vec<Finding>,
) {
    for attachment in &meeting.attachments {
        let mb = attachment.size as f64 / 1_000_000.0;
        if mb > max_attachment_mb {
            let shown = attachment
                .source
                .strip_prefix(root)
                .unwrap_or(&attachment.source);
            out.push(Finding::new(
                Rule::AttachmentSize,
                &meeting.source,
                Some(attachment.line),
                format!(
                    "the attachment {} is {mb:.1} MB, more than max_attachment_mb = \
                     {max_attachment_mb} in site.toml",
                    shown.display()
                ),
                "large files are slow to download on a phone: compress or split the file, or \
                 raise max_attachment_mb in site.toml",
            ));
        }
    }
}
