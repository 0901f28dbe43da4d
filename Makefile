# SPDX-License-Identifier: MIT
# digestd build. Honours CC, CPPFLAGS, CFLAGS, LDFLAGS, LDLIBS, PKG_CONFIG,
# PREFIX, DESTDIR and CROSS_COMPILE; our own required flags live in ALL_CFLAGS
# so that a packager's CFLAGS= cannot drop them.

# Board builds: ARCH=arm64|armhf|armv6 picks the toolchain prefix, a Debian sysroot
# (made by tools/deps.sh) and the qemu-user command the tests run under.
ARCH ?=
KNOWN_ARCHS = arm64 armhf armv6
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
QEMU ?= qemu-aarch64
else ifeq ($(ARCH),armhf)
CROSS_COMPILE ?= arm-linux-gnueabihf-
QEMU ?= qemu-arm
else ifeq ($(ARCH),armv6)
# Pi Zero/1: Debian's armel toolchain and sysroot (armhf is ARMv7-only).
CROSS_COMPILE ?= arm-linux-gnueabi-
QEMU ?= qemu-arm -cpu arm1176
else ifneq ($(ARCH),)
$(error ARCH=$(ARCH): use one of $(KNOWN_ARCHS), or CROSS_COMPILE= alone)
endif
# LIBC=musl (with ARCH): static programs on Debian's musl, linked with the
# libraries `make firmware LIBC=musl` builds (tools/firmware.sh makes the
# sysroot, the specs file and the library prefix named here); the tests run
# them under plain qemu-user. LIBC=glibc: the dynamic build on Debian's sysroot.
LIBC ?= glibc
ifeq ($(LIBC),musl)
ifeq ($(ARCH),)
$(error LIBC=musl needs ARCH=arm64|armhf|armv6)
endif
MUSL_PREFIX = build/firmware-src/$(ARCH)-musl/prefix
SYSROOT =
BUILD ?= build/$(ARCH)-musl
# -static for gcc itself (a specs file cannot say it): else a PIE link
# with a dynamic loader.
CC = $(CROSS_COMPILE)gcc -specs=$(abspath build/sysroot-musl-$(ARCH))/musl.specs -static
DEP_CFLAGS = -I$(MUSL_PREFIX)/include
DEP_LIBS = $(addprefix $(MUSL_PREFIX)/lib/,libcurl.a libmbedtls.a libmbedx509.a libmbedcrypto.a libz.a) \
	build/sysroot-$(ARCH)/usr/lib/$(patsubst %-,%,$(CROSS_COMPILE))/libinih.a -lpthread
TEST_WRAPPER ?= $(QEMU)
else ifneq ($(LIBC),glibc)
$(error LIBC=$(LIBC): use glibc or musl)
endif
ifneq ($(ARCH),)
SYSROOT ?= build/sysroot-$(ARCH)
BUILD ?= build/$(ARCH)$(if $(filter 1,$(SAN)),-san)
TEST_WRAPPER ?= $(QEMU) -L $(abspath $(SYSROOT))
endif
SYSROOT_FLAGS = $(if $(SYSROOT),--sysroot=$(SYSROOT))

CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC = $(CROSS_COMPILE)gcc
endif
# Cross pkg-config: <triplet>-pkg-config if installed, else the host's; read
# the sysroot's .pc files (or multiarch ones when there is no sysroot).
ifneq ($(CROSS_COMPILE),)
CROSS_PKG_CONFIG := $(shell command -v $(CROSS_COMPILE)pkg-config 2>/dev/null)
PKG_CONFIG_DIRS = $(SYSROOT)/usr/lib/$(patsubst %-,%,$(CROSS_COMPILE))/pkgconfig:$(SYSROOT)/usr/share/pkgconfig
PKG_CONFIG ?= $(if $(SYSROOT),env PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) PKG_CONFIG_LIBDIR=$(PKG_CONFIG_DIRS),$(if $(CROSS_PKG_CONFIG),,env PKG_CONFIG_LIBDIR=$(PKG_CONFIG_DIRS))) $(or $(CROSS_PKG_CONFIG),pkg-config)
endif
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
CLANG ?= clang
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=
CFLAGS ?= -O2 -g
SAN ?= 0

ifeq ($(SAN),1)
BUILD ?= build/san
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS =
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla \
       -Wold-style-definition
ifeq ($(CI),true)
WARN += -Werror
endif

# Debian's mbedtls 2.28 ships no .pc file, hence the plain -l flags.
DEP_PKGS = libcurl inih
ifneq ($(LIBC),musl)
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(DEP_PKGS) 2>/dev/null) -lmbedtls -lmbedx509 -lmbedcrypto
endif

