# SPDX-License-Identifier: Apache-2.0
"""Runs one rules fuzzer for a bounded time.

Seeds: the lines of seeds/conditions.txt (condition fuzzer) or the files of
seeds/rules and ../shared/corpus/rules (loader fuzzer), plus, for the
condition fuzzer, every expression of ../shared/corpus/filters/cases.jsonl,
read in place and written as seed files into the build tree.

usage: run_fuzz.py FUZZER OUT_DIR KIND [extra libFuzzer args...]
"""
import json
import os
import shutil
import subprocess
import sys

import sakertest as st


def main():
    fuzzer, out, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = sys.argv[4:]
    here = os.path.dirname(os.path.abspath(__file__))
    seeds = os.path.join(out, "seeds")
    shutil.rmtree(seeds, ignore_errors=True)
    os.makedirs(seeds)
    os.makedirs(os.path.join(out, "new"), exist_ok=True)
    dirs = [os.path.join(out, "new"), seeds]
    n = 0
    if kind == "condition":
        lines = []
        with open(os.path.join(here, "seeds", "conditions.txt"), encoding="utf-8") as f:
            lines += [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
        cases = os.path.join(st.corpus_dir("filters"), "cases.jsonl")
        with open(cases, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if not row.get("synthetic"):
                    lines.append(row["expression"])
        for text in dict.fromkeys(lines):
            with open(os.path.join(seeds, f"s{n:05d}"), "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
    else:
        dirs.append(os.path.join(here, "seeds", "rules"))
        dirs.append(st.corpus_dir("rules"))
    print(f"{kind}: {n} seeds written, seed dirs {dirs[1:]}", flush=True)
    p = subprocess.run([fuzzer, "-max_total_time=20", "-rss_limit_mb=2048", "-timeout=10",
                        "-error_exitcode=1", "-timeout_exitcode=1", "-print_final_stats=1",
                        "-artifact_prefix=" + out + "/"] +
                       extra + dirs)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
