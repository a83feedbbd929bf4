#!/bin/sh
# Print one closing line for a `make check` run, from automake's .trs files:
#   tests: N passed, N failed, N skipped
# Usage: tests/summary.sh [BUILDDIR]   (exit status 1 when anything failed)
# A failing test's log tail is printed first: CI shows only the end of the
# output, and the log itself is gone with CI's clone.
dir=${1:-.}
pass=0; fail=0; skip=0
for trs in $(find "$dir" -name '*.trs' 2>/dev/null); do
	res=$(sed -n 's/^:test-result: //p' "$trs")
	for r in $res; do
		case $r in
		PASS|XFAIL) pass=$((pass + 1)) ;;
		SKIP) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1))
		   log=${trs%.trs}.log
		   echo "---- $r: ${log#"$dir"/} (last 40 lines)"
		   tail -n 40 "$log" 2>/dev/null ;;
		esac
	done
done
if [ $((pass + fail + skip)) -eq 0 ]; then
	echo "tests: 0 passed, 1 failed (no test results found under $dir)"
	exit 1
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
