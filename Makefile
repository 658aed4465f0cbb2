# slacksim: the CLI (bin/slacksim), the same CLI with the SDL2 window and the
# Redis/PostgreSQL clients linked in (bin/slacksim-full, which bin/slacksim
# runs for `viz` and `calibrate`), one CUnit suite (bin/slacksim-tests), plus
# bin/slacksim-mpi (the CLI with trials spread over MPI ranks) when Open MPI's
# development files are installed (pkg-config ompi-c).
# `make run` and `make test` bootstrap everything through `make deps`.

CC       ?= gcc
PKGS     := glib-2.0 libcjson cairo pangocairo
# Only the window needs SDL2; with its audio, X11 and Wayland libraries it
# (and libpq's Kerberos, LDAP and TLS) tripled the start-up time of every
# command, so bin/slacksim links neither (docs/performance.md).
WINDOW_PKGS := sdl2
TEST_PKGS := cunit
CSTD     := -std=c17 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wno-missing-field-initializers
OPT      ?= -O2 -g
BUILD    ?= build
SAN      ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(WINDOW_PKGS) $(TEST_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WINDOW_LIBS = $(shell pkg-config --libs $(WINDOW_PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

# Link-time optimisation for the default (release) tree only: it inlines the
# small cross-module accessors of the hot paths (docs/performance.md has the
# measurement); the sanitizer and fuzz trees stay without it. gcc-ar loads
# the LTO plugin that an archive of LTO objects needs.
ifeq ($(BUILD),build)
LTO      ?= -flto=auto
endif
AR_CMD   := $(if $(LTO),gcc-ar,ar)

CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(LTO) $(SAN) -I. $(PKG_CFLAGS) -MMD -MP
LDFLAGS_ALL = $(LTO) $(SAN) $(PKG_LIBS) -lm -lpthread

# One folder, one layer. The library is every layer but the CLI.
LIB_SRC  := $(wildcard sim/*.c) $(wildcard models/*.c) $(wildcard quiz/*.c) $(wildcard viz/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/*.c)

# MPI: the CLI compiled again with SLACKSIM_MPI, linked with libmpi.
MPI_PKG  := ompi-c
HAVE_MPI := $(shell pkg-config --exists $(MPI_PKG) 2>/dev/null && echo yes)
MPI_CFLAGS = $(shell pkg-config --cflags $(MPI_PKG) 2>/dev/null)
MPI_LIBS   = $(shell pkg-config --libs $(MPI_PKG) 2>/dev/null)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
MPI_OBJ  := $(filter-out $(BUILD)/mpi/cli/cli_viz.o $(BUILD)/mpi/cli/cli_calibrate.o,$(CLI_SRC:%.c=$(BUILD)/mpi/%.o))
# Two links of the same CLI objects: bin/slacksim leaves out the two commands
# that need the window or the server clients (its main.c hands them to
# bin/slacksim-full), bin/slacksim-full has every command.
DELEGATED_OBJ := $(BUILD)/cli/cli_viz.o $(BUILD)/cli/cli_calibrate.o
LEAN_OBJ := $(filter-out $(DELEGATED_OBJ),$(CLI_OBJ))
FULL_OBJ := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ)) $(BUILD)/full/cli/main.o
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libslacksim.a
BIN      := $(BUILD)/../bin/slacksim
TEST_BIN := $(BUILD)/../bin/slacksim-tests

ifeq ($(BUILD),build)
BIN      := bin/slacksim
TEST_BIN := bin/slacksim-tests
CHECK_BIN := bin/slacksim-redis-check
else
BIN      := $(BUILD)/bin/slacksim
TEST_BIN := $(BUILD)/bin/slacksim-tests
CHECK_BIN := $(BUILD)/bin/slacksim-redis-check
endif
MPI_BIN  := $(BIN)-mpi
FULL_BIN := $(BIN)-full
MPI_TARGET := $(if $(HAVE_MPI),$(MPI_BIN))

# tests/tools/: helpers the CLI tests run against real servers (hiredis).
CHECK_SRC := tests/tools/redis_expiry_check.c
CHECK_OBJ := $(CHECK_SRC:%.c=$(BUILD)/%.o)
REAL_PKGS := hiredis libpq
REAL_CFLAGS = $(shell pkg-config --cflags $(REAL_PKGS) 2>/dev/null)
REAL_LIBS   = $(shell pkg-config --libs $(REAL_PKGS) 2>/dev/null)

SCENARIO ?= scenarios/general_channel.json

.PHONY: all deps build run test test-unit test-cli test-window asan fuzz bench clean help docs

all: build

help:
	@echo "make run    - install dependencies, build, run $(SCENARIO)"
	@echo "make test   - install dependencies, build, run the whole suite"
	@echo "make asan   - the suite under AddressSanitizer + UBSan"
	@echo "make fuzz   - each libFuzzer harness for FUZZ_SECONDS (default 60; needs clang)"
	@echo "make bench  - the engine, M/M/1 and peak-hour benchmarks"
	@echo "make docs   - rerun the commands behind every figure the docs quote (12M runs too) and check them"
	@echo "make deps   - install missing Debian packages (idempotent)"
	@echo "make docs   - regenerate docs/output.md's tables from the metric registry"

deps:
	@sh .ci/deps.sh

build: $(BIN) $(FULL_BIN) $(TEST_BIN) $(CHECK_BIN) $(MPI_TARGET)

$(BUILD)/mpi/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DSLACKSIM_MPI $(MPI_CFLAGS) -c $< -o $@

$(BUILD)/full/cli/main.o: cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DSLACKSIM_FULL -c $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@# temp + rename: a concurrent link never sees a half-written archive
	rm -f $@.tmp && $(AR_CMD) rcs $@.tmp $^ && mv $@.tmp $@

# cli_calibrate.c talks to real servers (hiredis, libpq); nothing else links them.
$(BUILD)/cli/cli_calibrate.o: cli/cli_calibrate.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(REAL_CFLAGS) -c $< -o $@

$(BIN): $(LEAN_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LEAN_OBJ) $(LIB) $(LDFLAGS_ALL) -o $@

$(FULL_BIN): $(FULL_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(FULL_OBJ) $(LIB) $(LDFLAGS_ALL) $(WINDOW_LIBS) $(REAL_LIBS) -o $@

$(BUILD)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(REAL_CFLAGS) -c $< -o $@

$(CHECK_BIN): $(CHECK_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_OBJ) $(LIB) $(LDFLAGS_ALL) $(REAL_LIBS) -o $@

$(MPI_BIN): $(MPI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(MPI_OBJ) $(LIB) $(LDFLAGS_ALL) $(MPI_LIBS) -o $@

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_OBJ) $(LIB) $(LDFLAGS_ALL) $(WINDOW_LIBS) $(TEST_LIBS) -o $@

run: deps
	@$(MAKE) --no-print-directory build
	./$(BIN) run $(SCENARIO)

test: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory test-unit test-cli test-window

test-unit: $(TEST_BIN)
	./$(TEST_BIN)

test-cli: $(BIN) $(FULL_BIN) $(CHECK_BIN) $(MPI_TARGET)
	SLACKSIM=./$(BIN) sh tests/run_scripts.sh tests/cli cli

test-window: $(BIN) $(FULL_BIN)
	SLACKSIM=./$(BIN) sh tests/run_scripts.sh tests/window window

# Sanitizers: a separate build tree so the normal objects stay optimised.
# tests/lsan.supp says which library leaks LeakSanitizer leaves out, and why.
LSAN_ENV = LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  build-asan/bin/slacksim build-asan/bin/slacksim-full build-asan/bin/slacksim-tests build-asan/bin/slacksim-redis-check $(if $(HAVE_MPI),build-asan/bin/slacksim-mpi)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(LSAN_ENV) \
	  SLACKSIM_QUICK=1 ./build-asan/bin/slacksim-tests
	ASAN_OPTIONS=detect_leaks=1 $(LSAN_ENV) SLACKSIM=./build-asan/bin/slacksim sh tests/run_scripts.sh tests/cli cli

# Fuzzing: libFuzzer harnesses (tests/fuzz/fuzz_*.c) over the library built
# with clang in its own tree. Each harness runs FUZZ_SECONDS from the seed
# corpus in tests/fuzz/corpus/NAME (read only; new inputs go to
# build-fuzz/corpus/NAME) with GLib criticals fatal; a crash, a sanitizer
# report, a leak or a timeout stops `make fuzz` with a non-zero status and
# leaves the input in build-fuzz/crash-*. Reproduce one with
# build-fuzz/fuzz_NAME build-fuzz/crash-...
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_NAMES:%=build-fuzz/fuzz_%)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h build-fuzz/libslacksim.a
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer -I. $(PKG_CFLAGS) \
	  $< build-fuzz/libslacksim.a $(PKG_LIBS) -lm -lpthread -o $@

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libslacksim.a
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
	  mkdir -p build-fuzz/corpus/$$n || exit 1; \
	  echo "fuzz $$n: $(FUZZ_SECONDS) s"; \
	  G_DEBUG=fatal-criticals ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ./build-fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
	      -max_len=8192 -print_final_stats=1 -artifact_prefix=build-fuzz/ \
	      build-fuzz/corpus/$$n tests/fuzz/corpus/$$n >build-fuzz/fuzz_$$n.log 2>&1 \
	    || { tail -60 build-fuzz/fuzz_$$n.log; echo "fuzz $$n: FAILED (input in build-fuzz/crash-* or leak-*/timeout-*)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^Done' build-fuzz/fuzz_$$n.log | tr '\n' ' '; echo; \
	done

bench: deps
	@$(MAKE) --no-print-directory build
	sh bench/run_all.sh

# docs/output.md's tables regenerated from the metric registry, then every
# figure the docs quote rechecked against a fresh run of the command
# next to it (tests/tools/doc_figures.py); `make test` skips the 12M runs.
docs: $(BIN) $(FULL_BIN)
	SLACKSIM=./$(BIN) sh tests/tools/gen_output_doc.sh docs/output.md
	SLACKSIM=./$(BIN) python3 tests/tools/doc_figures.py docs/*.md

clean:
	rm -rf build build-asan build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/full/cli/main.d $(TEST_OBJ:.o=.d) $(CHECK_OBJ:.o=.d) $(MPI_OBJ:.o=.d)
