//! The dedup plugin (being written).
