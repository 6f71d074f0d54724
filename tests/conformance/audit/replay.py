# SPDX-License-Identifier: Apache-2.0
"""Replaying audit events through rule files and reporting which rules fire.

Two engines give the same answer shape, a list of alerts per input event:

- SakerEngine runs the saker binary: the source plugin reads a file of the
  events, the rules are loaded with -r, alerts come out as JSON lines. Each
  event gets a distinct time so every alert maps back to its event.
- EngineToolEngine is used only while the saker binary cannot run rules yet:
  the same plugins extract every field the rule files mention (through the
  ABI-only plughost), and the rule engine library evaluates the rules on
  those values (audit_rules_eval). Plugins and rule engine are the real
  ones; only the pipeline between them is not.

pick_engine() prefers saker; under CI=true it insists on it.
"""
import calendar
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import common
import sakertest

BASE_S = 1714557600  # 2024-05-01T10:00:00Z: event i is at BASE_S + i seconds
PLUGIN_SOURCE = {"k8s_audit": "k8saudit", "aws_cloudtrail": "cloudtrail"}
PRIORITIES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE",
              "INFORMATIONAL", "DEBUG"]


def stamp(i, frac=False):
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(BASE_S + i))
    return text + (".000000Z" if frac else "Z")


def place(source, events):
    """Copies events, giving event i the time BASE_S + i (and a recognisable id)."""
    out = []
    for i, e in enumerate(events):
        e = json.loads(json.dumps(e))
        if not isinstance(e, dict) or (source == "k8s_audit" and e.get("kind") != "Event"):
            out.append(e)  # not an event: left for the plugin to reject
            continue
        if source == "k8s_audit":
            e["stageTimestamp"] = stamp(i, frac=True)
            e.setdefault("requestReceivedTimestamp", stamp(i, frac=True))
            if not e.get("auditID"):
                e["auditID"] = f"replay-{i}"
        else:
            e["eventTime"] = stamp(i)
            if not e.get("eventID"):
                e["eventID"] = f"replay-{i}"
        out.append(e)
    return out


def write_input(source, events, path):
    with open(path, "w") as f:
        if source == "k8s_audit":
            for e in events:
                f.write(json.dumps(e) + "\n")
        else:
            json.dump({"Records": events}, f)


