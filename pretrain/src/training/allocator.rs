//! Keeping freed memory: on the CPU, each training step allocates and frees the same large
//! activation, gradient and logit buffers. glibc's allocator serves a block above its mmap
//! threshold (set dynamically, at most 32 MiB) with a fresh `mmap` and returns it to the kernel
//! when freed, and trims the top of the heap once 128 KiB or more is free there, so every step
//! page-faults its buffers in again and the kernel zeroes each page. Raising both thresholds
//! keeps those blocks in the process for the next step. Measured with `scripts/bench-pretrain.sh`
//! (docs/benchmarks.md, "pretrain"): +63–83 % tokens/s for `tiny`, +14–46 % for `mini`; PyTorch
//! gains at least as much from the same settings (its CPU allocator is glibc's too). The cost:
//! the process keeps its peak memory until it exits, which a training run reaches anyway.

/// Blocks up to this size come from the heap, not from `mmap` of their own.
const MMAP_THRESHOLD: i32 = 1 << 30;
/// The heap keeps up to this much free memory at its top before returning any.
const TRIM_THRESHOLD: i32 = i32::MAX;

/// Sets glibc's thresholds (see the module comment); false where they are not glibc's or it
/// refused them. Other platforms' allocators are left as they are.
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters, which glibc guards with its arena
        // lock; it is safe to call at any time, from any thread.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_thresholds() {
        assert!(super::keep_freed_memory());
    }
}
