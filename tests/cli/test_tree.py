"""The source tree itself: formatted with the project's .clang-format, and
every sub-command documented."""
import glob
import os
import shutil
import subprocess

import lib


def test_clang_format_clean():
    if not shutil.which("clang-format"):
        lib.skip("clang-format is not installed")
    files = []
    for pat in ("src/lib/*.h", "src/lib/*/*.[ch]", "src/cli/*.[ch]", "tests/unit/*.[ch]",
                "tests/gen/*.c", "tests/fuzz/*.c", "tools/*.c",
                "docs/examples/*.c"):
        files += glob.glob(os.path.join(lib.ROOT, pat))
    p = subprocess.run(["clang-format", "--dry-run", "-Werror"] + files,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-3000:]


def test_every_command_has_help_and_docs():
    p = lib.run("--help", check=0)
    commands = [l.split()[0] for l in p.stdout.splitlines()
                if l.startswith("  ") and l.split()]
    assert {"prep", "audit", "upload", "watch", "review", "approve",
            "presets"} <= set(commands), commands
    readme = open(os.path.join(lib.ROOT, "README.md")).read()
    for c in commands:
        h = lib.run(c, "--help", check=0)
        assert "Usage:" in h.stdout, c
        assert "attache " + c in readme, c


def test_layers_from_the_objects_symbols():
    """No library file reaches up a layer, and no files form a cycle
    that src/lib/LAYERS does not list (tools/layers.py reads nm)."""
    p = subprocess.run([os.path.join(lib.ROOT, "tools", "layers.py"),
                        lib.BUILD, os.path.join(lib.ROOT, "src", "lib",
                                                "LAYERS")],
                       capture_output=True, text=True, cwd=lib.ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert " 0 problems" in p.stdout, p.stdout


SHAPE = os.path.join(lib.ROOT, "tools", "shape.py")


def test_shape_functions_and_lines():
    """No function in src/lib or src/cli over 120 lines and no line over
    160 columns, but those tools/shape-allow.txt still lists (and it lists
    none that is no longer needed)."""
    if not shutil.which("ctags"):
        lib.skip("universal-ctags is not installed")
    p = subprocess.run([SHAPE], capture_output=True, text=True, cwd=lib.ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert " 0 problems" in p.stdout, p.stdout


def test_shape_check_fails_on_long_code_and_stale_entries():
    if not shutil.which("ctags"):
        lib.skip("universal-ctags is not installed")
    with lib.TempDir() as d:
        src = os.path.join(d, "long.c")
        body = "".join("\tx += %d;\n" % i for i in range(125))
        wide = "\t" + "y = 1; " * 23 + "\n"  # 4 + 161 columns
        with open(src, "w") as f:
            f.write("static int\nshort_one(int x)\n{\n\treturn x;\n}\n\n"
                    "static int\nlong_one(int x)\n{\n" + body + wide +
                    "\treturn x;\n}\n")
        rel = os.path.relpath(src, lib.ROOT)
        allow = os.path.join(d, "allow.txt")

        def shape(entries):
            with open(allow, "w") as f:
                f.write("# test\n" + "".join(e + "\n" for e in entries))
            return subprocess.run([SHAPE, "--allow", allow, src],
                                  capture_output=True, text=True, cwd=lib.ROOT)

        p = shape([])
        assert p.returncode == 1, p.stdout
        assert "long_one() is 130 lines" in p.stdout, p.stdout
        assert "1 lines over 160 columns (0 allowed): lines 135" in p.stdout, p.stdout
        assert "short_one" not in p.stdout, p.stdout
        p = shape(["function %s long_one" % rel, "long-lines %s 1" % rel])
        assert p.returncode == 0 and " 0 problems" in p.stdout, p.stdout
        # the list only shrinks: an entry no longer needed fails
        p = shape(["function %s long_one" % rel, "function %s short_one" % rel,
                   "long-lines %s 2" % rel])
        assert p.returncode == 1, p.stdout
        assert "short_one() is no longer over 120 lines" in p.stdout, p.stdout
        assert "make it 'long-lines %s 1'" % rel in p.stdout, p.stdout
