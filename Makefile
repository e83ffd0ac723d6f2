# ipcgrade - one plain Makefile.
#
#   make            build build/ipcgrade
#   make demo       install what is missing, build, grade the sample submissions
#   make test       install what is missing, build, run every test
#   make asan       the tests again under AddressSanitizer + UBSan
#   make lint       cppcheck and clang-tidy
#   make fuzz       libFuzzer targets for the spec loader and the matchers
#   make bench      the benchmarks (start cost, tracing cost, batch grading, time_scale)
#   make bench-races  detection rates of the racy faulty submissions, with and without load
#   make report-screenshot  docs/report-screenshot.png, the class report of the demo class
#   make install    PREFIX=/usr/local DESTDIR=

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/ipcgrade
MANDIR    ?= $(PREFIX)/share/man
BUILD     ?= build
CC        ?= cc
SANITIZE  ?=

PKGS      := libseccomp yaml-0.1 jansson libpcre2-8 libelf nettle
TEST_PKGS := cmocka
# Debian packages that provide what the build and the tests need.
DEB_PKGS  := gcc make pkg-config clang libseccomp-dev libyaml-dev libjansson-dev \
             libpcre2-dev libelf-dev nettle-dev libcmocka-dev libxml2-utils \
             util-linux procps python3 patch \
             chromium similarity-tester slurm-wlm munge bubblewrap libbpf-dev bpftool

WARN      := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
             -Wformat=2 -Wno-format-nonliteral -Werror \
             -Wno-format-truncation  # we truncate on purpose, into bounded buffers
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Iharness -Igrader \
             -DIPCGRADE_VERSION='"$(VERSION)"' -DIPCGRADE_DATADIR='"$(DATADIR)"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS       = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# The eBPF counting backend (harness/ebpf.c, harness/bpf/): built when
# libbpf, bpftool and clang are there; without them ipcgrade uses the
# notify tracer only, and `ipcgrade doctor` says why.
BPFTOOL   ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
BPF_CLANG ?= $(shell command -v clang 2>/dev/null)
HAVE_EBPF := $(if $(and $(BPFTOOL),$(BPF_CLANG),$(shell pkg-config --exists libbpf 2>/dev/null && echo y)),y)
BPF_SKEL  := $(BUILD)/bpf/count.skel.h
ifeq ($(HAVE_EBPF),y)
ALL_CFLAGS += -DHX_HAVE_EBPF -I$(BUILD)/bpf -Iharness/bpf $(shell pkg-config --cflags libbpf)
LIBS       += $(shell pkg-config --libs libbpf)
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

