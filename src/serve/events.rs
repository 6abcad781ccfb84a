//! The outcome of each build, told to every open page as server-sent events: `reload` after a
//! build that succeeded, `error` with the build's errors after one that failed. A page that
//! connects while the last build failed is told its errors at once, so a page loaded from the
//! last good build (or the fallback page) shows them too.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

/// The pages listening for builds, and the errors of the last build if it failed.
#[derive(Default)]
pub(super) struct Hub {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    error: Option<String>,
    listeners: Vec<Sender<String>>,
}

impl Hub {
    /// Listen for the outcome of the next builds; the first message is the current error, if
    /// the last build failed. Each message is one encoded event.
    pub(super) fn subscribe(&self) -> Receiver<String> {
        let (sender, receiver) = channel();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(error) = &state.error {
            // The receiver is alive: it is returned below.
            let _ = sender.send(error_event(error));
        }
        state.listeners.push(sender);
        receiver
    }

    /// Tell every listener that a build succeeded (`None`) or failed with `error`, and forget
    /// the listeners that have gone.
    pub(super) fn publish(&self, error: Option<String>) {
        let event = match &error {
            // Without a data line, even an empty one, the browser would not dispatch the event.
            None => "event: reload\ndata: \n\n".to_owned(),
            Some(error) => error_event(error),
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.error = error;
        state
            .listeners
            .retain(|listener| listener.send(event.clone()).is_ok());
    }
}

/// An `error` event carrying `text`: one `data:` line per line, as the event stream format
/// requires (the browser joins them with newlines again).
fn error_event(text: &str) -> String {
    let mut event = "event: error\n".to_owned();
    for line in text.lines() {
        event += "data: ";
        event += line;
        event += "\n";
    }
    event + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_data_line_per_line() {
        assert_eq!(
            error_event("error: a.md:3: bad\nerror: b.md: worse"),
            "event: error\ndata: error: a.md:3: bad\ndata: error: b.md: worse\n\n"
        );
    }

    #[test]
    fn a_late_listener_hears_the_current_error_first() {
        let hub = Hub::default();
        hub.publish(Some("error: a.md:3: bad".to_owned()));
        let late = hub.subscribe();
        assert_eq!(
            late.try_recv().unwrap(),
            "event: error\ndata: error: a.md:3: bad\n\n"
        );
        hub.publish(None);
        assert_eq!(late.try_recv().unwrap(), "event: reload\ndata: \n\n");
        assert!(hub.subscribe().try_recv().is_err(), "the error was fixed");
    }

    #[test]
    fn listeners_that_have_gone_are_forgotten() {
        let hub = Hub::default();
        drop(hub.subscribe());
        let _kept = hub.subscribe();
        hub.publish(None);
        assert_eq!(hub.state.lock().unwrap().listeners.len(), 1);
    }
}
