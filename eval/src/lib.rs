//! Mekong's eval stage (work in progress).
