#!/bin/sh
# Build (here, with nvcc) or run (on the GPU machine) the timeline probe
# (bench/probe/timeline.cu): per-block start/end times of the stream
# kernels and of ideal reads of the same bytes, cold L2.
#
#   bench/probe/timeline.sh build DIR     one binary per kernel configuration
#   bench/probe/timeline.sh run DIR [REPS]
# Configurations: PROBE_CONFIGS, lines "name|body|warps|defines".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cmd=${1:?usage: timeline.sh build|run DIR}
dir=${2:?usage: timeline.sh build|run DIR}
configs=${PROBE_CONFIGS:-"q4k_stream_dp4a-W2|q4k_stream.cuh:q4k_stream_body<true>|2|
q4k_stream_dp4a-W4|q4k_stream.cuh:q4k_stream_body<true>|4|
q4k_stream_dp4a-W2-xpf|q4k_stream.cuh:q4k_stream_body<true>|2|-DSTREAM_XPREFETCH=1
q6k_stream_dp4a-W1-R2|q6k_stream.cuh:q6k_stream_body<true>|1|-DSTREAM_ROWS=2
q6k_stream_dp4a-W1-R2-xpf|q6k_stream.cuh:q6k_stream_body<true>|1|-DSTREAM_ROWS=2 -DSTREAM_XPREFETCH=1"}
case $cmd in
build)
	mkdir -p "$dir"
	printf '%s\n' "$configs" | while IFS='|' read -r name body warps defs; do
		[ -n "$name" ] || continue
		# shellcheck disable=SC2086
		nvcc -O3 -std=c++17 -arch=sm_90 -I"$top/kernels" -DWARPS="$warps" \
			"-DPROBE_KERNEL=\"${body%%:*}\"" "-DPROBE_BODY=${body#*:}" "-DPROBE_LABEL=\"$name\"" $defs \
			"$here/timeline.cu" -o "$dir/$name"
		echo "built $dir/$name"
	done ;;
run)
	reps=${3:-30}
	first=1
	for shape in 4:4096:14336 4:14336:4096 4:4096:4096 6:4096:14336; do
		qt=${shape%%:*}; rest=${shape#*:}; n=${rest%%:*}; k=${rest#*:}
		echo "== Q${qt}_K ${n} x ${k}"
		reads=
		for b in "$dir"/*; do
			case $(basename "$b") in q${qt}k_*) ;; *) continue ;; esac
			"$b" "$qt" "$n" "$k" "$reps" $reads
			reads=gemv
		done
	done ;;
*) echo "timeline.sh: build or run" >&2; exit 2 ;;
esac
