//! The triage core: one App state, an update(msg) reducer, effects returned as data.
