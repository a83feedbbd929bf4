#!/usr/bin/env python3
"""Cross-check ggscope's quant formats with gguf-py (llama.cpp's Python
package), an implementation nobody here wrote.

- dequantization, bit for bit, of Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K,
  Q6_K, F16 and BF16 on random-byte blocks and on blocks from our quantizers
  (and, for the legacy types we have no quantizer for, from gguf-py's);
- our Q8_0 quantizer against gguf-py's (bit-exact with ggml's reference);
- our f32 -> f16 / bf16 conversions against numpy / gguf-py.

The C side is tests/py/quant_dump. Exit 77 (skip) without numpy or gguf.
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from gguf import quants
    from gguf.constants import GGMLQuantizationType as QT
except ImportError as e:
    print(f"SKIP: {e} (pip install gguf numpy)")
    sys.exit(77)

TYPES = {
    "q4_0": QT.Q4_0, "q4_1": QT.Q4_1, "q5_0": QT.Q5_0, "q5_1": QT.Q5_1,
    "q8_0": QT.Q8_0, "q4_K": QT.Q4_K, "q5_K": QT.Q5_K, "q6_K": QT.Q6_K,
    "f16": QT.F16, "bf16": QT.BF16,
}

failures = []


def check_bits(label, ours, theirs):
    """Compare two float32 arrays bit for bit; record the first mismatch."""
    ours = np.ascontiguousarray(ours, dtype=np.float32).ravel()
    theirs = np.ascontiguousarray(theirs, dtype=np.float32).ravel()
    if ours.shape != theirs.shape:
        failures.append(f"{label}: {ours.size} values, gguf-py {theirs.size}")
        return
    bad = np.nonzero(ours.view(np.uint32) != theirs.view(np.uint32))[0]
    if bad.size:
        i = bad[0]
        failures.append(f"{label}: {bad.size} of {ours.size} values differ; first at {i}: "
                        f"ours {ours[i]!r} gguf-py {theirs[i]!r}")
    else:
        print(f"ok  {label}: {ours.size} values identical")


def gguf_dequant(raw, qtype):
    return quants.dequantize(np.frombuffer(raw, dtype=np.uint8).reshape(1, -1), qtype)


def main():
    builddir = os.environ.get("top_builddir", ".")
    helper = os.path.join(builddir, "tests", "py", "quant_dump")
    if not os.access(helper, os.X_OK):
        print(f"FAIL: helper {helper} not built")
        return 1

    with tempfile.TemporaryDirectory() as d:
        subprocess.run([helper, "gen", d], check=True)

        def load(name, dtype=np.uint8):
            return np.fromfile(os.path.join(d, name), dtype=dtype)

        # 1. Our dequantization of random-byte blocks.
        for name, qt in TYPES.items():
            raw = load(f"rand_{name}.bin").tobytes()
            check_bits(f"dequant random {name}", load(f"rand_{name}.f32", np.float32),
                       gguf_dequant(raw, qt))

        # 2. Blocks from our quantizers / conversions.
        for name in ("q4_K", "q6_K", "q8_0", "f16", "bf16"):
            raw = load(f"quant_{name}.bin").tobytes()
            check_bits(f"dequant our-quantized {name}", load(f"quant_{name}.f32", np.float32),
                       gguf_dequant(raw, TYPES[name]))

        x = load("gauss.f32", np.float32)
        nq = x.size - 256  # the last block holds edge values for f16/bf16 only

        # 3. Q8_0 quantizer: byte for byte.
        theirs = quants.quantize(x[:nq].reshape(1, -1), QT.Q8_0).tobytes()
        ours = load("quant_q8_0.bin").tobytes()
        if ours != theirs:
            diff = next(i for i in range(min(len(ours), len(theirs))) if ours[i] != theirs[i])
            failures.append(f"quantize q8_0: bytes differ first at {diff} (block {diff // 34})")
        else:
            print(f"ok  quantize q8_0: {len(ours)} bytes identical")

        # 4. f16 / bf16 conversions (edge values included).
        ours16 = load("quant_f16.bin", np.uint16)
        with np.errstate(over="ignore"):  # 1e6 and 3.4e38 become Inf on purpose
            theirs16 = x.astype(np.float16).view(np.uint16)
        if not np.array_equal(ours16, theirs16):
            i = np.nonzero(ours16 != theirs16)[0][0]
            failures.append(f"f32->f16: differs at {i}: x={x[i]!r} ours {ours16[i]:#06x} numpy {theirs16[i]:#06x}")
        else:
            print(f"ok  f32->f16: {x.size} conversions identical")
        oursbf = load("quant_bf16.bin").tobytes()
        theirsbf = quants.quantize(x.reshape(1, -1), QT.BF16).tobytes()
        if oursbf != theirsbf:
            failures.append("f32->bf16: bytes differ from gguf-py")
        else:
            print(f"ok  f32->bf16: {x.size} conversions identical")

        # 5. Legacy types from gguf-py's quantizers, dequantized by us.
        for name in ("q4_0", "q4_1", "q5_0", "q5_1"):
            raw = quants.quantize(x[:nq].reshape(1, -1), TYPES[name]).tobytes()
            src = os.path.join(d, f"py_{name}.bin")
            dst = os.path.join(d, f"py_{name}.f32")
            with open(src, "wb") as f:
                f.write(raw)
            subprocess.run([helper, "dequant", name, src, dst], check=True)
            check_bits(f"dequant gguf-py-quantized {name}", np.fromfile(dst, dtype=np.float32),
                       gguf_dequant(raw, TYPES[name]))

    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