HARNESS_SRC := $(wildcard harness/*.c)
# The command itself (argument parsing, help texts), not the grader library.
CLI_SRC     := grader/main.c $(wildcard grader/cli_*.c)
GRADER_SRC  := $(filter-out $(CLI_SRC),$(wildcard grader/*.c))
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/%.o)
GRADER_OBJ  := $(GRADER_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
E2E_SRC     := $(wildcard tests/e2e/test_*.c)
E2E_BIN     := $(E2E_SRC:tests/e2e/%.c=$(BUILD)/tests/%)
FIXTURE_SRC := $(wildcard tests/fixtures/*/*.c)
FIXTURE_BIN := $(FIXTURE_SRC:tests/fixtures/%.c=$(BUILD)/fixtures/%)
HOSTILE_SRC := $(wildcard tests/hostile/*.c)
HOSTILE_BIN := $(HOSTILE_SRC:tests/hostile/%.c=$(BUILD)/hostile/%)

IPCGRADE    := $(BUILD)/ipcgrade

.PHONY: all deps demo test unit e2e e2e-ebpf hostile selftest asan soak docker-test slurm-test report-screenshot lint fuzz fuzz-programs progfuzz-slice test-configs configs-quick bench bench-start bench-trace bench-batch bench-procs bench-timescale bench-races install clean
.DELETE_ON_ERROR:

all: $(IPCGRADE)

# Install missing build and test dependencies from the distribution
# (apt-get; through sudo when not root). Nothing happens when all are there.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "installing:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "error: missing packages:$$missing; install them as root (apt-get install$$missing)" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "error: missing packages:$$missing; this is not a Debian/Ubuntu system, install their equivalents" >&2; exit 1; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	{ echo "error: could not install:$$missing (apt-get install$$missing)" >&2; exit 1; }

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The BPF program, compiled for the kernel (CO-RE: relocated at load
# against the running kernel's BTF, none needed here), and its skeleton.
$(BUILD)/bpf/count.bpf.o: harness/bpf/count.bpf.c harness/bpf/count.h
	@mkdir -p $(@D)
	$(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 \
	  -I/usr/include/$(shell gcc -print-multiarch 2>/dev/null) -Iharness/bpf -c -o $@ $<

$(BPF_SKEL): $(BUILD)/bpf/count.bpf.o
	$(BPFTOOL) gen skeleton $< name count > $@

ifeq ($(HAVE_EBPF),y)
$(BUILD)/harness/ebpf.o: $(BPF_SKEL)
endif

# Archives are made afresh: an object of a file that was removed or
# renamed must not stay in them.
$(BUILD)/libharness.a: $(HARNESS_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/libgrader.a: $(GRADER_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(IPCGRADE): $(CLI_OBJ) $(BUILD)/libgrader.a $(BUILD)/libharness.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Unit and end-to-end tests (cmocka).
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libgrader.a $(BUILD)/libharness.a $(wildcard tests/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $(shell pkg-config --cflags cmocka) $(LDFLAGS) -o $@ $< \
	  $(BUILD)/libgrader.a $(BUILD)/libharness.a $(LIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tests/%: tests/e2e/%.c $(BUILD)/libgrader.a $(BUILD)/libharness.a $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $(shell pkg-config --cflags cmocka) $(LDFLAGS) -o $@ $< \
	  $(BUILD)/libgrader.a $(BUILD)/libharness.a $(LIBS) $(shell pkg-config --libs cmocka)

# Fixture and hostile programs are plain student-style C, built without
# our warning flags or sanitizers: they run inside the box.
$(BUILD)/fixtures/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	gcc -std=gnu11 -O0 -g -o $@ $< -pthread -lrt

$(BUILD)/hostile/%: tests/hostile/%.c
	@mkdir -p $(@D)
	gcc -std=gnu11 -O2 -o $@ $< -pthread -lrt

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh $(IPCGRADE)

# The suite runs the e2e and hostile subsets again as root with /dev/mqueue
# mounted and as an ordinary user (tests/configs/run.sh; `make
# test-configs` runs every configuration), and 300 generated programs, and
# ends with a check that the host is as it found it
# (tests/hostcheck.sh: /dev/shm, queues, SysV ids, box-uid processes, /tmp).
test: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD) && tests/hostcheck.sh snapshot $(BUILD)/hostcheck.before
	@rc=0; $(MAKE) --no-print-directory unit e2e hostile configs-quick progfuzz-slice selftest docker-test slurm-test || rc=1; \
	  tests/hostcheck.sh compare $(BUILD)/hostcheck.before || rc=1; exit $$rc

# The container image, where a Docker engine is reachable (SKIPPED otherwise).
docker-test:
	@if [ -n "$(SANITIZE)" ]; then echo "docker-test: SKIPPED under sanitizers (the image is built without them)"; \
	else docker/test.sh; fi

# Sharding on a real one-node Slurm (SKIPPED where it cannot start).
slurm-test: $(IPCGRADE)
	@if [ -n "$(SANITIZE)" ]; then echo "slurm-test: SKIPPED under sanitizers (the jobs would run the sanitized binary for minutes)"; \
	else tests/slurm/run.sh $(IPCGRADE); fi

# The README's picture of the class report: the demo class graded, its
# index.html in headless Chromium.
report-screenshot: $(IPCGRADE)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  tests/demo-class.sh "$$tmp/class" $(IPCGRADE) && \
	  $(IPCGRADE) grade pipe-messages -o "$$tmp/out" "$$tmp/class" >/dev/null && \
	  mkdir -p "$$tmp/profile" && \
	  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --hide-scrollbars --user-data-dir="$$tmp/profile" --window-size=1200,1500 \
	    --screenshot=docs/report-screenshot.png "file://$$tmp/out/index.html" 2>/dev/null && \
	  ls -l docs/report-screenshot.png

unit: $(UNIT_BIN)
	@tests/run-tests.sh $(UNIT_BIN)

e2e: $(IPCGRADE) $(E2E_BIN) $(FIXTURE_BIN)
	@IPCGRADE=$(abspath $(IPCGRADE)) FIXTURES=$(abspath $(BUILD)/fixtures) ARTIFACTS=$(abspath $(BUILD)) \
	  tests/run-tests.sh $(E2E_BIN)

# The end-to-end suite with the eBPF backend forced on for every traced
# run (make test's default, auto, uses it only where it pays: harness/
# ebpf.c); SKIPPED where it cannot be loaded.
e2e-ebpf: $(IPCGRADE) $(E2E_BIN) $(FIXTURE_BIN)
	@if ! why=$$(IPCGRADE_TRACER=ebpf $(IPCGRADE) run -- /bin/true 2>&1 >/dev/null); then \
	  echo "SKIPPED e2e-ebpf: $$why"; exit 0; fi; \
	IPCGRADE_TRACER=ebpf IPCGRADE=$(abspath $(IPCGRADE)) FIXTURES=$(abspath $(BUILD)/fixtures) \
	  ARTIFACTS=$(abspath $(BUILD)) tests/run-tests.sh $(E2E_BIN)

hostile: $(IPCGRADE) $(HOSTILE_BIN)
	@if [ -x tests/hostile/run.sh ]; then \
	  IPCGRADE=$(abspath $(IPCGRADE)) HOSTILE=$(abspath $(BUILD)/hostile) \
	  HOSTILE_SANITIZED=$(if $(SANITIZE),1,0) tests/hostile/run.sh; fi

selftest: $(IPCGRADE)
	@$(IPCGRADE) selftest assignments/*/

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined test

# The acceptance figures that take minutes: 100 runs of every
# not-a-deadlock fixture (none may be called a deadlock) and 20 times
# 20 jittered runs of the unlocked counter (each time some must fail).
soak: $(IPCGRADE) $(E2E_BIN) $(FIXTURE_BIN)
	IPCGRADE=$(abspath $(IPCGRADE)) FIXTURES=$(abspath $(BUILD)/fixtures) DEADLOCK_REPEAT=100 \
	  $(BUILD)/tests/test_deadlock
	IPCGRADE=$(abspath $(IPCGRADE)) RACE_ROUNDS=20 $(BUILD)/tests/test_race

# libFuzzer targets (clang): the spec loader and the output matchers.
# FUZZ_SECONDS per target; the corpus grows in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -Iharness -Igrader -DIPCGRADE_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS))
fuzz: deps
	@mkdir -p build/fuzz/corpus-spec build/fuzz/corpus-match
	clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_spec tests/fuzz/fuzz_spec.c $(GRADER_SRC) $(HARNESS_SRC) $(LIBS)
	clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_match tests/fuzz/fuzz_match.c $(GRADER_SRC) $(HARNESS_SRC) $(LIBS)
	build/fuzz/fuzz_spec -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  build/fuzz/corpus-spec tests/fuzz/corpus/spec
	build/fuzz/fuzz_match -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  -max_len=65536 build/fuzz/corpus-match tests/fuzz/corpus/match

# The configurations a fresh machine may have (tests/configs/run.sh):
# /dev/mqueue mounted or not, cgroup v1, v2 or none, root or an ordinary
# user, user namespaces refused. Each is simulated in a mount namespace.
test-configs: $(IPCGRADE) $(E2E_BIN) $(FIXTURE_BIN) $(HOSTILE_BIN)
	@IPCGRADE=$(abspath $(IPCGRADE)) BUILD=$(abspath $(BUILD)) HOSTILE_SANITIZED=$(if $(SANITIZE),1,0) tests/configs/run.sh
	@echo "== the end-to-end suite with IPCGRADE_TRACER=ebpf"
	@$(MAKE) --no-print-directory e2e-ebpf
configs-quick: $(IPCGRADE) $(E2E_BIN) $(FIXTURE_BIN) $(HOSTILE_BIN)
	@IPCGRADE=$(abspath $(IPCGRADE)) BUILD=$(abspath $(BUILD)) HOSTILE_SANITIZED=$(if $(SANITIZE),1,0) \
	  tests/configs/run.sh --quick root-mqueue user

# Generated hostile programs (tests/progfuzz/): every one in both isolation
# modes, each run checked for valid JSON, no internal_error, its time limit
# and a host left as it was. Failures print a seed to replay.
PROGFUZZ_COUNT ?= 10000
PROGFUZZ_SEED  ?=
fuzz-programs: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) tests/progfuzz/run.sh --count $(PROGFUZZ_COUNT) \
	  $(if $(PROGFUZZ_SEED),--master $(PROGFUZZ_SEED))
