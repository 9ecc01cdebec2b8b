//! Mekong's corpus stage (work in progress).
