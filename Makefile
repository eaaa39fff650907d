# hiss: build, test, bench, fuzz, install. Every src/*.c except main.c goes
# into one library that the program, tests, benchmarks and fuzzers link.

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
PKGS = jack alsa sndfile samplerate ncursesw
DEB_PKGS = build-essential pkg-config libjack-jackd2-dev jackd2 libasound2-dev \
	libsndfile1-dev libsamplerate0-dev libncurses-dev tmux sox alsa-utils \
	clang libclang-rt-14-dev

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN = -Wall -Wextra -Werror -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	-pthread -MMD -MP -Isrc $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(PKG_LIBS) -lm

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

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
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

.PHONY: all test test-unit test-san tsan check bench run samples fuzz install \
	uninstall deps clean

.SECONDARY:

all: hiss

hiss: $(BUILD)/hiss
	cp $< $@

$(BUILD)/hiss: $(BUILD)/src/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/common/%.o: tests/common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFUZZ_TARGET='"$*"' $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Unit, audio-property and integration tests; the last line is the total.
test: $(BUILD)/hiss $(TEST_BIN) $(TOOL_BIN) $(FUZZ_REPLAY_BIN)
	@BUILD=$(BUILD) HISS=$(BUILD)/hiss tests/run.sh

test-san:
	$(MAKE) SAN=1 test

# The UI/audio thread stress test under ThreadSanitizer: a race fails it.
# Then the JACK per-channel ports changing under a running callback.
tsan:
	$(MAKE) TSAN=1 build-tsan/tests/test_stress_threads build-tsan/tests/test_audio_ports \
		build-tsan/tools/jackrec
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $${TSAN_OPTIONS:-}" \
		build-tsan/tests/test_stress_threads
	BUILD=build-tsan TSAN_OPTIONS="halt_on_error=1 exitcode=66 $${TSAN_OPTIONS:-}" \
		build-tsan/tests/test_audio_ports

# What CI runs: the tests, the same tests under ASan+UBSan, the thread
# stress test under TSan, a short fuzz.
check:
	@MAKE="$(MAKE)" tests/check.sh

bench: $(BENCH_BIN) $(BUILD)/hiss
	@for b in $(BENCH_BIN); do $$b || exit 1; done

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
