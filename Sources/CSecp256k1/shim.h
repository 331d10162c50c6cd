#ifndef SNAP2P_CSECP256K1_SHIM_H
#define SNAP2P_CSECP256K1_SHIM_H

#include <secp256k1.h>
#include <secp256k1_recovery.h>

/// Swift 6 rejects the mutable C global `secp256k1_context_static`; this accessor exposes it.
/// Good for verification, recovery and parsing; signing needs a context from `secp256k1_context_create`.
static inline const secp256k1_context *snap2p_secp256k1_context_static(void) {
    return secp256k1_context_static;
}

#endif
