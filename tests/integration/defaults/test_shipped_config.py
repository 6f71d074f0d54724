# SPDX-License-Identifier: Apache-2.0
"""What `make install` ships, without root:

- the shipped configuration (embedded in saker) names the installed
  saker_rules.yaml and loads the syscall and container plugins;
- `cmake --install` (into a DESTDIR) puts the binary, the plugins and
  saker_rules.yaml where that configuration looks for them, and the installed
  saker loads all of it (--dry-run) with the paths moved under the DESTDIR;
- saker_rules.yaml validates against the real plugins with no error or warning;
- the container plugin's containerd-namespace matcher is off by default: in a
  capture made on a host whose processes sit in /process_api/<id> cgroups, a host
  process reads as container.id=host, and would not with the matcher on.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

import sakertest as st

import defaultstest as dt

PROBE = """
- rule: T Container Of Cat
  desc: test rule
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.name = cat
  output: "container=%container.id"
  priority: WARNING
"""


def list_config():
    p = st.run_saker(["--list-config"], check=True)
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\S+)\s+.*default: (.*)$", p.stdout, re.M)}


def main():
    c = st.Checks("shipped configuration")
    work = tempfile.mkdtemp(prefix="skr-shipped-")
    try:
        defaults = list_config()
        rules_default = defaults.get("rules_files", "")
        plugins_dir = defaults.get("plugins_dir", "")
        c.check(rules_default.startswith("[/") and rules_default.endswith("/saker_rules.yaml]"),
                f"rules_files is the installed saker_rules.yaml ({rules_default})")
        c.check("name: syscall" in defaults.get("plugins", "") and
                "name: container" in defaults.get("plugins", ""),
                f"plugins: syscall and container ({defaults.get('plugins')})")
        c.check("containerd: {enabled: false}" in defaults.get("plugins", ""),
                "the containerd-namespace matcher is off by default")
        p = st.run_saker(["--check-config"])
        c.check(p.returncode == 0, f"the embedded saker.yaml states every default: {p.stdout}{p.stderr}")

        # Install into a DESTDIR and run the installed binary with the prefix moved there.
        dest = os.path.join(work, "dest")
        env = dict(os.environ, DESTDIR=dest)
        p = subprocess.run(["cmake", "--install", st.build_dir()], env=env, capture_output=True,
                           text=True, timeout=300)
        c.check(p.returncode == 0, f"cmake --install works: {p.stderr[-1500:]}")
        rules = dest + rules_default[1:-1]
        plugins = dest + plugins_dir
        for f in (rules, os.path.join(plugins, "libsyscall.so"),
                  os.path.join(plugins, "libcontainer.so")):
            c.check(os.path.exists(f), f"installed: {f}")
        binary = [os.path.join(r, "saker") for r, _, fs in os.walk(dest) if "saker" in fs and
                  r.endswith("/bin")]
        c.check(len(binary) == 1, f"the saker binary is installed ({binary})")
        if binary and os.path.exists(rules):
            args = [binary[0], "--dry-run", "-o", "plugins_dir=" + plugins, "-o",
                    "rules_files[0]=" + rules]
            if os.path.exists("/etc/saker/saker.yaml"):
                args += ["-c", os.path.join(st.build_dir(), "saker.yaml")]
            p = st.run(args, timeout=120)
            n = len(dt.rule_names())
            c.check(p.returncode == 0 and f"{n} rules loaded" in p.stderr,
                    f"the installed saker loads the {n} default rules: {p.stderr[-1500:]}")

        p = st.run_saker(dt.config_args() + ["-V", dt.rules_file(), "-o", "json"])
        res = json.loads(p.stdout)["falco_load_results"][0] if p.stdout.startswith("{") else {}
        c.check(p.returncode == 0 and res.get("successful") and not res.get("errors") and
                not res.get("warnings"), f"saker_rules.yaml validates without warnings: {p.stdout}")

        # F3: host processes in /process_api/<id> cgroups are not containers.
        probe = os.path.join(work, "probe.yaml")
        with open(probe, "w") as f:
            f.write(PROBE)
        cap = os.path.join(st.source_dir(), "rules", "tests", "captures", "credential_access.cap.gz")
        plain = os.path.join(work, "cap")
        with open(plain, "wb") as out:
            out.write(subprocess.run(["gzip", "-dc", cap], capture_output=True, check=True).stdout)
        base = dt.config_args() + ["-r", probe, "-e", plain, "-o", "json_output=true"]
        ids = []
        for extra in ([], ["-o", "plugins[1].init_config.engines.containerd.enabled=true"]):
            p = st.run_saker(base + extra, timeout=120)
            alerts = [a for a in st.json_lines(p.stdout) if a.get("rule") == "T Container Of Cat"]
            ids.append({a["output_fields"]["container.id"] for a in alerts})
        c.check(ids[0] == {"host"}, f"with the shipped config, cat on the host is container=host ({ids[0]})")
        c.check(ids[1] and "host" not in ids[1],
                f"with the containerd matcher on, the same process gets a container id ({ids[1]})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
