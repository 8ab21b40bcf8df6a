#!/usr/bin/env python3
"""Turns bench/run's results.tsv into report.md (ratios to LOAD DATA, COPY and the reference servers, targets) and
plot.png."""
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
    # processed_rate: acknowledged records over the time until the last of them was 'Y' (end to end)
    done = float(tags["processed_rate"]) if "processed_rate" in tags else None
    cpu = float(tags["cpu_us_per_msg"]) if tags.get("cpu_us_per_msg") else None
    commit = float(tags["commit_ms"]) if tags.get("commit_ms") else None
    rows[name] = dict(rate=rate, p50=p50, p99=p99, p999=p999, max=mx, hwm=int(hwm) if hwm else 0,
                      verified=tags.get("verified", "na"), done=done, cpu=cpu, commit=commit, threads=tags.get("threads_us_per_msg", ""), daemon_rate=tags.get("daemon_rate", "n/a"))



def outage_section():
    """The spool: acknowledgements while the database is away against the same shapes with it, and the drain."""
    o = {k: rows.get("outage_" + k) for k in ("normal_lockstep", "normal_r100", "spooled_lockstep", "spooled_r100", "drain")}
    if not all(o.values()):
        return []
    out = ["", "## Database outage: the spool (MariaDB behind a proxy that is cut)", "",
           "| shape | database there, records/s | database away (spooled), records/s | away / there | target |",
           "|---|---:|---:|---:|---|"]
    for shape, a, b in (("1 lock-step REQ client (R=1, W=1)", "normal_lockstep", "spooled_lockstep"),
                        ("100 records/message (C=4, W=8)", "normal_r100", "spooled_r100")):
        ratio = o[b]["rate"] / o[a]["rate"]
        out.append(f"| {shape} | {o[a]['rate']:,.0f} | {o[b]['rate']:,.0f} | {ratio:.2f} | ≥ 0.5: {'yes' if ratio >= 0.5 else '**no**'} |")
    d, n = o["drain"], o["normal_r100"]
    ok = d["rate"] >= n["rate"]
    out += ["", f"Drain once the database is back: {d['rate']:,.0f} records/s measured from the proxy's restore to an "
            f"empty spool (including the up to 2 s until the daemon sees the database again; the daemon's own drain rate: "
            f"{d.get('daemon_rate', 'n/a')} records/s), against the normal write rate of {n['rate']:,.0f} records/s "
            f"(100 records/message): target drain ≥ normal {'met' if ok else '**not met**'}. Every spooled record stored "
            f"and 'Y' afterwards: {dict(yes='yes', no='**NO**').get(d['verified'], 'not checked')}."]
    return out


