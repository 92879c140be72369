//! Kernel file events for the inbox, turned into [`Hint`]s on a bounded channel.
//!
//! Events are only hints: they wake discovery early. Nothing depends on seeing every one
//! (inotify coalesces and overflows, and sees nothing on network filesystems). When our own
//! bounded channel is full the event is dropped and a rescan is requested instead, so a
//! flood of events never grows memory.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::{Notify, mpsc};

/// What a file event suggests discovery should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// The file was closed after writing or renamed into the inbox: it is complete.
    Arrived(OsString),
    /// The file was created or written to: look again once it has settled.
    Changed(OsString),
    /// Events were lost or the kernel asked for a rescan.
    Rescan,
}

/// Maps one notify event to hints about entries of the inbox.
fn hints(event: &Event) -> Vec<Hint> {
    if event.need_rescan() {
        return vec![Hint::Rescan];
    }
    let names = || event.paths.iter().filter_map(|p| p.file_name().map(OsString::from));
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => names().map(Hint::Arrived).collect(),
        // `Both` repeats a `To` already reported.
        EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) | EventKind::Access(_) => Vec::new(),
        EventKind::Create(_) | EventKind::Modify(_) => names().map(Hint::Changed).collect(),
        EventKind::Any | EventKind::Other => vec![Hint::Rescan],
    }
}

/// A running watch on the inbox; dropping it stops the watch.
pub struct InboxWatch {
    _watcher: notify::RecommendedWatcher,
}

/// Starts watching `inbox` (not recursively). Hints go to `tx`; when it is full, `overflow`
/// is notified instead so discovery rescans.
pub fn watch_inbox(
    inbox: &Path,
    tx: mpsc::Sender<Hint>,
    overflow: Arc<Notify>,
) -> notify::Result<InboxWatch> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        let hints = match event {
            Ok(event) => hints(&event),
            Err(e) => {
                tracing::warn!("file watch error, rescanning: {e}");
                vec![Hint::Rescan]
            }
        };
        for hint in hints {
            if tx.try_send(hint).is_err() {
                overflow.notify_one();
                break;
            }
        }
    })?;
    watcher.watch(inbox, RecursiveMode::NonRecursive)?;
    Ok(InboxWatch { _watcher: watcher })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, Flag};

    fn event(kind: EventKind) -> Event {
        Event::new(kind).add_path("/in/a.txt".into())
    }

    #[test]
    fn close_after_write_and_rename_in_mean_arrived() {
        let arrived = vec![Hint::Arrived("a.txt".into())];
        assert_eq!(hints(&event(EventKind::Access(AccessKind::Close(AccessMode::Write)))), arrived);
        assert_eq!(hints(&event(EventKind::Modify(ModifyKind::Name(RenameMode::To)))), arrived);
    }

    #[test]
    fn create_means_look_again_later() {
        assert_eq!(hints(&event(EventKind::Create(CreateKind::File))), vec![Hint::Changed("a.txt".into())]);
    }

    #[test]
    fn overflow_means_rescan() {
        let overflow = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(hints(&overflow), vec![Hint::Rescan]);
    }
}
