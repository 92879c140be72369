//! Faulty plugin (being written).
