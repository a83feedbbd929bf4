#!/bin/sh
# bench/gemv-vs-ceiling.sh against a stand-in ggscope (and a stand-in ncu)
# whose JSON carries known times: the script must rank only passing rows,
# compute GB/s, % of the ceiling and the speed-up over the llama.cpp
# reference, judge each target, and read ncu's CSV. Without a GPU the real
# ggscope path is covered by the last check (every shape "not measured").
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "${PYTHON3:-no}" = no ]; then
	echo "no python3: skipping (the script reads JSON with it)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
script="$top_srcdir/bench/gemv-vs-ceiling.sh"
mkdir "$tmp/build" "$tmp/bin"
# python3 under that name for the script
ln -s "$(command -v "$PYTHON3")" "$tmp/bin/python3"

# Fake ggscope bench: per shape, three variants; times chosen so that
# Q4_K 4096x14336 is won by q4k_stream_dp4a at 11.0 us (a faster row
# fails its check and must be ignored), Q6_K by q6k_stream at 17.0 us, and
# the others miss or meet their %-targets as computed below.
cat >"$tmp/build/ggscope" <<'EOF'
#!/bin/sh
shape= type=q4_k variant=all
while [ $# -gt 0 ]; do
	case $1 in
	--shape) shape=$2; shift ;;
	--type) type=$2; shift ;;
	--variant) variant=$2; shift ;;
	esac
	shift
