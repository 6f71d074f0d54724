# SPDX-License-Identifier: Apache-2.0
"""The default rule tests live, as root: saker test --live runs every case's
snippet under the live syscall source (one engine per test file) and every case
passes. Needs root and a kernel with BTF; skips otherwise, never under CI=true."""
import os
import sys

import sakertest as st

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration", "defaults"))
import defaultstest as dt  # noqa: E402


def main():
    st.require_root()
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        st.skip("the kernel has no BTF: the CO-RE driver cannot load")
    c = st.Checks("default rules live")
    files = dt.test_files()
    live = [k for k in dt.list_cases(files) if k["live"]]
    p = dt.run_test(["--live"], files, timeout=1100)
    print("\n".join(line for line in p.stdout.splitlines() if not line.startswith("PASS ")))
    c.check(p.returncode == 0, f"saker test --live exits 0 (got {p.returncode}): {p.stderr[-2000:]}")
    c.check(dt.summary(p.stdout) == (len(live), 0, 0),
            f"{len(live)} passed, 0 failed, 0 skipped (got {dt.summary(p.stdout)})")
    for k in live:
        c.check(f": {k['case']} [live]" in p.stdout, f"a line for {k['case']}")
    c.finish()


if __name__ == "__main__":
    main()
