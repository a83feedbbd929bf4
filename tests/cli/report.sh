#!/bin/sh
# ggscope report on a small demo layer: every format written atomically
# (md with its SVG beside it), the static parts without a GPU (or the
# measured parts with one), stdout output, the planted-outlier and imatrix
# outlier tables, and Ctrl-C writing a partial report.
set -u
: "${GGSCOPE:?run through make check}"
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || py=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-report.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
export SOURCE_DATE_EPOCH=1700000000

"$GGSCOPE" demo --hidden 256 --ffn 512 --kv-dim 256 --block 1 -o "$tmp/m.gguf" >/dev/null 2>&1 || fail "demo"
m=$tmp/m.gguf
small="--reps 3 --warmup 1 --no-ceiling"

# ---- md with its pictures; the format comes from the extension
"$GGSCOPE" report "$m" $small -o "$tmp/r.md" 2>"$tmp/err" || fail "md: exit $? ($(cat "$tmp/err"))"
[ -s "$tmp/r.md" ] && [ -s "$tmp/r.svg" ] || fail "md: r.md or r.svg missing"
grep -q '^# ggscope tuning report' "$tmp/r.md" || fail "md: no title"
grep -qF '](r.svg)' "$tmp/r.md" || fail "md: the pictures are not linked"
grep -q '| Date | 2023-11-14T22:13:20Z |' "$tmp/r.md" || fail "md: SOURCE_DATE_EPOCH not honoured"
grep -qF '7 tensors selected, 4 unique shapes' "$tmp/r.md" || fail "md: shape count"
grep -qF 'measured once and the result applies to all of them' "$tmp/r.md" || fail "md: sharing not said"
grep -qF '### q4_K 256 x 256' "$tmp/r.md" || fail "md: no per-shape table"
grep -qF '## Outliers' "$tmp/r.md" || fail "md: no outlier section"
grep -qF '| 1 | blk.1.ffn_down.weight | 512 |' "$tmp/r.md" || fail "md: outlier row of ffn_down"
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$tmp/r.svg" || fail "svg: not an SVG document"
[ "$(grep -c '<svg ' "$tmp/r.svg")" -eq "$(grep -c '</svg>' "$tmp/r.svg")" ] || fail "svg: unbalanced"
if [ -n "$py" ]; then
	"$py" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$tmp/r.svg" || fail "svg: not well-formed XML"
fi
if grep -qF '**Measurements missing:**' "$tmp/r.md"; then
	gpu=no
	grep -qF 'measurements missing' "$tmp/err" || fail "md: stderr does not say measurements are missing"
	grep -q '| q4k_mwv | 3 | f32 | unmeasured | n/a | n/a | n/a |' "$tmp/r.md" || fail "md: unmeasured row"
	grep -qF 'Recommended GpuProfile' "$tmp/r.md" || fail "md: no profile section"
	grep -qF 'cells show registers per thread' "$tmp/r.svg" || fail "svg: unmeasured cells"
else
	gpu=yes
	grep -qF '| **winner** |' "$tmp/r.md" || fail "md (GPU): no winner marked"
	grep -q '^MWV_\|_Q4K=1\|WIDE_Q4K_DISABLE=1' "$tmp/r.md" || fail "md (GPU): no profile variables"
fi

# ---- json, csv, html; a rewrite replaces the file, leaving no temporary
for f in json csv html; do
	"$GGSCOPE" report "$m" $small --no-weights -o "$tmp/r.$f" 2>/dev/null || fail "$f: exit $?"
done
ino=$(ls -i "$tmp/r.json" | cut -d' ' -f1)
"$GGSCOPE" report "$m" $small --no-weights --format json -o "$tmp/r.json" 2>/dev/null || fail "json rewrite"
[ "$(ls -i "$tmp/r.json" | cut -d' ' -f1)" != "$ino" ] || fail "json: rewritten in place, not renamed"
head -1 "$tmp/r.csv" | grep -q '^type,n,k,tensors,variant,warps,input,status,winner,time_us' || fail "csv: header"
# one line per row of the JSON report (4 shapes x every legal variant and warps)
rows=$(grep -c '"ideal_bytes":' "$tmp/r.json")
[ "$rows" -ge 110 ] || fail "json: $rows rows, want every legal (variant, warps) of 4 shapes"
[ "$(wc -l <"$tmp/r.csv")" -eq $((rows + 1)) ] || fail "csv: $(wc -l <"$tmp/r.csv") lines, want $((rows + 1))"
grep -q '^<!DOCTYPE html>' "$tmp/r.html" && grep -q '</html>' "$tmp/r.html" || fail "html: not a page"
[ "$(grep -c '<svg ' "$tmp/r.html")" -eq 5 ] || fail "html: heat maps not inline"
if [ -n "$py" ]; then
	"$py" - "$tmp/r.json" "$gpu" <<'PY' || fail "json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1 and d["partial"] is False
assert len(d["shapes"]) == 4 and len(d["tensors"]) == 7
rows = [r for s in d["shapes"] for r in s["rows"]]
assert len(rows) >= 110
if sys.argv[2] == "no":
    assert d["measurements"]["available"] is False and d["measurements"]["reason"]
    assert all(r["status"] in ("unmeasured", "compile-error") and r["time_us"] is None for r in rows)
    assert d["profile"]["available"] is False
else:
    assert any(r["status"] == "pass" for r in rows)
    assert d["profile"]["available"] is True and "=1" in d["profile"]["env"]
PY
fi
left=$(ls -A "$tmp" | grep '^\.')
[ -z "$left" ] || fail "temporary files left: $left"

