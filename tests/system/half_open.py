"""Holds connections to a server, each with half a request sent, until its input closes.

``python half_open.py PORT COUNT SOURCE_ADDRESS``: opens COUNT connections to 127.0.0.1:PORT
from SOURCE_ADDRESS (another loopback address, so that the test's ports are not used up),
sends a partial header section on each, prints how many connected and how many failed, and
holds them all until its standard input is closed. ``test_server_limits`` runs several at
once: one process may not hold 20,000 descriptors everywhere. Standard library only.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import sys

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # Linux's number
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def main() -> None:
    port, count, source = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held: list[socket.socket] = []
    failed = 0
    for _ in range(count):
        connection = socket.socket()
        connection.settimeout(5)
        # The port is chosen at connect(): bind() would search every used one each time.
        connection.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        try:
            connection.bind((source, 0))
            connection.connect(("127.0.0.1", port))
        except OSError:
            failed += 1
            connection.close()
            continue
        held.append(connection)
        with contextlib.suppress(OSError):  # closed by the server already: opened all the same
            connection.send(PARTIAL)
    print(len(held), failed, flush=True)
    sys.stdin.read()
    for connection in held:
        connection.close()


if __name__ == "__main__":
    main()
