"""Forward connections on an inherited listening socket to a loopback TCP port (Debian's python3).

The sandbox has its own network namespace, so Chromium's DevTools port (127.0.0.1:9222
there) is out of the host's reach. The host creates a listening Unix socket in a host-only
folder and starts this forwarder in the sandbox's network namespace (outside the agent's PID
namespace, so the agent can neither see nor kill nor replace it), passing the socket as an
fd; each connection is piped to the port. Standard library only.

    python3 -I unix_forward.py LISTEN_FD 9222
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import threading

PR_SET_PDEATHSIG = 1


def pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client: socket.socket, port: int) -> None:
    try:
        upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        upstream.settimeout(None)
    except OSError:
        client.close()
        return
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
    pipe(client, upstream)


def main() -> None:
    fd, port = int(sys.argv[1]), int(sys.argv[2])
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with the runner
    os.closerange(3, fd)  # the host's namespace handles are not ours to keep
    os.closerange(fd + 1, 1 << 16)
    srv = socket.socket(fileno=fd)
    os.set_inheritable(fd, False)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, port), daemon=True).start()


if __name__ == "__main__":
    main()
