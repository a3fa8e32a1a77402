#!/usr/bin/env python3
"""report_check.py CHECK ARGS... — checks of what ioucmd writes, against its documentation and
against each other. Prints one "ok"/"not ok" line per check (no numbers: the caller numbers
them) and "# ..." details; exits 1 if any check failed, 2 on bad arguments.

  schema SCHEMA.md REPORT.json     the report's objects match reports/SCHEMA.md's tables, both
                                   ways: no documented field missing, no field undocumented
  bars REPORT.json GEOMETRY.json SCREENSHOT.png
                                   the HTML page's histograms, as the browser laid them out
                                   (GEOMETRY, from the probe script html_report.sh injects) and
                                   drew them (SCREENSHOT): one bar per power of two of the JSON's
                                   buckets, lengths in the counts' proportions, and all the
                                   plots' ink inside their boxes
  prom REPORT.json FILE.prom       the Prometheus textfile parses strictly (text exposition
                                   format 0.0.4), and says what the JSON says
  prom-series DIR                  copies of one `trace --prom` file taken while it was being
                                   rewritten (DIR/*.prom, in name order): each is whole (parses,
                                   ends in a newline, has every family), and no counter,
                                   histogram bucket or count ever goes down from one to the next
  intervals REPORT.json            a `trace -i -j` report whose traffic ended before its last
                                   interval: each handler's counters, summed over the intervals,
                                   are its counters over the whole trace
  events EVENTS.json REPORT.json   the --events Chrome trace is valid JSON, every command's
                                   steps come in their order, and there is one life per command
Standard library only, except `prom`, which also parses with python3-prometheus-client and runs
$IOUCMD_PROMTOOL check metrics (scripts/promtool.sh finds or unpacks one).
"""
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png_ink  # noqa: E402

failed = False


def point(ok, name, details=()):
    global failed
    print(("ok - " if ok else "not ok - ") + name)
    for d in [] if ok else list(details)[:20]:
        print("# " + d)
    failed |= not ok


# ---- schema --------------------------------------------------------------------------------

ENTITY = re.compile(r"^([A-Z][A-Z_]+):( |$)")


class Field:
    def __init__(self, name, array, optional, entity):
        self.name, self.array, self.optional, self.entity = name, array, optional, entity


def parse_schema(path):
    """{ENTITY: {"fields": [Field], "include": [ENTITY]}} from the tables named `NAME:`."""
    lines = open(path).read().splitlines()
    rules = []
    for ln in lines:
        if ln.startswith("Rules: "):
            i = lines.index(ln)
            text = " ".join(lines[i:i + 3])
            rules = re.findall(r"`([a-z_0-9]+)`", text.split(". ")[0])
    entities, current, in_table = {}, None, False
    for ln in lines:
        m = ENTITY.match(ln)
        if m:
            current, in_table = m.group(1), False
            entities[current] = {"fields": [], "include": []}
            continue
        if ln.startswith("#"):
            current = None
            continue
        if current is None:
            continue
        if not ln.startswith("|"):
            if in_table:
                current = None
            continue
        in_table = True
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("field", "") or set(cells[0]) <= set("-: "):
            continue
        first, meaning = cells[0], cells[1]
        if re.fullmatch(r"[A-Z][A-Z_]+", first):
            entities[current]["include"].append(first)
            continue
        optional = re.search(r"\bonly\b", meaning) is not None
        m = re.match(r"([A-Z][A-Z_]+)\b", meaning)
        entity = m.group(1) if m else None
        for name in re.findall(r"`([^`]+)`", first):
            array = name.endswith("[]")
            name = name[:-2] if array else name
            names = [name]
            if "/" in name:
                head, *tails = name.split("/")
                prefix = head.rsplit(".", 1)[0]
                names = [head] + [prefix + "." + t for t in tails]
            if name.endswith(".RULE"):
                names = [name[:-4] + r for r in rules]
            for n in names:
                entities[current]["fields"].append(Field(n, array, optional, entity))
    return entities, rules


