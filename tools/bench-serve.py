#!/usr/bin/env python3
"""make bench, the desk's part: `attache serve` measured, not asserted.

- API throughput: the 12 MP phone JPEGs of tools/bench.py (10 copies of
  each, --copies), posted through POST /api/v1/photos by 4 clients at once, timed
  from the first POST until every photo is prepared (x-landscape), against
  `attache prep -p x-landscape` on the same files in the same run;
- drop to first preview: from a POST to the moment its stripped preview
  (what the page shows first) can be fetched, the median of 5.

  tools/bench-serve.py [--build build] [--rounds 3] [--copies 10]

(--copies 2 --rounds 1: a quick look on 4 photos.)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
PHONE = os.path.normpath(os.path.join(ROOT, "..", "shared", "samples", "phone"))
PHOTOS = ("samsung-galaxy-s7-edge_gps_thumb.jpg", "google-pixel_gps_thumb.jpg")


def through_api(desk, files):
    c = desk.client("bench", "read,prepare")
    ids, lock = [], threading.Lock()

    def post(part):
        for f in part:
            r = c.upload(f, presets="x-landscape", alt="bench")
            assert r.status == 202, r
            with lock:
                ids.append(r.json()["id"])
    t0 = time.time()
    threads = [threading.Thread(target=post, args=(files[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while True:
        q = c.get("/api/v1/photos").json()
        if q["counts"]["processing"] == 0 and len(q["photos"]) >= len(ids):
            break
        time.sleep(0.05)
    return time.time() - t0


def first_preview(desk, photo):
    c = desk.client("bench", "read,prepare")
    t0 = time.time()
    pid = c.upload(photo, presets="x-landscape", alt="bench").json()["id"]
    while c.get("/api/v1/photos/%s/preview" % pid).status != 200:
        time.sleep(0.02)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--copies", type=int, default=10, help="copies of each photo posted")
    a = ap.parse_args()
    os.environ["ATTACHE_BUILD"] = os.path.abspath(a.build)
    import desklib
    import lib
    src = [os.path.join(PHONE, p) for p in PHOTOS]
    if not all(os.path.exists(p) for p in src):
        print("bench-serve: ../shared/samples/phone is absent: nothing to measure")
        return 0
    work = tempfile.mkdtemp(prefix="attache-bench-serve-")
    files = []
    for i in range(a.copies):
        for p in src:
            dst = os.path.join(work, "%02d-%s" % (i, os.path.basename(p)))
            shutil.copy(p, dst)
            files.append(dst)
    api, cli, prev = [], [], []
    for r in range(a.rounds):
        out = os.path.join(work, "out%d" % r)
        t0 = time.time()
        subprocess.run([lib.ATTACHE, "prep", "-q", "-p", "x-landscape", "--alt", "bench", "-o", out] + files,
                       check=True, env=lib.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli.append(time.time() - t0)
        d = os.path.join(work, "desk%d" % r)
        os.makedirs(d)
        desk = desklib.Desk(d, users=(("bench", "preparer"),)).start()
        try:
            api.append(through_api(desk, files))
        finally:
            desk.stop()
        d = os.path.join(work, "prev%d" % r)
        os.makedirs(d)
        desk = desklib.Desk(d, users=(("bench", "preparer"),)).start()
        try:
            prev += [first_preview(desk, src[k % 2]) for k in range(5)]
        finally:
            desk.stop()
    n = len(files)
    ma, mc = statistics.median(api), statistics.median(cli)
    print("\nbench-serve: %d photos of 12 MP, x-landscape, %d rounds, %d cores" % (n, a.rounds, os.cpu_count()))
    print("%-40s %8.2f s %8.2f photos/s" % ("attache prep (CLI)", mc, n / mc))
    print("%-40s %8.2f s %8.2f photos/s  (%.2fx the CLI's time)" % ("POST /api/v1/photos, 4 clients, prepared", ma, n / ma,
                                                                     ma / mc))
    print("%-40s %8.2f s  (median of %d)" % ("drop to first preview", statistics.median(prev), len(prev)))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
