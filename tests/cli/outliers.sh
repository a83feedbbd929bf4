#!/bin/sh
# ggscope outliers: help, the detail report of one synthetic vector
# (golden text), the seed's 26x case versus no outlier (JSON, also on the
# demo layer), and an imatrix table written by bench/gen_imatrix.py (needs numpy and gguf-py).
set -u
: "${GGSCOPE:?}" "${top_srcdir:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-outliers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
py=${PYTHON3:-python3}

"$GGSCOPE" outliers --help >"$tmp/help" || { echo "FAIL: --help exit status" >&2; fail=1; }
grep -q '^Usage: ggscope outliers' "$tmp/help" || { echo "FAIL: --help text" >&2; fail=1; }
"$GGSCOPE" --help | grep -q '^  outliers ' || { echo "FAIL: outliers not in ggscope --help" >&2; fail=1; }

# The detail report is deterministic for a seed.
"$GGSCOPE" outliers -k 1536 --outlier 408:26 --seed 7 >"$tmp/k1536.txt" || fail=1
diff -u "$top_srcdir/tests/cli/golden/outliers-k1536.txt" "$tmp/k1536.txt" || fail=1

# The seed's case flags, and Q8_1 damage rises against the same draw without it.
"$GGSCOPE" outliers -k 4096 --json >"$tmp/base.json" || fail=1
"$GGSCOPE" outliers -k 4096 --outlier 408:26 --json >"$tmp/spike.json" || fail=1
"$GGSCOPE" outliers -k 4096 --outlier 408:300 --json >"$tmp/big.json" || fail=1
"$py" - "$tmp/base.json" "$tmp/spike.json" "$tmp/big.json" <<'PY' || fail=1
import json, sys
b, s, g = (json.load(open(p))["report"] for p in sys.argv[1:])
errs = []
if b["verdict"]["seed"] != "q8_1": errs.append("baseline flagged")
if s["verdict"]["seed"] != "fp32": errs.append("26x not flagged by the seed rule")
if s["vector"]["argmax"] != 408: errs.append("argmax not 408")
if not s["q8_1"]["eps_x"] > b["q8_1"]["eps_x"]: errs.append("eps_x did not rise")
if not s["q8_1"]["eps_bulk"] > b["q8_1"]["eps_bulk"]: errs.append("eps_bulk did not rise")
if s["verdict"]["ggscope"] != "q8_1": errs.append("26x at k 4096 should stay on Q8_1 (eps_bulk < 2%)")
if g["verdict"]["ggscope"] != "fp32": errs.append("300x should route to fp32")
for e in errs: print("FAIL:", e)
sys.exit(1 if errs else 0)
PY

# The done-when case on the demo layer: the seed's rule flags 408:26 on every
# matrix, and the Q8_1 error of every row rises against the same input without it.
"$GGSCOPE" outliers demo --json >"$tmp/demo0.json" || fail=1
"$GGSCOPE" outliers demo --outlier 408:26 --json >"$tmp/demo26.json" || fail=1
"$py" - "$tmp/demo0.json" "$tmp/demo26.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(p))["rows"] for p in sys.argv[1:])
errs = []
if len(a) != 7 or [r["tensor"] for r in a] != [r["tensor"] for r in b]: errs.append("rows")
for r0, r1 in zip(a, b):
    t = r0["tensor"]
    if r0["verdict"]["seed"] != "q8_1" or r1["verdict"]["seed"] != "fp32": errs.append(t + ": seed verdicts")
    if r1["vector"]["argmax"] != 408: errs.append(t + ": argmax")
    if not r1["q8_1"]["eps_x"] > r0["q8_1"]["eps_x"]: errs.append(t + ": eps_x did not rise")
    if not r1["q8_1"]["eps_bulk"] > r0["q8_1"]["eps_bulk"]: errs.append(t + ": eps_bulk did not rise")
    if r1["weights"]["gemv_sim"] is None or not 0.003 < r1["weights"]["gemv_sim"] < 0.02: errs.append(t + ": gemv_sim")
    if r1["weights"]["scale_d"] is None: errs.append(t + ": scale quantiles")
for e in errs: print("FAIL:", e)
sys.exit(1 if errs else 0)
PY

# An imatrix table from generated files: the massive ffn_down channel is found.
if "$py" -c 'import numpy, gguf' 2>/dev/null; then
	gen="$top_srcdir/bench/gen_imatrix.py"
	"$py" "$gen" "$tmp/im.gguf" --layers 4 --hidden 256 --ffn 512 --chunks 4 --chunk-size 64 \
		--residual 100 --massive-channel 300 --massive-peak 2600 >/dev/null || fail=1
	"$py" "$gen" "$tmp/im.dat" --format dat --layers 4 --hidden 256 --ffn 512 --chunks 4 \
		--chunk-size 64 --residual 100 --massive-channel 300 --massive-peak 2600 >/dev/null || fail=1
	for f in im.gguf im.dat; do
		"$GGSCOPE" outliers --imatrix "$tmp/$f" >"$tmp/$f.txt" || { echo "FAIL: --imatrix $f" >&2; fail=1; }
		grep -Eq '^    1 ffn_down +512 +[0-9.]+ +300 .* FP32  FP32 ' "$tmp/$f.txt" ||
			{ echo "FAIL: $f: blk.1 ffn_down channel 300 not flagged" >&2; cat "$tmp/$f.txt" >&2; fail=1; }
		grep -q '^worst layers: blk.1 ffn_down' "$tmp/$f.txt" ||
			{ echo "FAIL: $f: worst layer" >&2; fail=1; }
	done
	grep -q 'ggscope routes 1 to fp32' "$tmp/im.gguf.txt" || { echo "FAIL: routing count" >&2; fail=1; }
	"$GGSCOPE" outliers --imatrix "$tmp/im.gguf" --tensor blk.1.ffn_down.weight --json >"$tmp/one.json" || fail=1
	"$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["rows"]; sys.exit(not (len(r)==1 and r[0]["profile"]["top_channel"]==300))' \
		"$tmp/one.json" || { echo "FAIL: --tensor with --imatrix" >&2; fail=1; }
	"$GGSCOPE" outliers "$tmp/im.gguf" 2>"$tmp/err" && fail=1
	grep -q 'is an importance matrix, not a model: pass it with --imatrix' "$tmp/err" ||
		{ echo "FAIL: imatrix as FILE" >&2; fail=1; }
else
	echo "numpy/gguf-py missing: imatrix part skipped"
fi
exit $fail
