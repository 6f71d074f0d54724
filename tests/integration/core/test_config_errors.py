#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Configuration errors: file, line, column and key path in one line, exit code 1."""
import sakertest
from coretest import Workdir, fixture, saker

c = sakertest.Checks("core config errors")
w = Workdir("config")
base = f"plugins_dir: {sakertest.plugins_dir()}\nplugins:\n  - name: counter\n" \
       f"    library_path: {fixture('counter')}\n"

cases = [
    ("unknown key", base + "file_outptu:\n  enabled: true\n",
     "{f}:5:1: unknown configuration key 'file_outptu'"),
    ("unknown nested key", base + "file_output:\n  enabled: true\n  keepalive: true\n",
     "{f}:7:3: unknown configuration key 'file_output.keepalive'"),
    ("wrong type", base + "json_output: maybe\n",
     "{f}:5:14: json_output: expected a boolean (true or false), got 'maybe'"),
    ("wrong type in a section", base + "outputs_queue:\n  capacity: lots\n",
     "{f}:6:13: outputs_queue.capacity: expected a non-negative integer, got 'lots'"),
    ("section that is not a map", base + "metrics: yes\n",
     "{f}:5:10: metrics: expected a map of options, got a scalar"),
    ("bad YAML", base + "json_output: [true\n",
     "{f}:6:1: invalid YAML"),
    ("duplicate key", base + "priority: debug\npriority: info\n",
     "{f}:6:1: invalid YAML: duplicate key 'priority'"),
    ("bad priority", base + "priority: urgent\n",
     "{f}:5:11: priority: unknown priority 'urgent'"),
    ("plugin entry without library", "plugins:\n  - name: x\n",
     "{f}:2:5: plugins[0]: missing 'library_path'"),
    ("plugin entry unknown key", base + "    open_param: x\n",
     "{f}:5:5: plugins[0]: unknown key 'open_param'"),
    ("file output without filename", base + "file_output:\n  enabled: true\n  filename: ''\n",
     "{f}:7:13: file_output.filename: file_output is enabled but has no filename"),
]
for what, text, want in cases:
    f = w.write(what.replace(" ", "_") + ".yaml", text)
    p = saker(["-c", f, "--dry-run"])
    want = want.format(f=f)
    c.check(p.returncode == 1, f"{what}: exit code {p.returncode}, want 1")
    c.check(f"saker: error: {want}" in p.stderr, f"{what}: stderr lacks {want!r}:\n{p.stderr}")

ok = w.write("ok.yaml", base)
ovs = [
    (["-o", "json_output=perhaps"],
     "-o json_output=perhaps: json_output: expected a boolean (true or false), got 'perhaps'"),
    (["-o", "no_such_key=1"], "-o no_such_key=1: unknown configuration key 'no_such_key'"),
    (["-o", "plugins[5].name=x"], "index 5 is out of range: the list has 1 items"),
    (["-o", "json_output"], "-o json_output: expected key=value"),
    (["-o", "a..b=1"], "invalid key path 'a..b'"),
]
for args, want in ovs:
    p = saker(["-c", ok, "--dry-run"] + args)
    c.check(p.returncode == 1 and want in p.stderr, f"{args}: {p.returncode} {p.stderr}")

# includes: an error inside an included file names that file
inc = w.write("inc.yaml", "log_level: chatty\n")
main = w.write("main.yaml", base + f"config_files: [{inc}]\n")
p = saker(["-c", main, "--dry-run"])
c.check(p.returncode == 1 and f"{inc}:1:12: log_level: unknown log level 'chatty'" in p.stderr,
        f"include error: {p.stderr}")
nested = w.write("nested.yaml", f"config_files: [{inc}]\n")
main2 = w.write("main2.yaml", base + f"config_files: [{nested}]\n")
p = saker(["-c", main2, "--dry-run"])
c.check(p.returncode == 1 and f"{nested}:1:1: config_files: an included file cannot include"
        in p.stderr, f"nested include: {p.stderr}")

# a missing -c file
p = saker(["-c", w.path("absent.yaml"), "--dry-run"])
c.check(p.returncode == 1 and f"{w.path('absent.yaml')}: cannot open: No such file or directory"
        in p.stderr, f"missing config: {p.stderr}")

# what works: overrides with dotted paths, list indexes, maps; Falco keys are accepted
good = w.write("good.yaml", base + "engine:\n  kind: modern_ebpf\nwebserver: {enabled: true}\n")
p = saker(["-c", good, "--dry-run", "-o", "plugins[0].init_config={count: 3}",
           "-o", "stdout_output.enabled=true", "-o", "metrics.interval=250ms"])
c.check(p.returncode == 0, f"valid config with overrides: {p.returncode} {p.stderr}")
c.check("ignoring Falco options Saker does not implement: engine, webserver" in p.stderr,
        f"compat notice: {p.stderr}")

c.finish()