if "load_data" not in rows:  # `bench/run outage`: only that case
    lines = [f"# ingestd benchmark: outage case only\n", f"Machine: {machine}."] + outage_section()
    open(f"{out}/report.md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(0)

ld = rows["load_data"]["rate"]


def end_to_end(r):
    """The rate until every record was 'Y' where it was measured, else the acknowledgement rate."""
    if not r:
        return 0
    return min(r["rate"], r["done"]) if r["done"] else r["rate"]


seed = rows["seed_reference"]["rate"]
labels = {
    "load_data": "MariaDB LOAD DATA (physical limit)",
    "postgresql_copy": "PostgreSQL COPY FROM STDIN, psql \\copy (physical limit)",
    "seed_reference": "seed design: per-row INSERT+UPDATE autocommit, 1 client",
    "mariadb_lockstep_1": "ingestd, MariaDB, 1 lock-step REQ client (R=1, W=1)",
    "mariadb_lockstep_64": "ingestd, MariaDB, 64 lock-step REQ clients",
    "mariadb_pipelined": "ingestd, MariaDB, pipelined DEALER (C=4, W=64, R=1)",
    "mariadb_r100": "ingestd, MariaDB, 100 records/message (C=4, W=8)",
    "mariadb_r100_two_step": "ingestd, MariaDB, 100 records/message, two-step ('N' then 'Y', as with a FeeProcessor)",
    "curve_pipelined": "ingestd, MariaDB, pipelined DEALER, CURVE on",
    "curve_r100": "ingestd, MariaDB, 100 records/message, CURVE on",
    "postgresql_pipelined": "ingestd, PostgreSQL, pipelined DEALER (C=4, W=64, R=1)",
    "postgresql_r100": "ingestd, PostgreSQL, 100 records/message",
    "h2_pipelined": "ingestd, embedded H2, pipelined DEALER (C=4, W=64, R=1)",
    "h2_r100": "ingestd, embedded H2, 100 records/message",
    "h2_r100_two_step": "ingestd, embedded H2, 100 records/message, two-step",
    "flood": "ingestd, MariaDB, flood (C=16, W=2000, R=20, queue.max=20000)",
    "single_mariadb_two_step": "one ingestd, plain MariaDB, 100 records/message (C=4, W=8), two-step",
    "galera_two_nodes_two_step": "two ingestd nodes, 3-node Galera on the same machine, same client, two-step",
    "ceiling_lockstep_64": "bare JeroMQ ROUTER answering TRUE (transport ceiling), 64 lock-step REQ clients",
    "ceiling_pipelined": "bare JeroMQ ROUTER answering TRUE (transport ceiling), pipelined DEALER (C=4, W=64, R=1)",
    "simplest_lockstep_64": "simplest correct server (one thread: ROUTER, one INSERT IGNORE, commit, TRUE), MariaDB, "
                            "64 lock-step REQ clients",
    "simplest_pipelined": "simplest correct server, MariaDB, pipelined DEALER (C=4, W=64, R=1)",
}
lines = [f"# ingestd benchmark\n", f"Machine: {machine}. All figures from one run of `bench/run`; every ingestd "
         "figure counts records acknowledged `TRUE` (committed). 'all Y': the same records over the time until the last "
         "of them had reached 'Y' (end to end: a processing stage that lags behind the acknowledgements does not "
         "count as keeping up). 'checked': after the run, the database held every acknowledged record and all of "
         "them were 'Y' (the embedded H2 file is locked by the daemon: H2's 'all Y' comes from the daemon's own "
         "counters, and the integration tests check H2's rows).\n",
         "| case | acknowledged records/s | all 'Y' records/s | all 'Y' × LOAD DATA | × seed | p50 ms | p99 ms | p99.9 ms | max ms | peak RSS MiB | CPU µs/msg | checked |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for k, label in labels.items():
    if k not in rows:
        continue
    r = rows[k]
    rss = f"{r['hwm'] / 1024:.0f}" if r["hwm"] else ""
    done = f"{r['done']:,.0f}" if r["done"] else ""
    lines.append(f"| {label} | {r['rate']:,.0f} | {done} | {end_to_end(r) / ld:.3f} | {r['rate'] / seed:.1f} | {r['p50']:.2f} | "
                 f"{r['p99']:.2f} | {r['p999']:.2f} | {r['max']:.1f} | {rss} | {r['cpu'] if r['cpu'] is not None else ''} | {dict(yes='yes', no='**FAILED**').get(r['verified'], '')} |")

def e2e(k):
    return end_to_end(rows.get(k))


sweep = sorted((int(k.split("_")[1]), v) for k, v in rows.items() if k.startswith("sweep_"))
half = min(sweep, key=lambda s: abs(s[0] - 50))[1] if sweep else None
flood = rows.get("flood", {}).get("hwm", 0) / 1024
best_maria = max(e2e("mariadb_pipelined"), e2e("mariadb_r100"))
h2 = max(e2e("h2_pipelined"), e2e("h2_r100"))
# (target, measured, met, the rows it needs): a partial run (BENCH_CASES) leaves out what it did not measure
targets = [
    ("MariaDB ≥ 0.30 × LOAD DATA, all reaching 'Y' (pipelined or R=100, end to end)", f"{best_maria / ld:.3f}",
     best_maria / ld >= 0.30, best_maria),
    ("(not a target) the same, two-step as with a FeeProcessor", f"{e2e('mariadb_r100_two_step') / ld:.3f}",
     e2e("mariadb_r100_two_step") / ld >= 0.30, e2e("mariadb_r100_two_step")),
    ("1 lock-step client ≥ seed design", f"{e2e('mariadb_lockstep_1') / seed:.2f} ×", e2e("mariadb_lockstep_1") >= seed,
     e2e("mariadb_lockstep_1")),
    ("64 lock-step clients ≥ 20 × seed design", f"{e2e('mariadb_lockstep_64') / seed:.1f} ×",
     e2e("mariadb_lockstep_64") >= 20 * seed, e2e("mariadb_lockstep_64")),
    ("p99 ≤ 5 ms at half the maximum rate", f"{half['p99']:.2f} ms" if half else "n/a", bool(half and half["p99"] <= 5), half),
    ("H2 ≥ 150,000 records/s (all 'Y', end to end)", f"{h2:,.0f}", h2 >= 150_000, h2),
    ("(not a target) the same, two-step", f"{e2e('h2_r100_two_step'):,.0f}", e2e("h2_r100_two_step") >= 150_000,
     e2e("h2_r100_two_step")),
    ("peak RSS under flood ≤ 512 MiB", f"{flood:.0f} MiB", 0 < flood <= 512, flood),
]
# the databases' own bulk loads of the same rows, against ingestd's 100-records-per-message cases
bulk = [("MariaDB, 100 records/message ≥ 0.5 × LOAD DATA (end to end)", "mariadb_r100", "load_data"),
        ("PostgreSQL, 100 records/message ≥ 0.5 × COPY (end to end)", "postgresql_r100", "postgresql_copy")]
for t, d, ref in bulk:
    if d in rows and ref in rows:
        ratio = e2e(d) / rows[ref]["rate"]
        targets.append((t, f"{ratio:.3f} ×", ratio >= 0.5, True))
low = rows.get("sweep_10")
if low and low.get("commit"):
    targets.append(("p50 at 10% load ≤ 2 × one commit (the daemon's mean commit time in that case)",
                    f"{low['p50']:.2f} ms against {low['commit']:.2f} ms ({low['p50'] / low['commit']:.1f} ×)",
                    low["p50"] <= 2 * low["commit"], True))
# the reference servers, same client, same shapes: (bare ROUTER, simplest correct server, ingestd, shape)
shapes = [(c, sc, d, shape) for c, sc, d, shape in (
    ("ceiling_lockstep_64", "simplest_lockstep_64", "mariadb_lockstep_64", "64 lock-step REQ connections, 1 record/message"),
    ("ceiling_pipelined", "simplest_pipelined", "mariadb_pipelined", "pipelined DEALER (C=4, W=64), 1 record/message"))
    if d in rows and (c in rows or sc in rows)]
for c, sc, d, shape in shapes:
    if c in rows:
        goal = 0.6 if "lockstep" in c else 0.5
        ratio = rows[d]["rate"] / rows[c]["rate"]
        targets.append((f"{shape}: ≥ {goal} × the bare ROUTER", f"{ratio:.2f} ×", ratio >= goal, True))
        if rows[c]["cpu"] and rows[d]["cpu"]:
            cpu = rows[d]["cpu"] / rows[c]["cpu"]
            targets.append((f"{shape}: CPU per message ≤ 1.5 × the bare ROUTER's", f"{cpu:.2f} ×", cpu <= 1.5, True))
    if sc in rows:
        ratio = rows[d]["rate"] / rows[sc]["rate"]
        targets.append((f"{shape}: ≥ 1.2 × the simplest correct server", f"{ratio:.2f} ×", ratio >= 1.2, True))
        targets.append((f"{shape}: p99 no worse than the simplest correct server's",
                        f"{rows[d]['p99']:.2f} ms against {rows[sc]['p99']:.2f} ms", rows[d]["p99"] <= rows[sc]["p99"], True))
lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
lines += [f"| {t} | {m} | {'' if t.startswith('(not') else 'yes' if ok else '**no**'} |" for t, m, ok, have in targets if have]
if shapes:
    lines += ["", "## The references: a bare JeroMQ ROUTER answering TRUE at once (the transport's ceiling) and the simplest "
              "correct server (one thread: ROUTER, every waiting message's records in one INSERT IGNORE, commit, then TRUE "
              "to each), same client, same run, same MariaDB", "",
              "| shape | server | msgs/s | p50 ms | p99 ms | CPU µs/msg | ingestd ÷ it, msgs/s | ingestd ÷ it, CPU µs/msg |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for c, sc, d, shape in shapes:
        dr = rows[d]
        for k, server in ((c, "bare ROUTER"), (sc, "simplest correct server"), (d, "ingestd")):
            if k not in rows:
                continue
            r = rows[k]
            vs = " | "  # ingestd's own row: no ratio
            if k != d:
                vs = f"{dr['rate'] / r['rate']:.2f} | " + (f"{dr['cpu'] / r['cpu']:.2f}" if r["cpu"] and dr["cpu"] else "")
            lines.append(f"| {shape} | {server} | {r['rate']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                         f"{r['cpu'] if r['cpu'] is not None else ''} | {vs} |")
timed = [(k, rows[k]) for k in rows if rows[k].get("commit") or rows[k].get("threads")]
if timed:
    lines += ["", "## Where the time goes: mean commit time, and CPU per message of the busiest threads", "",
              "| case | mean commit ms | CPU µs/msg by thread (the six busiest) |", "|---|---:|---|"]
    for k, r in timed:
        c = f"{r['commit']:.3f}" if r.get("commit") else ""
        lines.append(f"| {k} | {c} | {r['threads'].replace(',', ', ')} |")
curve = [(a, b) for a, b in (("curve_pipelined", "mariadb_pipelined"), ("curve_r100", "mariadb_r100"))
         if a in rows and b in rows]
if curve:
    lines += ["", "## CURVE on against off (MariaDB, same client shapes)", "",
              "| shape | off records/s | on records/s | on / off |", "|---|---:|---:|---:|"]
    for a, b in curve:
        shape = "pipelined DEALER (C=4, W=64, R=1)" if "pipelined" in a else "100 records/message (C=4, W=8)"
        lines.append(f"| {shape} | {rows[b]['rate']:,.0f} | {rows[a]['rate']:,.0f} | {rows[a]['rate'] / rows[b]['rate']:.2f} |")
lines += outage_section()
lines += ["", "## Latency against offered load (MariaDB, pipelined, R=1)", "",
          "| offered (% of max) | offered records/s | acknowledged records/s | p50 ms | p99 ms |", "|---:|---:|---:|---:|---:|"]
maxrate = rows.get("mariadb_pipelined", {}).get("rate", 0)
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
