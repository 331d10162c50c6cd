import CAllocatorTuning

/// glibc's allocator, set for a process that moves bulk data through 64 KiB frames.
///
/// By default glibc hands the top of a heap back to the kernel as soon as 128 KiB lie free there,
/// and its mmap threshold drifts with use. Every sealed or opened frame allocates about 64 KiB (the
/// AEAD's output), so the same pages were returned and faulted in again frame after frame: 4-5% of
/// an echo's CPU went to page faults and `madvise`. Keeping up to 32 MiB (the largest fc1 receive
/// window) and serving blocks under 4 MiB from the heap turns that into reuse. It is the CLI's
/// choice, not the library's: an application sets its own allocator policy.
enum AllocatorTuning {
    /// Free memory kept at the top of a heap before it is returned to the kernel.
    static let trimThreshold: Int32 = 32 << 20
    /// Blocks at least this large are mapped on their own rather than taken from a heap.
    static let mmapThreshold: Int32 = 4 << 20

    /// Sets both thresholds (glibc only; elsewhere the C library's defaults stay).
    static func apply() {
        _ = snap2p_tune_allocator(trimThreshold, mmapThreshold)
    }
}
