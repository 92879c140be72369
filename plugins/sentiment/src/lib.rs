//! The sentiment plugin (being written).
