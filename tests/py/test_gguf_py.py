#!/usr/bin/env python3
"""Cross-check ggscope's GGUF reader, `info --json` and `extract` against
gguf-py (llama.cpp's own Python reader and writer), an implementation
nobody here wrote.

Files are written with gguf.GGUFWriter: every metadata value type, nested
arrays, tensors in F32, F16 and Q8_0 (quantized by gguf.quants.quantize),
default and 64-byte alignment. `ggscope info --json` must agree with
GGUFReader on the header, every metadata value and the tensor table;
`ggscope extract` output must read back in GGUFReader with the metadata and
the tensor bytes unchanged.

Exit status: 0 pass, 1 fail, 77 skip (gguf or numpy missing)."""

import json
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import gguf
    from gguf.quants import quantize
except ImportError as exc:  # the cross-check needs both
    print(f"SKIP: gguf-py or numpy not importable: {exc}")
    sys.exit(77)

GGSCOPE = os.environ.get("GGSCOPE") or os.path.join(
    os.environ.get("top_builddir", "."), "ggscope")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def ggscope(*args):
    proc = subprocess.run([GGSCOPE, *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def write_model(path, alignment=None):
    """A small llama-like model with many kinds of metadata."""
    rng = np.random.default_rng(7)
    w = gguf.GGUFWriter(path, "llama")
    if alignment is not None:
        w.add_custom_alignment(alignment)
    w.add_uint8("t.u8", 250)
    w.add_int8("t.i8", -100)
    w.add_uint16("t.u16", 65000)
    w.add_int16("t.i16", -32000)
    w.add_uint32("t.u32", 4_000_000_000)
    w.add_int32("t.i32", -2_000_000_000)
    w.add_float32("t.f32", 0.1)
    w.add_uint64("t.u64", 2**64 - 1)
    w.add_int64("t.i64", -(2**63))
    w.add_float64("t.f64", math.pi)
    w.add_bool("t.bool", True)
    w.add_bool("t.bool_false", False)
    w.add_string("t.str", 'h\u00e9llo "world"\n\ttab')
    w.add_string("t.str_empty", "")
    w.add_block_count(2)
    w.add_context_length(4096)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_array("tokenizer.ggml.tokens", [f"tok{i}\u2581" for i in range(3000)])
    w.add_array("tokenizer.ggml.scores", [float(-i) / 7 for i in range(3000)])
    w.add_array("tokenizer.ggml.token_type", [i % 6 for i in range(3000)])
    w.add_array("t.nested_int", [[1, 2], [3], [4, 5, 6]])
    w.add_array("t.nested_str", [["a", "bc"], ["d"]])
    w.add_array("t.bools", [True, False, True])

    def f32(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    w.add_tensor("token_embd.weight", f32(16, 64))
    for b in range(2):
        w.add_tensor(f"blk.{b}.attn_norm.weight", f32(64))
        w.add_tensor(f"blk.{b}.attn_q.weight", f32(64, 64).astype(np.float16))
        q = quantize(f32(32, 64), gguf.GGMLQuantizationType.Q8_0)
        w.add_tensor(f"blk.{b}.ffn_down.weight", q,
                     raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("output_norm.weight", f32(64))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def user_fields(reader):
    """GGUFReader's fields without its GGUF.* pseudo-fields for the header."""
    return {k: f for k, f in reader.fields.items() if not k.startswith("GGUF.")}


def flatten(v):
    if isinstance(v, list):
        return [x for item in v for x in flatten(item)]
    return [v]


def same_scalar(ours, theirs, vtype):
    if vtype == gguf.GGUFValueType.FLOAT32:
        return np.float32(ours) == np.float32(theirs)
    if vtype == gguf.GGUFValueType.BOOL:
        return bool(ours) == bool(theirs)
    return ours == theirs


def compare_metadata(path, info, reader):
    fields = user_fields(reader)
    meta = info["metadata"]
    check([m["key"] for m in meta] == list(fields), f"{path}: metadata keys or order differ")
    for m in meta:
        f = fields.get(m["key"])
        if f is None:
            continue
        where = f"{path}: {m['key']}"
        check(m["offset"] == f.offset, f"{where}: offset {m['offset']} != {f.offset}")
        check(m["type"] == f.types[0].name.lower(), f"{where}: type {m['type']} != {f.types[0].name}")
        theirs = f.contents()
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            check(m["elem_type"] == f.types[1].name.lower(), f"{where}: element type")
            check(m["count"] == len(m["value"]), f"{where}: count != len(value)")
            # gguf-py flattens nested arrays; compare leaves in order.
            ours = flatten(m["value"])
            check(len(ours) == len(theirs), f"{where}: {len(ours)} leaves != {len(theirs)}")
            leaf = f.types[-1]
            check(all(same_scalar(a, b, leaf) for a, b in zip(ours, theirs)), f"{where}: values differ")
        else:
            check(same_scalar(m["value"], theirs, f.types[0]), f"{where}: {m['value']!r} != {theirs!r}")


def compare_tensors(path, info, reader):
    ours = info["tensors"]
    check(len(ours) == len(reader.tensors), f"{path}: tensor count")
    for t, r in zip(ours, reader.tensors):
        where = f"{path}: {r.name}"
        check(t["name"] == r.name, f"{where}: name {t['name']}")
        check(t["type"].lower() == r.tensor_type.name.lower(), f"{where}: type {t['type']} != {r.tensor_type.name}")
        check(t["type_id"] == int(r.tensor_type), f"{where}: type id")
        check(t["shape"] == [int(x) for x in r.shape], f"{where}: shape {t['shape']} != {list(r.shape)}")
        check(t["n_elems"] == r.n_elements, f"{where}: n_elems")
        check(t["n_bytes"] == r.n_bytes, f"{where}: n_bytes {t['n_bytes']} != {r.n_bytes}")
        check(t["file_offset"] == r.data_offset, f"{where}: file offset {t['file_offset']} != {r.data_offset}")


def compare_layers(path, info):
    """layers: non-block group first, then blocks by number, file order within."""
    groups = {}
    for i, t in enumerate(info["tensors"]):
        m = re.match(r"blk\.(\d+)\.", t["name"])
        groups.setdefault(int(m.group(1)) if m else -1, []).append(i)
    want = [{"block": b, "tensors": groups[b]} for b in sorted(groups)]
    got = [{"block": g["block"], "tensors": g["tensors"]} for g in info["layers"]]
    check(got == want, f"{path}: layers {got} != {want}")
    for g in info["layers"]:
        check(g["n_bytes"] == sum(info["tensors"][i]["n_bytes"] for i in g["tensors"]),
              f"{path}: block {g['block']} bytes")


def check_file(path, alignment):
    rc, out, err = ggscope("info", "--json", path)
    check(rc == 0, f"info --json {path}: exit {rc}: {err}")
    if rc != 0:
        return None, None
    info = json.loads(out)
    reader = gguf.GGUFReader(path)
    h = info["header"]
    check(h["version"] == int(reader.fields["GGUF.version"].contents()), f"{path}: version")
    check(h["alignment"] == reader.alignment == alignment, f"{path}: alignment {h['alignment']}")
    check(h["data_offset"] == reader.data_offset, f"{path}: data offset {h['data_offset']} != {reader.data_offset}")
    check(h["size_bytes"] == os.path.getsize(path), f"{path}: size")
    check(h["kv_count"] == len(user_fields(reader)), f"{path}: kv count")
    check(h["tensor_count"] == len(reader.tensors), f"{path}: tensor count")
    compare_metadata(path, info, reader)
    compare_tensors(path, info, reader)
    compare_layers(path, info)
    return info, reader


def check_extract(src, reader, out, layer, want_names):
    rc, _, err = ggscope("extract", src, "--layer", layer, "-o", out)
    check(rc == 0, f"extract --layer {layer}: exit {rc}: {err}")
    if rc != 0:
        return
    ext = gguf.GGUFReader(out)
    check([t.name for t in ext.tensors] == want_names, f"extract {layer}: tensors {[t.name for t in ext.tensors]}")
    src_tensors = {t.name: t for t in reader.tensors}
    for t in ext.tensors:
        s = src_tensors[t.name]
        check(t.tensor_type == s.tensor_type and list(t.shape) == list(s.shape), f"extract {layer}: {t.name} type/shape")
        check(np.asarray(t.data).tobytes() == np.asarray(s.data).tobytes(), f"extract {layer}: {t.name} bytes differ")
        check(t.data_offset % ext.alignment == 0, f"extract {layer}: {t.name} misaligned")
    src_fields, ext_fields = user_fields(reader), user_fields(ext)
    check(list(src_fields) == list(ext_fields), f"extract {layer}: metadata keys")
    for k, f in src_fields.items():
        g = ext_fields.get(k)
        check(g is not None and g.types == f.types and g.contents() == f.contents(), f"extract {layer}: {k} differs")
    # ggscope reads its own output the same way gguf-py does.
    check_file(out, ext.alignment)


def main():
    with tempfile.TemporaryDirectory(prefix="ggscope-py-") as tmp:
        for alignment in (None, 64):
            src = os.path.join(tmp, f"model-{alignment}.gguf")
            write_model(src, alignment)
            info, reader = check_file(src, alignment or 32)
            if info is None:
                continue
            check([g["block"] for g in info["layers"]] == [-1, 0, 1], "layer groups")
            for layer in ("1", "global"):
                block = "-1" if layer == "global" else layer
                names = [info["tensors"][i]["name"] for g in info["layers"]
                         if str(g["block"]) == block for i in g["tensors"]]
                check_extract(src, reader, os.path.join(tmp, f"ext-{alignment}-{layer}.gguf"), layer, names)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("gguf-py cross-check: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
