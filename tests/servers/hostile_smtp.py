#!/usr/bin/env python3
"""hostile_smtp.py - a deliberately good or bad STARTTLS/TLS server for tests.

Serves one behaviour (--mode) on one address, for the probe's unit tests and
the lab.  Standard library only.  Each connection runs in its own thread, so
many clients may connect at once.

    hostile_smtp.py --listen ADDR --port N --mode MODE
                    [--proto smtp|imap|pop3|tls] [--cert CHAIN --key KEY]
                    [--pidfile F] [--portfile F] [--delay SECONDS]

--port 0 binds a free port; --portfile F then tells which (written, like
--pidfile, atomically and only once the socket listens, so a caller may
wait for the file to appear).  --cert is a PEM file with the leaf first and
then the rest of the chain; --key its private key.

Modes (the dialogue is the one --proto names; "tls" has none):

  starttls, ok   the full dialogue, then a real TLS handshake (needs --cert)
  close          accept, then close at once
  stall          accept and never send a byte
  slow-banner    send the greeting one byte every --delay seconds (0.25)
  bad-greeting   a refusing greeting (554 / * BYE / -ERR), then close
  garbage        4 KiB of binary junk with no line feed
  no-starttls    the greeting, but STARTTLS is not offered / refused
  inject         the STARTTLS go-ahead and, in the same write, one more line
  tls-fail       the go-ahead, then non-TLS bytes after the ClientHello
  tls-close      the go-ahead, then close after the ClientHello
  tls-stall      the go-ahead, then never answer the ClientHello

SIGTERM stops the server and removes the pid and port files.
"""

import argparse
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time

HOST = "hostile.test"
MODES = ("starttls", "ok", "close", "stall", "slow-banner", "bad-greeting",
         "garbage", "no-starttls", "inject", "tls-fail", "tls-close",
         "tls-stall")

GREETING = {
    "smtp": b"220 " + HOST.encode() + b" ESMTP hostile_smtp\r\n",
    "imap": b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile_smtp ready\r\n",
    "pop3": b"+OK hostile_smtp ready\r\n",
}
BAD_GREETING = {
    "smtp": b"554 5.7.1 " + HOST.encode() + b" no service for you\r\n",
    "imap": b"* BYE no service for you\r\n",
    "pop3": b"-ERR no service for you\r\n",
}
INJECTED = {
    "smtp": b"250 injected\r\n",
    "imap": b"a002 OK injected\r\n",
    "pop3": b"+OK injected\r\n",
}


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def read_line(sock, limit=4096):
    """One line, byte by byte, so no TLS byte is ever read ahead."""
    buf = b""
    while len(buf) < limit:
        c = sock.recv(1)
        if not c:
            return None
        buf += c
        if c == b"\n":
            return buf
    return buf


