#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every plugin loading error: one clear line naming the plugin and the cause, exit code 1."""
import os
import sys

import sakertest
from coretest import Workdir, fixture, saker

c = sakertest.Checks("core loader errors")
w = Workdir("loader")

not_elf = w.write("libnotelf.so", "this is a text file, not a shared library\n" * 20)
ctr = ("counter", fixture("counter"))

cases = [
    ("missing file",
     [("ghost", w.path("libghost.so"))],
     [f"plugin 'ghost': cannot load library {w.path('libghost.so')}", "No such file or directory",
      "check library_path"]),
    ("not an ELF file",
     [("notelf", not_elf)],
     [f"plugin 'notelf': cannot load library {not_elf}", "invalid ELF header"]),
    ("missing mandatory symbols",
     [ctr, ("nosym", fixture("nosym"))],
     [f"plugin 'nosym' ({fixture('nosym')}): required symbol plugin_get_name is not exported"]),
    ("incompatible API version",
     [ctr, ("badapi", fixture("badapi"))],
     [f"plugin 'badapi' ({fixture('badapi')}): requires plugin API 4.0.0, but Saker offers "
      "3.12.0 and the major versions differ"]),
    ("duplicate names",
     [ctr, ("counter3", fixture("counter_dupname"))],
     ["plugins entries 'counter' and 'counter3' both load plugin 'counter'", "load it once"]),
    ("duplicate plugin IDs",
     [ctr, ("counter2", fixture("counter_dupid"))],
     ["plugins 'counter' and 'counter2' have the same plugin ID 1000001"]),
    ("source without extractor",
     [("srconly", fixture("srconly"))],
     ["plugin 'srconly': event source 'lonely' has no field extractor"]),
    ("init fails with a message",
     [ctr, ("initfail", fixture("initfail"), {"key": "v"})],
     ["plugin 'initfail': plugin_init failed: cannot reach the license server (init_config was "
      "'{\"key\":\"v\"}')"]),
    ("init config against the schema",
     [("counter", fixture("counter"), {"count": "many"})],
     ["plugin 'counter': init config: /count: expected an integer, got string: fix init_config"]),
    ("relative path leaving plugins_dir",
     [("escape", "../../libcounter.so")],
     ["plugin 'escape': library_path '../../libcounter.so' leaves plugins_dir"]),
]

for what, plugins, wants in cases:
    cfg = w.config(what.replace(" ", "_") + ".yaml", plugins)
    p = saker(["-c", cfg, "--dry-run"])
    c.check(p.returncode == 1, f"{what}: exit code {p.returncode}, want 1")
    for want in wants:
        c.check(want in p.stderr, f"{what}: stderr lacks {want!r}:\n{p.stderr}")
    c.check("Segmentation" not in p.stderr and "AddressSanitizer" not in p.stderr,
            f"{what}: crashed:\n{p.stderr}")
    errors = [l for l in p.stderr.splitlines() if l.startswith("saker: error:")]
    c.check(len(errors) == 1, f"{what}: want exactly one error line, got {errors}")

# load_plugins naming an entry that does not exist
cfg = w.config("load.yaml", [ctr], load=["counter", "nope"])
p = saker(["-c", cfg, "--dry-run"])
c.check(p.returncode == 1 and "load_plugins names 'nope', but no plugins entry has that name"
        in p.stderr, f"load_plugins unknown: {p.returncode} {p.stderr}")

# the same errors in every mode that loads plugins
for mode in (["--list"], ["--list-plugins"], ["-V", w.write("r.yaml", "[]\n")]):
    cfg = w.config("api.yaml", [ctr, ("badapi", fixture("badapi"))])
    p = saker(["-c", cfg] + mode)
    c.check(p.returncode == 1 and "requires plugin API 4.0.0" in p.stderr,
            f"{mode}: {p.returncode} {p.stderr}")

# the default configuration loads the syscall plugin and says so when it is missing
p = saker(["--dry-run", "-o", f"plugins_dir={w.dir}"])
c.check(p.returncode == 1 and f"plugin 'syscall': cannot load library {w.dir}/libsyscall.so"
        in p.stderr, f"default config without libsyscall.so: {p.returncode} {p.stderr}")

c.finish()
