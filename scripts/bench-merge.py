#!/usr/bin/env python3
"""bench-merge.py OUTDIR — the host's and the guest's `ioucmd bench` results as one table.

Reads OUTDIR/host/bench.json (tracepoint backend on this machine's kernel) and
OUTDIR/guest/bench.json (fentry backend in the TCG guest), prints one table of every row with
its columns (ns/cmd, overhead, x floor, and whether each target is kept), and writes
OUTDIR/bench.json (schema ioucmd-bench-run/1, reports/SCHEMA.md) and OUTDIR/bench.svg, a bar
chart of x floor per tracer per row for the HTML report to embed.
"""
import json
import os
import sys

TRACERS = ("ioucmd", "ioucmd-events", "bpftrace")
COLORS = {"ioucmd": "#3b6fb6", "ioucmd-events": "#d98c2b", "bpftrace": "#7a7a7a"}


def target(where: str, row: dict) -> float:
    """the x-floor target the issue sets for this row"""
    if where == "host":
        return 1.5
    return 1.6 if "NOP_TW" in row["row"] else 1.3


def x_floor(row: dict, tracer: str):
    return row.get(tracer, {}).get("x_floor")


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    parts = {}
    for where in ("host", "guest"):
        path = os.path.join(out, where, "bench.json")
        if os.path.exists(path):
            with open(path) as f:
                parts[where] = json.load(f)
    if not parts:
        sys.exit(f"bench-merge: no bench.json under {out}/host or {out}/guest")

    hdr = (f"{'where':6} {'row':26} {'untraced':>9} {'floor':>8} {'ioucmd':>8} {'bpftrace':>9}"
           f" {'x floor':>8} {'target':>7} {'kept':>5} {'bt x fl':>8} {'io/bt':>6} {'<=1/3':>6}")
    print(hdr)
    print(f"{'':6} {'':26} {'ns/cmd':>9} {'ns/cmd':>8} {'ns/cmd':>8} {'ns/cmd':>9}")
    rows = []
    for where, p in parts.items():
        for r in p["rows"]:
            xf = x_floor(r, "ioucmd")
            tgt = target(where, r)
            bt = r.get("bpftrace", {})
            ratio = r.get("ioucmd_overhead_over_bpftrace")
            kept = xf is not None and xf <= tgt
            third = ratio is not None and ratio <= 1 / 3
            rows.append({"where": where, "row": r["row"], "x_floor": xf, "target": tgt,
                         "kept": kept, "ioucmd_over_bpftrace": ratio,
                         "one_third_of_bpftrace": third if ratio is not None else None})
            print(f"{where:6} {r['row'][:26]:26} {r['untraced']['ns_per_cmd']:9.0f}"
                  f" {r.get('floor', {}).get('ns_per_cmd', 0):8.0f}"
                  f" {r['ioucmd']['ns_per_cmd']:8.0f}"
                  f" {bt.get('ns_per_cmd', float('nan')):9.0f}"
                  f" {xf if xf is not None else float('nan'):8.2f} {tgt:7.1f} {'yes' if kept else 'no':>5}"
                  f" {bt.get('x_floor', float('nan')):8.2f}"
                  f" {ratio if ratio is not None else float('nan'):6.2f}"
                  f" {('yes' if third else 'no') if ratio is not None else '-':>6}")
    g = parts.get("guest", {})
    if g.get("overload"):
        o = g["overload"]
        print(f"\noverload ({o['in_flight']} in flight, map {o['map_capacity']}): untracked "
              f"{o['untracked']}, violations {o['violations']}, lost {o['lost_events']}: "
              f"{'kept' if o['ok'] else 'MISSED'}")
    if g.get("latency_accuracy"):
        print("latency accuracy: " + ", ".join(
            f"{r['requested_ns'] / 1000:g} us {'agrees' if r['agrees'] else 'DISAGREES'}"
            for r in g["latency_accuracy"]["rows"]))
    merged = {"schema": "ioucmd-bench-run/1", "summary": rows, **parts}
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(merged, f, indent=1)

    # the chart: one group of bars per row, x floor of each tracer, the 1x line dashed
    h, w, left = 14, 420, 260
    n = len(rows)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 60}" '
           f'height="{n * (3 * h + 8) + 40}"><style>text{{font:11px sans-serif}}</style>',
           f'<text x="{left}" y="14">x floor (1 = empty programs): blue ioucmd, orange '
           f'--events, grey bpftrace</text>']
    scale = w / 8.0
    y = 24
    for where, p in parts.items():
        for r in p["rows"]:
            svg.append(f'<text x="0" y="{y + 2 * h}">{where} {r["row"]}</text>')
            for i, t in enumerate(TRACERS):
                xf = x_floor(r, t)
                if xf is None:
                    continue
                length = max(0, min(w, int(xf * scale)))
                svg.append(f'<rect x="{left}" y="{y + i * h}" width="{length}" height="{h - 3}" '
                           f'fill="{COLORS[t]}"/><text x="{left + length + 4}" '
                           f'y="{y + i * h + 10}">{xf:.2f}</text>')
            y += 3 * h + 8
    svg.append(f'<line x1="{left + scale}" y1="20" x2="{left + scale}" y2="{y}" '
               f'stroke="#888" stroke-dasharray="3"/></svg>')
    with open(os.path.join(out, "bench.svg"), "w") as f:
        f.write("\n".join(svg) + "\n")
    print(f"\nbench: {out}/bench.json, {out}/bench.svg")


if __name__ == "__main__":
    main()
