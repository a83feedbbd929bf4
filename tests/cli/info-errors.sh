#!/bin/sh
# ggscope info on every malformed fixture: exit status 1 and the reader's
# message, compared with a golden file (one line per file, in name order).
set -u
: "${GGSCOPE:?}" "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-info-errors.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

"$top_builddir/tests/cli/mkgguf" "$tmp" || exit 1
cd "$tmp" || exit 1
n=0
for f in $(ls | grep '^bad-' | LC_ALL=C sort); do
	"$GGSCOPE" info "$f" >/dev/null 2>>errors.txt
	rc=$?
	n=$((n + 1))
	if [ $rc -ne 1 ]; then
		echo "FAIL: info $f: exit status $rc, expected 1" >&2
		fail=1
	fi
done
[ $n -ge 30 ] || { echo "FAIL: only $n malformed fixtures" >&2; fail=1; }
diff -u "$top_srcdir/tests/cli/golden/info-errors.txt" errors.txt || fail=1
exit $fail
