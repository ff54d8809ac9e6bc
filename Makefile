# attache: plain make. `make` builds; `make demo` and `make check` install
# what is missing first (make deps: Debian packages via apt-get).

PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
PKGS      := vips libexif libcurl libpng json-glib-1.0 glib-2.0 gio-2.0 lcms2 zlib
# branding: Pango markup and fontconfig's font list (campaign.c)
PKGS      += pango fontconfig
# approvals: NFKC, casefolding and UTS #39 confusable skeletons (approval.c)
PKGS      += icu-uc icu-i18n
# SHA-256 of photos and outputs (core/sha256.c): libssl-dev, which
# libcurl4-openssl-dev brings
PKGS      += libcrypto
# damaged JPEGs: libjpeg's own decode to the end where libvips stops short
# (jpeg-tail.c)
PKGS      += libjpeg
# text in the pixels (--scan-text, vision/text.cc): Tesseract (and
# Leptonica, its image library), and OpenCV's MSER (features2d).
PKGS      += tesseract lept
# faces (src/lib/vision/*.cc, C++ behind extern "C" entry points): dlib's
# HOG and OpenCV's cascades, linked by name (attache.pc's Libs.private):
# Debian's OpenCV 4.6 ships no opencv4.pc, and dlib-1.pc's --libs would
# put its own dependencies (SQLite, BLAS) into libattache.so's NEEDED.
VISION_CFLAGS := -I/usr/include/opencv4
VISION_LIBS   := -ldlib -llapack -lopencv_objdetect -lopencv_saliency -lopencv_features2d -lopencv_imgproc -lopencv_core -lstdc++
CXX       ?= g++
CXXFLAGS  ?= -O2 -g
DATADIR   := $(PREFIX)/share/attache
# make install: the man page, the docs (with the systemd user unit), the
# shell completions and the unit where systemd --user looks for it
MANDIR      = $(PREFIX)/share/man
DOCDIR      = $(PREFIX)/share/doc/attache
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
USERUNITDIR = $(PREFIX)/lib/systemd/user

# Evaluated when a recipe runs (=, not :=), so a first `make check` on a
# fresh machine sees the packages `make deps` has just installed.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) $(VISION_LIBS)

WARN := -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-format-nonliteral
ALL_CFLAGS = $(WARN) $(CFLAGS) -fPIC $(PKG_CFLAGS) -Isrc/lib \
	-DATTACHE_DATADIR='"$(DATADIR)"' -DATTACHE_SRCDIR='"$(CURDIR)"'
# The library's objects export only what attache.h marks ATTACHE_API; the
# static library still links the private attache__ functions (the CLI and
# unit tests use them).
LIB_CFLAGS = $(ALL_CFLAGS) -fvisibility=hidden
# The detectors in C++: the same warnings that apply to C++, no GLib or
# libvips headers (they take plain pixel buffers, vision/vision.h).
CXXWARN := -std=gnu++17 -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
LIB_CXXFLAGS = $(CXXWARN) $(CXXFLAGS) -fPIC -fvisibility=hidden $(VISION_CFLAGS) -Isrc/lib

