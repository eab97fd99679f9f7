#!/usr/bin/env python3
"""Per-tenant comparison of two `sim run` outputs (docs/capacity-planning.md, `--queue drf`).

Usage: python3 tools/sim/tenant-table.py A/jobs.csv B/jobs.csv [LABEL_A LABEL_B]
Prints a Markdown table, one row per tenant (most completed jobs in A first): completed jobs, mean JCT and
mean / p95 queueing delay in seconds over the completed rows of each file (columns jct_s, queueing_delay_s).
p95 is the nearest-rank value at index floor(0.95 n). Standard library only.
"""
import csv, sys, statistics as st
def load(p):
    d = {}
    for r in csv.DictReader(open(p)):
        if r['state'] != 'completed': continue
        d.setdefault(r['tenant'], []).append((int(r['jct_s']), int(r['queueing_delay_s'])))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
la, lb = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ("A", "B")
def p95(x): x = sorted(x); return x[min(len(x)-1, int(0.95*len(x)))]
print(f"| tenant | jobs | JCT mean s {la} | JCT mean s {lb} | wait mean s {la} | wait mean s {lb} | wait p95 s {la} | wait p95 s {lb} |")
print("|---|---|---|---|---|---|---|---|")
for t in sorted(a, key=lambda t: -len(a[t])):
    fa, fb = a[t], b.get(t, [])
    print("| %s | %d | %s | %s | %s | %s | %s | %s |" % (t, len(fa),
        f"{st.mean(j for j,_ in fa):,.0f}", f"{st.mean(j for j,_ in fb):,.0f}",
        f"{st.mean(w for _,w in fa):,.0f}", f"{st.mean(w for _,w in fb):,.0f}",
        f"{p95([w for _,w in fa]):,}", f"{p95([w for _,w in fb]):,}"))