# 64-bit off_t and readdir on 32-bit targets too: without it armhf readdir
# fails with EOVERFLOW on 64-bit directory cookies (NFS, overlayfs, and ext4
# under qemu-user on a 64-bit host).
ALL_CPPFLAGS = -Isrc -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(SAN_FLAGS) $(SYSROOT_FLAGS) $(DEP_CFLAGS) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN_FLAGS) $(SYSROOT_FLAGS) $(LDFLAGS)
# libm is ours (story grouping's log and sqrt), not a dependency's: kept
# here so that a DEP_LIBS= override (tools/firmware.sh) still links it.
ALL_LDLIBS = $(LDLIBS) $(DEP_LIBS) -lm

LIB_SRC := $(sort $(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60

# Keep the test programs' objects: make would otherwise delete them as
# intermediates after each link and say so in the middle of the suite.
.SECONDARY:

.PHONY: all deps run check check-only eval bench fuzz install clean lint
# No fault shims on musl: a static program cannot preload them (tests/cli/diskfull.sh,
# clock.sh).
all: $(BUILD)/digestd $(BUILD)/digest-sink $(UNIT_BIN) $(FUZZ_REPLAY) \
	$(if $(filter musl,$(LIBC)),,$(BUILD)/tests/libenospc.so $(BUILD)/tests/libclockshift.so)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/digestd: $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# The same program linked after N bytes of padding (tools/layout-pad.c), for
# make bench-libc: its code moved against the pages, which under qemu-user
# moves the speed as much as the libc does.
$(BUILD)/digestd-pad%: $(MAIN_OBJ) $(LIB_OBJ) tools/layout-pad.c
	$(CC) $(ALL_CFLAGS) -DPAD_BYTES=$* -c -o $(BUILD)/obj/layout-pad$*.o tools/layout-pad.c
	$(CC) $(ALL_LDFLAGS) -Wl,-u,layout_pad -o $@ $(BUILD)/obj/layout-pad$*.o $(MAIN_OBJ) $(LIB_OBJ) $(ALL_LDLIBS)

# The test and demo HTTPS receiver (docs/sink.md); its request reader is a
# module of its own, which the fuzz target fuzz_sink links too.
$(BUILD)/digest-sink: $(BUILD)/obj/tools/digest-sink.o $(BUILD)/obj/tools/sink_req.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Fuzz targets built without libFuzzer: replay committed corpora and crash
# inputs under the normal test run (and under SAN=1).
$(BUILD)/tests/replay_%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
$(BUILD)/tests/replay_fuzz_sink: $(BUILD)/obj/tools/sink_req.o

# The disk-full test's fault injector (tests/cli/diskfull.sh), preloaded into
# digestd: the target's compiler, but no sanitizer (it is not the first
# library loaded) and no _FILE_OFFSET_BITS (it defines open and open64 both).
$(BUILD)/tests/libenospc.so: tests/fault/enospc.c tests/fault/mode_arg.h
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) $(SYSROOT_FLAGS) $(CFLAGS) -shared -fPIC -o $@ $< $(LDFLAGS) -ldl

# The clock test's wall-clock shifter (tests/cli/clock.sh), built like the
# disk-full shim.
$(BUILD)/tests/libclockshift.so: tests/fault/clockshift.c tests/fault/mode_arg.h
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) $(SYSROOT_FLAGS) $(CFLAGS) -shared -fPIC -o $@ $< $(LDFLAGS) -ldl

deps:
ifeq ($(LIBC),musl)
	@sh tools/firmware.sh $(ARCH) musl
else
	@sh tools/deps.sh $(ARCH) $(if $(ARCH),$(SYSROOT))
endif

# DEP_CFLAGS need the sysroot when make reads this file: a missing one is made
# through this included file, after which make starts over and finds it.
ifneq ($(ARCH),)
ifeq ($(wildcard $(SYSROOT)/usr/include)$(filter musl,$(LIBC)),)
-include $(BUILD)/sysroot.mk
$(BUILD)/sysroot.mk:
	sh tools/deps.sh $(ARCH) $(SYSROOT)
	@mkdir -p $(@D) && echo '# $(SYSROOT) made by tools/deps.sh' >$@
endif
endif

# Targets that install the libraries first build in a second make, which
# reads their pkg-config flags only once tools/deps.sh has installed them.
run: deps
	@$(MAKE) --no-print-directory $(BUILD)/digestd $(BUILD)/digest-sink
	@sh tools/run-demo.sh $(BUILD)/digestd

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-only

