# Lokaal Signaal — build.
#
#   make            build everything into $(BUILD)/
#   make deps       install the Debian packages that are missing (idempotent)
#   make test       deps + build + every test (unit, CLI, integration, short fuzz)
#   make check      the same tests built with AddressSanitizer + UBSan
#   make fuzz       long libFuzzer runs (FUZZ_SECONDS per target)
#   make bench      benchmarks; results in bench/RESULTS.md (BENCH="sync http": only those)
#   make demo       the local demo (see README)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     apply .clang-format
#   make V=1 ...    show full commands
#
# Sources are found by folder, so adding a module is adding a file:
#   common/ core/ view/ proto/ store/ node/ -> $(BUILD)/libsignaal.a
#   daemon/*.c except main.c     -> $(BUILD)/libsignaald.a
#   daemon/main.c                -> $(BUILD)/signaald
#   tools/NAME/*.c               -> $(BUILD)/NAME (one program per folder)
#   tests/unit/test_NAME.c       -> $(BUILD)/tests/test_NAME (cmocka)
#   tests/fuzz/fuzz_NAME.c       -> $(BUILD)/fuzz/fuzz_NAME (libFuzzer, clang)
#   bench/bench_NAME.c           -> $(BUILD)/bench/bench_NAME

CC      ?= cc
BUILD   ?= build
# One spelling of the build folder: tests/lib.sh makes BUILD absolute and
# docs.sh runs `make install` with it. An absolute path inside the
# checkout names the same objects as the relative one, so both makes read
# the same dependency files (-MMD writes the target as spelled): with two
# spellings each lost the other's header dependencies and linked stale
# objects beside new ones.
override BUILD := $(patsubst $(CURDIR)/%,%,$(BUILD))
OPT     ?= -O2 -g
SAN     ?=
PREFIX  ?= /usr/local
DESTDIR ?=
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
PKG_CONFIG ?= pkg-config

