#!/bin/sh
# Issue 8's scoreboard: for each target shape, the fastest GEMV variant that
# passes, its kernel time, GB/s, % of the read ceiling, and the speed-up over
# llama.cpp's mmvq (ggml 0.21.0, measured on the H100 with ncu, cold L2,
# kernel time only; see ../../shared/device-notes.md). Run it on the GPU
# machine from a build tree:
#
#   bench/gemv-vs-ceiling.sh [OPTION]...
#     --build DIR     the build tree holding ggscope (default: .)
#     --reps N        timed launches per (variant, warps) (default 50)
#     --ceiling GBS   the read ceiling in GB/s (default 3071, the H100's
#                     measured 16-byte read sweep)
#     --variants V    only these variants (comma list, as ggscope bench -v
#                     takes one: the script runs one bench per name);
#                     default: every variant of the shape's type
#     --types T       only the shapes of these types (comma list: q4_k,q6_k)
#     --knobs K       also sweep kernel knobs: K is CONFIG;CONFIG;... where a
#                     CONFIG is NAME=VALUE,NAME=VALUE (ggscope bench -D) or
#                     empty for the sources' defaults; e.g.
#                     ';STREAM_ROWS=2;STREAM_ROWS=1,STREAM_PIPE=4'. Every
#                     (variant, config) is its own bench run; the winner's
#                     knobs are printed and passed to ncu. A knob a kernel
#                     does not use changes nothing (its row is a duplicate).
#     --warm          keep L2 warm between launches (default: cold)
#     --ncu           also confirm each shape's winner with Nsight Compute
#                     (ncu --cache-control all --clock-control none): its
#                     kernel time and DRAM bytes read over the ideal bytes
#     --out DIR       keep the JSON and ncu output there (default: a
#                     temporary directory, removed at exit)
#
# GGSCOPE_COMMIT names the commit in the header where the tree has no .git.
#
# Every (variant, warps) of the shape's type runs on the same random layer
# (fixed seeds) and must pass ggscope bench's correctness check to be
# ranked. The time is ggscope bench's median GEMV time; for the Q8_1 (dp4a)
# variants the quantizer's time is shown beside it but not added, because
# the llama.cpp reference times are the GEMV kernel alone too. The timer
# (CUDA events until the CUPTI timer lands: it adds about 0.5 us per
# launch) and the L2 mode are printed with the table. Exit status: 0 when
# every shape has a passing row, 1 otherwise, 2 on a usage error.
set -u
build=.
reps=50
ceiling=3071
variants=
knobs=
types=q4_k,q6_k
warm=
ncu=no
out=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--ceiling) ceiling=$2; shift 2 ;;
	--variants) variants=$2; shift 2 ;;
	--knobs) knobs=$2; shift 2 ;;
	--types) types=$2; shift 2 ;;
	--warm) warm=--warm; shift ;;
	--ncu) ncu=yes; shift ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "gemv-vs-ceiling.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case $reps in ''|*[!0-9]*) echo "gemv-vs-ceiling.sh: --reps wants a number" >&2; exit 2 ;; esac
case $ceiling in ''|*[!0-9.]*) echo "gemv-vs-ceiling.sh: --ceiling wants GB/s" >&2; exit 2 ;; esac
ggscope=$build/ggscope
srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ggscope" ] || { echo "gemv-vs-ceiling.sh: no ggscope in $build (give --build DIR)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "gemv-vs-ceiling.sh: needs python3 to read the JSON" >&2; exit 2; }
: "${GGSCOPE_KERNELS_DIR:=$srcdir/kernels}"
export GGSCOPE_KERNELS_DIR
if [ -n "$out" ]; then
	mkdir -p "$out" || exit 1
else
	out=$(mktemp -d) || exit 1
	trap 'rm -rf "$out"' EXIT
fi

# type rows k  llama.cpp-us  target (us, or % of the ceiling)
shapes='q4_k 4096 14336 18.8 12.0us
q6_k 4096 14336 30.1 17.5us
q4_k 14336 4096 - 85%
q4_k 4096 4096 - 75%'

echo "commit ${GGSCOPE_COMMIT:-$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)}," \
	"$(date -u '+%Y-%m-%d %H:%M UTC'), ceiling $ceiling GB/s, $reps reps, ${warm:+warm}${warm:-cold} L2"
