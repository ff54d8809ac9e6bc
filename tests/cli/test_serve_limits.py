"""`attache serve` against slow and greedy clients (docs/serve.md,
"Limits"; docs/security.md): real sockets that trickle a request's
headers or an upload's body, or open more connections than one address
may hold, are dropped after the limits (made short here with
--client-timeout and friends), while the server goes on answering others;
and a client that leaves a keep-alive connection does not leave its
socket open on the server."""
import os
import socket
import time

import desklib
import lib

TIMEOUT = 2  # --client-timeout of these tests, seconds


def desk(tmp):
    return desklib.Desk(tmp, "--client-timeout", str(TIMEOUT), "--max-connections-per-address", "4",
                        "--max-uploads", "1", "--min-rate", "2K")


def connect(port, source="127.0.0.1"):
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))


def closed(sock):
    """Whether the server has closed @sock (without waiting)."""
    sock.setblocking(False)
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def send_one(sock, chunk):
    """Sends @chunk; whether the server has closed @sock."""
    try:
        sock.send(chunk)
    except OSError:
        return True
    return closed(sock)


def served_quickly(s, what):
    t0 = time.monotonic()
    r = desklib.Client(s).get("/api/v1/session", timeout=5)
    lib.assert_eq(r.status, 401, what)
    assert time.monotonic() - t0 < 1.5, "%s: answered after %.1f s" % (what, time.monotonic() - t0)


def test_serve_drops_slow_and_greedy_clients_and_serves_others():
    with lib.TempDir() as d, desk(d) as s:
        token = s.token("amina", "read,prepare")
        # headers sent a byte every 0.2 s, never finished
        slow_head = connect(s.port)
        slow_head.send(b"GET /api/v1/session HTTP/1.1\r\nHost: desk\r\nX-Slow: ")
        # an upload's body at 400 bytes/s, under --min-rate 2K
        slow_body = connect(s.port)
        slow_body.send(("POST /api/v1/photos HTTP/1.1\r\nHost: desk\r\nAuthorization: Bearer %s\r\n"
                        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 500000\r\n\r\n"
                        % token).encode())
        time.sleep(0.3)
        spool = os.path.join(s.data, "spool")
        lib.assert_eq(len(os.listdir(spool)), 1, "the slow upload is being spooled")
        # the one upload slot (--max-uploads 1) is taken: another is 503 at once
        r = s.client(token=token).upload(os.path.join(lib.PHONE, "google-pixel_gps_thumb.jpg"))
        lib.assert_eq((r.status, r.code()), (503, "too-many-uploads"), r)
        assert r.headers.get("Retry-After"), r.headers
        t0 = time.monotonic()
        head_done = body_done = None
        while time.monotonic() - t0 < 4 * TIMEOUT and (head_done is None or body_done is None):
            # a byte of headers, 40 bytes of body (about 200 bytes/s)
            if head_done is None and send_one(slow_head, b"x"):
                head_done = time.monotonic() - t0
            if body_done is None and send_one(slow_body, b"y" * 40):
                body_done = time.monotonic() - t0
            served_quickly(s, "another client while two trickle")
            time.sleep(0.1)
        assert head_done is not None and body_done is not None, (head_done, body_done)
        assert min(head_done, body_done) > TIMEOUT - 0.5, "dropped before the limit: %r" % ((head_done, body_done),)
        lib.wait_for(lambda: not os.listdir(spool) or None, 5, "the dropped upload's spool deleted")
        log = "".join(s.log)
        assert "--client-timeout" in log and "--min-rate" in log, log[-2000:]

        # one address holds at most 4 connections; the 5th is closed at once,
        # others are served, and once the 4 time out the address is served again
        held = []
        for _ in range(4):
            c = connect(s.port, "127.0.0.2")
            c.send(b"GET / HTTP/1.1\r\n")
            held.append(c)
        time.sleep(0.3)
        fifth = connect(s.port, "127.0.0.2")
        fifth.send(b"GET /api/v1/session HTTP/1.1\r\nHost: desk\r\n\r\n")
        lib.wait_for(lambda: closed(fifth) or None, 3, "the 5th connection from one address closed")
        assert not any(closed(c) for c in held), "the 4 held ones are within the limits yet"
        served_quickly(s, "another address")
        lib.wait_for(lambda: all(closed(c) for c in held) or None, 3 * TIMEOUT, "the held ones timed out")
        again = connect(s.port, "127.0.0.2")
        again.send(b"GET /api/v1/session HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n")
        again.settimeout(5)
        assert again.recv(100).startswith(b"HTTP/1.1 401"), "the address served again"
        # keep-alive connections the clients left are closed on the server too
        for _ in range(10):
            desklib.Client(s).get("/api/v1/session")
        pid = s.proc.pid

        def no_close_wait():
            n = sum(1 for f in os.listdir("/proc/%d/fd" % pid)
                    if os.readlink("/proc/%d/fd/%s" % (pid, f)).startswith("socket:"))
            return n <= 2 or None  # the listening socket (and the last client's)
        lib.wait_for(no_close_wait, 3, "the server's sockets closed after their clients left")
        for c in held + [fifth, again, slow_head, slow_body]:
            c.close()
