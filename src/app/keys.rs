//! The one key table: it drives the reducer, the status-bar hints and the help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    NextUndecided,
    PageDown,
    PageUp,
    SwitchFocus,
    ScrollDown,
    ScrollUp,
    ToggleRaw,
    Accept,
    AcceptWithValue,
    Reject,
    Undo,
    Retry,
    RetryAll,
    Refresh,
    Help,
    Quit,
    ForceQuit,
    Suspend,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints and help.
    pub label: &'static str,
    pub action: Action,
    /// Short word for the status bar.
    pub hint: &'static str,
    /// One line for the help screen.
    pub help: &'static str,
    /// Shown in the status bar (the rest only in help).
    pub in_bar: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)],
        label: "j/↓",
        action: Action::Down,
        hint: "next",
        help: "next request (or scroll the detail when it has focus)",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)],
        label: "k/↑",
        action: Action::Up,
        hint: "prev",
        help: "previous request (or scroll the detail when it has focus)",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        label: "g",
        action: Action::Top,
        hint: "first",
        help: "first request",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('G'), SHIFT), (KeyCode::End, NONE)],
        label: "G",
        action: Action::Bottom,
        hint: "last",
        help: "last request",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('n'), NONE)],
        label: "n",
        action: Action::NextUndecided,
        hint: "next undecided",
        help: "jump to the next undecided request",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE), (KeyCode::Char('f'), CTRL)],
        label: "PgDn",
        action: Action::PageDown,
        hint: "page down",
        help: "one page down",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE), (KeyCode::Char('b'), CTRL)],
        label: "PgUp",
        action: Action::PageUp,
        hint: "page up",
        help: "one page up",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        action: Action::SwitchFocus,
        hint: "focus",
        help: "switch focus between the list and the detail",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('J'), SHIFT)],
        label: "J/K",
        action: Action::ScrollDown,
        hint: "scroll",
        help: "scroll the detail down / up",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('K'), SHIFT)],
        label: "K",
        action: Action::ScrollUp,
        hint: "scroll up",
        help: "scroll the detail up",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('x'), NONE)],
        label: "x",
        action: Action::ToggleRaw,
        hint: "raw XML",
        help: "show the raw Test and Answer XML (again: the review)",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('a'), NONE)],
        label: "a",
        action: Action::Accept,
        hint: "accept",
        help: "accept with the default value",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('A'), SHIFT)],
        label: "A",
        action: Action::AcceptWithValue,
        hint: "accept=N",
        help: "accept, asking for the IntegerValue to grant",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        action: Action::Reject,
        hint: "reject",
        help: "reject, asking for a Reason the worker will read",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('u'), NONE)],
        label: "u",
        action: Action::Undo,
        hint: "undo",
        help: "take back a decision that has not been sent yet",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('t'), NONE)],
        label: "t",
        action: Action::Retry,
        hint: "retry",
        help: "send a failed decision again",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('T'), SHIFT)],
        label: "T",
        action: Action::RetryAll,
        hint: "retry all",
        help: "send every failed decision again",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('R'), SHIFT)],
        label: "R",
        action: Action::Refresh,
        hint: "re-list",
        help: "list pending requests again (keeps the selection)",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::F(1), NONE)],
        label: "?",
        action: Action::Help,
        hint: "help",
        help: "this help",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('q'), NONE)],
        label: "q",
        action: Action::Quit,
        hint: "quit",
        help: "quit, also Ctrl-c (asks first while decisions wait or fly)",
        in_bar: true,
    },
    Binding {
        keys: &[(KeyCode::Char('c'), CTRL)],
        label: "Ctrl-c",
        action: Action::ForceQuit,
        hint: "quit",
        help: "quit now (asks first while decisions wait or fly)",
        in_bar: false,
    },
    Binding {
        keys: &[(KeyCode::Char('z'), CTRL)],
        label: "Ctrl-z",
        action: Action::Suspend,
        hint: "suspend",
        help: "suspend to the shell (fg to come back)",
        in_bar: false,
    },
];

/// The action bound to a key press in the normal mode, if any.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    // Shift is reported inconsistently for upper-case letters; compare without it for chars.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    BINDINGS.iter().find_map(|b| {
        b.keys
            .iter()
            .any(|(code, m)| *code == key.code && (*m - KeyModifiers::SHIFT) == mods)
            .then_some(b.action)
    })
}

/// The binding of an action (for hints).
pub fn binding(action: Action) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions() {
        let k = |c, m| KeyEvent::new(c, m);
        assert_eq!(
            action_for(&k(KeyCode::Char('a'), NONE)),
            Some(Action::Accept)
        );
        assert_eq!(
            action_for(&k(KeyCode::Char('A'), SHIFT)),
            Some(Action::AcceptWithValue)
        );
        assert_eq!(
            action_for(&k(KeyCode::Char('A'), NONE)),
            Some(Action::AcceptWithValue)
        );
        assert_eq!(
            action_for(&k(KeyCode::Char('c'), CTRL)),
            Some(Action::ForceQuit)
        );
        assert_eq!(action_for(&k(KeyCode::Char('c'), NONE)), None);
        assert_eq!(action_for(&k(KeyCode::Down, NONE)), Some(Action::Down));
    }

    #[test]
    fn every_action_has_a_binding_and_no_key_is_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for b in BINDINGS {
            for (code, m) in b.keys {
                assert!(
                    seen.insert((*code, *m - KeyModifiers::SHIFT)),
                    "{code:?} bound twice"
                );
            }
        }
    }
}
