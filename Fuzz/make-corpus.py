#!/usr/bin/env python3
"""Writes the committed seed corpora (Fuzz/Corpus/<target>/) from the golden vectors in
Tests/TestSupport/Fixtures. Run it again when the vectors or a target's input layout change;
`make fuzz` only reads the result. Each seed follows its target's input layout (Fuzz/Targets)."""

import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TestSupport", "Fixtures")
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")

reference = json.load(open(os.path.join(FIXTURES, "reference.json")))
trezor = json.load(open(os.path.join(FIXTURES, "bip39-trezor.json")))
wallet_dir = os.path.join(FIXTURES, "reference-wallet")
registry = open(os.path.join(wallet_dir, "registry.json"), "rb").read()
wallet_file = open(os.path.join(wallet_dir, "5539bee28ca4d7ae3e386ea8bb4d8f32.wallet.json"), "rb").read()

wire = reference["wire"]
noise = reference["noise"]
frames = reference["transcripts"]["public"]["frames"]
attestation = reference["attestation"]["mainnet_k1"]
h = bytes.fromhex


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def framed(body):
    return varint(len(body)) + body


def cbor_text(s):
    b = s.encode()
    assert len(b) < 24
    return bytes([0x60 | len(b)]) + b


def knock(token):
    # {"it": bytes, "t": 0x30}
    return bytes([0xA2]) + cbor_text("it") + bytes([0x58, len(token)]) + token + cbor_text("t") + bytes([0x18, 0x30])


# {"a": true, "t": 0x31}
KNOCK_RESPONSE_TRUE = bytes([0xA2, 0x61, 0x61, 0xF5, 0x61, 0x74, 0x18, 0x31])

seeds = {}


def add(target, name, data):
    seeds.setdefault(target, {})[name] = bytes(data)


# CBOR and control messages: every reference message and decode case.
messages = {m["name"]: h(m["cbor"]) for m in wire["messages"]}
for case in wire["decode_cases"]:
    messages["decode-" + case["name"]] = h(case["cbor"])
for f in frames:
    if "plaintext_cbor" in f:
        messages["transcript-%02d" % f["index"]] = h(f["plaintext_cbor"])
for name, data in messages.items():
    add("cbor", name, data)
    add("control-message", name, data)
add("cbor", "attestation", h(attestation["serialized"]))
add("cbor", "attestation-payload", h(attestation["payload_cbor"]))

# Attestations: the reference one, its payload, and the transcript's two.
add("attestation", "reference", h(attestation["serialized"]))
add("attestation", "payload-without-sig", h(attestation["payload_cbor"]))
add("attestation", "transcript-initiator", h(reference["transcripts"]["public"]["attestation_initiator"]))
add("attestation", "transcript-responder", h(reference["transcripts"]["public"]["attestation_responder"]))

# Frames: [limit choice, chunk seed, raise limit at, hand over at] + stream.
small_frames = b"".join(h(f["frame"]) for f in wire["frames"] if f["frame_len"] < 1000)
add("frame", "reference-frames-whole", bytes([9, 0, 0, 0]) + small_frames)
add("frame", "reference-frames-chunked", bytes([8, 42, 3, 0]) + small_frames)
add("frame", "transcript-chunked-handover", bytes([8, 7, 2, 5]) + b"".join(h(f["frame"]) for f in frames[:9]))
add("frame", "prefix-too-long", bytes([9, 0, 0, 0]) + h("8080808001"))
add("frame", "16MiB-at-64KiB", bytes([8, 0, 0, 0]) + h(wire["frame_limits"]["frame_16MiB_prefix"]))

# Noise: [mode, schedule, static 32, ephemeral 32, ...].
keys = b"\x11" * 32 + b"\x22" * 32
add("noise", "responder-reads-reference-msg1-msg3", bytes([0, 0]) + keys + bytes([32]) + h(noise["msg1"]) + bytes([0]) + h(noise["msg3"]))
add("noise", "initiator-reads-reference-msg2", bytes([1, 0]) + keys + bytes([0]) + h(noise["msg2"]))
add("noise", "honest-reference-schedule", bytes([2, 0, 0]) + bytes(200))
add("noise", "honest-standard-schedule-flip", bytes([2, 1, 1, 1]) + bytes(200))

# Handshake, raw: [role, visibility, (knocks), verifier, now (2), seed (8)] + [length, chunk, how]...
now = (1000).to_bytes(2, "big")
seed = bytes(8)
to_responder = [h(f["frame"]) for f in frames if f["dir"] == "I->R"]
to_initiator = [h(f["frame"]) for f in frames if f["dir"] == "R->I"]


