# SPDX-License-Identifier: Apache-2.0
"""Noise of the default ruleset under an ordinary build workload (root).

Runs saker live with the shipped configuration and rules/saker_rules.yaml while
a workload runs, then reports every alert by rule and priority, twice: for the
whole host, and for the processes of the workload alone (the workload runs with
SAKER_QUIET_RUN set, and a rules file loaded after saker_rules.yaml appends
%proc.env/%proc.aenv of that variable to every rule's output, so each alert says
whether the workload raised it). Fails when the workload raised an alert of
priority WARNING or above.

Workloads (--workload):
  unit     run the unit tests of the build (ctest -L unit) again and again (default)
  rebuild  configure and build the project from scratch in a scratch build
           directory, then run its unit tests, again and again

    sudo python3 tests/bench/defaults/quiet_run.py --build build --seconds 600 --workload rebuild

Outside ctest, --build names the build tree; --json FILE also writes the report as
JSON. Figures: the report prints the counts, the events the engine read and the
drops it counted, with the command line, so a run can be repeated elsewhere.
"""
import argparse
import collections
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import sakertest as st  # noqa: E402

PRIORITIES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational",
              "Debug"]
SERIOUS = set(PRIORITIES[:5])  # WARNING and above


def rule_names(path):
    with open(path) as f:
        return re.findall(r"^- rule: (.+?)\s*$", f.read(), re.M)


def scope_rules(names, path):
    """A rules file that appends the workload marker to the output of every rule."""
    with open(path, "w") as f:
        for n in names:
            quoted = n.replace("\\", "\\\\").replace('"', '\\"')
            f.write(f'- rule: "{quoted}"\n  output: "%proc.env[SAKER_QUIET_RUN] '
                    f'%proc.aenv[SAKER_QUIET_RUN]"\n  override:\n    output: append\n')


def workload_commands(kind, src, build, scratch):
    if kind == "unit":
        return [["ctest", "--test-dir", build, "-L", "unit", "-j2"]]
    return [["rm", "-rf", scratch],
            ["cmake", "-S", src, "-B", scratch, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
            ["cmake", "--build", scratch, "-j2"],
            ["ctest", "--test-dir", scratch, "-L", "unit", "-j2"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float,
                    default=float(os.environ.get("SAKER_QUIET_SECONDS", "60")))
    ap.add_argument("--workload", choices=["unit", "rebuild"],
                    default=os.environ.get("SAKER_QUIET_WORKLOAD", "unit"))
    ap.add_argument("--build", default=os.environ.get("SAKER_BUILD_DIR"))
    ap.add_argument("--json")
    a = ap.parse_args()
    st.require_root()
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        st.skip("the kernel has no BTF: the CO-RE driver cannot load")
    if not a.build:
        print("FAIL: give --build BUILD_DIR (or run through ctest)")
        sys.exit(1)
    build = os.path.abspath(a.build)
    src = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    rules = os.path.join(src, "rules", "saker_rules.yaml")
    saker = os.path.join(build, "core", "saker")
    work = tempfile.mkdtemp(prefix="skr-quiet-")
    token = secrets.token_hex(8)
    scope = os.path.join(work, "scope.yaml")
    names = rule_names(rules)
    scope_rules(names, scope)
    argv = [saker, "-c", os.path.join(build, "saker.yaml"), "-o",
            "plugins_dir=" + os.path.join(build, "plugins-out"), "-o", "json_output=true",
            "-r", rules, "-r", scope]
    out_path, err_path = os.path.join(work, "alerts"), os.path.join(work, "stderr")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        eng = subprocess.Popen(argv, stdout=out, stderr=err)

    def alerts():
        with open(out_path) as f:
            return [x for x in st.json_lines(f.read()) if "rule" in x]

    # The source runs once saker says so (the driver is attached during its open).
    st.wait_for(lambda: eng.poll() is not None or "running 1 event source" in open(err_path).read(),
                timeout=120, what="the live source")
    if eng.poll() is not None:
        print(open(err_path).read())
        sys.exit(1)
    env = dict(os.environ, SAKER_QUIET_RUN=token)
    scratch = os.path.join(work, "build")
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < a.seconds:
        for cmd in workload_commands(a.workload, src, build, scratch):
            left = a.seconds - (time.monotonic() - start)
            if left <= 0:
                break
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                p.wait(timeout=left)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        else:
            rounds += 1
    elapsed = time.monotonic() - start
    with open(f"/proc/{eng.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    eng.send_signal(signal.SIGTERM)
    eng.wait(timeout=300)
    with open(out_path) as f, open(err_path) as g:
        metrics = [x["saker_metrics"] for x in st.json_lines(f.read() + "\n" + g.read())
                   if "saker_metrics" in x]
    src_metrics = metrics[-1]["sources"]["syscall"] if metrics else {}

    all_alerts = alerts()
    ours = [x for x in all_alerts if token in x.get("output", "")]
    by_rule = collections.Counter((x["rule"], x["priority"]) for x in all_alerts)
    by_rule_ours = collections.Counter((x["rule"], x["priority"]) for x in ours)
    serious = [x for x in ours if x["priority"] in SERIOUS]
    report = {
        "command": " ".join(sys.argv),
        "workload": a.workload,
        "seconds": round(elapsed, 1),
        "completed_rounds": rounds,
        "rules": len(names),
        "events": src_metrics.get("events"),
        "saker_cpu_seconds": round(cpu_s, 2),
        "saker_cpu_share_of_one_core": round(cpu_s / elapsed, 4),
        "source_drops": src_metrics.get("source_drops"),
        "alerts_host": {f"{r} ({p})": n for (r, p), n in sorted(by_rule.items())},
        "alerts_workload": {f"{r} ({p})": n for (r, p), n in sorted(by_rule_ours.items())},
        "warning_or_above_workload": len(serious),
        "warning_or_above_host": len([x for x in all_alerts if x["priority"] in SERIOUS]),
    }
    print(json.dumps(report, indent=2))
    for x in [x for x in all_alerts if x["priority"] in SERIOUS][:20]:
        print("WARNING+:", x["rule"], "|", x["output"][:300])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
    shutil.rmtree(work, ignore_errors=True)
    if serious:
        print(f"FAIL: the workload raised {len(serious)} alerts of priority WARNING or above")
        sys.exit(1)
    print("quiet: no alert of priority WARNING or above from the workload")


if __name__ == "__main__":
    main()
