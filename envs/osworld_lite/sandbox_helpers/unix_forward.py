"""Forward a Unix socket to a loopback TCP port (runs inside the sandbox, Debian's python3).

The sandbox has its own network namespace, so Chromium's DevTools port (127.0.0.1:9222
there) is out of the host's reach. This listens on a Unix socket in the bound control folder
and pipes each connection to the port; the host connects to the socket. Standard library only.

    python3 -I unix_forward.py /run/olite/cdp.sock 9222
"""
from __future__ import annotations

import os
import socket
import sys
import threading


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
    path, port = sys.argv[1], int(sys.argv[2])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".new")
    srv.listen(64)
    os.rename(path + ".new", path)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, port), daemon=True).start()


if __name__ == "__main__":
    main()
