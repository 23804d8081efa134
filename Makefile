# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
# The contributor loop: build, test, lint, bench, demo. See CONTRIBUTING.md.

JOBS ?= $(shell nproc)
BUILD ?= build
SAN_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 4000
CMAKE_FLAGS ?=

.PHONY: setup build build-sanitize test test-unit test-sanitize fuzz-smoke lint bench demo clean

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(SAN_BUILD)/build.ninja:
	cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKARS_SANITIZE=ON \
	    -DKARS_BENCH=OFF $(CMAKE_FLAGS)

build-sanitize: $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS)

# make test: set up, build, run every test in the normal build, then again under ASan+UBSan,
# then run each fuzzer briefly.
test: setup
	$(MAKE) test-unit
	$(MAKE) test-sanitize
	$(MAKE) fuzz-smoke

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: build-sanitize
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

$(FUZZ_BUILD)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DKARS_FUZZ=ON -DKARS_TESTS=OFF -DKARS_BENCH=OFF $(CMAKE_FLAGS)

fuzz-smoke: $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) scripts/fuzz-smoke $(FUZZ_BUILD)/bin

lint: $(BUILD)/build.ninja
	ci/check-headers
	ci/check-file-size
	ci/check-format
	ci/check-no-handmade-crypto
	ci/check-tidy $(BUILD)

bench: setup build
	scripts/bench-router $(BUILD)/bin

demo: setup build
	scripts/demo $(BUILD)/bin

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