st=0
seed=8
echo "$shapes" | while read -r type rows k ref target; do
	seed=$((seed + 1))
	case ",$types," in *",$type,"*) ;; *) continue ;; esac
	tag="${type}_${rows}x$k"
	# one bench per (variant, knob config), merged into one document whose
	# rows carry their config as "defines"
	i=0
	for v in $(echo "${variants:-all}" | tr ',' ' '); do
		printf '%s\n' "$knobs" | tr ';' '\n' | { j=0; while IFS= read -r cfg || [ -n "$cfg" ]; do
			j=$((j + 1))
			dflags=
			for d in $(echo "$cfg" | tr ',' ' '); do dflags="$dflags -D $d"; done
			# shellcheck disable=SC2086 # one word per -D flag
			"$ggscope" bench --shape "${rows}x$k" --type "$type" --variant "$v" --warps all \
				--reps "$reps" --warmup 5 --seed "$seed" $warm $dflags --json >"$out/$tag.$i.$j.json" 2>>"$out/$tag.err"
			printf '%s\n' "$cfg" >"$out/$tag.$i.$j.cfg"
		done; }
		i=$((i + 1))
	done
	python3 - "$out/$tag.json" "$out/$tag".*.json <<'PY'
import json, sys
docs = []
for p in sys.argv[2:]:
    try:
        d = json.load(open(p))
    except (OSError, ValueError):
        continue
    cfg = open(p[:-5] + ".cfg").read().strip()
    for r in d["rows"]:
        r["defines"] = cfg
    docs.append(d)
if docs:
    d = docs[0]
    d["rows"] = [r for x in docs for r in x["rows"]]
    json.dump(d, open(sys.argv[1], "w"))
PY
	echo "$type $rows $k $ref $target"
done >"$out/plan"

python3 - "$out" "$ceiling" <<'PY'
import json, os, sys

out, ceiling = sys.argv[1], float(sys.argv[2])
meas, d = {}, {}
ok = True
lines = []
print()
hdr = ("shape", "bytes", "floor us", "best variant", "W", "x", "GEMV us", "GB/s", "%ceil",
       "q8_1 us", "llama us", "speed-up", "target", "")
fmt = "%-17s %10s %8s %-16s %2s %4s %8s %7s %6s %7s %8s %8s %7s %s"
print(fmt % hdr)
winners = []
for line in open(os.path.join(out, "plan")):
    typ, rows, k, ref, target = line.split()
    tag = "%s_%sx%s" % (typ, rows, k)
    shape = "%s %sx%s" % (typ.upper(), rows, k)
    try:
        d = json.load(open(os.path.join(out, tag + ".json")))
    except (OSError, ValueError):
        err = open(os.path.join(out, tag + ".err")).read().strip().splitlines()
        print("%-17s no result: %s" % (shape, err[-1] if err else "ggscope bench wrote no JSON"))
        ok = False
        continue
    meas = d.get("measurement", {})
    if not meas.get("available"):
        print("%-17s not measured: %s" % (shape, meas.get("reason")))
        ok = False
        continue
    rows_ok = [r for r in d["rows"] if r["status"] == "pass" and r["time_us"]["gemv"]]
    bad = [r for r in d["rows"] if r["status"] not in ("pass", "refused")]
    if not rows_ok:
        print("%-17s no passing row (%d rows, %d failed)" % (shape, len(d["rows"]), len(bad)))
        ok = False
        continue
    best = min(rows_ok, key=lambda r: r["time_us"]["gemv"]["median"])
    t = best["time_us"]["gemv"]["median"]
    nbytes = best["bytes"]
    gbs = nbytes / t / 1e3
    pct = 100.0 * gbs / ceiling
    floor = nbytes / ceiling / 1e3
    q = best["time_us"]["quantize"]
    speed = "%.2fx" % (float(ref) / t) if ref != "-" else "-"
    if target.endswith("us"):
        met = t <= float(target[:-2])
    else:
        met = pct >= float(target[:-1])
    print(fmt % (shape, "%.2f MB" % (nbytes / 1e6), "%.2f" % floor, best["variant"], best["warps"],
                 best["input"], "%.2f" % t, "%.0f" % gbs, "%.1f" % pct,
                 "%.2f" % q["median"] if q else "-", ref, speed, target, "met" if met else "MISSED"))
    if bad:
        print("%-17s   note: %d rows did not pass: %s" % ("", len(bad), ", ".join(
            "%s/%d %s" % (r["variant"], r["warps"], r["status"]) for r in bad[:6])))
    if best.get("defines"):
        print("%-17s   knobs of the winner: %s" % ("", best["defines"]))
    winners.append((tag, shape, best["variant"], best["warps"], nbytes, best.get("defines") or "-"))
    # the runners-up: best of each variant, for the notes
    per = {}
    for r in rows_ok:
        v = r["variant"] + ("[" + r["defines"] + "]" if r.get("defines") else "")
        if v not in per or r["time_us"]["gemv"]["median"] < per[v]["time_us"]["gemv"]["median"]:
            per[v] = r
    ranked = sorted(per.values(), key=lambda r: r["time_us"]["gemv"]["median"])
    lines.append("%s: " % shape + ", ".join("%s%s/%d %.2f" % (r["variant"],
                 "[" + r["defines"] + "]" if r.get("defines") else "", r["warps"],
                 r["time_us"]["gemv"]["median"]) for r in ranked))