done
exec python3 - "$shape" "$type" "$variant" <<'PY'
import json, sys
shape, typ, only = sys.argv[1:]
rows_n, k = map(int, shape.split("x"))
wb = rows_n * (k // 256) * (144 if typ == "q4_k" else 210)
times = {
    ("q4_k", "4096x14336"): [("q4k_stream_dp4a", 2, "q8_1", 11.0, "pass"),
                             ("q4k_mwv", 3, "f32", 10.0, "FAIL"),
                             ("q4k_stream", 2, "f32", 13.0, "pass")],
    ("q6_k", "4096x14336"): [("q6k_stream", 2, "f32", 17.0, "pass"),
                             ("q6k_stream_dp4a", 1, "q8_1", 17.2, "pass")],
    ("q4_k", "14336x4096"): [("q4k_stream_dp4a", 1, "q8_1", 12.0, "pass")],
    ("q4_k", "4096x4096"): [("q4k_stream_dp4a", 2, "q8_1", 5.0, "pass")],
}[(typ, shape)]
rows = []
for v, w, x, t, st in times:
    if only != "all" and v != only:
        continue
    xb = (k // 32) * 36 if x == "q8_1" else 4 * k
    rows.append({"variant": v, "warps": w, "input": x, "status": st,
                 "time_us": {"gemv": {"median": t, "min": t, "max": t},
                             "quantize": {"median": 1.5, "min": 1.5, "max": 1.5} if x == "q8_1" else None,
                             "total": None},
                 "bytes": wb + xb + 4 * rows_n})
json.dump({"layer": {}, "device": {"name": "Fake H100"},
           "measurement": {"available": True, "timer": "cuda events", "l2": "cold"},
           "rows": rows, "summary": {}}, sys.stdout)
PY
EOF
cat >"$tmp/bin/ncu" <<'EOF'
#!/bin/sh
# like ggscope bench, refuse a --shape that is not ROWSxK; units as ncu 2025.3
# prints them with --print-units base on the H100 ("ns", "byte")
prev=
for a in "$@"; do
	if [ "$prev" = --shape ]; then
		case $a in *[!0-9x]*|x*|*x) echo "ggscope bench: --shape wants ROWSxK: '$a'" >&2; exit 2 ;; esac
	fi
	prev=$a
done
printf '"ID","Kernel Name","Metric Name","Metric Unit","Metric Value"\n'
for i in 1 2 3; do
	printf '"%d","k","gpu__time_duration.sum","ns","11,500"\n' $i
	printf '"%d","k","dram__bytes_read.sum","byte","33,080,000"\n' $i
	printf '"%d","k","sm__warps_active.avg.pct_of_peak_sustained_active","%%","22.5"\n' $i
done
EOF
chmod +x "$tmp/build/ggscope" "$tmp/bin/ncu"

PATH="$tmp/bin:$PATH" sh "$script" --build "$tmp/build" --reps 3 --ncu >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$tmp/err")"
row() { grep "^$1 " "$tmp/out" | head -n 1; }
# Q4_K 4096x14336: 33,030,144 + 16,128 + 16,384 bytes in 11.0 us
r=$(row "Q4_K 4096x14336")
echo "$r" | grep -q "q4k_stream_dp4a  *2 q8_1  *11.00  *3006  *97.9  *1.50  *18.8  *1.71x  *12.0us met" ||
	fail "Q4_K 4096x14336 row: $r"
echo "$r" | grep -q "33.06 MB *10.77" || fail "bytes / floor: $r"
grep -q "note: 1 rows did not pass: q4k_mwv/3 FAIL" "$tmp/out" || fail "the failed row is not reported"
r=$(row "Q6_K 4096x14336")
echo "$r" | grep -q "q6k_stream  *2  *f32  *17.00 .* 30.1  *1.77x  *17.5us met" || fail "Q6_K row: $r"
# 14336 x 4096: 33.09 MB in 12.0 us = 89.8% >= 85%; 4096 x 4096 in 5.0 us = 61.6% < 75%
echo "$(row "Q4_K 14336x4096")" | grep -q "89\.8 .* -  *-  *85% met" || fail "14336x4096: $(row "Q4_K 14336x4096")"
echo "$(row "Q4_K 4096x4096")" | grep -q "61\.6 .* 75% MISSED" || fail "4096x4096: $(row "Q4_K 4096x4096")"
grep -q "q4k_stream_dp4a/2 11.00, q4k_stream/2 13.00" "$tmp/out" || fail "runners-up line"
grep -q "timer: cuda events; L2: cold; device: Fake H100" "$tmp/out" || fail "timer line"
grep -q "q4_k_4096x14336 *q4k_stream_dp4a/2: 11.50 us (median of 3), 2875 GB/s = 93.6% of 3071, DRAM read / ideal 1.001, achieved occupancy 22%" \
	"$tmp/out" || fail "ncu line"

# --variants: one bench per name, merged
PATH="$tmp/bin:$PATH" sh "$script" --build "$tmp/build" --variants q4k_stream,q6k_stream >"$tmp/out" 2>"$tmp/err"
grep -q "^Q4_K 4096x14336 .* q4k_stream  *2  *f32  *13.00" "$tmp/out" || fail "--variants: $(cat "$tmp/out")"

# --types: only that type's shapes
PATH="$tmp/bin:$PATH" sh "$script" --build "$tmp/build" --types q6_k >"$tmp/out" 2>"$tmp/err"
grep -q "^Q6_K 4096x14336 " "$tmp/out" && ! grep -q "^Q4_K" "$tmp/out" || fail "--types: $(cat "$tmp/out")"

# Usage errors exit 2.
# --knobs: one run per config, rows tagged with their knobs, and the fake's
# -D flags arrive (it ignores them, so both configs tie and the first wins)
PATH="$tmp/bin:$PATH" sh "$script" --build "$tmp/build" --variants q4k_stream --knobs ';STREAM_ROWS=2,STREAM_PIPE=4' \
	>"$tmp/out" 2>"$tmp/err"
grep -q "q4k_stream/2 13.00, q4k_stream\[STREAM_ROWS=2,STREAM_PIPE=4\]/2 13.00" "$tmp/out" &&
	! grep -q "knobs of the winner" "$tmp/out" ||
	fail "--knobs: rows not tagged: $(cat "$tmp/out")"

sh "$script" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option"
sh "$script" --build "$tmp/nowhere" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing build tree"

# The real ggscope without a GPU: every shape reported as not measured, exit 1.
build_dir=$(dirname "$GGSCOPE")
PATH="$tmp/bin:$PATH" sh "$script" --build "$build_dir" --reps 1 --variants q4k_stream_dp4a >"$tmp/out" 2>&1
rc=$?
if grep -q "not measured" "$tmp/out"; then
	[ $rc -eq 1 ] || fail "no GPU: exit $rc"
	[ "$(grep -c 'not measured' "$tmp/out")" -eq 3 ] || fail "no GPU: $(cat "$tmp/out")"
fi
exit 0
