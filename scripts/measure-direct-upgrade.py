#!/usr/bin/env python3
"""Measures the direct upgrade across the NAT topology (root only; see docs/NAT-TRAVERSAL.md).

    sudo scripts/measure-direct-upgrade.py [RUNS] [BYTES]

A relay in the public namespace, B behind NAT 2 with `listen --relay`, and RUNS dials from A
behind NAT 1 (`dial relay:… --expect B --upgrade-seconds 30 --bytes BYTES`): the time from the
dial's start to its first echo (over the relay), to `upgraded`, the success rate, and the
relayed and direct echo times of BYTES bytes.
"""
import json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAP2P = os.environ.get("SNAP2P", os.path.join(ROOT, ".build/debug/snap2p"))
TOPOLOGY = os.path.join(ROOT, "scripts/nat-topology.sh")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
BYTES = int(sys.argv[2]) if len(sys.argv) > 2 else 0
PREFIX = f"mu{os.getpid()}"


def start(ns, *args):
    command = list(args) if args[0] == "timeout" else [SNAP2P, *args]
    return subprocess.Popen(["ip", "netns", "exec", f"{PREFIX}-{ns}", *command, "--testnet", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def event(process):
    line = process.stdout.readline()
    return json.loads(line)


subprocess.run(["bash", TOPOLOGY, "up", PREFIX], check=True)
relay = b = None
try:
    relay = start("pub", "relay", "7100")
    event(relay)
    b = start("b", "listen", "0", "--relay", "203.0.113.1:7100")
    bob = event(b)["principal"]
    event(b)
    first, upgraded, relayed_echo, direct_echo, failures = [], [], [], [], []
    for _ in range(RUNS):
        payload = ["--bytes", str(BYTES)] if BYTES else ["-m", "hello"]
        began = time.monotonic()
        a = start("a", "timeout", "60", SNAP2P, "dial", "relay:203.0.113.1:7100", "--expect", bob, "--upgrade-seconds", "30", *payload)
        echoes, kinds = [], []
        for line in a.stdout:
            now = time.monotonic() - began
            kind = json.loads(line)["event"]
            kinds.append(f"{kind}@{now:.2f}")
            if kind == "connected":
                connected = now
            elif kind == "echo":
                echoes.append(now)
                if len(echoes) == 1:
                    first.append(now)
                    relayed_echo.append(now - connected)
            elif kind == "upgraded":
                upgraded.append(now)
            elif kind == "upgrade_failed":
                failures.append(json.loads(line).get("error"))
        if a.wait() != 0 or "upgraded" not in " ".join(kinds):
            print("run:", " ".join(kinds), "exit", a.returncode, file=sys.stderr)
        if len(echoes) == 2:
            direct_echo.append(echoes[1] - upgraded[-1])
    ms = lambda values: f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms" if values else "-"
    print(f"runs: {RUNS}, upgraded: {len(upgraded)}/{RUNS}, failures: {failures}")
    print(f"dial start to first (relayed) echo: {ms(first)}")
    print(f"dial start to upgraded: {ms(upgraded)}")
    if BYTES:
        # The first echo's time includes the dial; compare the direct echo with a relayed one.
        print(f"relayed echo of {BYTES} bytes: {ms(relayed_echo)}")
        print(f"direct echo of {BYTES} bytes: {ms(direct_echo)}")
finally:
    for process in (relay, b):
        if process:
            process.terminate()
    subprocess.run(["bash", TOPOLOGY, "down", PREFIX])
