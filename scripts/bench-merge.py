#!/usr/bin/env python3
"""bench-merge.py OUTDIR — the host's and the guest's `ioucmd-bench` results as one table.

Reads OUTDIR/host/bench.json (tracepoint backend on this machine's kernel) and
OUTDIR/guest/bench.json (fentry backend in the TCG guest), prints one table of every row with
its columns (ns/cmd, x floor, x floor+clock, whether each target is kept, ioucmd-all against
ioucmd, ioucmd against bpftrace) and the configurations that failed, and writes OUTDIR/bench.json
(schema ioucmd-bench-run/2, reports/SCHEMA.md) and OUTDIR/bench.svg, a bar chart of x floor per
tracer per row for the HTML report to embed. Exits 1 when a part is missing or a configuration
failed, so that `make bench` says so.
"""
import json
import math
import os
import sys

TRACERS = ("ioucmd", "ioucmd-all", "ioucmd-events", "bpftrace")
COLORS = {"ioucmd": "#3b6fb6", "ioucmd-all": "#6aa84f", "ioucmd-events": "#d98c2b",
          "bpftrace": "#7a7a7a"}
NAN = float("nan")


def get(row: dict, config: str, key: str):
    return row.get(config, {}).get(key)


def num(v, fmt: str) -> str:
    """v formatted, or "-" as wide when there is no number"""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-".rjust(int(fmt.split(".")[0]))
    return format(v, fmt)


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    parts, missing = {}, []
    for where in ("host", "guest"):
        path = os.path.join(out, where, "bench.json")
        if os.path.exists(path):
            with open(path) as f:
                parts[where] = json.load(f)
        else:
            missing.append(where)
    if not parts:
        sys.exit(f"bench-merge: no bench.json under {out}/host or {out}/guest")

    for where, p in parts.items():
        print(f"{where}: kernel {p.get('kernel')}, {p.get('backend')} backend, "
              f"{p.get('clock', 'wall')} clock, {p.get('rounds')} rounds of {p.get('commands')}"
              f" commands, {p.get('seconds', 0):.0f} s")
    hdr = (f"{'where':6} {'row':30} {'untraced':>8} {'floor':>7} {'fl+clk':>7} {'ioucmd':>7}"
           f" {'io-all':>7} {'bpftr.':>7} {'x floor':>7} {'x fl+ck':>7} {'target':>6} {'kept':>5}"
           f" {'all/io':>6} {'bt x fl':>7} {'io/bt':>6} {'<=1/3':>5}")
    print("\n" + hdr)
    print(f"{'':6} {'':30} {'ns/cmd':>8} {'ns/cmd':>7} {'ns/cmd':>7} {'ns/cmd':>7} {'ns/cmd':>7}"
          f" {'ns/cmd':>7}")
    rows, failures = [], []
    for where, p in parts.items():
        for r in p["rows"]:
            xf = get(r, "ioucmd", "x_floor")
            tgt = r.get("target_x_floor", NAN)
            ratio = r.get("ioucmd_overhead_over_bpftrace")
            kept = xf is not None and xf <= tgt
            third = ratio is not None and ratio <= 1 / 3
            for config, why in r.get("failed", {}).items():
                failures.append(f"{where} {r['row']}, {config}: {why}")
            rows.append({"where": where, "row": r["row"], "x_floor": xf,
                         "x_floor_clock": get(r, "ioucmd", "x_floor_clock"),
                         "ioucmd_all_x_floor": get(r, "ioucmd-all", "x_floor"),
                         "ioucmd_all_over_ioucmd": r.get("ioucmd_all_overhead_over_ioucmd"),
                         "target": tgt, "kept": kept, "ioucmd_over_bpftrace": ratio,
                         "one_third_of_bpftrace": third if ratio is not None else None,
                         "failed": sorted(r.get("failed", {}))})
            ns = [num(get(r, c, "ns_per_cmd"), w) for c, w in
                  (("untraced", "8.0f"), ("floor", "7.0f"), ("floor+clock", "7.0f"),
                   ("ioucmd", "7.0f"), ("ioucmd-all", "7.0f"), ("bpftrace", "7.0f"))]
            print(f"{where:6} {r['row'][:30]:30} {' '.join(ns)}"
                  f" {num(xf, '7.2f')} {num(get(r, 'ioucmd', 'x_floor_clock'), '7.2f')}"
                  f" {tgt:6.1f} {'yes' if kept else 'no':>5}"
                  f" {num(r.get('ioucmd_all_overhead_over_ioucmd'), '6.2f')}"
                  f" {num(get(r, 'bpftrace', 'x_floor'), '7.2f')} {num(ratio, '6.2f')}"
                  f" {('yes' if third else 'no') if ratio is not None else '-':>5}")
    # where a target is missed: what each of ioucmd's programs costs and how big it is
    missed = [(where, r) for where, p in parts.items() for r in p["rows"]
              if get(r, "ioucmd", "x_floor") is not None
              and get(r, "ioucmd", "x_floor") > r.get("target_x_floor", NAN)]
    if missed:
        print("\nmissed targets: ioucmd's programs (kernel BPF statistics; sizes from "
              "bpf_prog_info, as bpftool prog shows them)")
        print(f"{'where':6} {'row':30} {'program':24} {'calls/cmd':>9} {'ns/call':>8}"
              f" {'ns/cmd':>7} {'xlated':>7} {'jited':>6}")
    for where, r in missed:
        for prog in r.get("ioucmd", {}).get("programs", []):
            print(f"{where:6} {r['row'][:30]:30} {prog['program'][:24]:24}"
                  f" {prog['calls_per_cmd']:9.2f} {prog['ns_per_call']:8.0f}"
                  f" {prog['calls_per_cmd'] * prog['ns_per_call']:7.0f}"
                  f" {prog['xlated_insns']:7d} {prog['jited_bytes']:6d}")
    for where, p in parts.items():
        for config, why in p.get("not_run", {}).items():
            print(f"{where}: {config} not run: {why}")
    g = parts.get("guest", {})
    o = g.get("overload")
    if isinstance(o, dict):
        print(f"\noverload ({o['in_flight']} in flight, map {o['map_capacity']}): untracked "
              f"{o['untracked']}, violations {o['violations']}, lost {o['lost_events']}: "
              f"{'kept' if o['ok'] else 'MISSED'}")
    elif o is not None:
        failures.append(f"guest overload: {o}")
    a = g.get("latency_accuracy")
    if isinstance(a, dict):
        print("latency accuracy: " + ", ".join(
            f"{r['requested_ns'] / 1000:g} us {'agrees' if r['agrees'] else 'DISAGREES'}"
            for r in a["rows"]))
    elif a is not None:
        failures.append(f"guest latency_accuracy: {a}")
    for where in missing:
        failures.append(f"{where}: no bench.json (the {where} part did not finish)")
    if failures:
        print(f"\n{len(failures)} FAILED:\n  " + "\n  ".join(failures))
    merged = {"schema": "ioucmd-bench-run/2", "summary": rows, "failures": failures, **parts}
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(merged, f, indent=1)

    # the chart: one group of bars per row, x floor of each tracer, the 1x line dashed
    h, w, left = 14, 420, 260
    n = sum(len(p["rows"]) for p in parts.values())
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 60}" '
           f'height="{n * (len(TRACERS) * h + 8) + 40}"><style>text{{font:11px sans-serif}}'
           f'</style>',
           f'<text x="{left}" y="14">x floor (1 = empty programs): blue ioucmd, green '
           f'ioucmd-all, orange --events, grey bpftrace</text>']
    scale = w / 8.0
    y = 24
    for where, p in parts.items():
        for r in p["rows"]:
            svg.append(f'<text x="0" y="{y + 2 * h}">{where} {r["row"]}</text>')
            for i, t in enumerate(TRACERS):
                xf = get(r, t, "x_floor")
                if xf is None or math.isnan(xf):
                    continue
                length = max(0, min(w, int(xf * scale)))
                svg.append(f'<rect x="{left}" y="{y + i * h}" width="{length}" height="{h - 3}" '
                           f'fill="{COLORS[t]}"/><text x="{left + length + 4}" '
                           f'y="{y + i * h + 10}">{xf:.2f}</text>')
            y += len(TRACERS) * h + 8
    svg.append(f'<line x1="{left + scale}" y1="20" x2="{left + scale}" y2="{y}" '
               f'stroke="#888" stroke-dasharray="3"/></svg>')
    with open(os.path.join(out, "bench.svg"), "w") as f:
        f.write("\n".join(svg) + "\n")
    print(f"\nbench: {out}/bench.json, {out}/bench.svg")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