def fields_of(entities, name):
    e = entities[name]
    out = list(e["fields"])
    for inc in e["include"]:
        out += fields_of(entities, inc)
    return out


def check_object(entities, name, obj, where, errors):
    if not isinstance(obj, dict):
        errors.append(f"{where}: {name} is not an object")
        return
    fields = {f.name: f for f in fields_of(entities, name)}
    for f in fields.values():
        if f.name not in obj:
            if not f.optional:
                errors.append(f"{where}: {name} has no '{f.name}'")
            continue
        v = obj[f.name]
        if f.array and not isinstance(v, list):
            errors.append(f"{where}.{f.name}: documented as an array, is {type(v).__name__}")
            continue
        if f.entity and f.entity in entities:
            for i, item in enumerate(v if f.array else [v]):
                sub = f"{where}.{f.name}" + (f"[{i}]" if f.array else "")
                check_object(entities, f.entity, item, sub, errors)
    for k in obj:
        if k not in fields:
            errors.append(f"{where}: '{k}' is not documented in {name}")


def cmd_schema(md, report_path):
    entities, rules = parse_schema(md)
    r = json.load(open(report_path))
    need = {"RUN", "SCENARIO", "TOTALS", "TRACE", "TRACER", "HANDLER", "VIOLATION"}
    point(need <= set(entities) and len(rules) >= 7, f"{md}: the tables of {', '.join(sorted(need))} and the rules",
          [f"found {sorted(entities)}; rules {rules}"])
    if not need <= set(entities):
        return
    top = "RUN" if "scenarios" in r else "TRACE"
    errors = []
    check_object(entities, top, r, top.lower(), errors)
    counted = {"violations": 0, "scenarios": len(r.get("scenarios", []))}
    for s in r.get("scenarios", [r]):
        counted["violations"] += len(s.get("violations") or [])
    point(not errors, f"{os.path.basename(report_path)}: every object matches {md} "
          f"({top}, {counted['scenarios']} scenarios, {counted['violations']} violations)", errors)


# ---- bars ----------------------------------------------------------------------------------

BAR = (0x3b, 0x6f, 0xb6)
DOT = (0xb6, 0x50, 0x3b)


def near(px, colour, tol=10):
    return all(abs(a - b) <= tol for a, b in zip(px, colour))


def latency_entries(report):
    """(scenario, handler, entry) in the page's order"""
    for s in report.get("scenarios", [report]):
        for h in s.get("handlers") or []:
            for entry in h.get("latency") or []:
                yield s.get("file", "trace"), h["handler"], entry


def folded(entry):
    rows = {}
    for lo, cnt in entry["buckets"]:
        r = int(math.floor(math.log2(lo))) if lo >= 1 else 0
        rows[r] = rows.get(r, 0) + cnt
    if not rows:
        return []
    return [rows.get(r, 0) for r in range(min(rows), max(rows) + 1)]


def inside(inner, outer, slack=0.5):
    x, y, w, h = inner
    X, Y, W, H = outer
    return x >= X - slack and y >= Y - slack and x + w <= X + W + slack and y + h <= Y + H + slack


