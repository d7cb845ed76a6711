//! The event loop and the terminal guard.