# make test's slice: 300 programs of a fixed master seed (PROGFUZZ_SEED to change it).
progfuzz-slice: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) tests/progfuzz/run.sh --count 300 --master $(or $(PROGFUZZ_SEED),1)

# The static analyzer's findings and bug-prone patterns; not the Annex K
# ("use snprintf_s") advice, which glibc does not provide.
TIDY_CHECKS = -checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-branch-clone,-bugprone-implicit-widening-of-multiplication-result' \
              -warnings-as-errors='*'
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr -Iharness -Igrader -ibuild -iharness/bpf harness grader
	@# One file per clang-tidy: clang 14's valist checker carries state from
	@# one file to the next and then reports va_start'ed lists as uninitialized.
	printf '%s\n' $(HARNESS_SRC) $(GRADER_SRC) $(CLI_SRC) | \
	  xargs -P $(shell nproc) -I{} clang-tidy --quiet $(TIDY_CHECKS) {} -- \
	  $(ALL_CFLAGS) -Wno-unknown-warning-option

# Benchmarks: measured, never asserted (these machines are shared).
bench: bench-start bench-trace bench-batch bench-procs bench-timescale
bench-start: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) BENCH_OUT=$(abspath $(BUILD))/bench bench/start.sh
bench-trace: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) BENCH_OUT=$(abspath $(BUILD))/bench bench/trace.sh
bench-procs: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) BENCH_OUT=$(abspath $(BUILD))/bench bench/procs.sh
bench-batch: $(IPCGRADE)
	bench/batch.sh $(IPCGRADE) $(BENCH_SUBMISSIONS)
bench-timescale: $(IPCGRADE)
	bench/timescale.sh $(IPCGRADE)
# Detection of every racy faulty submission over BENCH_GRADINGS gradings,
# with and without BENCH_LOAD spinning loops; cost of the correct ones.
BENCH_GRADINGS ?= 20
BENCH_LOAD ?= 2
bench-races: $(IPCGRADE)
	@IPCGRADE=$(abspath $(IPCGRADE)) bench/races.sh $(BENCH_GRADINGS) $(BENCH_LOAD)
BENCH_SUBMISSIONS ?= 200

install: $(IPCGRADE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/assignments
	install -m 755 $(IPCGRADE) $(DESTDIR)$(BINDIR)/ipcgrade
	cp -R assignments/. $(DESTDIR)$(DATADIR)/assignments/
	@if [ -f docs/ipcgrade.1 ]; then install -d $(DESTDIR)$(MANDIR)/man1 && \
	  install -m 644 docs/ipcgrade.1 $(DESTDIR)$(MANDIR)/man1/; fi

clean:
	rm -rf $(BUILD)

-include $(HARNESS_OBJ:.o=.d) $(GRADER_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
