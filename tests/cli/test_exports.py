"""libattache.so's contract with a C caller: it exports exactly what attache.h
declares (each declaration marked ATTACHE_API), a program built with
build/attache.pc links the shared library and runs, and the shared library
needs none of the coming server module's libraries."""
import hashlib
import json
import os
import re
import subprocess

import lib
from lib import assert_eq

HEADER = os.path.join(lib.ROOT, "src", "lib", "attache.h")
SO = os.path.join(lib.BUILD, "libattache.so")


def header_statements(text):
    """The top-level statements of a C header (outside braces), with
    comments and preprocessor lines blanked."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    t = re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)
    t = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", blank, t, flags=re.M)
    out, depth, start = [], 0, None
    for i, c in enumerate(t):
        if start is None and not c.isspace():
            start = i
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == ";" and depth == 0 and start is not None:
            out.append(" ".join(t[start:i].split()))
            start = None
    return out


def header_declarations():
    """(marked, unmarked): names of the functions and variables attache.h
    declares with ATTACHE_API, and those it declares without."""
    marked, unmarked = set(), set()
    for st in header_statements(open(HEADER, encoding="utf-8").read()):
        st = re.sub(r"^(G_BEGIN_DECLS|G_END_DECLS)\s*", "", st)
        if not st or st.startswith("typedef "):
            continue
        m = re.search(r"\b([A-Za-z_]\w*)\s*\(", st)
        if m and m.group(1) != "ATTACHE_API":
            name = m.group(1)
        elif "(" not in st:  # a variable: its name ends the declarator
            name = re.findall(r"[A-Za-z_]\w*", st.split("[")[0])[-1]
        else:
            m = re.search(r"\b([A-Za-z_]\w*)\s*\(", st.replace("ATTACHE_API", "", 1))
            name = m.group(1)
        (marked if re.match(r"(extern\s+)?ATTACHE_API\b", st) else unmarked).add(name)
    return marked, unmarked


def so_exports(path):
    """The functions and data (T, D, B, R) libattache.so defines for others."""
    out = subprocess.run(["nm", "-D", "--defined-only", path], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "TDBR":
            names.add(parts[2].split("@")[0])
    return names


def test_header_parser_sees_every_declaration():
    # the parser is the test's oracle: check it on a header of our own
    text = """
#define ATTACHE_API x
G_BEGIN_DECLS
typedef struct { int a; char *(*fn)(int); } T;
typedef void (*Cb)(int);
/* AttacheCode commented_out(void); */
ATTACHE_API AttacheCode attache_a(const char *s,
	GError **error);
