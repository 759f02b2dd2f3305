#!/usr/bin/env bash
# Prints a free TCP port on 127.0.0.1 below the kernel's ephemeral range: a port inside it
# can be taken at any moment as the local end of another client connection (the server
# tests open 10,000), so a server told to bind it could fail.
set -euo pipefail
low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
python3 -c '
import random, socket, sys
low = int(sys.argv[1])
for _ in range(200):
    p = random.randrange(10000, low)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()
' "$low"
