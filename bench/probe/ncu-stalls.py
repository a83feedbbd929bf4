#!/usr/bin/env python3
"""ncu-stalls.py: where a kernel's warps wait, from Nsight Compute's source page.

Reads the CSV of `ncu --import REPORT.ncu-rep --page source --print-source sass
--csv` (a report taken with --set full, or at least the SourceCounters
section) and prints: the share of each stall reason over all warp-stall
samples, executed warp instructions per opcode, stall samples per opcode, and
the instructions with the most samples, each with its dominant reason. Used
for issue 8 (docs/perf-notes.md): it is how the x loads and the header
shuffles were found to hold half of the stream kernels' stalls.

Usage: bench/probe/ncu-stalls.py SOURCE.csv [TOP]
"""
import collections
import csv
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.reader(f))
    # row 0 names the kernel, row 1 is the header
    head = next((r for r in rows if r and r[0] == "Address"), None)
    if head is None:
        sys.exit("%s: no 'Address' header: not an ncu source page CSV" % sys.argv[1])
    data = [dict(zip(head, r)) for r in rows[rows.index(head) + 1:] if len(r) == len(head)]
    total = sum(int(d["Warp Stall Sampling (All Samples)"] or 0) for d in data)
    if total == 0:
        sys.exit("no stall samples (was the SourceCounters section collected?)")
    reasons = [h for h in head if h.startswith("stall_") and "Not Issued" not in h]
    by_reason = collections.Counter()
    by_op, executed = collections.Counter(), collections.Counter()
    for d in data:
        for r in reasons:
            by_reason[r] += int(d[r] or 0)
        words = [w for w in d["Source"].split() if not w.startswith("@")]
        op = words[0].split(".")[0] if words else "?"
        by_op[op] += int(d["Warp Stall Sampling (All Samples)"] or 0)
        executed[op] += int(d["Instructions Executed"] or 0)
    print("stall samples %d over %d instructions; warp instructions executed %d" %
          (total, len(data), sum(executed.values())))
    print("by reason:  " + "  ".join("%s %.1f%%" % (k[6:], 100.0 * v / total) for k, v in by_reason.most_common(10)))
    print("executed:   " + "  ".join("%s %d" % kv for kv in executed.most_common(16)))
    print("by opcode:  " + "  ".join("%s %.1f%%" % (k, 100.0 * v / total) for k, v in by_op.most_common(12)))
    print("top instructions (share of samples, dominant reason, times executed):")
    for d in sorted(data, key=lambda d: -int(d["Warp Stall Sampling (All Samples)"] or 0))[:top_n]:
        s = int(d["Warp Stall Sampling (All Samples)"] or 0)
        why = max(reasons, key=lambda k: int(d[k] or 0))
        print("  %5.1f%%  %-58s %-14s %s" % (100.0 * s / total, d["Source"].strip()[:58], why[6:],
                                            d["Instructions Executed"]))


if __name__ == "__main__":
    main()