def overlap(a, b):
    """two (x, y, width, height) boxes share some area"""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def cmd_bars(report_path, geometry_path, png_path):
    report = json.load(open(report_path))
    geo = json.load(open(geometry_path))
    entries = [e for e in latency_entries(report) if e[2]["buckets"]]
    hists, pcts = geo["hist"], geo["pct"]
    point(len(hists) == len(entries) and len(entries) > 0,
          f"one histogram drawn per latency entry with buckets ({len(hists)} drawn, "
          f"{len(entries)} in the JSON)")
    for (sc, handler, entry), hist in zip(entries, hists):
        rows = folded(entry)
        label = f"{sc} {handler} cmd_op 0x{entry['cmd_op']:x} {entry['kind']}"
        rects, box = hist["rects"], hist["box"]
        point(len(rects) == len(rows), f"{label}: {len(rows)} bars, one per power of two from "
              f"the first to the last non-empty bucket (drawn {len(rects)})")
        counts = [t["text"] for t in hist["texts"] if re.fullmatch(r"\d+", t["text"])]
        point(counts == [str(c) for c in rows], f"{label}: each bar is labelled with its count",
              [f"drawn {counts}", f"JSON  {rows}"])
        if len(rects) == len(rows) and rows:
            longest = max(r[2] for r in rects)
            top = max(rows)
            bad = [f"bar {i}: {r[2]:.1f} px of {longest:.1f}, count {c} of {top}"
                   for i, (r, c) in enumerate(zip(rects, rows))
                   if abs(r[2] - c / top * longest) > 1.5]
            point(not bad and longest > 100, f"{label}: bar lengths in the counts' proportions "
                  f"(longest {longest:.0f} px)", bad)
        outside = [f"{kind} {b}" for kind, bs in (("bar", rects), ("text", [t["box"] for t in hist["texts"]]))
                   for b in bs if not inside(b, box)]
        point(not outside, f"{label}: every bar and label inside the plot's box {box}", outside)
    for (sc, handler, entry), pct in zip(entries, pcts):
        label = f"{sc} {handler} cmd_op 0x{entry['cmd_op']:x} {entry['kind']}"
        want = sum(1 for k in ("p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns") if entry[k] > 0)
        outside = [str(b) for b in pct["circles"] + [t["box"] for t in pct["texts"]]
                   if not inside(b, pct["box"])]
        point(len(pct["circles"]) == want and not outside,
              f"{label}: {want} percentiles drawn inside the percentile plot's box", outside)
        boxes = [(t["text"], t["box"]) for t in pct["texts"]]
        overlaps = [f"'{a}' {ba} and '{b}' {bb}" for i, (a, ba) in enumerate(boxes)
                    for b, bb in boxes[i + 1:] if overlap(ba, bb)]
        point(not overlaps, f"{label}: no two percentile labels overlap", overlaps)

    width, height, pixels = png_ink.decode(png_path)
    boxes = {"bar": [h["box"] for h in hists], "dot": [p["box"] for p in pcts]}
    counted = {"bar": 0, "dot": 0}
    stray = {"bar": [], "dot": []}
    for y in range(height):
        row = pixels[y]
        for x in range(width):
            px = row[x * 3:x * 3 + 3]
            for kind, colour in (("bar", BAR), ("dot", DOT)):
                if near(px, colour):
                    counted[kind] += 1
                    if not any(inside((x, y, 1, 1), b, 1) for b in boxes[kind]):
                        stray[kind].append((x, y))
    # the bars' own area, as laid out, against the bar-coloured pixels in the screenshot
    area = sum(max(r[2], 0) * r[3] for h in hists for r in h["rects"]
               if r[1] + r[3] <= height)
    point(area > 0 and abs(counted["bar"] - area) <= 0.05 * area + 20,
          f"screenshot: the bars' ink ({counted['bar']} px) is the bars' laid-out area "
          f"({area:.0f} px)")
    point(not stray["bar"] and not stray["dot"] and counted["dot"] > 0,
          f"screenshot: all plot ink lies inside the plots' boxes ({counted['dot']} px of "
          f"percentile marks)", [f"{k} ink outside at {v[:5]}" for k, v in stray.items() if v])


# ---- Prometheus ------------------------------------------------------------------------------

METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({METRIC})(?:\{{((?:{LABEL}={LABEL_VALUE})(?:,{LABEL}={LABEL_VALUE})*,?)?\}})?"
                    r" ([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))(?: -?[0-9]+)?$")
TYPES = {"counter", "gauge", "summary", "histogram", "untyped"}


def hist_lower(b, sub=3):
    """bpf/ioucmd.h's log-linear bucket b's lower end in ns, written again to check the C"""
    hi, lo = b >> sub, b & ((1 << sub) - 1)
    return lo if hi == 0 else ((1 << sub) | lo) << (hi - 1)


