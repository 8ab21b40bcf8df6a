#!/usr/bin/env python3
"""Turns bench/run's results.tsv into report.md (ratios to LOAD DATA, targets) and plot.png."""
import sys

tsv, out, machine = sys.argv[1], sys.argv[2], sys.argv[3]
rows = {}
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    name, rest = f[0], f[1:]
    tags = dict(x.split("=", 1) for x in rest if "=" in x)
    nums = [x for x in rest if "=" not in x]
    rate, p50, p99, p999, mx = (float(x) for x in nums[:5])
    hwm = tags.get("hwm_kb", "")
    rows[name] = dict(rate=rate, p50=p50, p99=p99, p999=p999, max=mx, hwm=int(hwm) if hwm else 0,
                      verified=tags.get("verified", "na"))

ld = rows["load_data"]["rate"]
seed = rows["seed_reference"]["rate"]
labels = {
    "load_data": "MariaDB LOAD DATA (physical limit)",
    "seed_reference": "seed design: per-row INSERT+UPDATE autocommit, 1 client",
    "mariadb_lockstep_1": "ingestd, MariaDB, 1 lock-step REQ client (R=1, W=1)",
    "mariadb_lockstep_64": "ingestd, MariaDB, 64 lock-step REQ clients",
    "mariadb_pipelined": "ingestd, MariaDB, pipelined DEALER (C=4, W=64, R=1)",
    "mariadb_r100": "ingestd, MariaDB, 100 records/message (C=4, W=8)",
    "mariadb_r100_inline": "ingestd, MariaDB, 100 records/message, process.inline=true",
    "curve_pipelined": "ingestd, MariaDB, pipelined DEALER, CURVE on",
    "curve_r100": "ingestd, MariaDB, 100 records/message, CURVE on",
    "postgresql_pipelined": "ingestd, PostgreSQL, pipelined DEALER (C=4, W=64, R=1)",
    "postgresql_r100": "ingestd, PostgreSQL, 100 records/message",
    "h2_pipelined": "ingestd, embedded H2, pipelined DEALER (C=4, W=64, R=1)",
    "h2_r100": "ingestd, embedded H2, 100 records/message",
    "h2_r100_inline": "ingestd, embedded H2, 100 records/message, process.inline=true",
    "flood": "ingestd, MariaDB, flood (C=16, W=2000, R=20, queue.max=20000)",
}
lines = [f"# ingestd benchmark\n", f"Machine: {machine}. All figures from one run of `bench/run`; every ingestd "
         "figure counts records acknowledged `TRUE` (committed). 'checked': after the run, the database held every "
         "acknowledged record and all of them had reached 'Y' (the embedded H2 file is locked by the daemon, so "
         "those cases are not checked from outside; the integration tests check H2).\n",
         "| case | records/s | × LOAD DATA | × seed | p50 ms | p99 ms | p99.9 ms | max ms | peak RSS MiB | checked |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for k, label in labels.items():
    if k not in rows:
        continue
    r = rows[k]
    rss = f"{r['hwm'] / 1024:.0f}" if r["hwm"] else ""
    lines.append(f"| {label} | {r['rate']:,.0f} | {r['rate'] / ld:.3f} | {r['rate'] / seed:.1f} | {r['p50']:.2f} | "
                 f"{r['p99']:.2f} | {r['p999']:.2f} | {r['max']:.1f} | {rss} | {dict(yes='yes', no='**FAILED**').get(r['verified'], '')} |")

best_maria = max(rows.get(k, {"rate": 0})["rate"] for k in ("mariadb_pipelined", "mariadb_r100"))
best_maria_inline = rows.get("mariadb_r100_inline", {"rate": 0})["rate"]
sweep = sorted((int(k.split("_")[1]), v) for k, v in rows.items() if k.startswith("sweep_"))
half = min(sweep, key=lambda s: abs(s[0] - 50))[1] if sweep else None
h2 = max(rows.get(k, {"rate": 0})["rate"] for k in ("h2_pipelined", "h2_r100"))
h2_inline = rows.get("h2_r100_inline", {"rate": 0})["rate"]
flood = rows.get("flood", {}).get("hwm", 0) / 1024
targets = [
    ("MariaDB ≥ 0.30 × LOAD DATA (pipelined or R=100; 'N' then 'Y')", f"{best_maria / ld:.3f}", best_maria / ld >= 0.30),
    ("the same with process.inline=true (inserted 'Y')", f"{best_maria_inline / ld:.3f}", best_maria_inline / ld >= 0.30),
    ("1 lock-step client ≥ seed design", f"{rows['mariadb_lockstep_1']['rate'] / seed:.2f} ×", rows['mariadb_lockstep_1']['rate'] >= seed),
    ("64 lock-step clients ≥ 20 × seed design", f"{rows['mariadb_lockstep_64']['rate'] / seed:.1f} ×", rows['mariadb_lockstep_64']['rate'] >= 20 * seed),
    ("p99 ≤ 5 ms at half the maximum rate", f"{half['p99']:.2f} ms" if half else "n/a", bool(half and half["p99"] <= 5)),
    ("H2 ≥ 150,000 records/s ('N' then 'Y')", f"{h2:,.0f}", h2 >= 150_000),
    ("the same with process.inline=true", f"{h2_inline:,.0f}", h2_inline >= 150_000),
    ("peak RSS under flood ≤ 512 MiB", f"{flood:.0f} MiB", 0 < flood <= 512),
]
lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in targets]
curve = [(a, b) for a, b in (("curve_pipelined", "mariadb_pipelined"), ("curve_r100", "mariadb_r100"))
         if a in rows and b in rows]
if curve:
    lines += ["", "## CURVE on against off (MariaDB, same client shapes)", "",
              "| shape | off records/s | on records/s | on / off |", "|---|---:|---:|---:|"]
    for a, b in curve:
        shape = "pipelined DEALER (C=4, W=64, R=1)" if "pipelined" in a else "100 records/message (C=4, W=8)"
        lines.append(f"| {shape} | {rows[b]['rate']:,.0f} | {rows[a]['rate']:,.0f} | {rows[a]['rate'] / rows[b]['rate']:.2f} |")
lines += ["", "## Latency against offered load (MariaDB, pipelined, R=1)", "",
          "| offered (% of max) | offered records/s | acknowledged records/s | p50 ms | p99 ms |", "|---:|---:|---:|---:|---:|"]
maxrate = rows["mariadb_pipelined"]["rate"]
for pct, r in sweep:
    lines.append(f"| {pct} | {maxrate * pct / 100:,.0f} | {r['rate']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |")
lines += ["", "![throughput and p99 latency against offered load](plot.png)", ""]
open(f"{out}/report.md", "w").write("\n".join(lines) + "\n")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax1 = plt.subplots(figsize=(8, 4.5))
    xs = [maxrate * p / 100 for p, _ in sweep]
    ax1.plot(xs, [r["rate"] for _, r in sweep], "o-", label="acknowledged records/s")
    ax1.set_xlabel("offered records/s")
    ax1.set_ylabel("acknowledged records/s")
    ax2 = ax1.twinx()
    ax2.plot(xs, [r["p99"] for _, r in sweep], "s--", color="tab:red", label="p99 ack latency (ms)")
    ax2.set_ylabel("p99 latency (ms)")
    ax1.set_title("ingestd into MariaDB: throughput and p99 latency against offered load")
    fig.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(f"{out}/plot.png", dpi=100)
except ImportError:
    pass
print("\n".join(lines))
