#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The shipped saker.yaml states every default; versions; the option listing."""
import json
import os

import sakertest
from coretest import saker

c = sakertest.Checks("core defaults")

# the embedded configuration and the configured file in the build tree
p = saker(["--check-config"])
c.check(p.returncode == 0 and "every option is stated with its default" in p.stdout,
        f"--check-config: {p.returncode} {p.stdout} {p.stderr}")
built = os.path.join(sakertest.build_dir(), "saker.yaml")
p = saker([f"--check-config={built}"])
c.check(p.returncode == 0, f"--check-config={built}: {p.stdout} {p.stderr}")
# a file that differs is reported key by key
other = os.path.join(sakertest.build_dir(), "saker-defaults-test.yaml")
with open(built) as f, open(other, "w") as g:
    g.write(f.read().replace("json_output: false", "json_output: true"))
p = saker([f"--check-config={other}"])
c.check(p.returncode == 1 and "json_output: true, but the default is false" in p.stdout,
        f"differences: {p.stdout}")
os.unlink(other)

# every key of the listing is in the shipped file
p = saker(["--list-config", "-o", "json"])
opts = json.loads(p.stdout)
names = {o["name"] for o in opts}
for key in ("rules_files", "plugins", "load_plugins", "priority", "json_output",
            "json_include_output_property", "json_include_tags_property",
            "time_format_iso_8601", "stdout_output.enabled", "file_output.filename",
            "outputs_queue.capacity", "log_level", "config_files", "plugins_dir",
            "metrics.interval"):
    c.check(key in names, f"--list-config lacks {key}")
c.check(any(o["name"] == "engine" and o["type"] == "ignored" for o in opts),
        "Falco's engine key is listed as accepted and ignored")
# the configuration reference documents every key
with open(os.path.join(sakertest.source_dir(), "docs", "config.md")) as f:
    doc = f.read()
for o in opts:
    c.check(f"`{o['name']}`" in doc, f"docs/config.md does not document `{o['name']}`")
p = saker(["--list-config"])
c.check("outputs_queue.capacity" in p.stdout and "default: 16384" in p.stdout, "text listing")

# versions
p = saker(["--version"])
c.check(p.returncode == 0, "--version exit code")
for want in ("Saker version: 0.1.0", "Plugin API version: 3.12.0",
             "Saker plugin extensions version: 1.2.0", "Rule engine version: 0.63.0",
             "Falco rule language of Falco 0.44"):
    c.check(want in p.stdout, f"--version lacks {want!r}: {p.stdout}")
p = saker(["--version", "-o", "json"])
v = json.loads(p.stdout)
c.check(v["plugin_api_version"] == "3.12.0" and v["engine_version"] == "0.63.0" and
        v["saker_version"] == "0.1.0", f"--version json: {v}")

# usage errors
p = saker(["--no-such-flag"])
c.check(p.returncode == 1 and "Usage: saker" in p.stderr, "unknown flag")
p = saker(["frobnicate"])
c.check(p.returncode == 1 and "unknown command 'frobnicate'" in p.stderr, "unknown command")
p = saker(["--help"])
c.check(p.returncode == 0 and "--list-plugins" in p.stdout, "--help")

c.finish()
