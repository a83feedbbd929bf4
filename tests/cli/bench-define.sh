#!/bin/sh
# ggscope bench -D/--define without a GPU (forced, as in bench-nogpu.sh):
# the defines reach the compiler (different ptxas resources), are listed in
# the header and the JSON, and a value the kernel rejects is a compile-error
# row with its #error text, exit 1, not a crash. Usage errors are in
# bench-usage.sh.
set -u
: "${GGSCOPE:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-bench-define.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
GGSCOPE_LIBCUDA=/nonexistent/libcuda.so.1
export GGSCOPE_LIBCUDA
fail=0
check() { # check DESC EXPECTED_STATUS ACTUAL_STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2" >&2
		cat err.txt >&2
		fail=1
	fi
}
expect() { # expect FILE TEXT
	grep -qF -- "$2" "$1" || { echo "FAIL: $1 lacks \"$2\":" >&2; cat "$1" >&2; fail=1; }
}
lacks() { # lacks FILE TEXT
	if grep -qF -- "$2" "$1"; then echo "FAIL: $1 has \"$2\":" >&2; cat "$1" >&2; fail=1; fi
}

"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 >plain.txt 2>err.txt
st=$?
if grep -q "NVRTC not available" plain.txt; then
	echo "SKIP: this ggscope was built without NVRTC"
	exit 77
fi
check "q6k_stream without -D" 1 $st
lacks plain.txt "defines"

# Two knobs: listed in the header, in the order given.
"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 \
	-D STREAM_ROWS=2 --define STREAM_STAGES=2 >out.txt 2>err.txt
check "-D STREAM_ROWS=2 -D STREAM_STAGES=2" 1 $?
expect out.txt "kernels   compiled for sm_90"
expect out.txt "defines   STREAM_ROWS=2 STREAM_STAGES=2"
grep -q "^q6k_stream .* n/a$" out.txt || { echo "FAIL: no compile-only q6k_stream row:" >&2; cat out.txt >&2; fail=1; }

# The JSON lists them (and an empty list without), and the build differs:
# q6k_stream's shared ring is STAGES x ROWS deep, so STREAM_ROWS=2 halves it.
"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 --json >plain.json 2>err.txt
check "--json without -D" 1 $?
"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 --json \
	-D STREAM_ROWS=2 >rows2.json 2>err.txt
check "--json -D STREAM_ROWS=2" 1 $?
if [ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ]; then
	"$PYTHON3" - plain.json rows2.json <<'PY' || fail=1
import json, sys
plain, rows2 = (json.load(open(p)) for p in sys.argv[1:3])
assert plain["measurement"]["defines"] == [], plain["measurement"]
assert rows2["measurement"]["defines"] == ["STREAM_ROWS=2"], rows2["measurement"]
assert rows2["measurement"]["arch"] == "sm_90"
b0, b2 = plain["rows"][0]["build"], rows2["rows"][0]["build"]
assert plain["rows"][0]["status"] == rows2["rows"][0]["status"] == "n/a"
assert b2["smem_static_bytes"] < b0["smem_static_bytes"], (b0, b2)
PY
fi

# A knob no kernel reads is harmless.
"$GGSCOPE" bench --shape 16x512 --variant q4k_basic --seed 1 -D GGSCOPE_TEST_UNUSED >out.txt 2>err.txt
check "-D an unused name" 1 $?
expect out.txt "defines   GGSCOPE_TEST_UNUSED"
grep -q "^q4k_basic .* n/a$" out.txt || { echo "FAIL: unused define broke q4k_basic:" >&2; cat out.txt >&2; fail=1; }

# A value the kernel refuses (#error): a compile-error row with the text.
"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 -D STREAM_ROWS=99 >out.txt 2>err.txt
check "-D STREAM_ROWS=99" 1 $?
grep -q "^q6k_stream .* compile-error$" out.txt || { echo "FAIL: no compile-error row:" >&2; cat out.txt >&2; fail=1; }
expect out.txt "STREAM_ROWS must be in 1..8"
expect out.txt "1 row: 0 pass, 1 failed, 0 refused, 0 not measured"
"$GGSCOPE" bench --shape 16x512 --type q6_k --variant q6k_stream --seed 1 -D STREAM_ROWS=99 --json \
	>out.json 2>err.txt
check "-D STREAM_ROWS=99 --json" 1 $?
if [ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ]; then
	"$PYTHON3" - out.json <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rows"][0]
assert r["status"] == "compile-error", r
assert "STREAM_ROWS must be in 1..8" in r["reason"], r
assert r["build"] is None, r
assert d["summary"]["fail"] == 1, d["summary"]
PY
fi

exit $fail
