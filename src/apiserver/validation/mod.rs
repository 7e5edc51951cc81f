//! Validation with the real field paths and messages, every error at once.
