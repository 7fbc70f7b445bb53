# sealog: the two commands of the README, and a few helpers.
#
#   make run    install missing Debian packages, build, start sealogd
#   make test   install missing Debian packages, build, run the test suite
#
# Everything else is CMake (see CMakeLists.txt); this file only wraps it.

BUILD      ?= build
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
ARGS       ?=
FUZZ_SECONDS ?= 30

.PHONY: all run test deps build test-sanitize fuzz bench readme-config clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/node/sealogd $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_ARGS="-DSL_SANITIZE=ON $(CMAKE_ARGS)"

# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS.
fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSL_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

# Regenerates the configuration reference embedded in README.md.
readme-config: build
	@scripts/update-config-reference.sh ./$(BUILD)/node/sealogd README.md

clean:
	rm -rf build build-asan build-fuzz
