#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements (hyperfine JSON, GNU time RSS) into the Markdown report.

Usage: report.py OUT_DIR   (bench/out)
"""

import json
import os
import sys

TOOLS = ["action", "jq", "JSON.parse", "node -e 0"]
DESCRIPTION = {
    "action": "`node dist/index.js lookup`",
    "jq": "`jq -f bench/lookup.jq`",
    "JSON.parse": "`node bench/jsonparse.js`",
    "node -e 0": "`node -e 0` (startup floor)",
}
DIST_LIMIT = 1_000_000  # "under 1 MB", taken as 10^6 bytes


def load(out):
    machine = {}
    with open(os.path.join(out, "machine.env"), encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            machine[key] = value
    sizes = []
    with open(os.path.join(out, "sizes.txt"), encoding="utf-8") as f:
        for line in f:
            label, nbytes, address = line.split()
            sizes.append((label, int(nbytes), address))
    results = {}
    for label, _, _ in sizes:
        with open(os.path.join(out, f"{label}.json"), encoding="utf-8") as f:
            hf = json.load(f)
        for r in hf["results"]:
            tool = r["command"]
            rss_file = os.path.join(out, f"{label}.{tool}.rss")
            with open(rss_file, encoding="utf-8") as f:
                rss = [int(x) for x in f.read().split()]
            results[(label, tool)] = {
                "median": r["median"],
                "min": r["min"],
                "max": r["max"],
                "runs": len(r["times"]),
                "rss_kib": max(rss),
                "rss_runs": len(rss),
            }
    wasm = {}
    for label, _, _ in sizes:
        path = os.path.join(out, f"{label}.wasm")
        if os.path.exists(path):
            text = open(path, encoding="utf-8").read().strip()
            if text:
                wasm[label] = int(text)
    return machine, sizes, results, wasm


def ms(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def human_bytes(n):
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1000:.1f} kB"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    machine, sizes, res, wasm = load(out)
    dist = int(machine["dist_index_js"]) + int(machine["dist_wasm"])
    p = print

    p("### Machine")
    p()
    p(f"- {machine['nproc']} CPUs ({machine['cpu']}), {machine['mem_total']}, {machine['kernel']}")
    p(f"- Node {machine['node']}, {machine['jq']}, {machine['hyperfine']}, {machine['python']}")
    p(f"- commit {machine['commit']}, dist/ {machine.get('dist_vs_commit', '?')} (sha256 {machine['dist_sha256']}…), "
      f"run {machine['date']}")
    p(f"- load average before / after: {machine['load_before']} / {machine.get('load_after', '?')}")
    p()
    p("### Wall time and peak memory")
    p()
    p("Wall time: hyperfine median (min–max) of whole processes, after 2 warm-up runs. "
      "Peak RSS: GNU time `%M`, the maximum over the RSS runs. "
      "Ratios are to the JSON.parse script on the same state.")
    p()
    p("| State | Command | Wall median | Wall min–max | Runs (time / RSS) | Peak RSS | Wall ÷ JSON.parse | RSS ÷ JSON.parse |")
    p("|---|---|--:|--:|--:|--:|--:|--:|")
    for label, nbytes, address in sizes:
        base = res.get((label, "JSON.parse"))
        for tool in TOOLS:
            r = res.get((label, tool))
            if not r:
                continue
            wall_ratio = f"{r['median'] / base['median']:.2f}×" if base else "–"
            rss_ratio = f"{r['rss_kib'] / base['rss_kib']:.2f}×" if base else "–"
            p(f"| {human_bytes(nbytes)} | {DESCRIPTION[tool]} | {ms(r['median'])} | "
              f"{ms(r['min'])}–{ms(r['max'])} | {r['runs']} / {r['rss_runs']} | {mib(r['rss_kib'])} | "
              f"{wall_ratio} | {rss_ratio} |")
    p()
    p("Looked-up addresses (the lexically last module, at the end of the file): " +
      ", ".join(f"{human_bytes(n)} `{a}`" for _, n, a in sizes) + ".")
    p()
    if wasm:
        p("The action's WebAssembly linear memory at exit (it never shrinks, so this is its peak; "
          "from one extra run with `bench/memprobe.js` preloaded): " +
          ", ".join(f"{human_bytes(n)} state → {wasm[l] / 1048576:.1f} MiB"
                    + (f" ({wasm[l] / n:.1f}× the file)" if n >= 1_000_000 else "")
                    for l, n, _ in sizes if l in wasm) + ".")
        p()
    p(f"dist/ size: {dist:,} bytes (index.js {int(machine['dist_index_js']):,} + "
      f"stage_action_bg.wasm {int(machine['dist_wasm']):,}).")
    p()

    p("### Targets")
    p()
    p("| Target | Measured | Met |")
    p("|---|---|---|")
    big = [s for s in sizes if s[0] == "100MB"]
    if big:
        label = big[0][0]
        a, j, js = res[(label, "action")], res[(label, "jq")], res[(label, "JSON.parse")]
        wr = a["median"] / js["median"]
        rr = a["rss_kib"] / js["rss_kib"]
        p(f"| 100 MB: wall ≤ 0.5 × JSON.parse | {ms(a['median'])} vs {ms(js['median'])}: {wr:.2f}× | "
          f"{'yes' if wr <= 0.5 else '**no**'} |")
        p(f"| 100 MB: peak RSS ≤ 0.5 × JSON.parse | {mib(a['rss_kib'])} vs {mib(js['rss_kib'])}: {rr:.2f}× | "
          f"{'yes' if rr <= 0.5 else '**no**'} |")
        p(f"| 100 MB: faster than jq | {ms(a['median'])} vs {ms(j['median'])}: "
          f"{a['median'] / j['median']:.2f}× | {'yes' if a['median'] < j['median'] else '**no**'} |")
    small = [s for s in sizes if s[0] == "50KB"]
    if small and (small[0][0], "node -e 0") in res:
        label = small[0][0]
        a, z = res[(label, "action")], res[(label, "node -e 0")]
        r = a["median"] / z["median"]
        p(f"| 50 KB: wall ≤ 1.25 × `node -e 0` | {ms(a['median'])} vs {ms(z['median'])}: {r:.2f}× | "
          f"{'yes' if r <= 1.25 else '**no**'} |")
    p(f"| dist/ < 1 MB | {dist:,} bytes | {'yes' if dist < DIST_LIMIT else '**no**'} |")


if __name__ == "__main__":
    main()
