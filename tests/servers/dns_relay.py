#!/usr/bin/env python3
"""dns_relay - a transparent DNS relay (UDP and TCP) for tests/e2e/roll_provider.sh.

    dns_relay.py LISTEN_ADDR UPSTREAM_ADDR [PORT]

Every UDP datagram and every TCP message (2-byte length prefix) sent to
LISTEN_ADDR:PORT is passed unchanged to UPSTREAM_ADDR:PORT and the answer
passed back, so TSIG-signed RFC 2136 updates work through it.  The test
starts it and kills it (by the pid it prints: "listening PID") to make
"the DNS provider's server" go down and up.
"""
import os
import socket
import socketserver
import sys
import threading

LISTEN, UPSTREAM = sys.argv[1], sys.argv[2]
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 53


class UDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
            up.settimeout(5)
            up.sendto(data, (UPSTREAM, PORT))
            try:
                answer = up.recv(65535)
            except OSError:
                return
        sock.sendto(answer, self.client_address)


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class TCP(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            with socket.create_connection((UPSTREAM, PORT), timeout=5) as up:
                while True:
                    n = read_exact(self.request, 2)
                    msg = read_exact(self.request, int.from_bytes(n, "big"))
                    up.sendall(n + msg)
                    m = read_exact(up, 2)
                    self.request.sendall(m + read_exact(up, int.from_bytes(m, "big")))
        except (EOFError, OSError):
            return


class ThreadedUDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    allow_reuse_address = True


class ThreadedTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


udp = ThreadedUDP((LISTEN, PORT), UDP)
tcp = ThreadedTCP((LISTEN, PORT), TCP)
threading.Thread(target=udp.serve_forever, daemon=True).start()
print("listening", os.getpid(), flush=True)
tcp.serve_forever()
