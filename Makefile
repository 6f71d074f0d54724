# SPDX-License-Identifier: Apache-2.0
# The two set-up commands of the README:
#   sudo make run   install dependencies, build, install, run saker with the
#                   embedded default config
#   make test       install dependencies, build normally and with
#                   ASan+UBSan, run every test through ctest
# Everything else here is a step of those two.

BUILD      ?= build
ASAN_BUILD ?= build-asan
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps build build-asan test test-normal test-asan run install clean format

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

$(ASAN_BUILD)/Makefile:
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSAKER_SANITIZE=ON -DSAKER_FUZZ=ON \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Every test in the normal build, then every test but the benchmarks under the sanitizers.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j 2 $(CTEST_ARGS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 -LE bench $(CTEST_ARGS)

test-normal: build
	cd $(BUILD) && ctest --output-on-failure $(CTEST_ARGS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -LE bench $(CTEST_ARGS)

install: build
	cmake --install $(BUILD)

run: install
	$(PREFIX)/bin/saker

format:
	git ls-files '*.c' '*.h' | grep -v vmlinux | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