def chunks(parts):
    out = b""
    for part in parts:
        for i in range(0, len(part), 255):
            piece = part[i:i + 255]
            out += bytes([len(piece)]) + piece + bytes([0])
    return out


add("handshake", "responder-public", bytes([1, 0, 1]) + now + seed + chunks(to_responder[:4]))
add("handshake", "responder-stealth-knock", bytes([1, 2, 1]) + now + seed + chunks([framed(knock(b"\x7a" * 32))] + to_responder[:2]))
add("handshake", "responder-stealth-no-knock", bytes([1, 2, 1]) + now + seed + chunks(to_responder[:1]))
add("handshake", "initiator-public", bytes([0, 0, 0, 0]) + now + seed + chunks(to_initiator[:3]))
add("handshake", "initiator-knocks", bytes([0, 0, 1, 0]) + now + seed + chunks([framed(KNOCK_RESPONSE_TRUE)] + to_initiator[:2]))

# file-1: [side (0 receiver, 1 sender), chunk seed, choice (8, little-endian)] + the peer's bytes
# (docs/FILE-TRANSFER.md's examples: hello.txt, 13 bytes).
HELLO_HEADER = h("42a4646e616d656968656c6c6f2e74787466736861323536582037980c33951de6b0e450c3701b219bfeee930544705f637cd1158b63827bb3906473697a650d617601")
ACCEPT_0 = h("11a266616363657074f5666f666673657400")
DECLINED = h("37a366616363657074f4676d65737361676575746865207265636569766572206465636c696e656466726561736f6e686465636c696e6564")
VERIFIED = h("2ea2626f6bf566736861323536582037980c33951de6b0e450c3701b219bfeee930544705f637cd1158b63827bb390")
MISMATCH = h("1aa2626f6bf466726561736f6e6d686173682d6d69736d61746368")
add("file-transfer", "receiver-whole-file", bytes([0, 0]) + bytes(8) + HELLO_HEADER + b"Hello, world\n")
add("file-transfer", "receiver-resume-at-5", bytes([0, 7]) + (10).to_bytes(8, "little") + HELLO_HEADER + b", world\n")
add("file-transfer", "receiver-refuses", bytes([0, 0]) + (1).to_bytes(8, "little") + HELLO_HEADER)
add("file-transfer", "receiver-too-many-bytes", bytes([0, 3]) + bytes(8) + HELLO_HEADER + b"Hello, world\n!")
add("file-transfer", "sender-accepted-verified", bytes([1, 0]) + (13 * 2 + 1).to_bytes(8, "little") + ACCEPT_0 + VERIFIED)
add("file-transfer", "sender-declined", bytes([1, 5]) + (13).to_bytes(8, "little") + DECLINED)
add("file-transfer", "sender-hash-mismatch", bytes([1, 0]) + (13 * 2 + 1).to_bytes(8, "little") + ACCEPT_0 + MISMATCH)

# Scripted peer: zeros are the honest path; the first bytes pick role, visibility, policy.
add("handshake-peer", "machine-dials", bytes(300))
add("handshake-peer", "machine-listens", bytes([1]) + bytes(300))
add("handshake-peer", "machine-listens-stealth", bytes([1, 2]) + bytes(300))
add("handshake-peer", "machine-dials-with-token-allowlist", bytes([0, 0, 1, 1]) + bytes(300))
add("handshake-peer", "machine-listens-private-allowlist", bytes([1, 1, 1]) + bytes(300))

# Attestation fields, signed: zeros are a valid attestation.
add("attestation-signed", "valid", bytes(120))
add("attestation-signed", "testnet-other-principal", bytes([0, 1, 1]) + bytes(120))
add("attestation-signed", "multisig", bytes([1, 0, 2]) + bytes(120))
# Found by the target: the node key in upper case (NodeKeyAttestationTests).
add("attestation-signed", "found-uppercase-npk", h("0a00290b"))

# Multiplexer: [role, fc1, (window, budget, autotune), streams, chunk] + operations.
add("multiplexer", "plain-open-data-consume-fin", bytes([0, 0, 4, 3]) + bytes([0, 1, 0, 1, 1, 0, 200, 7, 0, 9, 1, 0, 100, 7, 1, 5, 0, 6, 0, 0, 50, 1]))
add("multiplexer", "fc1-window-edge", bytes([1, 1, 0, 1, 0, 3, 3]) + bytes([0, 1, 0, 1, 1, 1, 255, 7, 0, 1, 1, 2, 0, 7, 0, 9, 1, 0, 255, 3, 0, 1, 1, 2, 2, 7, 1]))
add("multiplexer", "zeros", bytes(64))

