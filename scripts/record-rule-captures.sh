#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Records the captures of Saker's rule tests (rules/tests/captures/*.cap.gz) again
# from the live snippets of the test files, as root: saker test --record runs the
# snippets under the live syscall source, keeps only the events of the tests' own
# threads, writes the compressed captures, then replays them to check them.
#
#   sudo scripts/record-rule-captures.sh [BUILD_DIR] [TEST_FILE...]
#
# BUILD_DIR defaults to ./build (make build); TEST_FILE defaults to every
# rules/tests/saker_*.yaml. The runner starts with an empty environment so that no
# variable of the caller ends up in a committed capture.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
if [ $# -gt 0 ] && [ -d "$1" ]; then
    build=$(cd "$1" && pwd)
    shift
fi
if [ "$(id -u)" != 0 ]; then
    echo "record-rule-captures: the live snippets need root (run it with sudo)" >&2
    exit 1
fi
if [ ! -x "$build/core/saker" ]; then
    echo "record-rule-captures: $build/core/saker not found: build first (make build)" >&2
    exit 1
fi
if [ $# -eq 0 ]; then
    set -- "$top"/rules/tests/saker_*.yaml
fi
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
    "$build/core/saker" test --record -c "$build/saker.yaml" -o "plugins_dir=$build/plugins-out" "$@"
