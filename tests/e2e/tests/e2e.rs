//! ingestd's end-to-end tests: one test binary, one module per area (ripgrep-style).
//!
//! Every test starts the real `ingestd` binary on a fresh temporary folder and acts as a
//! user would: it writes a config, drops files, sends signals and reads the outbox. The
//! harness lives in the `ingestd_e2e` library. Build first: `cargo build --workspace`
//! (cargo does not build the daemon or the plugin libraries for a test).
//!
//! The reliability tests (`chaos`, `flood`, `hostile`, `poll`, `disk`; see
//! `docs/RELIABILITY.md`) run modest sizes by default. Full sizes:
//! `INGESTD_CHAOS_FILES=5000 INGESTD_CHAOS_KILLS=100` and `INGESTD_FLOOD_FILES=100000`;
//! `INGESTD_CHAOS_SEED` replays a chaos run. Some of them need root for the strongest form
//! (`chattr +i`, a tmpfs mount) and fall back, saying so, when not run as root.

mod abi;
mod chaos;
mod cli;
mod disk;
mod faults;
mod flood;
mod formats;
mod hostile;
mod poll;
mod seeds;
mod shutdown;
mod spool;
