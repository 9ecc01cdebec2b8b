//! Mekong's pretrain stage (work in progress).
