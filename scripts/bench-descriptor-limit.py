#!/usr/bin/env python3
"""A listener at its open-file limit (issue: resource limits). Starts `snap2p listen` under
`ulimit -n LIMIT`, holds more idle TCP connections than it has descriptors, then reports the
listener's CPU use over 5 s (a listener that retries accept spins a whole core) and, after the
connections close, how long until a new dial is served. Compare binaries side by side:

    scripts/bench-descriptor-limit.py .build/release/snap2p [OLD_BINARY ...]
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

LIMIT = 64
CONNECTIONS = 2 * LIMIT


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(binary):
    home = tempfile.mkdtemp(prefix="snap2p-bench-")
    env = {**os.environ, "SNAP2P_HOME": home}
    listener = subprocess.Popen(
        ["sh", "-c", f'ulimit -n {LIMIT} && exec "$0" listen 0 --host 127.0.0.1 --json', binary],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        port = json.loads(listener.stdout.readline())["port"]
        held = []
        for _ in range(CONNECTIONS):
            s = socket.socket()
            s.connect(("127.0.0.1", port))
            held.append(s)
        time.sleep(1)
        before, start = cpu_seconds(listener.pid), time.monotonic()
        time.sleep(5)
        cpu = (cpu_seconds(listener.pid) - before) / (time.monotonic() - start)
        for s in held:
            s.close()
        start = time.monotonic()
        while True:
            dial = subprocess.run([binary, "dial", f"127.0.0.1:{port}", "--handshake-only"], capture_output=True, env=env)
            if dial.returncode == 0 or time.monotonic() - start > 30:
                break
        again = time.monotonic() - start
        print(f"{binary}: {CONNECTIONS} idle connections at a {LIMIT}-descriptor limit: "
              f"CPU {100 * cpu:.1f}% of a core over 5 s; served a dial {again:.2f} s after they closed"
              + ("" if dial.returncode == 0 else " (dial FAILED)"))
    finally:
        listener.kill()


if __name__ == "__main__":
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores" + (" (busy machine)" if load > 1 else ""))
    for binary in sys.argv[1:] or [".build/release/snap2p"]:
        measure(binary)
