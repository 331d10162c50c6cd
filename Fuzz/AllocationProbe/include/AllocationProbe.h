#ifndef SNAP2P_FUZZ_ALLOCATION_PROBE_H
#define SNAP2P_FUZZ_ALLOCATION_PROBE_H

#include <stddef.h>

/// Starts recording the largest single heap allocation. Returns 0 when the build has no
/// AddressSanitizer hooks (a plain build), in which case nothing is recorded.
int snap2p_allocation_probe_start(void);

/// Stops recording and returns the largest allocation, in bytes, since the last start.
size_t snap2p_allocation_probe_stop(void);

#endif
