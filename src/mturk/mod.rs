//! The protocol side: client construction, page fetcher, decision outbox, and the local sim.
pub mod client;
pub mod error;
pub mod fetcher;
pub mod journal;
pub mod sim;
