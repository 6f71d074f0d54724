# SPDX-License-Identifier: Apache-2.0
"""Conformance: the condition expressions of ../shared/corpus/filters/cases.jsonl.

* parse_ok / parse_error rows: the parser accepts / rejects them; where the note
  states it, the error message, the canonical AST text, the node positions and
  the end position are checked too; parse_ok rows are also checked with blanks
  around them and with every space turned into a newline and into a tab
  (rows with quoted strings or position notes excepted, as upstream does).
* compile_ok / compile_error rows: compiled against the fields document given
  as argv[2] (the syscall test fixture, or SAKER_RULES_FIELDS); the count of
  compiler warnings and, for expressions without fields, the evaluation result
  stated in the note are checked. Two rows need the per-parameter types of
  evt.rawarg, which a fixed field table cannot express; they are listed below
  and counted apart.

usage: filters_test.py RULES_TOOL FIELDS_JSON
"""
import json
import os
import re
import sys

import sakertest as st

# evt.rawarg takes the type of the named parameter; the fixture types it int64.
FIXTURE_LIMITS = {
    "evt.rawarg.addr > 0",
    "evt.rawarg.tuple > 0",
}


def run_tool(tool, args, exprs):
    inp = "".join(json.dumps({"expr": e}) + "\n" for e in exprs)
    p = st.run([tool] + args, input=inp, timeout=600)
    if p.returncode != 0:
        raise AssertionError(f"rules_tool {args} exited {p.returncode}: {p.stderr}")
    out = [json.loads(line) for line in p.stdout.splitlines()]
    if len(out) != len(exprs):
        raise AssertionError(f"rules_tool answered {len(out)} of {len(exprs)} expressions")
    return out


def expression(row):
    if row.get("synthetic"):
        m = re.match(r"<(\d+) x '(.)'>", row["expression"])
        return m.group(2) * int(m.group(1))
    return row["expression"]


def check_parse_notes(row, res, checks):
    note = row["note"]
    expr = row["expression"]
    m = re.search(r"error message: (.*)$", note)
    if m and not res["ok"]:
        checks.check(m.group(1) in res["error"],
                     f"parse error of {expr!r}: {res['error']!r} lacks {m.group(1)!r}")
    m = re.search(r"as_string\(AST\) = (.*)$", note)
    if m and res["ok"]:
        checks.check(res["ast"] == m.group(1),
                     f"AST of {expr!r}: {res['ast']!r}, want {m.group(1)!r}")
    m = re.search(r"position dump \(node idx line col, preorder\) = (.*)$", note)
    if m and res["ok"]:
        checks.check(res["positions"] == m.group(1),
                     f"positions of {expr!r}: {res['positions']!r}, want {m.group(1)!r}")
    for want in re.findall(r"position dump contains '([^']*)'", note):
        if res["ok"]:
            checks.check(want in res["positions"],
                         f"positions of {expr!r}: {res['positions']!r} lack {want!r}")
    m = re.search(r"end position after parse: idx=(\d+), line=(\d+), col=(.*)$", note)
    if m and res["ok"]:
        end = res["end"]
        col = end["idx"] + 1 if m.group(3) == "pos.idx + 1" else int(m.group(3))
        checks.check(end["idx"] == int(m.group(1)) and end["line"] == int(m.group(2)) and
                     end["col"] == col,
                     f"end of {expr!r}: {end}, want idx={m.group(1)} line={m.group(2)} col={col}")


def main():
    tool, fields = sys.argv[1], sys.argv[2]
    fields = os.environ.get("SAKER_RULES_FIELDS") or fields
    path = os.path.join(st.corpus_dir("filters"), "cases.jsonl")
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]

    # Parse rows.
    prows = [r for r in rows if r["expect"] in ("parse_ok", "parse_error")]
    pres = run_tool(tool, ["parse", "--depth", "100"], [expression(r) for r in prows])
    parse = st.Checks("filters parse rows")
    notes = st.Checks("filters parse notes (messages, AST text, positions)")
    for row, res in zip(prows, pres):
        want = row["expect"] == "parse_ok"
        parse.check(res["ok"] == want,
                    f"{row['expect']} {expression(row)[:120]!r}: got "
                    f"{'ok' if res['ok'] else 'error: ' + res.get('error', '')}")
        check_parse_notes(row, res, notes)

    # Whitespace variants of the accepted rows.
    variants = []
    for row in prows:
        e = row["expression"]
        n = row["note"]
        if (row["expect"] != "parse_ok" or row.get("synthetic") or "position" in n or
                "not asserted" in n or '"' in e or "'" in e):
            continue
        variants += [" " + e + " ", e.replace(" ", "\n"), e.replace(" ", "\t")]
    vres = run_tool(tool, ["parse", "--depth", "100"], variants)
    var = st.Checks("filters parse whitespace variants")
    for e, res in zip(variants, vres):
        var.check(res["ok"], f"variant {e!r} rejected: {res.get('error')}")

    # Compile rows against the fields document.
    crows = [r for r in rows if r["expect"].startswith("compile")
             and r["expression"] not in FIXTURE_LIMITS]
    cres = run_tool(tool, ["compile", "--fields", fields, "--source", "syscall"],
                    [r["expression"] for r in crows])
    comp = st.Checks(f"filters compile rows ({os.path.basename(fields)})")
    for row, res in zip(crows, cres):
        want = row["expect"] == "compile_ok"
        comp.check(res["ok"] == want,
                   f"{row['expect']} {row['expression']!r}: got "
                   f"{'ok' if res['ok'] else 'error: ' + res.get('error', '')}")
        m = re.search(r"expected compiler warnings=(\d+)", row["note"])
        if m and res["ok"]:
            comp.check(len(res["warnings"]) == int(m.group(1)),
                       f"warnings of {row['expression']!r}: {res['warnings']}, want {m.group(1)}")
        m = re.search(r"eval=(true|false)", row["note"])
        if m and res["ok"] and not res.get("uses_fields", True):
            comp.check(res.get("eval") == (m.group(1) == "true"),
                       f"evaluation of {row['expression']!r}: {res.get('eval')}, want {m.group(1)}")
    print(f"filters compile rows not run (fixture limits): {len(FIXTURE_LIMITS)}", flush=True)

    failed = False
    for c in (parse, notes, var, comp):
        total = c.passed + len(c.failed)
        print(f"{c.name}: {c.passed}/{total} passed", flush=True)
        failed |= bool(c.failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
