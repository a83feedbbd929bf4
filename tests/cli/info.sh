#!/bin/sh
# ggscope info: text and JSON output on the sample fixture against golden
# files, --help, and usage errors (exit 2) / unreadable files (exit 1).
set -u
: "${GGSCOPE:?}" "${top_srcdir:?}" "${top_builddir:?}"
golden=$top_srcdir/tests/cli/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-info.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESC EXPECTED_STATUS ACTUAL_STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2" >&2
		fail=1
	fi
}

"$top_builddir/tests/cli/mkgguf" "$tmp" valid-sample valid-all-values || exit 1
cd "$tmp" || exit 1
mv valid-sample sample.gguf
mv valid-all-values values.gguf

"$GGSCOPE" info sample.gguf >out.txt 2>err.txt
check "info sample.gguf" 0 $?
diff -u "$golden/info-sample.txt" out.txt || fail=1
[ -s err.txt ] && { echo "FAIL: info wrote to stderr:" >&2; cat err.txt >&2; fail=1; }

"$GGSCOPE" info --json sample.gguf >out.json
check "info --json" 0 $?
diff -u "$golden/info-sample.json" out.json || fail=1

"$GGSCOPE" info values.gguf >values.txt
check "info values.gguf" 0 $?
diff -u "$golden/info-values.txt" values.txt || fail=1

"$GGSCOPE" info --help >help.txt
check "info --help" 0 $?
grep -q '^Usage: ggscope info' help.txt || { echo "FAIL: info --help lacks the usage line" >&2; fail=1; }

"$GGSCOPE" info >/dev/null 2>err.txt
check "info without FILE" 2 $?
grep -q "missing FILE" err.txt || { echo "FAIL: no 'missing FILE' message" >&2; fail=1; }
"$GGSCOPE" info --bogus sample.gguf >/dev/null 2>err.txt
check "info --bogus" 2 $?
grep -q "unrecognized option '--bogus'" err.txt || { echo "FAIL: no message for --bogus" >&2; cat err.txt >&2; fail=1; }
"$GGSCOPE" info sample.gguf values.gguf >/dev/null 2>&1
check "info with two files" 2 $?

"$GGSCOPE" info missing.gguf >/dev/null 2>err.txt
check "info missing.gguf" 1 $?
grep -q "^ggscope info: missing.gguf: No such file or directory" err.txt || { echo "FAIL: no ENOENT message" >&2; cat err.txt >&2; fail=1; }

exit $fail