# Wallet store: [mode] + file.
add("wallet-store", "reference-registry", bytes([0]) + registry)
add("wallet-store", "reference-wallet-file", bytes([1]) + wallet_file)
add("wallet-store", "built-registry", bytes([2]) + bytes(40))
# A registry id that climbs out of the store (WalletStoreTests.registryIDsThatAreNotFileNamesAreRefused).
add("wallet-store", "registry-id-outside-the-store", bytes([2, 0, 1]) + b"../canary" + bytes(5))

# Address text: [mode] + text or bytes.
for i, key in enumerate(reference["secp256k1"]["keys"]):
    add("address", "address-mainnet-%d" % i, bytes([0]) + key["address_mainnet"].encode())
    add("address", "address-testnet-%d" % i, bytes([0]) + key["address_testnet"].encode())
    add("address", "principal-%d" % i, bytes([1]) + ("stacks:" + key["address_mainnet"]).encode())
    add("address", "c32check-%d" % i, bytes([2]) + key["address_mainnet"][1:].encode())
for i, example in enumerate(reference["secp256k1"]["pitfall_short_address"]["examples"]):
    add("address", "short-address-%d" % i, bytes([0]) + example["address_mainnet"].encode())
add("address", "c32-bytes", bytes([3]) + hashlib.sha256(b"c32").digest()[:21])
add("address", "hex", bytes([4]) + b"0x" + attestation["inputs"]["node_ed25519_public_key"].encode())

# Mnemonics: [mode] + text; built phrases; entropy.
for i, row in enumerate(trezor["english"][::4]):
    add("mnemonic", "trezor-%d" % i, bytes([0]) + row[1].encode())
add("mnemonic", "built-12", bytes([1, 0]) + bytes(64))
add("mnemonic", "entropy-16", bytes([2, 16]) + bytes(range(16)))

# Alias cards: the example of docs/ALIASCARDS.md, and one without its signature.
example_card = h(open(os.path.join(FIXTURES, "alias-card-example.hex")).read().strip())
add("alias-card", "example", example_card)
add("alias-card", "truncated", example_card[:-20])

# relay-1: [chunk seed] + a relay stream (docs/RELAY.md's examples), then relayed bytes.
RESERVE = h("11a264747970656772657365727665617601")
CONNECT = h("4da3697072696e636970616c7830737461636b733a5354324432544e45345150534d4b53595334464e4b57315131433536434d51484e303851305648534a647479706567636f6e6e656374617601")
ACCEPTED = h("12a26474797065686163636570746564617601")
REFUSED = h("36a4676d657373616765666e6f626f647966726561736f6e6e6e6f2d7265736572766174696f6e64747970656772656675736564617601")
add("relay-message", "reserve", bytes([0]) + RESERVE)
add("relay-message", "connect-then-bytes", bytes([7]) + CONNECT + b"\x00\x01noise")
add("relay-message", "accepted-then-bytes", bytes([3]) + ACCEPTED + b"relayed")
add("relay-message", "refused", bytes([0]) + REFUSED)

# Noise schedule offers: the message-1 payload a listener reads.
add("noise-offer", "std1", h("a1656e6f697365816473746431"))
add("noise-offer", "later-version-first", h("a2656e6f6973658264737464396473746431617601"))
add("noise-offer", "not-an-array", h("a1656e6f6973656473746431"))

# PX-1 streams: [chunking seed] + the messages of docs/PX-1.md, and a flood of pushes.
alice = b"stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"
px_request = h("53a46b6d61785f726573756c747304697072696e636970616c7830") + alice + h("647479706501617601")
px_response = h("38a3686c6f6361746f727382703230332e302e3131332e373a39303030725b323030313a6462383a3a375d3a39303030647479706502617601")
px_push = h("78a5686c6f6361746f72738176616c6963652e6578616d706c652e6f72673a39303030697072696e636970616c7830") + alice + h(
    "6b74746c5f7365636f6e64731a00015180647479706503617601")
add("px-message", "request", bytes([0]) + px_request)
add("px-message", "response", bytes([3]) + px_response)
add("px-message", "push", bytes([7]) + px_push)
add("px-message", "all-three", bytes([1]) + px_request + px_push + px_response)
add("px-message", "oversized-prefix", bytes([0]) + h("8120"))

# Only the directories written here are replaced; targets seeded another way keep their seeds, and
# so do the inputs of fixed bugs (files named regression-*).
for target, files in sorted(seeds.items()):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if not name.startswith("regression-"):
            os.remove(os.path.join(directory, name))
    for name, data in sorted(files.items()):
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        with open(os.path.join(directory, safe), "wb") as f:
            f.write(data)
print("\n".join("%s: %d seeds, %d bytes" % (t, len(f), sum(map(len, f.values()))) for t, f in sorted(seeds.items())))
