"""Helpers for the attack tests (issue 11): run attache so that a hang or a
runaway read fails the test instead of blocking the suite or filling the
machine's memory."""
import os
import signal
import subprocess
import tempfile
import time

import lib


class Outcome:
    def __init__(self, rc, stdout, stderr, max_rss_mb):
        self.returncode = rc
        self.stdout = stdout
        self.stderr = stderr
        self.max_rss_mb = max_rss_mb

    def __repr__(self):
        return "exit %r, max RSS %d MB\nstderr:\n%s" % (
            self.returncode, self.max_rss_mb, self.stderr[-3000:])


def _rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def run_bounded(*args, timeout=60, max_rss_mb=700, **envx):
    """Runs build/attache ARGS. Fails (AssertionError) if it is still
    running after @timeout seconds or its memory passes @max_rss_mb (it
    is killed first). Returns an Outcome with the peak RSS the kernel
    measured for this one child (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([lib.ATTACHE] + [str(a) for a in args],
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             env=lib.env(**envx), cwd=lib.ROOT)
        end = time.time() + timeout
        why = None
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() > end:
                why = "still running after %ds (a hang)" % timeout
            elif _rss_mb(p.pid) > max_rss_mb:
                why = "passed %d MB of memory" % max_rss_mb
            if why:
                p.kill()
                os.wait4(p.pid, 0)
                p.returncode = -9
                err.seek(0)
                raise AssertionError("attache %s: %s\nstderr:\n%s" % (
                    " ".join(map(str, args)), why, err.read()[-3000:]))
            time.sleep(0.05)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(p.returncode, out.read(), err.read(),
                       usage.ru_maxrss // 1024)


def start_watch(root, inbox, *args, tag="w", **envx):
    """attache watch in the background (test_watch.Watcher's way: output
    in files). Returns the Popen and the stderr path."""
    err_path = os.path.join(root, tag + ".stderr")
    out_path = os.path.join(root, tag + ".stdout")
    p = subprocess.Popen([lib.ATTACHE, "watch", inbox] + [str(a) for a in args],
                         stdout=open(out_path, "w"), stderr=open(err_path, "w"),
                         stdin=subprocess.DEVNULL, env=lib.env(**envx),
                         cwd=lib.ROOT)
    return p, err_path


def stop_watch(p, timeout=30, sig=signal.SIGTERM):
    """SIGTERM, then the exit status; a watcher that ignores it fails the
    test (and is killed)."""
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError("attache watch ignored SIGTERM for %ds" % timeout)


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


wait_for = lib.wait_for
