#!/bin/sh
# ggscope demo: usage errors, determinism (seed -> bytes, any thread count),
# atomic output, and a file gguf-py reads back with the expected layout.
# Small shapes keep it fast under ASan.
set -u
: "${GGSCOPE:?GGSCOPE must point at the ggscope binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-demo.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS CMD...: run, compare the exit status, keep stderr in $tmp/err
expect() {
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$* -> exit $got, want $want ($(head -c 300 "$tmp/err"))"
}

small="--hidden 256 --ffn 512 --kv-dim 256"

expect 0 "$GGSCOPE" demo --help
grep -q '^Usage: ggscope demo -o OUT.gguf' "$tmp/out" || fail "demo --help: no usage line"
"$GGSCOPE" --help | grep -q '^  demo ' || fail "ggscope --help does not list demo"

expect 2 "$GGSCOPE" demo $small
grep -q 'no output file' "$tmp/err" || fail "missing -o: message"
grep -q "Try 'ggscope demo --help'" "$tmp/err" || fail "missing -o: no hint"
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --hidden 300
grep -q -- '--hidden: .300. is not a multiple of 256' "$tmp/err" || fail "--hidden 300: message"
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --ffn 0
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --seed -1
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --seed 12x
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --threads 0
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --block 100000
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" --bogus
grep -q "unknown option '--bogus'" "$tmp/err" || fail "--bogus: message"
expect 2 "$GGSCOPE" demo -o "$tmp/x.gguf" extra
expect 2 "$GGSCOPE" demo -o
[ -e "$tmp/x.gguf" ] && fail "a usage error wrote a file"

# An unwritable destination is an error (1) naming the path.
expect 1 "$GGSCOPE" demo $small -o "$tmp/no/such/dir/x.gguf"
grep -q "$tmp/no/such/dir" "$tmp/err" || fail "bad directory: message does not name the path"

# Determinism: same seed -> same bytes for 1 and 3 threads; other seed differs.
expect 0 "$GGSCOPE" demo $small --seed 5 -j 1 -o "$tmp/a.gguf"
expect 0 "$GGSCOPE" demo $small --seed 5 -j 3 -o "$tmp/b.gguf"
expect 0 "$GGSCOPE" demo $small --seed 6 -o "$tmp/c.gguf"
cmp -s "$tmp/a.gguf" "$tmp/b.gguf" || fail "seed 5: 1 and 3 threads wrote different files"
cmp -s "$tmp/a.gguf" "$tmp/c.gguf" && fail "seeds 5 and 6 wrote the same file"
# Replacing an existing file works and leaves no temporary behind.
expect 0 "$GGSCOPE" demo $small --seed 6 -o "$tmp/a.gguf"
cmp -s "$tmp/a.gguf" "$tmp/c.gguf" || fail "rewriting a.gguf with seed 6"
left=$(ls "$tmp" | grep -v -e '^[abc]\.gguf$' -e '^out$' -e '^err$')
[ -z "$left" ] || fail "files left behind: $left"

# gguf-py reads it back with the layout and metadata we promise, and
# `ggscope info --json` agrees with gguf-py about every tensor and key.
expect 0 "$GGSCOPE" demo $small --seed 77 --block 2 -o "$tmp/d.gguf"
expect 0 "$GGSCOPE" info --json "$tmp/d.gguf"
cp "$tmp/out" "$tmp/info.json"
if [ -n "${PYTHON3:-}" ] && "$PYTHON3" -c 'import gguf, numpy' 2>/dev/null; then
	"$PYTHON3" - "$tmp/d.gguf" "$tmp/info.json" <<'PY' || fail "gguf-py check of the demo file"
import json
import sys
from gguf import GGUFReader
from gguf.constants import GGMLQuantizationType as QT

r = GGUFReader(sys.argv[1])
def val(key):
    f = r.fields[key]
    v = f.parts[f.data[0]]
    return bytes(v).decode() if f.types[0].name == "STRING" else v[0]
want = {
    "attn_norm": (QT.F32, [256]), "attn_q": (QT.Q4_K, [256, 256]),
    "attn_k": (QT.Q4_K, [256, 256]), "attn_v": (QT.Q6_K, [256, 256]),
    "attn_output": (QT.Q4_K, [256, 256]), "ffn_norm": (QT.F32, [256]),
    "ffn_gate": (QT.Q4_K, [256, 512]), "ffn_up": (QT.Q4_K, [256, 512]),
    "ffn_down": (QT.Q6_K, [512, 256]),
}
got = {t.name: (t.tensor_type, [int(x) for x in t.shape]) for t in r.tensors}
exp = {f"blk.2.{k}.weight": v for k, v in want.items()}
assert got == exp, f"tensors: {got}"
assert val("general.architecture") == "llama"
assert val("general.file_type") == 15
assert val("llama.embedding_length") == 256
assert val("llama.feed_forward_length") == 512
assert val("llama.block_count") == 3
assert val("llama.attention.head_count_kv") == 2
assert val("ggscope.demo.seed") == 77

info = json.load(open(sys.argv[2]))
ours = [(t["name"], t["type_id"], t["shape"], t["n_bytes"], t["file_offset"]) for t in info["tensors"]]
theirs = [(t.name, int(t.tensor_type), [int(x) for x in t.shape], int(t.n_bytes), int(t.data_offset))
          for t in r.tensors]
assert ours == theirs, f"info {ours} != gguf-py {theirs}"
keys = {k for k in r.fields if not k.startswith("GGUF.")}
assert {m["key"] for m in info["metadata"]} == keys, (info["metadata"], keys)
print("gguf-py: demo file ok, ggscope info agrees")
PY
else
	echo "gguf-py not available: reading the file back is not checked"
fi

[ "$fails" -eq 0 ]
