#!/usr/bin/env python3
"""Check libattache's layering from the objects' symbols.

A shared private header hides which file really needs which, so this reads
what each object defines and what it leaves undefined (nm), draws the
file-to-file graph from that, and checks it against src/lib/LAYERS:

    layer NAME  GLOB...        one line per layer, lowest first
    cycle GLOB...              files allowed to form one cycle together

A file is in the first layer one of whose globs it matches (so a sublayer
listed before a wider glob takes its files out of it). A file may use its
own layer and the layers below it. No two files may
depend on each other (directly or round a loop) unless one `cycle` line
covers all of them. Exit 0 when clean, 1 with one line per problem.

usage: tools/layers.py BUILD_DIR [LAYERS_FILE]
"""
import fnmatch
import os
import subprocess
import sys


def read_layers(path):
    layers, cycles = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if words[0] == "layer" and len(words) >= 3:
                layers.append((words[1], words[2:]))
            elif words[0] == "cycle" and len(words) >= 2:
                cycles.append(words[1:])
            else:
                sys.exit(f"{path}:{n}: expected 'layer NAME GLOB...' or 'cycle GLOB...'")
    return layers, cycles


SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src",
                   "lib")


def objects(build):
    root = os.path.join(build, "lib")
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith(".o"):
                full = os.path.join(d, f)
                # src/lib/<module>/<file>.c or .cc  ->  <module>/<file>
                name = os.path.relpath(full, root)[:-2]
                # a stale object from a source moved or removed since
                if any(os.path.exists(os.path.join(SRC, name + ext)) for ext in (".c", ".cc")):
                    yield name, full


def symbols(obj):
    out = subprocess.run(["nm", "-P", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper() and kind not in "UVW":
            defined.add(name)
    return defined, undefined


def graph(build):
    defs, needs = {}, {}
    for name, path in objects(build):
        d, u = symbols(path)
        needs[name] = u
        for s in d:
            defs[s] = name
    edges = {n: set() for n in needs}
    for n, u in needs.items():
        for s in u:
            t = defs.get(s)
            if t and t != n:
                edges[n].add(t)
    return edges


def layer_of(name, layers):
    for i, (_, globs) in enumerate(layers):
        if any(fnmatch.fnmatch(name, g) for g in globs):
            return i
    return None


def sccs(edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    out.append(sorted(comp))
            elif w not in index:
                index[w] = low[w] = counter[0]
                counter[0] += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(edges[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    lfile = sys.argv[2] if len(sys.argv) > 2 else "src/lib/LAYERS"
    layers, cycles = read_layers(lfile)
    edges = graph(build)
    problems = []
    for n in sorted(edges):
        ln = layer_of(n, layers)
        if ln is None:
            problems.append(f"{n}: in no layer of {lfile}")
            continue
        for t in sorted(edges[n]):
            lt = layer_of(t, layers)
            if lt is not None and lt > ln:
                problems.append(f"{n} ({layers[ln][0]}) reaches up to "
                                f"{t} ({layers[lt][0]})")
    for comp in sccs(edges):
        if len(comp) < 2:
            continue
        if any(all(any(fnmatch.fnmatch(c, g) for g in globs) for c in comp)
               for globs in cycles):
            continue
        problems.append("cycle: " + " <-> ".join(comp))
    for p in problems:
        print(f"layers: {p}")
    print(f"layers: {len(edges)} files, {sum(map(len, edges.values()))} "
          f"dependencies, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
