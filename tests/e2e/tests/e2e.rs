//! ingestd's end-to-end tests: one test binary, one module per area (ripgrep-style).
//!
//! Every test starts the real `ingestd` binary on a fresh temporary folder and acts as a
//! user would: it writes a config, drops files, sends signals and reads the outbox. The
//! harness lives in the `ingestd_e2e` library. Build first: `cargo build --workspace`
//! (cargo does not build the daemon or the plugin libraries for a test).

mod abi;
mod cli;
mod faults;
mod schema;
mod seeds;
mod service;
mod shutdown;
mod spool;
