# SPDX-License-Identifier: Apache-2.0
"""What the default-ruleset tests share: where the rules and their tests are, and
how to run saker test against the build tree."""
import glob
import json
import os
import re

import sakertest as st


def rules_file():
    return os.path.join(st.source_dir(), "rules", "saker_rules.yaml")


def test_files():
    return sorted(glob.glob(os.path.join(st.source_dir(), "rules", "tests", "saker_*.yaml")))


def rule_names():
    """The rules saker_rules.yaml defines (its items are written "- rule: NAME")."""
    with open(rules_file()) as f:
        return re.findall(r"^- rule: (.+?)\s*$", f.read(), re.M)


def config_args():
    """The build's copy of the shipped configuration, with the plugins of the build tree."""
    return ["-c", os.path.join(st.build_dir(), "saker.yaml"), "-o",
            "plugins_dir=" + st.plugins_dir()]


def run_test(args, files, timeout=600, **kw):
    return st.run_saker(["test"] + config_args() + list(args) + list(files), timeout=timeout, **kw)


def list_cases(files):
    p = st.run_saker(["test", "--list"] + list(files), check=True)
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped", re.M)


def summary(text):
    """(passed, failed, skipped) from the runner's summary line, or None."""
    m = SUMMARY.search(text)
    return tuple(int(x) for x in m.groups()) if m else None
