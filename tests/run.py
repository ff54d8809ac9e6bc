#!/usr/bin/env python3
"""The attache test runner.

Runs the unit-test binaries (GLib GTest with --tap) and every test_*
function in tests/cli/test_*.py, then prints "N passed, N failed" (and the
skipped count) as its last line. Exit status 1 on any failure.

  tests/run.py --build build [-k SUBSTRING] [-j N]
"""
import argparse
import concurrent.futures
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))


# What makes a sanitizer's log file a failure (the rest, such as ASan's
# warnings about swapcontext, is shown as a note).
SANITIZER_ERROR = re.compile(r"ERROR: \w+Sanitizer|runtime error:|"
                             r"SUMMARY: \w+Sanitizer")


def sanitizer_reports(folder, seen):
    """The sanitizer reports in @folder not yet in @seen (a set of paths,
    updated): (errors, notes), each a list of the reports' texts."""
    errors, notes = [], []
    if not folder or not os.path.isdir(folder):
        return errors, notes
    for f in sorted(os.listdir(folder)):
        path = os.path.join(folder, f)
        if path in seen:
            continue
        seen.add(path)
        with open(path, errors="replace") as fh:
            text = fh.read()
        (errors if SANITIZER_ERROR.search(text) else notes).append(
            "%s:\n%s" % (path, text[-6000:]))
    return errors, notes


def run_unit(binary):
    """Runs one GTest binary in TAP mode; returns a list of (name, ok, msg)."""
    import lib
    name = os.path.basename(binary)
    lib.set_current_test(name)
    env = lib.sanitizer_env(dict(os.environ))
    lib.set_current_test(None)
    try:
        p = subprocess.run([binary, "--tap"], capture_output=True, text=True,
                           timeout=600, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return [(name, False, "timed out")]
    results = []
    for line in p.stdout.splitlines():
        m = re.match(r"(not ok|ok) \d+ (.*)", line)
        if m:
            ok = m.group(1) == "ok"
            skip = "# SKIP" in line
            results.append((name + ": " + m.group(2), None if skip else ok,
                            "" if ok else p.stdout[-2000:] + p.stderr[-2000:]))
    if p.returncode != 0 and all(r[1] is not False for r in results):
        results.append((name, False,
                        "exit status %d\n%s" % (p.returncode, p.stderr[-3000:])))
    if not results and p.returncode == 0 and re.search(r"^1\.\.0\b", p.stdout,
                                                        re.M):
        results.append((name, None, ""))  # a plan of none: all skipped
    elif not results:
        results.append((name, False, "no TAP output\n" + p.stderr[-3000:]))
    return results


def load_module(path):
    spec = importlib.util.spec_from_file_location(
        os.path.splitext(os.path.basename(path))[0], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_py_test(path, fname):
    import lib
    mod = load_module(path)
    fn = getattr(mod, fname)
    label = "%s: %s" % (os.path.basename(path), fname)
    t0 = time.time()
    lib.set_current_test(label)
    try:
        fn()
        return (label, True, "", time.time() - t0)
    except lib.Skip as e:
        return (label, None, str(e), time.time() - t0)
    except Exception:
        return (label, False, traceback.format_exc(), time.time() - t0)
    finally:
        lib.set_current_test(None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", default="", help="only tests whose name has this")
    ap.add_argument("-j", type=int, default=int(os.environ.get("TEST_JOBS", "2")))
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()

    build = os.path.join(ROOT, args.build)
    os.environ["ATTACHE_BUILD"] = build
    import lib
    seen_reports = set()
    if lib.SANITIZER_LOGS:
        # a fresh folder; processes no test's env reaches report here
        shutil.rmtree(lib.SANITIZER_LOGS, ignore_errors=True)
        outside = lib.sanitizer_folder("outside-any-test")
        os.makedirs(outside)
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            os.environ[k] = (os.environ.get(k, "") + ":log_path=" +
                             os.path.join(outside, "report")).lstrip(":")

    passed = failed = skipped = 0
    started = time.time()
    failures = []

    def record(label, ok, msg, secs=None):
        nonlocal passed, failed, skipped
        errors, notes = sanitizer_reports(lib.sanitizer_folder(label),
                                          seen_reports)
        if errors:
            ok = False
            msg = (msg + "\n" if msg else "") + "sanitizer reports:\n" + \
                "\n".join(errors)
        for n in notes:
            print("note %s: sanitizer log without an error\n%s" % (label, n))
        if ok is None:
            skipped += 1
            state = "skip"
        elif ok:
            passed += 1
            state = "ok"
        else:
            failed += 1
            state = "FAIL"
            failures.append((label, msg))
        extra = " (%.1fs)" % secs if secs is not None and secs >= 1 else ""
        if ok is None and msg:
            extra += "  # " + msg.strip().splitlines()[0]
        print("%-4s %s%s" % (state, label, extra), flush=True)

    # unit tests: run in the pool with the CLI tests (they were 20 s of
    # one core before them); reported first
    unit_dir = os.path.join(build, "tests")
    units = sorted(os.path.join(unit_dir, f) for f in os.listdir(unit_dir)
                   if f.startswith("test-")) if os.path.isdir(unit_dir) else []
    units = [b for b in units if not args.k or args.k in os.path.basename(b)]

    def record_unit(b, results):
        for label, ok, msg in results:
            record(label, ok, msg)
        errors, notes = sanitizer_reports(
            lib.sanitizer_folder(os.path.basename(b)), seen_reports)
        if errors:
            record(os.path.basename(b) + ": sanitizer", False,
                   "\n".join(errors))
        for n in notes:
            print("note %s: sanitizer log without an error\n%s" %
                  (os.path.basename(b), n))

    # CLI tests: every test_* function of tests/cli/test_*.py
    cli_dir = os.path.join(ROOT, "tests", "cli")
    tests = []
    for f in sorted(os.listdir(cli_dir)):
        if f.startswith("test_") and f.endswith(".py"):
            path = os.path.join(cli_dir, f)
            mod = load_module(path)
            for name in sorted(n for n in dir(mod) if n.startswith("test_")):
                label = "%s: %s" % (f, name)
                if args.k and args.k not in label:
                    continue
                # tests marked serial run alone (timing-sensitive ones)
                serial = getattr(getattr(mod, name), "serial", False)
                tests.append((path, name, serial))

    parallel = [t for t in tests if not t[2]]
    serial = [t for t in tests if t[2]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        ufuts = [(b, ex.submit(run_unit, b)) for b in units]
        futs = [ex.submit(run_py_test, p, n) for p, n, _ in parallel]
        for b, fut in ufuts:
            record_unit(b, fut.result())
        for fut in futs:
            record(*fut.result())
    for p, n, _ in serial:
        record(*run_py_test(p, n))

    # reports that came after their test ended (a server left running), or
    # from processes started without lib.env()
    if lib.SANITIZER_LOGS:
        for f in sorted(os.listdir(lib.SANITIZER_LOGS)):
            errors, notes = sanitizer_reports(
                os.path.join(lib.SANITIZER_LOGS, f), seen_reports)
            for e in errors:
                record("sanitizer report (%s)" % f, False, e)
            for n in notes:
                print("note %s: sanitizer log without an error\n%s" % (f, n))

    for label, msg in failures:
        print("\n==== FAIL %s\n%s" % (label, msg.rstrip()))
    print("\n%d skipped, %.0f s" % (skipped, time.time() - started))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
