#!/usr/bin/env python3
"""Regenerate the option tables in docs/*.md from the option table.

Each table sits between `<!-- options:SCOPE -->` and `<!-- /options -->`
(SCOPE: prep, watch, ini, review, photo) and is what `options-md SCOPE` prints
(tools/options-md.c, linked with libattache.a). `make docs` rewrites them;
with --check nothing is written and the exit status is 1 when one is stale.

usage: tools/docs-options.py [--check] BUILD/options-md
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BLOCK = re.compile(r"(<!-- options:(\w+) -->\n)(.*?)(<!-- /options -->)",
                   re.S)


def regenerate(text, tool):
    def table(m):
        out = subprocess.run([tool, m.group(2)], check=True,
                             capture_output=True, text=True).stdout
        return m.group(1) + out + m.group(4)
    return BLOCK.sub(table, text)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 1:
        sys.exit(__doc__)
    stale = []
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = regenerate(text, args[0])
        if new != text:
            stale.append(os.path.relpath(path, ROOT))
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
    for p in stale:
        print(("stale: " if check else "regenerated: ") + p)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
