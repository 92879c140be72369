//! The entities plugin (being written).
