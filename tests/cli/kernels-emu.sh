#!/bin/sh
# Runs every kernel variant x legal warps on the CPU emulator (tests/emu) and
# checks the results against a float64 reference, and that reference against
# gguf-py. No GPU involved: this catches indexing, scale-unpacking, shuffle
# and barrier mistakes before a kernel ever reaches a device.
# Needs a C++17 compiler with _Float16 (g++ >= 12 on x86-64); skips without.
# EMU_DEFINES: extra -D flags for every kernel (a knob setting, as
# ggscope bench -D); EMU_ONLY: only these GEMV variants (space list; the
# Q8_1 quantizer always runs).
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
CXX=${CXX:-g++}
CC=${CC:-cc}
if ! command -v "$CXX" >/dev/null 2>&1; then
	echo "no C++ compiler ($CXX): skipping the emulator run"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! printf 'int main(){_Float16 h=(_Float16)1.0f;return (int)(float)h-1;}\n' >"$tmp/f16.cpp" ||
	! "$CXX" -std=c++17 "$tmp/f16.cpp" -o "$tmp/f16" 2>/dev/null; then
	echo "$CXX lacks C++17 or _Float16: skipping the emulator run"
	exit 77
fi
emu="$top_srcdir/tests/emu"
src="$top_srcdir/src"
kdir="$GGSCOPE_KERNELS_DIR"
if [ "${PYTHON3:-no}" = no ]; then
	echo "no python3: skipping the emulator run (it reads the variant list as JSON)"
	exit 77
fi

# One object per (variant, warps), its entry renamed ENTRY_wWARPS; the list
# comes from the registry itself.
"$GGSCOPE" kernels --json >"$tmp/list.json" || fail "ggscope kernels --json"
"$PYTHON3" - "$tmp/list.json" >"$tmp/list" <<'PY' || fail "reading the variant list"
import json, sys
for v in json.load(open(sys.argv[1]))["variants"]:
    for w in v["warps"]:
        print(v["name"], v["entry"], v["file"], w, "QUANT" if v["kind"] == "quantize" else "GEMV")
PY
: >"$tmp/table.inc"
objs=""
while read -r name entry file warps kind; do
	if [ -n "${EMU_ONLY:-}" ] && [ "$kind" = GEMV ]; then
		case " $EMU_ONLY " in *" $name "*) ;; *) continue ;; esac
	fi
	o="$tmp/${name}_w$warps.o"
	# shellcheck disable=SC2086 # EMU_DEFINES is a list of flags
	"$CXX" -std=c++17 -O1 -w -include "$emu/emu.h" -DWARPS="$warps" -D"$entry=${name}_w$warps" \
		${EMU_DEFINES:-} -x c++ -c "$kdir/$file" -o "$o" ||
		fail "compiling $file for the emulator (warps $warps${EMU_DEFINES:+, $EMU_DEFINES})"
	echo "EMU_$kind($name, $warps)" >>"$tmp/table.inc"
	objs="$objs $o"
done <"$tmp/list"
[ -s "$tmp/table.inc" ] || fail "no kernels listed"

# The registry's geometry and byte rules are linked in from the real sources.
for c in variant errmsg xalloc; do
	"$CC" -std=c11 -O1 -I"$top_builddir" -I"$src" -c "$src/$c.c" -o "$tmp/$c.o" || fail "compiling $c.c"
done
"$CXX" -std=c++17 -O1 -Wall -I"$tmp" -I"$emu" -I"$src" "$emu/gemv_emu.cpp" "$emu/emu.cpp" $objs \
	"$tmp/variant.o" "$tmp/errmsg.o" "$tmp/xalloc.o" -o "$tmp/gemv_emu" || fail "linking gemv_emu"
"$tmp/gemv_emu" || fail "a kernel disagrees with the reference (see above)"

mkdir "$tmp/dump"
"$tmp/gemv_emu" --dump "$tmp/dump" || fail "gemv_emu --dump"
"$PYTHON3" "$emu/check_dequant.py" "$tmp/dump"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 77 ] || fail "the reference dequantization disagrees with gguf-py"
exit 0
