#!/usr/bin/env python3
"""Check the shape of the C code: no function over MAX_LINES lines, no line
over MAX_COLUMNS columns (tabs to multiples of 4), in src/lib and src/cli.

Functions are found by universal-ctags (`ctags --c-kinds=f --fields=+ne`),
which gives each one's first and last line; a function's length runs from
the line with its name to its closing brace.

Today's offenders are listed in tools/shape-allow.txt:

    function FILE NAME     the function NAME in FILE may be over the limit
    long-lines FILE N      FILE may have N lines over the limit

An entry that is no longer needed is an error too (the function was split,
the lines shortened), so the list only shrinks. Exit 0 when clean, 1 with
one line per problem.

usage: tools/shape.py [--allow FILE] [--list] [SOURCE...]
  --list  print the allow-list entries today's code would need, and exit 0
"""
import glob
import os
import subprocess
import sys

MAX_LINES = 120
MAX_COLUMNS = 160
TAB = 4

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PATTERNS = ("src/lib/*.h", "src/lib/*/*.c", "src/lib/*/*.cc", "src/lib/*/*.h", "src/cli/*.c",
            "src/cli/*.h")


def sources():
    files = []
    for pat in PATTERNS:
        files += glob.glob(os.path.join(ROOT, pat))
    return sorted(os.path.relpath(f, ROOT) for f in files)


def functions(files):
    """(file, name, length) for every function definition ctags finds."""
    out = subprocess.run(["ctags", "--language-force=C", "--c-kinds=f",
                          "--fields=+ne", "-o", "-"] + files, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        fields = dict(p.split(":", 1) for p in parts[3:] if ":" in p)
        if "line" not in fields:
            continue
        start = int(fields["line"])
        end = int(fields.get("end", start))
        found.append((parts[1], parts[0], end - start + 1))
    return found


def columns(text):
    return len(text.rstrip("\n").expandtabs(TAB))


def long_lines(path):
    """Numbers of the lines of @path over MAX_COLUMNS."""
    with open(os.path.join(ROOT, path), encoding="utf-8",
              errors="replace") as f:
        return [n for n, l in enumerate(f, 1) if columns(l) > MAX_COLUMNS]


def read_allow(path):
    funcs, lines = set(), {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            w = line.split("#", 1)[0].split()
            if not w:
                continue
            if w[0] == "function" and len(w) == 3:
                funcs.add((w[1], w[2]))
            elif w[0] == "long-lines" and len(w) == 3 and w[2].isdigit():
                lines[w[1]] = int(w[2])
            else:
                sys.exit(f"{path}:{n}: expected 'function FILE NAME' or "
                         "'long-lines FILE N'")
    return funcs, lines


def main(argv):
    allow = os.path.join(ROOT, "tools", "shape-allow.txt")
    listing = False
    files = []
    args = iter(argv)
    for a in args:
        if a == "--allow":
            allow = next(args)
        elif a == "--list":
            listing = True
        elif a.startswith("-"):
            sys.exit(__doc__)
        else:
            files.append(os.path.relpath(os.path.abspath(a), ROOT))
    # with no files given, an entry for a file that is gone is stale too
    whole = not files
    files = files or sources()

    over = {(f, name): n for f, name, n in functions(files) if n > MAX_LINES}
    wide = {f: ls for f in files if (ls := long_lines(f))}
    if listing:
        for (f, name), n in sorted(over.items()):
            print(f"function {f} {name}  # {n} lines")
        for f, ls in sorted(wide.items()):
            print(f"long-lines {f} {len(ls)}  # lines {', '.join(map(str, ls))}")
        return 0

    funcs, lines = read_allow(allow) if os.path.exists(allow) else (set(), {})
    problems = []
    for (f, name), n in sorted(over.items()):
        if (f, name) not in funcs:
            problems.append(f"{f}: {name}() is {n} lines (at most {MAX_LINES})")
    for f, name in sorted(funcs):
        if (f, name) not in over and (whole or f in files):
            problems.append(f"{f}: {name}() is no longer over {MAX_LINES} "
                            f"lines: remove 'function {f} {name}' from "
                            f"{os.path.relpath(allow, ROOT)}")
    for f, ls in sorted(wide.items()):
        allowed = lines.get(f, 0)
        if len(ls) > allowed:
            problems.append(f"{f}: {len(ls)} lines over {MAX_COLUMNS} columns"
                            f" ({allowed} allowed): lines "
                            f"{', '.join(map(str, ls))}")
    for f, allowed in sorted(lines.items()):
        n = len(wide.get(f, []))
        if n < allowed and (whole or f in files):
            problems.append(f"{f}: {n} lines over {MAX_COLUMNS} columns now: "
                            f"make it 'long-lines {f} {n}' in "
                            f"{os.path.relpath(allow, ROOT)}"
                            + (" (or remove it)" if n == 0 else ""))
    for p in problems:
        print(f"shape: {p}")
    print(f"shape: {len(files)} files, {len(over)} functions over "
          f"{MAX_LINES} lines, {sum(map(len, wide.values()))} lines over "
          f"{MAX_COLUMNS} columns, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
