# hiss: build, test, bench, fuzz, install. Every .c under src/ except main.c goes
# into one library that the program, tests, benchmarks and fuzzers link.

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
PKGS = jack alsa sndfile samplerate ncursesw libxmp aubio libebur128 rubberband
DEB_PKGS = build-essential pkg-config libjack-jackd2-dev jackd2 libasound2-dev \
	libsndfile1-dev libsamplerate0-dev libncurses-dev tmux sox alsa-utils \
	clang libclang-rt-14-dev pipewire pipewire-bin pipewire-jack pipewire-alsa \
	wireplumber dbus libxmp-dev xmp openmpt123 libaubio-dev libebur128-dev \
	librubberband-dev

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# These are opened when first used (src/io/dynlib.h), not linked: every
# linked library is loaded at every start, also by the commands that never
# use it. libaubio alone loads over a hundred libraries (a tenth of a
# second); libjack, alsa-lib and librubberband cost a render 5 ms.
OPENED_PKGS = aubio jack alsa rubberband
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(OPENED_PKGS),$(PKGS)) 2>/dev/null)
# Tests, benchmarks and tools drive JACK and ALSA themselves (a second
# client, functions standing in for alsa-lib's): linked there.
AUDIO_LIBS := $(shell pkg-config --libs jack alsa 2>/dev/null)

OPT ?= -O2
CFLAGS ?= $(OPT) -g
# Fields left out of an initializer are zero, by C's rule: the parameter
# tables name only what differs from that (clang's -Wextra would refuse).
WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# No multiply fused into a later add: the engine's sums round each product
# on its own wherever they are taken (a voice added straight into the mix
# equals its bus's sum, mixer.h), with every compiler. (GCC's ISO C mode
# does so already; clang's default fuses.)
FP = -ffp-contract=off
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(FP) \
	-pthread -MMD -MP $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(PKG_LIBS) -ldl -lm

ifeq ($(SAN),1)
BUILD := build-san
EXTRA_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
EXTRA_LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(TSAN),1)
BUILD := build-tsan
EXTRA_CFLAGS += -O1 -fsanitize=thread -fno-omit-frame-pointer
EXTRA_LDFLAGS += -fsanitize=thread
endif

# Layers: one folder each under src/, lowest first. A folder's files see only
# the headers of the folders below it (LAYER_DIRS_x) and are compiled with
# tools/layers/no-* first on the include path, whose headers stop the build
# when a layer includes a library it may not use (LAYER_FORBID_x). So the
# layering is checked by the compiler, not by convention; tests/layers.sh
# proves that each forbidden include fails.
LAYERS = core engine edit io audio app ui cli
LAYER_DIRS_core = core
LAYER_DIRS_engine = $(LAYER_DIRS_core) engine
LAYER_DIRS_edit = $(LAYER_DIRS_engine) edit
LAYER_DIRS_io = $(LAYER_DIRS_engine) io
LAYER_DIRS_audio = $(LAYER_DIRS_edit) io audio
LAYER_DIRS_app = $(LAYER_DIRS_audio) app
LAYER_DIRS_ui = $(LAYER_DIRS_app) ui ui/pages
LAYER_DIRS_cli = $(LAYER_DIRS_ui) cli
LAYER_DIRS_main = $(LAYER_DIRS_cli)
ALL_LIBS_FORBID = curses jack alsa sndfile samplerate aubio rubberband ebur128 xmp
LAYER_FORBID_core = $(ALL_LIBS_FORBID)
LAYER_FORBID_engine = $(ALL_LIBS_FORBID)
LAYER_FORBID_edit = $(ALL_LIBS_FORBID)
LAYER_FORBID_io = curses jack alsa ebur128
LAYER_FORBID_audio = curses sndfile samplerate aubio rubberband ebur128 xmp
LAYER_FORBID_app = curses jack alsa
LAYER_FORBID_ui = jack alsa
LAYER_FORBID_cli = curses jack alsa
LAYER_FORBID_main = curses jack alsa
layer_flags = $(patsubst %,-Itools/layers/no-%,$(LAYER_FORBID_$(1))) \
	$(patsubst %,-Isrc/%,$(LAYER_DIRS_$(1)))
# Tests, benchmarks and tools see every layer.
ALL_LAYER_INC = $(patsubst %,-Isrc/%,$(LAYER_DIRS_main))

LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c src/$(l)/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
LIB := $(BUILD)/libhiss.a
TEST_COMMON_SRC := $(wildcard tests/common/*.c)
TEST_COMMON_OBJ := $(TEST_COMMON_SRC:tests/common/%.c=$(BUILD)/tests/common/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
TOOL_SRC := $(wildcard tools/*.c)
TOOL_BIN := $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
# Each fuzz target also becomes a test that replays its saved inputs.
FUZZ_REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/test_fuzz_replay_%)
FUZZ_SECONDS ?= 60

.PHONY: all test test-build test-unit test-san tsan tsan-build check bench run samples fuzz install \
	uninstall deps clean layer-probe

.SECONDARY:

all: hiss

hiss: $(BUILD)/hiss
	cp $< $@

$(BUILD)/hiss: $(BUILD)/src/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# The layer is the first folder under src/ (ui/pages is ui's).
layer_of = $(firstword $(subst /, ,$(patsubst $(BUILD)/src/%,%,$(1))))
$(BUILD)/src/main.o: src/main.c
	@mkdir -p $(dir $@)
	$(CC) $(call layer_flags,main) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(call layer_flags,$(call layer_of,$@)) $(ALL_CFLAGS) -c -o $@ $<

# The engine (the audio thread's work, and every render's) at -O3: GCC
# unrolls and vectorizes its loops further there, which renders the demo
# about a tenth faster. The sums are the same: -ffp-contract=off holds,
# and no -ffast-math lets a sum be taken in another order. (A sanitizer
# build's -O1 comes after and still wins.)
$(BUILD)/src/engine/%.o: OPT = -O3

# Compiles one file as if it lived in LAYER (make layer-probe LAYER=engine
# PROBE=file.c); tests/layers.sh uses it to show forbidden includes fail.
layer-probe:
	$(CC) $(call layer_flags,$(LAYER)) $(ALL_CFLAGS) -fsyntax-only $(PROBE)

$(BUILD)/tests/common/%.o: tests/common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) -Itests -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) -Itests $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(AUDIO_LIBS)

$(BUILD)/tests/test_fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) -DFUZZ_TARGET='"$*"' $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) -Itests $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(AUDIO_LIBS)

# bench_module measures the players' pitch with libaubio: linked, since
# the bench does not start often enough for its loading time to matter.
$(BUILD)/bench/bench_module: LIBS += $(shell pkg-config --libs aubio 2>/dev/null)

$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(AUDIO_LIBS)

# Unit, audio-property and integration tests; the last line is the total.
# test-build builds them without running them (tests/check.sh builds the
# sanitizer stages' while the plain stage's tests run).
test-build: $(BUILD)/hiss $(TEST_BIN) $(TOOL_BIN) $(FUZZ_REPLAY_BIN)

test: test-build
	@BUILD=$(BUILD) HISS=$(BUILD)/hiss tests/run.sh

test-san:
	LSAN_OPTIONS="suppressions=$(CURDIR)/tests/sanitizers/lsan.supp$${LSAN_OPTIONS:+:$$LSAN_OPTIONS}" \
		$(MAKE) SAN=1 test

# Under ThreadSanitizer, where a race fails the run: the UI/audio thread
# stress tests (engine level, and the editor's functions against the null
# device, directly and through the play session), the editor against a reader playing the song, the JACK
# per-channel ports changing under a running callback, and test_tsan_race,
# which shows this configuration does catch a race. Through tests/run.sh,
# so every binary's result is counted.
TSAN_TESTS = test_stress_threads test_edit_threads test_audio_ports test_tsan_race
tsan-build:
	$(MAKE) TSAN=1 $(TSAN_TESTS:%=build-tsan/tests/%) build-tsan/tools/jackrec

tsan: tsan-build
	@BUILD=build-tsan TSAN_OPTIONS="halt_on_error=1 exitcode=66 $${TSAN_OPTIONS:-}" \
		tests/run.sh $(TSAN_TESTS:%=build-tsan/tests/%)

$(BUILD)/tests/test_tsan_race: tests/tsan/test_tsan_race.c $(BUILD)/tests/common/test.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) -o $@ $^

# What CI runs: the tests, the same tests under ASan+UBSan, the thread
# tests under TSan, a short fuzz; tests/check.sh says which results are
# distinct checks and which are the same checks run again.
check:
	@MAKE="$(MAKE)" tests/check.sh

bench: $(BENCH_BIN) $(BUILD)/hiss $(BUILD)/bench/render_only $(BUILD)/bench/shape_cost
	@for b in $(BENCH_BIN); do $$b || exit 1; done
	@for s in tests/bench/*.sh; do HISS=$(BUILD)/hiss BUILD=$(BUILD) sh $$s || exit 1; done

# `hiss render` alone, for callgrind (tests/bench/callgrind_render.sh):
# linked with only the libraries a render uses, since libaubio pulls in
# libhwy, whose start-up code valgrind 3.19 cannot run.
RENDER_ONLY_PKGS = sndfile samplerate libxmp libebur128
$(BUILD)/bench/render_only: tests/bench/callgrind/render_only.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) $(ALL_LDFLAGS) -o $@ $^ -Wl,--as-needed \
		$(shell pkg-config --libs $(RENDER_ONLY_PKGS) 2>/dev/null) -lm

# The stress song plain or shaped, for callgrind (tests/bench/callgrind_shape.sh).
$(BUILD)/bench/shape_cost: tests/bench/callgrind/shape_cost.c $(BUILD)/tests/common/synth_song.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LAYER_INC) -Itests $(ALL_LDFLAGS) -o $@ $^ -lm

# Opens the demo in the editor (JACK, else ALSA, else silent null audio).
run: hiss
	./hiss patterns/demo.hiss

samples: $(BUILD)/tools/kitgen
	$(BUILD)/tools/kitgen samples

fuzz:
	@BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

install: hiss
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/hiss
	install -m 755 hiss $(DESTDIR)$(PREFIX)/bin/hiss
	install -m 644 man/hiss.1 $(DESTDIR)$(PREFIX)/share/man/man1/hiss.1
	if [ -f man/hiss.5 ]; then install -m 644 man/hiss.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/hiss.5; fi
	cp -r samples patterns $(DESTDIR)$(PREFIX)/share/hiss/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hiss $(DESTDIR)$(PREFIX)/share/man/man1/hiss.1 \
		$(DESTDIR)$(PREFIX)/share/man/man5/hiss.5
	rm -rf $(DESTDIR)$(PREFIX)/share/hiss

# Installs the Debian packages hiss needs when any is missing.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
			|| missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	else echo "deps: missing:$$missing"; \
		echo "run: sudo apt-get install$$missing"; exit 1; fi

clean:
	rm -rf build build-san build-tsan build-fuzz hiss

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
# Test helpers, tests and benchmarks see the headers too (a changed struct
# must rebuild them, not leave them with the old layout).
-include $(TEST_COMMON_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d)