# ---- standard output: md without pictures
"$GGSCOPE" report "$m" --no-measure --no-outliers --tensor blk.1.attn_q.weight >"$tmp/stdout.md" 2>/dev/null ||
	fail "stdout: exit $?"
grep -qF 'Pictures are written only beside a report file' "$tmp/stdout.md" || fail "stdout: pictures note"
grep -qF '1 tensor selected, 1 unique shape' "$tmp/stdout.md" || fail "stdout: --tensor"
grep -qF 'n/a: not asked for' "$tmp/stdout.md" || fail "stdout: outliers left out without saying so"

# ---- -D: a knob reaches the measured kernels (q6k_stream_dp4a builds 2 rows
# per block by default: at 1 warp 3 stages x (2 x 1024 + 1152 bytes of x) =
# 9600 bytes of shared memory, with 4 rows 15744) and the report names it
"$GGSCOPE" report "$m" --no-measure --no-outliers -v q6k_stream_dp4a -w 1 -D STREAM_ROWS=4 -f json \
	-o "$tmp/d.json" 2>/dev/null || fail "-D: exit $?"
"$GGSCOPE" report "$m" --no-measure --no-outliers -v q6k_stream_dp4a -w 1 -D STREAM_ROWS=4 \
	-o "$tmp/d.md" 2>/dev/null || fail "-D md: exit $?"
grep -qF '| Kernel knobs (-D) | STREAM_ROWS=4 |' "$tmp/d.md" || fail "-D: md does not name the knob"
if [ -n "$py" ]; then
	"$py" - "$tmp/d.json" <<'PY' || fail "-D content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["environment"]["defines"] == ["STREAM_ROWS=4"], d["environment"]["defines"]
rows = [r for s in d["shapes"] for r in s["rows"]]
assert rows and all(r["variant"] == "q6k_stream_dp4a" for r in rows), rows
assert {r["smem_static_bytes"] for r in rows} == {15744}, [r["smem_static_bytes"] for r in rows]
PY
fi

# ---- planted outliers: a 60x channel sends every GEMV reading it to fp32
"$GGSCOPE" report "$m" --no-measure --outlier 7:60 -f json -o "$tmp/o.json" 2>/dev/null || fail "--outlier: exit $?"
if [ -n "$py" ]; then
	"$py" - "$tmp/o.json" <<'PY' || fail "--outlier content"
import json, sys
o = json.load(open(sys.argv[1]))["outliers"]
assert o["available"] and "7:60" in o["source"], o["source"]
assert o["n_seed_flagged"] == 7 and o["n_fp32"] >= 1, (o["n_seed_flagged"], o["n_fp32"])
assert o["fp32_layers"] == [1], o["fp32_layers"]
PY
fi

# ---- an imatrix with a massive channel in blk.1.ffn_down's input
if [ -n "$py" ] && [ -f "$srcdir/bench/gen_imatrix.py" ] && "$py" -c 'import numpy' 2>/dev/null; then
	"$py" "$srcdir/bench/gen_imatrix.py" "$tmp/im.dat" --format dat --layers 2 --hidden 256 --ffn 512 \
		--residual 5 --massive-layer 1 --massive-channel 100 >/dev/null || fail "gen_imatrix"
	"$GGSCOPE" report "$m" --no-measure --imatrix "$tmp/im.dat" -o "$tmp/im.md" 2>/dev/null ||
		fail "--imatrix: exit $?"
	grep -qF 'Input: legacy' "$tmp/im.md" || fail "--imatrix: source not named: $(grep Input: "$tmp/im.md")"
	grep -q '| 1 | blk.1.ffn_down.weight | 512 | [0-9.]* | fp32 |' "$tmp/im.md" ||
		fail "--imatrix: the massive channel is not flagged: $(grep ffn_down "$tmp/im.md" | tail -1)"
else
	echo "note: no python3/numpy or bench/gen_imatrix.py: the imatrix report is not checked"
fi

# ---- Ctrl-C: the full-size demo with one thread takes seconds to build;
# SIGINT after four seconds must leave a partial report, valid and marked.
# The same interrupt may arrive twice: timeout(1) signals the child and then
# its process group (the child again), and here two kills in a row do the
# same on purpose; only a second Ctrl-C well after the first may kill.
check_partial() { # TAG RC ERRFILE JSON
	if [ "$2" -eq 1 ]; then
		grep -qF 'the partial report was written to' "$3" || fail "$1: message: $(cat "$3")"
		grep -q '"partial": true' "$4" || fail "$1: not marked partial"
		grep -q '"partial_reason": "interrupted ' "$4" || fail "$1: no reason"
		if [ -n "$py" ]; then
			"$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$4" || fail "$1: corrupt JSON"
		fi
	elif [ "$2" -eq 0 ]; then
		echo "note: $1: the demo report finished before the signal: not exercised"
	else
		fail "$1: exit $2 ($(cat "$3"))"
	fi
}
timeout --preserve-status -s INT 4 "$GGSCOPE" report demo -j 1 -f json -o "$tmp/p.json" 2>"$tmp/err"
check_partial "Ctrl-C (timeout)" $? "$tmp/err" "$tmp/p.json"
# a background job of a non-interactive shell starts with SIGINT ignored;
# ggscope installs its own handler, so the kills below reach it
"$GGSCOPE" report demo -j 1 -f json -o "$tmp/p2.json" 2>"$tmp/err2" &
pid=$!
sleep 4
kill -INT "$pid" 2>/dev/null
kill -INT "$pid" 2>/dev/null
wait "$pid"
check_partial "Ctrl-C twice at once" $? "$tmp/err2" "$tmp/p2.json"
left=$(ls -A "$tmp" | grep '^\.')
[ -z "$left" ] || fail "Ctrl-C: temporary files left: $left"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