# nng 1.5.2 and GLPK 5.0 on Debian 12 ship no .pc file, so they are
# linked by name.
PKGS := libuv sqlite3 msgpack libsodium inih jansson libmicrohttpd
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lnng -lglpk -lpthread -lm
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# [http] web_dir's default: where `make install` puts web/.
CPPFLAGS += -DLS_WEB_DIR_DEFAULT='"$(PREFIX)/share/signaal/web"'
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) $(SAN) $(DEP_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_DIRS   := common core view proto store node
LIB_SRC    := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
DAEMON_SRC := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
# A tool folder is linked into a program once it holds its main(); its
# other files (e.g. a subcommand written before the main.c that dispatches
# to it) are compiled either way.
TOOL_DIRS  := $(patsubst %/,%,$(dir $(shell grep -lw '^int main' \
	$(wildcard tools/*/*.c) /dev/null)))
TOOLS      := $(sort $(notdir $(TOOL_DIRS)))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC  := $(wildcard bench/bench_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
TOOL_OBJS  := $(call obj,$(wildcard tools/*/*.c))
# The protocol's test-vector generator (tests/vectors/README.md).
VECTORGEN  := $(if $(wildcard tests/vectors/vectorgen.c),$(BUILD)/tests/vectorgen)

# Files of their own compiled into the library as C arrays (a stylesheet
# is CSS in a .css file, not a C string): view/bundle.css becomes
# view_bundle_css[] through tools/embed.sh.
EMBED_SRC  := view/bundle.css
EMBED_OBJS := $(patsubst %,$(BUILD)/obj/gen/%.o,$(EMBED_SRC))

LIBSIGNAAL := $(BUILD)/libsignaal.a
LIBDAEMON  := $(BUILD)/libsignaald.a
PROGRAMS   := $(if $(wildcard daemon/main.c),$(BUILD)/signaald) \
	$(addprefix $(BUILD)/,$(TOOLS))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
LINK_LIBS  := $(LIBDAEMON) $(LIBSIGNAAL)

.PHONY: all deps test test-run check fuzz fuzz-build fuzz-short bench \
	bench-run demo install format clean need-deps
.DEFAULT_GOAL := all
# Keep objects of test and bench programs (make would delete them as
# intermediates and rebuild them every time).
.SECONDARY:

all: need-deps $(PROGRAMS) $(TOOL_OBJS) $(UNIT_BINS) $(BENCH_BINS) \
	$(VECTORGEN)

need-deps:
	@$(PKG_CONFIG) --exists $(PKGS) cmocka || \
	  { echo "Missing libraries: run 'make deps' first (or 'make test')." >&2; exit 1; }

deps:
	$(Q)tools/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/%.css.c: %.css tools/embed.sh
	@mkdir -p $(dir $@)
	$(Q)sh tools/embed.sh $(subst /,_,$*)_css $< >$@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIBSIGNAAL): $(call obj,$(LIB_SRC)) $(EMBED_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBDAEMON): $(call obj,$(DAEMON_SRC))
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/signaald: $(call obj,daemon/main.c) $(LINK_LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

define tool_rule
$(BUILD)/$(1): $(call obj,$(wildcard tools/$(1)/*.c)) $(LINK_LIBS)
	@$$(if $(Q),echo "  LD      $$@")
	$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(DEP_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LINK_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS) $(TEST_LIBS)

$(BUILD)/tests/vectorgen: $(BUILD)/obj/tests/vectors/vectorgen.o $(LINK_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LINK_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# `make test` installs what is missing first, then re-reads this Makefile
# (so pkg-config sees the new packages), builds the normal and the fuzz
# trees side by side (one job per CPU unless a -j was given) and runs
# every test (tests/run.sh runs them side by side too: TEST_JOBS).
NPROC := $(shell nproc 2>/dev/null || echo 2)
TEST_MAKE = $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

test: deps
	$(Q)$(TEST_MAKE) test-run

test-run: all fuzz-build
	$(Q)BUILD=$(BUILD) tests/run.sh

check: deps
	$(Q)BROWSER_WAIT_SCALE=3 $(TEST_MAKE) BUILD=build/asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  test-run

# Fuzz targets: the library is rebuilt with clang and coverage
# instrumentation into its own folder; harnesses link with -fsanitize=fuzzer.
FUZZ_BUILD := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/bin/%,$(FUZZ_SRC))

fuzz-build: need-deps
	$(Q)$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=$(FUZZ_BUILD) \
	  OPT="-O1 -g" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins

.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

$(FUZZ_BUILD)/bin/%: $(BUILD)/obj/tests/fuzz/%.o $(LINK_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(CC) $(OPT) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(DEP_LIBS)

fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	$(Q)$(MAKE) --no-print-directory bench-run

bench-run: all
	$(Q)BUILD=$(BUILD) BENCH="$(BENCH)" bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) tools/demo.sh

# Programs into bin/, the example configs and the taxonomy into
# share/signaal/configs/, the README and docs/OPERATING.md there too, and the systemd unit
# (with PREFIX filled in) into lib/systemd/system/.
UNITDIR ?= $(PREFIX)/lib/systemd/system
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/signaal \
	  $(DESTDIR)$(PREFIX)/share/signaal/configs/nodes \
	  $(DESTDIR)$(PREFIX)/share/signaal/configs/demo $(DESTDIR)$(UNITDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 configs/taxonomy.tsv configs/signaald.service \
	  $(DESTDIR)$(PREFIX)/share/signaal/configs/
	install -m 0644 configs/nodes/*.ini $(DESTDIR)$(PREFIX)/share/signaal/configs/nodes/
	install -m 0644 configs/demo/* $(DESTDIR)$(PREFIX)/share/signaal/configs/demo/
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/signaal/
	install -d $(DESTDIR)$(PREFIX)/share/signaal/docs
	install -m 0644 docs/OPERATING.md $(DESTDIR)$(PREFIX)/share/signaal/docs/
	sed 's|/usr/local|$(PREFIX)|g' configs/signaald.service \
	  >$(DESTDIR)$(UNITDIR)/signaald.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/signaald.service
	# The web pages the node serves ([http] web_dir; docs/API.md).
	install -d $(DESTDIR)$(PREFIX)/share/signaal/web
	install -m 0644 web/* $(DESTDIR)$(PREFIX)/share/signaal/web/

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