def time_index(t):
    """Event index of an alert time ("2024-05-01T10:00:07.000000000Z" or ns)."""
    if isinstance(t, (int, float)):
        return int(t // 1000000000) - BASE_S
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", t)
    return calendar.timegm(tuple(int(x) for x in m.groups())) - BASE_S


def saker_args():
    """Options every saker run of these tests takes: plugins (sinks included) come from
    the build tree."""
    return ["-o", f"plugins_dir={sakertest.plugins_dir()}"]


def plugins_config(plugins, open_params=None):
    """A saker.yaml plugins section: [(name, init_config or None)], the first opened with
    open_params when given."""
    lines = ["plugins:"]
    for i, (name, init) in enumerate(plugins):
        lines += [f"  - name: {name}", f"    library_path: {common.plugin(name)}"]
        if init is not None:
            lines.append(f"    init_config: {json.dumps(init)}")
        if i == 0 and open_params is not None:
            lines.append(f"    open_params: {json.dumps(open_params)}")
    lines.append("load_plugins: [" + ", ".join(n for n, _ in plugins) + "]")
    return lines


def saker_can_run_rules():
    """True when the saker binary runs and validates a rules file (-V) with the plugins."""
    try:
        if sakertest.run_saker(["--version"], timeout=30).returncode != 0:
            return False
        with tempfile.TemporaryDirectory() as d:
            r = os.path.join(d, "r.yaml")
            with open(r, "w") as f:
                f.write("- list: l\n  items: [a]\n")
            cfg = os.path.join(d, "saker.yaml")
            with open(cfg, "w") as f:
                f.write("\n".join(plugins_config([("k8saudit", None), ("json", None)])) + "\n")
            return sakertest.run_saker(["-c", cfg] + saker_args() + ["-V", r],
                                       timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired, AssertionError):
        return False


class SakerEngine:
    name = "saker"

    def config(self, work, source, input_path, extra_plugins, match_all=False):
        plugins = [(PLUGIN_SOURCE[source], None)] + [(p, None) for p in extra_plugins]
        lines = plugins_config(plugins, open_params=input_path)
        lines += ["rules_files: []", "json_output: true", "json_include_output_property: true",
                  "json_include_tags_property: true", "stdout_output:", "  enabled: true",
                  "priority: debug", "rule_matching: " + ("all" if match_all else "first")]
        path = os.path.join(work, "saker.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def run(self, source, rules_files, events, extra_plugins=("json",), match_all=False):
        placed = place(source, events)
        with tempfile.TemporaryDirectory(prefix="audit-replay-") as work:
            inp = os.path.join(work, "input.json")
            write_input(source, placed, inp)
            cfg = self.config(work, source, inp, extra_plugins, match_all)
            args = ["-c", cfg] + saker_args()
            for r in rules_files:
                args += ["-r", r]
            p = sakertest.run_saker(args, timeout=300)
        if p.returncode != 0:
            raise AssertionError(f"saker exited {p.returncode}\nstderr:\n{p.stderr}")
        per_event = [[] for _ in placed]
        for a in sakertest.json_lines(p.stdout):
            if "rule" not in a or "time" not in a:
                continue
            i = time_index(a["time"])
            if 0 <= i < len(per_event):
                per_event[i].append({"rule": a["rule"], "priority": a.get("priority", ""),
                                     "output": a.get("output", "")})
        return per_event, p.stderr

    def live(self, rules_files, init_config, scheme, action, match_all=False):
        """Runs saker with the k8saudit webhook on a free loopback port, calls action(url),
        stops saker (SIGTERM) and returns its alerts."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        url = f"{scheme}://127.0.0.1:{port}/k8s-audit"
        with tempfile.TemporaryDirectory(prefix="audit-live-") as work:
            cfg = os.path.join(work, "saker.yaml")
            lines = plugins_config([("k8saudit", init_config), ("json", None)], open_params=url)
            lines += ["rules_files: []", "json_output: true",
                     "json_include_output_property: true", "stdout_output:", "  enabled: true",
                     "priority: debug", "rule_matching: " + ("all" if match_all else "first")]
            with open(cfg, "w") as f:
                f.write("\n".join(lines) + "\n")
            args = [sakertest.saker_bin(), "-c", cfg] + saker_args()
            for r in rules_files:
                args += ["-r", r]
            out_path, err_path = os.path.join(work, "out"), os.path.join(work, "err")
            with open(out_path, "w") as out, open(err_path, "w") as err:
                proc = subprocess.Popen(args, stdout=out, stderr=err)
                try:
                    def listening():
                        if proc.poll() is not None:
                            raise AssertionError(f"saker exited: {open(err_path).read()}")
                        try:
                            socket.create_connection(("127.0.0.1", port), timeout=1).close()
                            return True
                        except OSError:
                            return False
                    sakertest.wait_for(listening, timeout=60, what="saker's webhook")
                    action(url)
                finally:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=120)
            alerts = [a for a in sakertest.json_lines(open(out_path).read()) if "rule" in a]
            return [{"rule": a["rule"], "priority": a.get("priority", ""),
                     "output": a.get("output", "")} for a in alerts], open(err_path).read()

    def validate(self, rules_files, plugins):
        """saker -V with plugins loaded: (ok, errors, warnings, text)."""
        with tempfile.TemporaryDirectory(prefix="audit-validate-") as work:
            cfg = os.path.join(work, "saker.yaml")
            with open(cfg, "w") as f:
                f.write("\n".join(plugins_config([(n, None) for n in plugins])) + "\n")
            p = sakertest.run_saker(["-c", cfg] + saker_args() + ["-o", "json", "-V"]
                                    + list(rules_files), timeout=120)
            # the rules a run would load (enabled ones), from saker's own report
            d = sakertest.run_saker(["-c", cfg] + saker_args() + sum([["-r", r] for r in rules_files],
                                                                      []) + ["--dry-run"],
                                    timeout=120)
            m = re.search(r"(\d+) rules loaded", d.stderr + d.stdout)
            self.loaded_rules = int(m.group(1)) if m else None
        errors, warnings = [], []
        try:
            doc = json.loads(p.stdout.strip().splitlines()[-1])
            for res in doc.get("falco_load_results", []):
                errors += res.get("errors", [])
                warnings += res.get("warnings", [])
        except (ValueError, IndexError):
            errors.append({"message": f"no JSON from saker -V: {p.stdout!r} {p.stderr!r}"})
        return p.returncode == 0 and not errors, errors, warnings, p.stdout + p.stderr


class EngineToolEngine:
    name = "rule engine + plugins (saker binary not functional yet)"

    def __init__(self):
        self.tool = os.path.join(sakertest.build_dir(), "tests", "conformance", "audit",
                                 "audit_rules_eval")
        if not os.path.exists(self.tool):
            raise AssertionError(f"{self.tool} was not built")

    @staticmethod
    def plugin_fields(name):
        p = subprocess.run([common.plughost(), "--plugin", common.plugin(name), "--list-fields"],
                           capture_output=True, text=True, timeout=60, check=True)
        return json.loads(p.stdout)

    @staticmethod
    def plugin_version(name):
        return {"k8saudit": "0.18.0", "cloudtrail": "0.17.1", "json": "0.7.4"}[name]

    def host_json(self, source, plugins, work):
        fields = []
        for name in plugins:
            for f in self.plugin_fields(name):
                a = f.get("arg") or {}
                fields.append({"source": source, "plugin": name, "name": f["name"],
                               "type": f["type"], "desc": f.get("desc", ""),
                               "list": bool(f.get("isList")),
                               "arg": {"required": bool(a.get("isRequired")),
                                       "index": bool(a.get("isIndex")),
                                       "key": bool(a.get("isKey"))},
                               "properties": f.get("properties", [])})
        for name, typ in [("evt.num", "uint64"), ("evt.plugininfo", "string"),
                          ("evt.time", "string"), ("evt.time.iso8601", "string"),
                          ("evt.source", "string")]:
            fields.append({"source": source, "plugin": "", "name": name, "type": typ,
                           "desc": "generic field", "list": False,
                           "arg": {"required": False, "index": False, "key": False}})
        path = os.path.join(work, "fields.json")
        with open(path, "w") as f:
            json.dump({"fields": fields, "event_types": {},
                       "plugins": [{"name": n, "version": self.plugin_version(n)}
                                   for n in plugins]}, f)
        return path, {f["name"] for f in fields if f["plugin"]}

    @staticmethod
    def field_specs(rules_files, known):
        text = "".join(open(r).read() for r in rules_files)
        specs = set()
        for m in re.finditer(r"\b((?:ka|jevt|json|ct|s3|ec2|ecr|iam)\.[A-Za-z0-9_.]*[A-Za-z0-9_])"
                             r"(\[[^\]\s]*\])?", text):
            if m.group(1) in known:
                specs.add(m.group(1) + (m.group(2) or ""))
        return sorted(specs)

    def run(self, source, rules_files, events, extra_plugins=("json",), match_all=False):
        plugins = [PLUGIN_SOURCE[source]] + list(extra_plugins)
        placed = place(source, events)
        with tempfile.TemporaryDirectory(prefix="audit-replay-") as work:
            fields_path, known = self.host_json(source, plugins, work)
            specs = self.field_specs(rules_files, known)
            inp = os.path.join(work, "input.json")
            write_input(source, placed, inp)
            extra = ["--open", inp, "--payloads"]
            for s in specs:
                extra += ["--field", s]
            got, summary, p = common.run_host([(n, None) for n in plugins], extra, timeout=300)
            if p.returncode != 0:
                raise AssertionError(f"plughost failed: {p.stderr}")
            host_stderr = p.stderr
            per_event, err = self.evaluate(work, source, plugins, fields_path, rules_files, got,
                                           len(placed), match_all)
            return per_event, host_stderr + err

    def evaluate(self, work, source, plugins, fields_path, rules_files, got, nevents, match_all):
        """Rules on events extracted by plughost; alerts per event (by time offset)."""
        evpath = os.path.join(work, "events.jsonl")
        with open(evpath, "w") as f:
            for e in got:
                vals = dict(e["fields"])
                vals["evt.num"] = e["n"]
                vals["evt.plugininfo"] = e.get("info", "")
                vals["evt.source"] = source
                vals["evt.time.iso8601"] = stamp(e["ts_s"] - BASE_S)
                f.write(json.dumps({"source": source, "code": 322, "fields": vals}) + "\n")
        cmd = [self.tool, "--fields", fields_path, "--source", source, "--events", evpath]
        if match_all:
            cmd.append("--match-all")
        for n in plugins:
            cmd += ["--plugin", f"{n}={self.plugin_version(n)}"]
        p = subprocess.run(cmd + list(rules_files), capture_output=True, text=True,
                           timeout=300)
        try:
            out = json.loads(p.stdout)
        except ValueError:
            raise AssertionError(f"audit_rules_eval failed ({p.returncode}): {p.stderr}")
        if not out.get("ok"):
            raise AssertionError(f"rules did not load: {out.get('text')}")
        prio = {r["name"]: PRIORITIES[int(r["priority"])] for r in out["rules"]}
        per_event = [[] for _ in range(nevents)]
        for e, res in zip(got, out.get("events", [])):
            i = e["ts_s"] - BASE_S
            if not 0 <= i < nevents:
                i = min(max(i, 0), nevents - 1) if nevents else 0
            for o in res["outputs"]:
                per_event[i].append({"rule": o["rule"], "priority": prio.get(o["rule"], ""),
                                     "output": o.get("output", "")})
        return per_event, p.stderr

    def live(self, rules_files, init_config, scheme, action, match_all=False):
        """plughost with the k8saudit webhook, extracting what the rules need; action(url);
        then the rules on every delivered event. Returns the alerts."""
        plugins = ["k8saudit", "json"]
        with tempfile.TemporaryDirectory(prefix="audit-live-") as work:
            fields_path, known = self.host_json("k8s_audit", plugins, work)
            args = common.host_args([("k8saudit", init_config), ("json", None)])
            args += ["--open", f"{scheme}://127.0.0.1:0/k8s-audit", "--payloads"]
            for spec in self.field_specs(rules_files, known):
                args += ["--field", spec]
            out_path, err_path = os.path.join(work, "out"), os.path.join(work, "err")
            with open(out_path, "w") as out, open(err_path, "w") as err:
                proc = subprocess.Popen(args, stdout=out, stderr=err)
                try:
                    def url():
                        if proc.poll() is not None:
                            raise AssertionError(f"plughost exited: {open(err_path).read()}")
                        m = re.search(r"webhook listening on (\S+)", open(err_path).read())
                        return m.group(1) if m else None
                    action(sakertest.wait_for(url, timeout=30, what="webhook"))
                finally:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=120)
            got = [json.loads(l) for l in open(out_path) if l.startswith('{"fields"')]
            per_event, _ = self.evaluate(work, "k8s_audit", plugins, fields_path, rules_files,
                                         [dict(e, ts_s=BASE_S) for e in got], 1, match_all)
            return per_event[0] if per_event else [], open(err_path).read()

    def validate(self, rules_files, plugins):
        source = "k8s_audit" if "k8saudit" in plugins else "aws_cloudtrail"
        with tempfile.TemporaryDirectory(prefix="audit-validate-") as work:
            fields_path, _ = self.host_json(source, plugins, work)
            cmd = [self.tool, "--fields", fields_path, "--source", source]
            for n in plugins:
                cmd += ["--plugin", f"{n}={self.plugin_version(n)}"]
            p = subprocess.run(cmd + list(rules_files), capture_output=True, text=True,
                               timeout=120)
        out = json.loads(p.stdout)
        self.last_rules = out.get("rules", [])
        self.loaded_rules = sum(1 for r in self.last_rules if r.get("enabled"))
        return bool(out.get("ok")), out.get("errors", []), out.get("warnings", []), out["text"]


def pick_engine():
    if saker_can_run_rules():
        return SakerEngine()
    if sakertest.in_ci():
        print("FAIL (CI=true): the saker binary cannot load rules, so the rule replay cannot run "
              "end to end", flush=True)
        raise SystemExit(1)
    engine = EngineToolEngine()
    print(f"NOTE: saker cannot run rules yet; evaluating with the {engine.name}", flush=True)
    return engine


def count_rules(path):
    return sum(1 for line in open(path) if re.match(r"^- rule:", line))


def count_disabled_rules(path):
    return sum(1 for line in open(path) if re.match(r"^  enabled: false", line))