def hold(sock, seconds=60):
    """Keep the connection open, reading and ignoring, until EOF."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        opts = self.server.opts
        sock = self.request
        sock.settimeout(30)
        try:
            self.serve(sock, opts)
        except (OSError, ssl.SSLError):
            pass

    def serve(self, sock, opts):
        mode, proto = opts.mode, opts.proto
        if mode == "close":
            return
        if mode == "stall":
            hold(sock)
            return
        if mode == "garbage":
            junk = bytes(b for b in range(256) if b != 0x0A) * 17
            sock.sendall(junk[:4096])
            hold(sock)
            return
        if proto != "tls" and not self.dialogue(sock, opts):
            return
        self.after_go_ahead(sock, opts)

    def dialogue(self, sock, opts):
        """The plaintext part; True when the client may start TLS."""
        mode, proto = opts.mode, opts.proto
        if mode == "bad-greeting":
            sock.sendall(BAD_GREETING[proto])
            return False
        if mode == "slow-banner":
            for b in GREETING[proto]:
                sock.sendall(bytes([b]))
                time.sleep(opts.delay)
        else:
            sock.sendall(GREETING[proto])
        while True:
            line = read_line(sock)
            if line is None:
                return False
            reply, go = self.answer(line, opts)
            if go and mode == "inject":
                reply += INJECTED[proto]
            sock.sendall(reply)
            if go:
                return True
            if reply.startswith((b"221", b"* BYE", b"+OK bye")):
                return False

    def answer(self, line, opts):
        """(reply, go-ahead?) for one command line."""
        offer = opts.mode != "no-starttls"
        words = line.decode("latin-1").split()
        if not words:
            words = [""]
        if opts.proto == "smtp":
            verb = words[0].upper()
            if verb in ("EHLO", "HELO"):
                caps = b"250-PIPELINING\r\n"
                if offer:
                    caps += b"250-STARTTLS\r\n"
                return (b"250-" + HOST.encode() + b"\r\n" + caps +
                        b"250 8BITMIME\r\n", False)
            if verb == "STARTTLS" and offer:
                return b"220 2.0.0 Ready to start TLS\r\n", True
            if verb == "QUIT":
                return b"221 2.0.0 bye\r\n", False
            return b"502 5.5.2 command not recognised\r\n", False
        if opts.proto == "imap":
            tag = words[0].encode()
            verb = words[1].upper() if len(words) > 1 else ""
            if verb == "STARTTLS" and offer:
                return tag + b" OK begin TLS now\r\n", True
            if verb == "CAPABILITY":
                caps = b" STARTTLS" if offer else b""
                return (b"* CAPABILITY IMAP4rev1" + caps + b"\r\n" +
                        tag + b" OK done\r\n", False)
            if verb == "LOGOUT":
                return b"* BYE bye\r\n" + tag + b" OK\r\n", False
            return tag + b" BAD unknown command\r\n", False
        verb = words[0].upper()
        if verb == "STLS" and offer:
            return b"+OK begin TLS now\r\n", True
        if verb == "QUIT":
            return b"+OK bye\r\n", False
        return b"-ERR unknown command\r\n", False

    def after_go_ahead(self, sock, opts):
        mode = opts.mode
        if mode == "inject":
            hold(sock, 10)
            return
        if mode in ("tls-fail", "tls-close", "tls-stall"):
            if not sock.recv(16384):
                return
            if mode == "tls-fail":
                sock.sendall(b"this is not TLS, sorry\r\n" * 4)
            elif mode == "tls-stall":
                hold(sock)
            return
        if self.server.ssl_ctx is None:
            return
        tls = self.server.ssl_ctx.wrap_socket(sock, server_side=True)
        hold(tls, 10)
        try:
            tls.unwrap()
        except (OSError, ssl.SSLError):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 256


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mode", choices=MODES, required=True)
    ap.add_argument("--proto", choices=("smtp", "imap", "pop3", "tls"),
                    default="smtp")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--pidfile")
    ap.add_argument("--portfile")
    ap.add_argument("--delay", type=float, default=0.25)
    opts = ap.parse_args(argv)
    if opts.proto == "tls" and opts.mode in ("slow-banner", "bad-greeting",
                                             "no-starttls", "inject"):
        ap.error("mode %s needs a plaintext dialogue" % opts.mode)
    return opts


def main(argv):
    opts = parse_args(argv)
    Server.address_family = (socket.AF_INET6 if ":" in opts.listen
                             else socket.AF_INET)
    server = Server((opts.listen, opts.port), Handler)
    server.opts = opts
    server.ssl_ctx = None
    if opts.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.cert, opts.key)
        server.ssl_ctx = ctx
    files = [f for f in (opts.pidfile, opts.portfile) if f]

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if opts.portfile:
        write_atomically(opts.portfile, "%d\n" % server.server_address[1])
    if opts.pidfile:
        write_atomically(opts.pidfile, "%d\n" % os.getpid())
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        for f in files:
            try:
                os.unlink(f)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "hostile_smtp"
    sys.exit(main(sys.argv[1:]))
