#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""-V: rules files validated against the configured plugins' fields; exit 0 or 1; -o json."""
import json

import sakertest
from coretest import Workdir, fixture, saker

c = sakertest.Checks("core validate")
w = Workdir("validate")
cfg = w.config("c.yaml", [("counter", fixture("counter"))])
good = w.write("good.yaml", """
- rule: Even
  desc: even numbers
  condition: counter.even = true and counter.kv[x] = "x=2"
  output: even %counter.n
  priority: INFO
  source: counter
""")
bad = w.write("bad.yaml", """
- rule: Broken
  desc: uses a field nobody extracts
  condition: counter.nope = 1
  output: x
  priority: INFO
  source: counter
""")
p = saker(["-c", cfg, "-V", good])
c.check(p.returncode == 0 and f"{good}: Ok" in p.stdout, f"-V good: {p.returncode} {p.stdout} "
        f"{p.stderr}")
p = saker(["-c", cfg, "-V", bad])
c.check(p.returncode == 1 and f"{bad}: Invalid" in p.stdout and "counter.nope" in p.stdout,
        f"-V bad: {p.returncode} {p.stdout}")
p = saker(["-c", cfg, "-V", good, bad])
c.check(p.returncode == 1, "-V good bad: one invalid file fails the whole")
p = saker(["-c", cfg, "-V", bad, "-o", "json"])
doc = None
try:
    doc = json.loads(p.stdout)
except ValueError:
    pass
c.check(p.returncode == 1 and doc is not None, f"-V -o json: {p.stdout}")
p = saker(["-c", cfg, "-V", w.path("absent.yaml")])
c.check(p.returncode == 1 and "cannot read the rules file" in p.stderr, f"-V absent: {p.stderr}")
c.finish()