print()
print("timer: %s; L2: %s; device: %s" % (meas.get("timer"), meas.get("l2"),
      (d.get("device") or {}).get("name")))
print("best time (us) of each variant, fastest first:")
for l in lines:
    print("  " + l)
with open(os.path.join(out, "winners"), "w") as f:
    for w in winners:
        f.write("%s %s %s %d %d %s\n" % (w[0], w[1].split()[0].lower(), w[2], w[3], w[4], w[5]))
sys.exit(0 if ok else 1)
PY
st=$?

if [ "$ncu" = yes ] && [ -s "$out/winners" ]; then
	if ! command -v ncu >/dev/null 2>&1; then
		echo "ncu not found: no Nsight Compute confirmation" >&2
		exit 1
	fi
	echo
	echo "Nsight Compute (--cache-control all --clock-control none), 5 launches per winner:"
	while read -r tag type variant warps nbytes cfg; do
		shape=${tag#"${type}_"}
		dflags=
		[ "$cfg" = - ] || for d in $(echo "$cfg" | tr ',' ' '); do dflags="$dflags -D $d"; done
		# --warm: ncu itself flushes and invalidates the caches before each
		# kernel, so ggscope's own flush kernel stays out of the profile.
		ncu --target-processes all --cache-control all --clock-control none \
			-k "regex:^$variant\$" --metrics gpu__time_duration.sum,dram__bytes_read.sum,sm__warps_active.avg.pct_of_peak_sustained_active \
			--csv --print-units base "$ggscope" bench --no-cupti --no-ceiling --shape "$shape" --type "$type" \
			--variant "$variant" --warps "$warps" $dflags --reps 5 --warmup 0 --warm --seed 1 >"$out/$tag.ncu.csv" 2>"$out/$tag.ncu.err"
		python3 - "$out/$tag.ncu.csv" "$tag" "$variant" "$warps" "$nbytes" "$ceiling" "$cfg" <<'PY' || st=1
import csv, sys
path, tag, variant, warps, nbytes, ceiling, cfg = sys.argv[1:]
if cfg != "-":
    variant += "[" + cfg + "]"
vals = {}
with open(path) as f:
    lines = [l for l in f if l.startswith('"')]
for row in csv.DictReader(lines):
    name, unit, v = row.get("Metric Name"), row.get("Metric Unit", ""), row.get("Metric Value", "")
    try:
        x = float(v.replace(",", ""))
    except ValueError:
        continue
    # --print-units base gives "ns" and "byte"; the long names are ncu's
    # scaled units, kept for other ncu versions
    scale = {"ns": 1e-3, "nsecond": 1e-3, "us": 1.0, "usecond": 1.0, "ms": 1e3, "msecond": 1e3,
             "byte": 1, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "%": 1}.get(unit, 1)
    vals.setdefault(name, []).append(x * scale)
t = vals.get("gpu__time_duration.sum")
b = vals.get("dram__bytes_read.sum")
occ = vals.get("sm__warps_active.avg.pct_of_peak_sustained_active")
if not t:
    print("  %-18s %s/%s: no ncu result (see %s)" % (tag, variant, warps, path.replace(".csv", ".err")))
    sys.exit(1)
tm = sorted(t)[len(t) // 2]
print("  %-18s %s/%s: %.2f us (median of %d), %.0f GB/s = %.1f%% of %s, DRAM read / ideal %s,"
      " achieved occupancy %s" % (tag, variant, warps, tm, len(t), int(nbytes) / tm / 1e3,
      100 * int(nbytes) / tm / 1e3 / float(ceiling), ceiling,
      "%.3f" % (sorted(b)[len(b) // 2] / int(nbytes)) if b else "n/a",
      "%.0f%%" % (sum(occ) / len(occ)) if occ else "n/a"))
PY
	done <"$out/winners"
fi
exit $st