check-only:
	@DIGESTD=$(BUILD)/digestd BUILD=$(BUILD) TEST_WRAPPER="$(TEST_WRAPPER)" TEST_LIBC=$(LIBC) \
		sh tests/run.sh $(UNIT_BIN) $(FUZZ_REPLAY)

# The evaluation against the corpora in ../shared/data (tests/eval/*.sh):
# feeds against a reference parser, HTML pages against readability-lxml and
# the summariser against Lead-3 and OTS, story grouping against two
# baselines. Reports land in $(BUILD)/eval/.
eval: deps
	@$(MAKE) --no-print-directory $(BUILD)/digestd
	@DIGESTD=$(BUILD)/digestd BUILD=$(BUILD) TEST_WRAPPER="$(TEST_WRAPPER)" SCRIPTS=tests/eval \
		sh tests/run.sh

# Stripped digestd and the shared libraries it loads: the native build and
# every board build present, or ARCH's alone.
.PHONY: size size-one size-firmware
size:
ifeq ($(ARCH),)
	@$(MAKE) --no-print-directory size-one
	@for a in $(patsubst build/%/digestd,%,$(wildcard $(KNOWN_ARCHS:%=build/%/digestd))); do \
		$(MAKE) --no-print-directory size-one ARCH=$$a BUILD=build/$$a || exit; done
	@for a in $(patsubst build/firmware-%-musl/digestd,%,$(wildcard $(KNOWN_ARCHS:%=build/firmware-%-musl/digestd))); do \
		$(MAKE) --no-print-directory size-firmware ARCH=$$a LIBC=musl || exit; done
	@for a in $(patsubst build/firmware-%/digestd,%,$(wildcard $(KNOWN_ARCHS:%=build/firmware-%/digestd))); do \
		$(MAKE) --no-print-directory size-firmware ARCH=$$a LIBC=glibc || exit; done
else
	@$(MAKE) --no-print-directory size-one
	@if [ -f build/firmware-$(ARCH)-musl/digestd ]; then $(MAKE) --no-print-directory size-firmware LIBC=musl; fi
	@if [ -f build/firmware-$(ARCH)/digestd ]; then $(MAKE) --no-print-directory size-firmware LIBC=glibc; fi
endif

# The static build of `make firmware` (targets: at most 2 MB stripped on
# glibc, 1,000,000 bytes on musl).
size-firmware:
ifeq ($(LIBC),musl)
	@CROSS_COMPILE=$(CROSS_COMPILE) SYSROOT=build/sysroot-musl-$(ARCH) LIMIT=1000000 \
		sh tools/size.sh firmware-$(ARCH)-musl build/firmware-$(ARCH)-musl/digestd
else
	@CROSS_COMPILE=$(CROSS_COMPILE) SYSROOT=$(SYSROOT) LIMIT=2097152 sh tools/size.sh firmware-$(ARCH) build/firmware-$(ARCH)/digestd
endif

size-one: $(BUILD)/digestd
	@CROSS_COMPILE=$(CROSS_COMPILE) SYSROOT=$(SYSROOT) sh tools/size.sh $(or $(ARCH),native) $(BUILD)/digestd

# A fully static digestd per board (tools/firmware.sh), and an emulated
# board booting it under systemd and pushing to digest-sink (tools/boot-test.sh).
# The firmware's libc is musl unless LIBC= is given (README, Firmware: its
# binary and peak RSS meet the targets); LIBC's own default, glibc, stays for
# the dynamic builds.
FIRMWARE_LIBC = $(if $(filter command line environment%,$(origin LIBC)),$(LIBC),musl)
.PHONY: firmware boot-test
firmware:
	@sh tools/firmware.sh $(or $(ARCH),arm64) $(FIRMWARE_LIBC)

boot-test:
	@sh tools/boot-test.sh $(or $(ARCH),arm64) $(FIRMWARE_LIBC)

# The HTML digest (tools/html-page.sh) in headless Chromium at 375 and 1,280
# px, light and dark, into docs/img/; committed once, shown in docs/digest.md.
.PHONY: screenshots
screenshots: deps
	@$(MAKE) --no-print-directory $(BUILD)/digestd $(BUILD)/digest-sink
	@mkdir -p docs/img
	@DIGESTD=$(BUILD)/digestd BUILD=$(BUILD) sh tools/html-page.sh digest $(BUILD)/screenshots.html
	@for s in light dark; do \
		sh tools/html-page.sh shot $(BUILD)/screenshots.html 375 1000 $$s docs/img/digest-375-$$s.png && \
		sh tools/html-page.sh shot $(BUILD)/screenshots.html 1280 800 $$s docs/img/digest-1280-$$s.png || exit; \
	done
	@ls -l docs/img/digest-*.png