LIB_SRC := $(wildcard src/lib/*/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:src/lib/%.c=$(BUILD)/lib/%.o)
LIB_CXX_SRC := $(wildcard src/lib/*/*.cc)
LIB_OBJ += $(LIB_CXX_SRC:src/lib/%.cc=$(BUILD)/lib/%.o)
# data/messages.ini (words for people, six languages) compiled in with
# GResource (core/messages.c): the installed library needs no data path
RES_XML := data/attache.gresource.xml
RES_OBJ := $(BUILD)/res/resources.o
LIB_OBJ += $(RES_OBJ)
CLI_OBJ := $(CLI_SRC:src/cli/%.c=$(BUILD)/cli/%.o)
HDRS    := $(wildcard src/lib/*.h src/lib/*/*.h) $(wildcard src/cli/*.h) $(wildcard src/server/*.h)
# The desk's server (src/server, docs/serve.md, docs/http-api.md): a library
# of its own, linked into the command only; libattache.so never needs
# libsoup, SQLite or libsodium (tests/cli/test_exports.py). Its GResources:
# the API's own files (openapi.json) and the desk's page (src/server/page/).
SERVER_PKGS := libsoup-3.0 sqlite3 libsodium
SERVER_CFLAGS = $(shell pkg-config --cflags $(SERVER_PKGS))
SERVER_LIBS   = $(shell pkg-config --libs $(SERVER_PKGS))
SERVER_SRC := $(wildcard src/server/*.c)
SERVER_OBJ := $(SERVER_SRC:src/server/%.c=$(BUILD)/server/%.o) $(BUILD)/server/res-api.o
PAGE_XML   := $(wildcard src/server/page/desk.gresource.xml)
SERVER_OBJ += $(if $(PAGE_XML),$(BUILD)/server/res-page.o)
SOVER   := 0

.PHONY: all deps demo check asan bench fuzz samples install uninstall clean format lint docs

all: $(BUILD)/attache $(BUILD)/libattache-server.a $(BUILD)/libattache.a $(BUILD)/libattache.so $(BUILD)/attache.pc \
	$(BUILD)/attache-uninstalled.pc $(BUILD)/attache.1 $(BUILD)/attache.bash $(BUILD)/_attache

# The man page and the shell completions, from the command's own --help,
# the option table (options-md) and docs/ (tools/man.py, tools/completion.py;
# no pandoc). A sanitized build's command runs here too: no leak report.
GEN_ENV = ASAN_OPTIONS=detect_leaks=0 LC_ALL=C.UTF-8
$(BUILD)/attache.1: tools/man.py $(BUILD)/attache $(BUILD)/options-md $(wildcard docs/*.md) README.md
	$(GEN_ENV) python3 tools/man.py $(BUILD) > $@.tmp && mv $@.tmp $@
$(BUILD)/attache.bash: tools/completion.py $(BUILD)/attache
	$(GEN_ENV) python3 tools/completion.py bash $(BUILD) > $@.tmp && mv $@.tmp $@
$(BUILD)/_attache: tools/completion.py $(BUILD)/attache
	$(GEN_ENV) python3 tools/completion.py zsh $(BUILD) > $@.tmp && mv $@.tmp $@

# PREFIX is compiled in (the presets folder, core/init.c alone uses it):
# rebuild that one object when it changes, so `make install PREFIX=…`
# over an existing build relinks instead of compiling the tree again.
$(BUILD)/.prefix: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
FORCE:

$(BUILD)/lib/core/init.o: $(BUILD)/.prefix

# The damage check runs over every decode: its loops are written for the
# vectoriser, whose cost model at -O2 (GCC 12's "very cheap") leaves them
# scalar, at twice the CPU. GCC only: clang vectorises them at -O2.
$(BUILD)/lib/pipeline/damage.o: LIB_CFLAGS += $(if $(findstring clang,$(CC)),,-fvect-cost-model=dynamic)

$(BUILD)/lib/%.o: src/lib/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/lib/%.o: src/lib/%.cc $(HDRS)
	@mkdir -p $(@D)
	$(CXX) $(LIB_CXXFLAGS) -c $< -o $@

$(BUILD)/res/resources.c: $(RES_XML) data/messages.ini
	@mkdir -p $(@D)
	glib-compile-resources --sourcedir=data --generate-source --internal --c-name attache__res --target=$@ $<

$(RES_OBJ): $(BUILD)/res/resources.c
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/cli/%.o: src/cli/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc/server -c $< -o $@

$(BUILD)/server/%.o: src/server/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SERVER_CFLAGS) -c $< -o $@

$(BUILD)/server/res-api.c: src/server/api.gresource.xml $(wildcard src/server/api/*)
	@mkdir -p $(@D)
	glib-compile-resources --sourcedir=src/server/api --generate-source --internal \
		--c-name attache_server_api_res --target=$@ $<

$(BUILD)/server/res-page.c: $(PAGE_XML) $(filter-out $(PAGE_XML),$(wildcard src/server/page/*))
	@mkdir -p $(@D)
	glib-compile-resources --sourcedir=src/server/page --generate-source --internal \
		--c-name attache_server_page_res --target=$@ $<

$(BUILD)/server/res-%.o: $(BUILD)/server/res-%.c
	$(CC) $(CFLAGS) -fPIC $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/libattache-server.a: $(SERVER_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libattache.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libattache.so: $(LIB_OBJ) src/lib/libattache.map
	$(CC) -shared -Wl,-soname,libattache.so.$(SOVER) -Wl,--version-script=src/lib/libattache.map $(CFLAGS) $(LDFLAGS) -o $(BUILD)/libattache.so.$(SOVER) $(LIB_OBJ) $(PKG_LIBS) -lm
	ln -sf libattache.so.$(SOVER) $@

# The tool links the static library: one file to copy, nothing to find.
# It links the server's library too, whole (GResource constructors), for
# `attache serve`, `attache user` and `attache token`.
$(BUILD)/attache: $(CLI_OBJ) $(BUILD)/libattache-server.a $(BUILD)/libattache.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) -Wl,--whole-archive $(BUILD)/libattache-server.a -Wl,--no-whole-archive \
		$(BUILD)/libattache.a $(PKG_LIBS) $(SERVER_LIBS) -lm

PC_SED = -e 's|@VERSION@|$(shell sed -n 's/^\#define ATTACHE_VERSION "\(.*\)"/\1/p' src/lib/attache.h)|' \
	-e 's|@PKGS@|$(PKGS)|' -e 's|@VISION_LIBS@|$(VISION_LIBS)|'

$(BUILD)/attache.pc: attache.pc.in $(BUILD)/.prefix src/lib/attache.h Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$${prefix}/lib|' \
		-e 's|@INCLUDEDIR@|$${prefix}/include|' $(PC_SED) $< > $@

# The same, for programs built against this tree: pkg-config prefers
# NAME-uninstalled.pc when PKG_CONFIG_PATH holds it (PKG_CONFIG_PATH=build).
$(BUILD)/attache-uninstalled.pc: attache.pc.in src/lib/attache.h Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(abspath $(BUILD))|' \
		-e 's|@INCLUDEDIR@|$(CURDIR)/src/lib|' $(PC_SED) $< > $@

# ---- dependencies (Debian) ----
deps:
	@tools/deps.sh

# ---- the README's two commands ----
# Their builds use every core unless the caller chose (make -jN): a clean
# clone's build was two minutes of one core, a fifth of make check.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
PAR = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

demo: deps
	@$(MAKE) $(PAR) --no-print-directory all
	@tools/demo.sh

check: deps
	@$(MAKE) $(PAR) --no-print-directory all tests-bin
	@tools/run-tests.sh $(BUILD)

# AddressSanitizer + UBSan build of everything, then the whole suite. The
# C++ detectors leave out UBSan's vptr and function checks: their runtime half is only
# linked by clang++, and the library and programs are linked by clang.
asan: deps
	@$(MAKE) $(PAR) --no-print-directory BUILD=build-asan CC=clang CXX=clang++ \
		CXXFLAGS='-O1 -g -fsanitize=address,undefined -fno-sanitize=vptr,function -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
		LDFLAGS='-fsanitize=address,undefined' all tests-bin
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:$(ASAN_OPTIONS) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/supp/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ATTACHE_SANITIZED=1 ATTACHE_SANITIZER_LOGS=$(CURDIR)/build-asan/sanitizer \
		tools/run-tests.sh build-asan

bench: deps
	@$(MAKE) $(PAR) --no-print-directory all
	@tools/bench.sh $(BUILD)

# libFuzzer (clang 14) with ASan and UBSan: each target in tests/fuzz/ runs
# FUZZ_SECONDS (default 60) from its seeds in tests/fuzz/corpus/<target>/;
# new inputs go to build-fuzz/corpus-<target>/, crashes to
# build-fuzz/crashes-<target>/ (fix, then keep in tests/fuzz/regressions/).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := audit exif watch-settings campaign preset alt
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CXX=clang++ \
		CFLAGS='$(FUZZ_CFLAGS)' CXXFLAGS='$(FUZZ_CFLAGS) -fno-sanitize=vptr,function' $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus-$$t build-fuzz/crashes-$$t; \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/supp/lsan.supp:print_suppressions=0 \
		build-fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=100000 \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-dict=tests/fuzz/$$t.dict \
			-artifact_prefix=build-fuzz/crashes-$$t/ \
			build-fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

$(BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $(BUILD)/libattache.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< \
		$(BUILD)/libattache.a $(PKG_LIBS) -lm

samples: all
	@tools/make-samples.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(DATADIR)/presets
	install -m 755 $(BUILD)/attache $(DESTDIR)$(PREFIX)/bin/attache
	install -m 644 $(BUILD)/libattache.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libattache.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libattache.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/libattache.so
	install -m 644 src/lib/attache.h $(DESTDIR)$(PREFIX)/include/attache.h
	install -m 644 $(BUILD)/attache.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/attache.pc
	install -m 644 presets/*.ini $(DESTDIR)$(DATADIR)/presets/
	install -d $(DESTDIR)$(DATADIR)/campaigns $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(USERUNITDIR)
	install -m 644 campaigns/* $(DESTDIR)$(DATADIR)/campaigns/
	install -m 644 $(BUILD)/attache.1 $(DESTDIR)$(MANDIR)/man1/attache.1
	install -m 644 README.md docs/*.md docs/*.png docs/attache-watch.service $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/examples/* $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 $(BUILD)/attache.bash $(DESTDIR)$(BASHCOMPDIR)/attache
	install -m 644 $(BUILD)/_attache $(DESTDIR)$(ZSHCOMPDIR)/_attache
	sed 's|/usr/local/bin/attache|$(PREFIX)/bin/attache|' docs/attache-watch.service \
		> $(DESTDIR)$(USERUNITDIR)/attache-watch.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/attache $(DESTDIR)$(PREFIX)/lib/libattache.* \
		$(DESTDIR)$(PREFIX)/include/attache.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/attache.pc
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/attache.1 $(DESTDIR)$(BASHCOMPDIR)/attache \
		$(DESTDIR)$(ZSHCOMPDIR)/_attache $(DESTDIR)$(USERUNITDIR)/attache-watch.service

C_TREE = src/lib/*.h src/lib/*/*.c src/lib/*/*.cc src/lib/*/*.h src/cli/*.c src/cli/*.h src/server/*.c src/server/*.h tests/unit/*.c \
	tests/unit/*.h tests/gen/*.c tests/fuzz/*.c tools/*.c docs/examples/*.c

format:
	clang-format -i $(C_TREE)

lint: all
	clang-format --dry-run -Werror $(C_TREE)
	@tools/layers.py $(BUILD) src/lib/LAYERS
	@tools/shape.py

clean:
	rm -rf build build-asan build-fuzz

# ---- tests ----
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/gen/*.c)
TOOL_BIN := $(TOOL_SRC:tests/gen/%.c=$(BUILD)/tests/%)

.PHONY: tests-bin
tests-bin: all $(UNIT_BIN) $(TOOL_BIN) $(BUILD)/options-md

# The option tables in docs/*.md, generated from the option table
# (tools/docs-options.py; tests/cli/test_options.py checks them).
$(BUILD)/options-md: tools/options-md.c $(BUILD)/libattache.a $(HDRS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libattache.a $(PKG_LIBS) -lm

docs: $(BUILD)/options-md
	@tools/docs-options.py $(BUILD)/options-md

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libattache.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libattache.a $(PKG_LIBS) -lm

# the corpus replay includes the fuzz targets' sources
$(BUILD)/tests/test-fuzz-corpus: $(wildcard tests/fuzz/fuzz-*.c)

# Fixture generators may also write HEIF with libheif (libvips' own dep).
GEN_PKGS  := libheif
GEN_FLAGS = $(shell pkg-config --cflags --libs $(GEN_PKGS))

$(BUILD)/tests/%: tests/gen/%.c $(BUILD)/libattache.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libattache.a $(PKG_LIBS) $(GEN_FLAGS) -lm

# The seeded mutation corpus of damaged photos at a larger size than make
# check's (tests/cli/test_mutants.py): every phone JPEG and HEIC as a base,
# SOAK_SEEDS seeds per bit-flip density; then every preset on every phone
# photo (make check runs three of them, tests/cli/test_prep.py).
SOAK_SEEDS ?= 6
.PHONY: soak
soak: deps
	@$(MAKE) --no-print-directory all
	@python3 tests/mutate.py --check $(BUILD)/attache --seeds $(SOAK_SEEDS) --all-phone $(BUILD)/soak
	@ATTACHE_SOAK=1 python3 tests/run.py --build $(BUILD) -k all_presets

# The figures in docs/faces.md (tools/faces-measure.py drives it).
$(BUILD)/faces-probe: tools/faces-probe.c $(BUILD)/libattache.a $(HDRS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libattache.a $(PKG_LIBS) -lm

# The salience cost in docs/presets.md ("Subjects that are not faces").
$(BUILD)/salient-probe: tools/salient-probe.c $(BUILD)/libattache.a $(HDRS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libattache.a $(PKG_LIBS) -lm