def hist_upper(lower):
    b = next(b for b in range(64 << 3) if hist_lower(b) == lower)
    return hist_lower(b + 1)


def family_of(name, types):
    for suffix in ("_count", "_sum", "_bucket"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("summary", "histogram"):
            return base
    return name


def parse_labels(text):
    return dict((k, bytes(v, "utf-8").decode("unicode_escape"))
                for k, v in re.findall(rf"({LABEL})=\"((?:[^\"\\\n]|\\[\\\"n])*)\"", text or ""))


def cmd_prom(report_path, prom_path):
    report = json.load(open(report_path))
    text = open(prom_path).read()
    errors, types, helps, samples, seen_families, order = [], {}, {}, {}, set(), []
    if not text.endswith("\n"):
        errors.append("the file does not end with a newline")
    for i, ln in enumerate(text.splitlines(), 1):
        if ln.startswith("# HELP "):
            name = ln.split(" ", 3)[2]
            if name in helps:
                errors.append(f"line {i}: a second HELP for {name}")
            helps[name] = True
        elif ln.startswith("# TYPE "):
            parts = ln.split(" ")
            if len(parts) != 4 or parts[3] not in TYPES or not re.fullmatch(METRIC, parts[2]):
                errors.append(f"line {i}: bad TYPE line '{ln}'")
                continue
            if parts[2] in types or parts[2] in seen_families:
                errors.append(f"line {i}: TYPE for {parts[2]} after its samples or twice")
            types[parts[2]] = parts[3]
        elif ln.startswith("#") or not ln.strip():
            continue
        else:
            m = SAMPLE.match(ln)
            if not m:
                errors.append(f"line {i}: not a sample: '{ln}'")
                continue
            name, labels = m.group(1), parse_labels(m.group(2))
            fam = family_of(name, types)
            if fam not in types:
                errors.append(f"line {i}: {name} has no TYPE before it")
            if fam in seen_families and order[-1] != fam:
                errors.append(f"line {i}: family {fam} is split into two groups")
            if fam not in seen_families:
                seen_families.add(fam)
                order.append(fam)
            if types.get(fam) == "summary" and name == fam and "quantile" not in labels:
                errors.append(f"line {i}: summary sample without a quantile label")
            if types.get(fam) == "histogram" and (name == fam or
                                                  (name.endswith("_bucket") and "le" not in labels)):
                errors.append(f"line {i}: histogram sample without _bucket and le: '{ln}'")
            key = (name, tuple(sorted(labels.items())))
            if key in samples:
                errors.append(f"line {i}: a second sample of the same series {key}")
            samples[key] = float(m.group(3))
    point(not errors, f"{os.path.basename(prom_path)}: strict text-format parse "
          f"({len(samples)} samples, {len(types)} families)", errors)

    try:
        from prometheus_client.parser import text_string_to_metric_families
        n = sum(len(f.samples) for f in text_string_to_metric_families(text))
        point(n == len(samples), f"prometheus_client parses it: {n} samples")
    except ImportError:
        point(False, "python3-prometheus-client is not installed (make deps)")
    except ValueError as e:
        point(False, f"prometheus_client refuses it: {e}")

    # Prometheus' own checker: the parser and the naming lints a fleet's CI would run
    promtool = os.environ.get("IOUCMD_PROMTOOL")
    if not promtool:
        point(False, "promtool check metrics: IOUCMD_PROMTOOL is not set (scripts/promtool.sh)")
    else:
        import subprocess
        p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        out = (p.stdout + p.stderr).strip()
        point(p.returncode == 0 and not out, f"promtool check metrics accepts {os.path.basename(prom_path)}",
              out.splitlines()[:10])

    # what the JSON says, sample by sample
    want = {}
    for s in report.get("scenarios", [report]):
        scen = s.get("file", "")
        for h in s.get("handlers") or []:
            base = {"handler": h["handler"], "scenario": scen}
            for k, v in (h.get("counters") or {}).items():
                if k == "violations":
                    for rule, c in v.items():
                        want[("ioucmd_violations_total", tuple(sorted({**base, "rule": rule}.items())))] = c
                else:
                    want[("ioucmd_commands_total", tuple(sorted({**base, "counter": k}.items())))] = v
            for entry in h.get("latency") or []:
                lab = {**base, "cmd_op": f"0x{entry['cmd_op']:x}", "kind": entry["kind"]}
                pairs = entry.get("buckets") or []
                for k in range(8, 38):
                    le = "+Inf" if k == 37 else "%.9g" % ((1 << k) / 1e9)
                    below = sum(c for lower, c in pairs if k == 37 or lower < (1 << k))
                    want[("ioucmd_latency_seconds_bucket", tuple(sorted({**lab, "le": le}.items())))] = below
                want[("ioucmd_latency_seconds_sum", tuple(sorted(lab.items())))] = \
                    sum(c * (lower + hist_upper(lower)) / 2 for lower, c in pairs) / 1e9
                want[("ioucmd_latency_seconds_count", tuple(sorted(lab.items())))] = entry["count"]
        if "scenarios" in report and s.get("result") != "skip":
            want[("ioucmd_scenario_passed", (("scenario", scen),))] = 1 if s["result"] == "pass" else 0
    diff = [f"{k}: JSON {v}, prom {samples.get(k)}" for k, v in want.items()
            if k not in samples or abs(samples[k] - v) > 1e-9 * max(1, abs(v))]
    diff += [f"{k}: in the textfile, not in the JSON" for k in samples if k not in want]
    point(not diff and len(want) > 0, f"every sample says what the JSON says ({len(want)} series)", diff)


def cmd_prom_series(snap_dir):
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        point(False, "python3-prometheus-client is not installed (make deps)")
        return
    snaps = sorted(f for f in os.listdir(snap_dir) if f.endswith(".prom"))
    broken, down, prev, families, grew = [], [], {}, None, 0
    for name in snaps:
        text = open(os.path.join(snap_dir, name)).read()
        try:
            samples = {}
            fams = set()
            for fam in text_string_to_metric_families(text):
                fams.add(fam.name)
                for smp in fam.samples:
                    samples[(smp.name, tuple(sorted(smp.labels.items())))] = smp.value
        except ValueError as e:
            broken.append(f"{name}: {e}")
            continue
        if not text.endswith("\n") or (families is not None and fams != families):
            broken.append(f"{name}: cut short ({len(text)} bytes, families {sorted(fams)})")
            continue
        families = fams
        for key, v in samples.items():
            if key in prev and v < prev[key] and not key[0].endswith("_sum"):
                down.append(f"{name}: {key} went from {prev[key]} to {v}")
            if key in prev and v > prev[key]:
                grew += 1
        missing = [k for k in prev if k not in samples]
        down += [f"{name}: {k} disappeared" for k in missing[:5]]
        prev = samples
    point(len(snaps) >= 10 and not broken,
          f"{len(snaps)} copies of the textfile taken while it was rewritten: each one whole", broken)
    point(len(snaps) >= 10 and not down and grew > 0,
          f"counters, buckets and counts never go down from one copy to the next ({grew} rises)",
          down[:10])


def cmd_intervals(report_path):
    r = json.load(open(report_path))
    ivs = r.get("intervals") or []
    sums, diff = {}, []
    for iv in ivs:
        for h in iv.get("handlers") or []:
            for k, v in (h.get("counters") or {}).items():
                if isinstance(v, (int, float)):
                    sums[(h["handler"], k)] = sums.get((h["handler"], k), 0) + v
    for h in r.get("handlers") or []:
        for k, v in (h.get("counters") or {}).items():
            if isinstance(v, (int, float)) and sums.get((h["handler"], k), 0) != v:
                diff.append(f"{h['handler']} {k}: {sums.get((h['handler'], k), 0)} over the intervals, {v} in all")
    issued = sum(v for (_, k), v in sums.items() if k == "issued")
    point(len(ivs) >= 2 and issued > 0 and not diff and not any(iv.get("cumulative") for iv in ivs),
          f"{len(ivs)} intervals' own counts add up to the whole trace's ({issued} issued)", diff[:10])


# ---- Chrome trace events ---------------------------------------------------------------------

STEP_PHASE = {"issue": "b", "return": "n", "done": "n", "cqe": "e"}


def cmd_events(events_path, report_path):
    try:
        trace = json.load(open(events_path))
    except ValueError as e:
        point(False, f"{os.path.basename(events_path)} is valid JSON: {e}")
        return
    events = trace.get("traceEvents")
    point(isinstance(events, list) and trace.get("displayTimeUnit") == "ns",
          f"{os.path.basename(events_path)} is a Chrome trace ({len(events or [])} events)")
    bad = [e for e in events or [] if not isinstance(e, dict) or
           e.get("ph") != STEP_PHASE.get((e.get("args") or {}).get("step")) or
           not isinstance(e.get("ts"), (int, float)) or not e.get("id") or not e.get("cat")]
    point(events and not bad, "every event has a step, its phase, a time, an id and a handler",
          [json.dumps(e) for e in bad[:5]])
    lives = {}
    for i, e in enumerate(events or []):
        lives.setdefault(e.get("id"), []).append((e.get("ts", 0), i, e))
    disorder = []
    for lid, steps in lives.items():
        steps.sort(key=lambda t: (t[0], t[1]))
        seq = [s[2]["args"]["step"] for s in steps]
        # issue first and the CQE last; the handler's return once in between, done() at most
        # once (it may come before the return: another CPU, a timer); a reissue after -EAGAIN
        # is a second issue/return pair before the CQE. The reissue runs on an io-wq worker,
        # so its done() and the CQE may both come (the submitter runs the task work) before
        # the worker's return: then that return is judged as if it came just before the CQE.
        if (seq.count("issue") > 1 and seq[-1] == "return" and "cqe" in seq and
                "done" in seq[:seq.index("cqe")]):
            i = seq.index("cqe")
            seq = seq[:i] + ["return"] + seq[i:-1]
        ok = (seq and seq[0] == "issue" and seq[-1] == "cqe" and seq.count("cqe") == 1 and
              seq.count("done") <= 1 and seq.count("issue") == seq.count("return") and
              all(a != "issue" or b in ("return", "done") for a, b in zip(seq, seq[1:])))
        if not ok:
            disorder.append(f"{lid}: {' '.join(seq)}")
    point(lives and not disorder, f"each of the {len(lives)} lives runs issue, return and done, "
          "then its CQE, in time order", disorder[:10])
    report = json.load(open(report_path))
    for s in report.get("scenarios", [report]):
        t = s.get("totals") or {}
        if not t:
            continue
        lost = t.get("lost_events", 0)
        # the runner's own STATS reads are not the scenario's commands (nor in its totals)
        mine = [l for l in lives.values() if l[0][2].get("cat") in
                {h["handler"] for h in s.get("handlers") or []} and l[0][2].get("name") != "STATS"]
        have = {"issue": sum(1 for l in mine for x in l if x[2]["args"]["step"] == "issue"),
                "done": sum(1 for l in mine for x in l if x[2]["args"]["step"] == "done"),
                "cqe": sum(1 for l in mine for x in l if x[2]["args"]["step"] == "cqe")}
        want = {"issue": t.get("issued"), "done": t.get("done"), "cqe": t.get("bpf_cqes")}
        point(lost == 0 and have == want, f"{s.get('file', 'trace')}: the trace holds what the "
              f"report counted: {have} (report {want}, lost events {lost})")


def main(argv):
    checks = {"schema": (cmd_schema, 2), "bars": (cmd_bars, 3), "prom": (cmd_prom, 2),
              "prom-series": (cmd_prom_series, 1), "intervals": (cmd_intervals, 1), "events": (cmd_events, 2)}
    if len(argv) < 2 or argv[1] not in checks or len(argv) - 2 != checks[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    checks[argv[1]][0](*argv[2:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
