#!/bin/sh
# One device session's evidence for BENCHMARKS.md, in one run on the GPU
# machine (the lent H100 gives a session few minutes: one call must do it
# all). Each step has its own time limit, writes its own file under OUT and
# one line to OUT/steps.txt (exit status, seconds), so a step that fails or
# runs out of time costs only itself. Builds nothing.
#
# Usage: tests/gpu/evidence.sh BUILDDIR OUT [REALDIR]
#   REALDIR holds gemma3-270m-blk1.gguf (bench/fetch-real-layers.sh) and,
#   optionally, ds7b-output-q6k-4096x3584.gguf (a real Q6_K slice).
# Environment: GGSCOPE_COMMIT (the commit to print: the device's copy of
# the tree has no .git), EVIDENCE_STEPS (space list of step names to run; default
# all, in priority order), EVIDENCE_Q4K_KNOBS / EVIDENCE_Q6K_KNOBS (the
# --knobs of bench/gemv-vs-ceiling.sh).
#
# Steps: profile (device ceiling and GpuProfile), real (the tuning report of
# a real block in every format, and ggscope bench on its two GEMV tensors),
# sweep6 / sweep4 (stream kernels' knobs on issue 8's shapes, winners
# confirmed by ncu), fidelity (tests/gpu/fidelity.sh, then ncu time-only
# with --cache-control all and none on q6k_hw_dp4a to tell ncu's own
# overhead from the cold-cache state), ncusec (Nsight Compute's memory,
# warp-state and scheduler sections for the two stream kernels), demo (the demo layer's report),
# ds7b (every Q6_K variant on the real 4096 x 3584 slice).
set -u
build=${1:?usage: evidence.sh BUILDDIR OUT [REALDIR]}
out=${2:?usage: evidence.sh BUILDDIR OUT [REALDIR]}
real=${3:-}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
g=$build/ggscope
[ -x "$g" ] || { echo "evidence.sh: no ggscope in $build" >&2; exit 1; }
: "${GGSCOPE_KERNELS_DIR:=$srcdir/kernels}"
export GGSCOPE_KERNELS_DIR
PATH=$PATH:/usr/local/cuda/bin
for d in /opt/nvidia/nsight-compute/*; do [ -x "$d/ncu" ] && PATH=$PATH:$d; done
export PATH
mkdir -p "$out" || exit 1
steps=${EVIDENCE_STEPS:-profile real sweep6 sweep4 fidelity ncusec demo ds7b}
# the defaults against the forms they replaced and the bulk-copy knob
q6knobs=${EVIDENCE_Q6K_KNOBS:-";STREAM_XSMEM=0;STREAM_TMA=1;STREAM_ROTATE=1"}
q4knobs=${EVIDENCE_Q4K_KNOBS:-";STREAM_RING=0;STREAM_TMA=1;STREAM_ROWS=2,STREAM_STAGES=3"}

# run NAME SECONDS CMD...: stdout and stderr to OUT/NAME.txt. SIGINT first
# (a report then writes what it has, marked partial), KILL 10 s later.
run() {
	name=$1 limit=$2
	shift 2
	t0=$(date +%s)
	{ echo "\$ $*"; echo; } >"$out/$name.txt"
	timeout -s INT -k 10 "$limit" "$@" >>"$out/$name.txt" 2>&1
	rc=$?
	echo "$name rc=$rc $(($(date +%s) - t0))s (limit $limit s)" | tee -a "$out/steps.txt"
}

echo "commit ${GGSCOPE_COMMIT:-$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)}, $(date -u '+%Y-%m-%d %H:%M UTC')" \
	>"$out/steps.txt"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.draw --format=csv \
	>"$out/nvidia-smi.txt" 2>&1
for s in $steps; do
	case $s in
	profile)
		run profile 60 "$g" profile
		run profile-json 30 "$g" profile --json ;;
	real)
		if [ -z "$real" ] || [ ! -f "$real/gemma3-270m-blk1.gguf" ]; then
			echo "real: no $real/gemma3-270m-blk1.gguf" | tee -a "$out/steps.txt"
			continue
		fi
		mkdir -p "$out/real"
		for f in md json html csv; do
			run "real-report-$f" 90 "$g" report "$real/gemma3-270m-blk1.gguf" -n 20 \
				-o "$out/real/report-gemma3-270m-blk1.$f"
		done
		run real-bench-ffn_down 60 "$g" bench "$real/gemma3-270m-blk1.gguf" -t blk.1.ffn_down.weight \
			-w all -n 20 --seed 1
		run real-bench-attn_output 60 "$g" bench "$real/gemma3-270m-blk1.gguf" -t blk.1.attn_output.weight \
			-w all -n 20 --seed 1 ;;
	sweep6)
		run sweep-q6k 150 sh "$srcdir/bench/gemv-vs-ceiling.sh" --build "$build" --reps 30 --types q6_k \
			--variants q6k_stream_dp4a --knobs "$q6knobs" --ncu --out "$out/sweep-q6k" ;;
	sweep4)
		run sweep-q4k 240 sh "$srcdir/bench/gemv-vs-ceiling.sh" --build "$build" --reps 30 --types q4_k \
			--variants q4k_stream_dp4a --knobs "$q4knobs" --ncu --out "$out/sweep-q4k" ;;
	fidelity)
		run fidelity 120 env FIDELITY_OUT="$out/fidelity" sh "$srcdir/tests/gpu/fidelity.sh" "$build"
		# the same kernel, time only (one ncu pass), caches flushed by ncu
		# or left as ggscope's own read flush left them
		for c in all none; do
			run "ncu-time-$c" 40 ncu --clock-control none --cache-control "$c" -k 'regex:^q6k_hw_dp4a$' \
				--metrics gpu__time_duration.sum --csv --print-units base \
				"$g" bench --no-cupti --no-ceiling --demo -t blk.0.ffn_down.weight -v q6k_hw_dp4a -w 3 \
				-n 20 --seed 1
		done
		;;
	ncusec)
		for vs in q6_k:4096x14336:q6k_stream_dp4a:1 q4_k:14336x4096:q4k_stream_dp4a:4; do
			t=${vs%%:*}; rest=${vs#*:}; sh=${rest%%:*}; rest=${rest#*:}; v=${rest%%:*}; w=${rest#*:}
			run "ncu-sections-$v" 60 ncu --clock-control none --cache-control all -k "regex:^$v\$" -c 1 \
				--section SpeedOfLight --section MemoryWorkloadAnalysis --section MemoryWorkloadAnalysis_Tables \
				--section WarpStateStats --section SchedulerStats --section Occupancy --section LaunchStats \
				"$g" bench --no-cupti --no-ceiling --shape "$sh" --type "$t" -v "$v" -w "$w" -n 1 --warmup 0 \
				--warm --seed 1
		done ;;
	demo)
		run demo-report 150 "$g" report demo -n 20 -o "$out/report-demo.md" ;;
	ds7b)
		if [ -n "$real" ] && [ -f "$real/ds7b-output-q6k-4096x3584.gguf" ]; then
			run ds7b-bench 90 "$g" bench "$real/ds7b-output-q6k-4096x3584.gguf" -t output.weight -w all \
				-n 20 --seed 1
		fi ;;
	*) echo "evidence.sh: unknown step $s" | tee -a "$out/steps.txt" ;;
	esac
done
cat "$out/steps.txt"
