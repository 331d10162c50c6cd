// Watches allocations through AddressSanitizer's malloc hooks, so a fuzz target can fail when a
// length declared by its input is allocated before it is checked against the bytes present.
// The hooks exist only in the sanitized fuzz build (`make fuzz` defines SNAP2P_LIBFUZZER).

#include "AllocationProbe.h"

#include <stdatomic.h>

#if defined(SNAP2P_LIBFUZZER)

int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));

static atomic_int recording;
static atomic_size_t largest;
static atomic_int installed;

static void on_malloc(const volatile void *pointer, size_t size) {
    (void)pointer;
    if (!atomic_load_explicit(&recording, memory_order_relaxed)) return;
    size_t current = atomic_load_explicit(&largest, memory_order_relaxed);
    while (size > current &&
           !atomic_compare_exchange_weak_explicit(&largest, &current, size, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

static void on_free(const volatile void *pointer) { (void)pointer; }

int snap2p_allocation_probe_start(void) {
    if (!atomic_exchange(&installed, 1)) {
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    }
    atomic_store(&largest, 0);
    atomic_store(&recording, 1);
    return 1;
}

size_t snap2p_allocation_probe_stop(void) {
    atomic_store(&recording, 0);
    return atomic_load(&largest);
}

#else

int snap2p_allocation_probe_start(void) { return 0; }

size_t snap2p_allocation_probe_stop(void) { return 0; }

#endif