ATTACHE_API const char *const *attache_b(const T *t);
void attache_unmarked(void);
extern ATTACHE_API const int attache_var[3];
G_END_DECLS
"""
    path = os.path.join(lib.TMP_ROOT, "exports-parser.h")
    os.makedirs(lib.TMP_ROOT, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    global HEADER
    saved, HEADER = HEADER, path
    try:
        marked, unmarked = header_declarations()
    finally:
        HEADER = saved
        os.unlink(path)
    assert_eq(marked, {"attache_a", "attache_b", "attache_var"}, "marked")
    assert_eq(unmarked, {"attache_unmarked"}, "unmarked")


def test_so_exports_exactly_attache_h():
    """Every symbol libattache.so exports is declared in attache.h with
    ATTACHE_API, every one declared there is exported, and nothing in
    attache.h is declared without ATTACHE_API (it would link statically and
    be missing from the .so)."""
    marked, unmarked = header_declarations()
    assert len(marked) > 80, sorted(marked)
    assert not unmarked, "declared in attache.h without ATTACHE_API: " + \
        ", ".join(sorted(unmarked))
    exported = so_exports(SO)
    private = sorted(exported - marked)
    missing = sorted(marked - exported)
    assert not private, "exported but not in attache.h: " + ", ".join(private)
    assert not missing, "in attache.h but not exported: " + ", ".join(missing)


PROGRAM = r"""
/* Uses attache.h only, linked against libattache.so. */
#include <attache.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	GError *error = NULL;
	AttachePresetSet *presets = NULL;
	GPtrArray *outputs = NULL;

	if (argc != 4)
		return 2;
	printf("version %s\n", ATTACHE_VERSION);
	if (attache_init(argv[0], &error) ||
		attache_preset_set_load(argv[1], argv[1], &presets, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return 2;
	}
	AttachePrepOptions *opts = attache_prep_options_new();
	g_free(opts->out_dir);
	opts->out_dir = g_strdup(argv[3]);
	opts->alt_text = g_strdup("A street seen from a doorway");
	const AttachePreset *p = attache_preset_set_lookup(presets, "x-landscape", &error);
	if (!p)
		return 2;
	attache_prep_options_add_preset(opts, p);
	AttacheCode code = attache_prep_photo(opts, argv[2], &outputs, &error);
	for (guint i = 0; i < outputs->len; i++) {
		char *line = attache_output_to_json(outputs->pdata[i]);
		printf("%s\n", line);
		g_free(line);
	}
	if (code)
		fprintf(stderr, "%s: %s\n", attache_code_name(code), error->message);
	g_clear_error(&error);
	g_ptr_array_unref(outputs);
	attache_prep_options_free(opts);
	attache_preset_set_free(presets);
	attache_shutdown();
	return attache_code_exit_status(code);
}
"""

# A private function (private.h) that a caller declares itself.
PRIVATE_PROGRAM = r"""
#include <attache.h>
gboolean attache__path_is_beneath(const char *dir, const char *path);
int
main(void)
{
	return attache__path_is_beneath("/srv/out", "/srv/out/a.jpg") ? 0 : 1;
}
"""


def pkg_config(*args):
    """pkg-config with PKG_CONFIG_PATH=build: it prefers
    build/attache-uninstalled.pc, attache.pc.in made for this tree."""
    env = dict(lib.env(), PKG_CONFIG_PATH=lib.BUILD)
    flags = subprocess.run(["pkg-config"] + list(args) + ["attache"],
                           capture_output=True, text=True, check=True,
                           env=env).stdout.split()
    if "--libs" in args:
        assert "-L" + os.path.abspath(lib.BUILD) in flags, flags
    return flags


def pc_field(name, path=os.path.join(lib.BUILD, "attache.pc")):
    for line in open(path, encoding="utf-8"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].split()
    return []


def requires_private():
    return pc_field("Requires.private")


def compiler():
    # the sanitized build's library needs the sanitizers' runtime
    return ["clang", "-fsanitize=address,undefined"] if lib.SANITIZED \
        else ["cc"]


def needed(path):
    out = subprocess.run(["readelf", "-d", path], check=True,
                         capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_program_links_the_shared_library_with_pkg_config():
    lib.phone_photos()  # skips when the samples are absent
    photo = os.path.join(lib.PHONE, "google-pixel_gps_thumb.jpg")
    assert "GPS:GPSLatitude" in lib.exiftool(photo), "the sample has GPS"
    with lib.TempDir() as d:
        src = os.path.join(d, "tiny.c")
        with open(src, "w") as f:
            f.write(PROGRAM)
        binary = os.path.join(d, "tiny")
        subprocess.run(compiler() + ["-o", binary, src] +
                       pkg_config("--cflags", "--libs"), check=True)
        # linked against the .so, not the .a
        assert "libattache.so.0" in needed(binary), needed(binary)
        out = os.path.join(d, "out")
        os.makedirs(out)
        p = subprocess.run([binary, lib.PRESETS, photo, out],
                           capture_output=True, text=True,
                           env=lib.env(LD_LIBRARY_PATH=lib.BUILD))
        assert_eq(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        version = re.search(r'#define ATTACHE_VERSION "(.*)"',
                            open(HEADER).read()).group(1)
        assert_eq(lines[0], "version " + version)
        o = json.loads(lines[1])
        assert o["error"] is None, o
        data = open(o["output"], "rb").read()
        assert_eq(hashlib.sha256(data).hexdigest(), o["sha256"], "sha256")
        tags = lib.exiftool(o["output"])
        assert not [k for k in tags if k.startswith("GPS:")], tags
        assert_eq(lib.header(o["output"])["width"], "1600")


def test_private_functions_do_not_link_from_the_shared_library():
    """attache__ functions are hidden: a program that declares one itself
    fails to link against libattache.so, and links and runs from the .a
    (the symbol is there; only its visibility keeps it out)."""
    with lib.TempDir() as d:
        src = os.path.join(d, "private.c")
        with open(src, "w") as f:
            f.write(PRIVATE_PROGRAM)
        p = subprocess.run(compiler() + ["-o", os.path.join(d, "p"), src] +
                           pkg_config("--cflags", "--libs"),
                           capture_output=True, text=True)
        assert p.returncode != 0, "a private function linked from the .so"
        assert "attache__path_is_beneath" in p.stderr, p.stderr
        # the .a with what attache.pc says it needs (Requires.private)
        deps = subprocess.run(["pkg-config", "--libs"] + requires_private(),
                              capture_output=True, text=True,
                              check=True).stdout.split()
        static = os.path.join(d, "s")
        subprocess.run(compiler() + ["-o", static, src] +
                       pkg_config("--cflags") +
                       [os.path.join(lib.BUILD, "libattache.a")] + deps +
                       pc_field("Libs.private"), check=True)
        assert "libattache.so.0" not in needed(static)
        assert_eq(subprocess.run([static], env=lib.env()).returncode, 0,
                  "attache__path_is_beneath from the .a")


def makefile_pkgs():
    """PKGS as make sees it (make -pn prints its database, running nothing)."""
    out = subprocess.run(["make", "-pn", "--no-print-directory", "FORCE"],
                         cwd=lib.ROOT, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("PKGS :="):
            return line.split(":=", 1)[1].split()
    raise AssertionError("no PKGS in make -pn")


# The desk's server module (docs/architecture.md): never in libattache.so.
SERVER_LIBS = ("libsoup", "libsqlite", "libsodium")


def test_attache_pc_says_what_libattache_needs():
    pkgs = makefile_pkgs()
    assert "vips" in pkgs and "glib-2.0" in pkgs, pkgs
    for pc in ("attache.pc", "attache-uninstalled.pc"):
        path = os.path.join(lib.BUILD, pc)
        missing = [m for m in pkgs if m not in pc_field("Requires.private", path)]
        assert not missing, "%s: Requires.private lacks %s" % (pc, missing)
        assert "-lm" in pc_field("Libs.private", path), pc
        # attache.h includes glib.h and nothing else
        assert_eq(pc_field("Requires", path), ["glib-2.0"], pc)
    assert not [m for m in pkgs if "soup" in m or "sqlite" in m or "sodium" in m], pkgs


def test_shared_library_needs_only_what_attache_pc_lists():
    """Every NEEDED entry of libattache.so comes from a module in
    Requires.private (or libc, libm), so none of the server module's
    libraries (libsoup, SQLite, libsodium) can creep in."""
    libs = needed(os.path.realpath(SO))
    assert libs, "no NEEDED entries"
    bad = [n for n in libs if n.startswith(SERVER_LIBS)]
    assert not bad, "libattache.so links the server's libraries: %s" % bad
    flags = subprocess.run(["pkg-config", "--libs"] + requires_private(),
                           capture_output=True, text=True,
                           check=True).stdout.split()
    # the face detectors' libraries have no pkg-config module of theirs
    # that fits (docs/architecture.md): attache.pc names them in
    # Libs.private, with the C++ runtime
    flags += pc_field("Libs.private")
    allowed = {f[2:] for f in flags if f.startswith("-l")} | {"m", "c", "gcc_s"}
    unlisted = []
    for n in libs:
        stem = re.match(r"lib(.+?)\.so", n)
        if lib.SANITIZED and re.match(r"lib(asan|ubsan|clang_rt)", n):
            continue
        # the dynamic loader itself: the detectors' thread_local state
        # (__tls_get_addr)
        if n.startswith("ld-linux"):
            continue
        if not stem or stem.group(1) not in allowed:
            unlisted.append(n)
    assert not unlisted, "NEEDED but not in attache.pc: %s" % unlisted