bench: deps
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/digestd $(BUILD)/digest-sink
	@sh tools/bench.sh $(BUILD)/digestd
	@python3 tools/bench-memory.py $(BUILD)/digestd
	@sh tools/bench-daemon.sh $(BUILD)/digestd
	@python3 tools/bench-cycle.py $(BUILD)/digestd $(BENCH_CYCLE)

# `digestd summarize` under qemu-user, glibc firmware against musl firmware
# (tools/bench-libc.sh; both built first, each also linked with its code
# moved by 1, 2 and 3 KiB).
.PHONY: bench-libc
bench-libc:
	@LAYOUT_PADS="1024 2048 3072" sh tools/firmware.sh $(or $(ARCH),arm64) glibc
	@LAYOUT_PADS="1024 2048 3072" sh tools/firmware.sh $(or $(ARCH),arm64) musl
	@sh tools/bench-libc.sh $(or $(ARCH),arm64) "$(or $(QEMU),qemu-aarch64)"

# One cycle over 1,000 loopback feeds, one transfer at a time and concurrently
# (docs/bench.md), alone: make bench-cycle [BENCH_CYCLE="--quick --transfers 8"].
.PHONY: bench-cycle
BENCH_CYCLE ?=
bench-cycle: deps
	@$(MAKE) --no-print-directory $(BUILD)/digestd $(BUILD)/digest-sink
	@python3 tools/bench-cycle.py $(BUILD)/digestd $(BENCH_CYCLE)

# libFuzzer builds: clang, ASan+UBSan. The library objects are compiled once
# with the fuzzer's coverage instrumentation (but not its main) and linked
# into every target, instead of being compiled again for each.
FUZZ_CFLAGS = -std=c11 -g -O1 -fsanitize=address,undefined $(DEP_CFLAGS) $(ALL_CPPFLAGS)
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(FUZZ_OBJ)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(DEP_LIBS) -lm
build/fuzz/fuzz_sink: build/fuzz/obj/tools/sink_req.o

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@sh tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# The unit and the example config name the installed paths; an existing
# config or signing key is never replaced (the unit's LoadCredential= reads
# the key written here). systemd keeps ConfigurationDirectory= under /etc
# whatever is asked: with another SYSCONFDIR the unit goes without it (it
# would only make an empty /etc/digestd), and install says so.
OTHER_SYSCONFDIR = $(filter-out /etc /etc/,$(SYSCONFDIR))
install: $(BUILD)/digestd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/digestd
	install -m 0755 $(BUILD)/digestd $(DESTDIR)$(BINDIR)/digestd
	sed -e 's|/usr/bin/digestd|$(BINDIR)/digestd|g' -e 's|/etc/digestd|$(SYSCONFDIR)/digestd|g' \
		$(if $(OTHER_SYSCONFDIR),-e '/^ConfigurationDirectory=/d') \
		firmware/digestd.service >$(DESTDIR)$(UNITDIR)/digestd.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/digestd.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/digestd.service.tmp $(DESTDIR)$(UNITDIR)/digestd.service
	install -m 0644 docs/man/digestd.8 $(DESTDIR)$(MANDIR)/man8/digestd.8
	install -m 0644 docs/man/digestd.ini.5 $(DESTDIR)$(MANDIR)/man5/digestd.ini.5
	[ -e $(DESTDIR)$(SYSCONFDIR)/digestd/digestd.ini ] || { \
		sed -e 's|/etc/digestd|$(SYSCONFDIR)/digestd|g' config/digestd.ini \
			>$(DESTDIR)$(SYSCONFDIR)/digestd/digestd.ini && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/digestd/digestd.ini; }
	sh tools/signing-key.sh $(DESTDIR)$(SYSCONFDIR)/digestd/signing-key
	$(if $(OTHER_SYSCONFDIR),@echo 'install: SYSCONFDIR=$(SYSCONFDIR): the unit has no ConfigurationDirectory= (systemd keeps it under /etc); it reads $(SYSCONFDIR)/digestd')

lint:
	@sh tools/lint.sh

clean:
	rm -rf build

# Only our own objects' dependency files: build/ also holds sysroots and
# images whose files may end in .d.
-include $(shell find $(BUILD)/obj build/fuzz/obj -name '*.d' -type f 2>/dev/null)
