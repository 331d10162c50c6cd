#ifndef C_ALLOCATOR_TUNING_H
#define C_ALLOCATOR_TUNING_H

/// Sets glibc's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD (malloc.h, which Swift's Glibc module does
/// not include). Returns 1 when both were set, 0 when one was refused or the C library is not glibc.
int snap2p_tune_allocator(int trim_threshold, int mmap_threshold);

#endif
