#!/usr/bin/env python3
"""Cross-check gemv_emu's float64 reference dequantization against gguf-py's
independent dequantizer: same random Q4_K/Q6_K blocks, same values.

Usage: check_dequant.py DIR   (DIR holds gemv_emu --dump output)
Exit 77 when gguf-py or numpy is not installed."""
import sys

try:
    import numpy as np
    from gguf import GGMLQuantizationType
    from gguf.quants import dequantize
except ImportError as e:
    print(f"skipping the gguf-py cross-check: {e}")
    sys.exit(77)

d = sys.argv[1]
rows, k = 7, 768
bad = 0
for name, qt in (("q4_k", GGMLQuantizationType.Q4_K), ("q6_k", GGMLQuantizationType.Q6_K)):
    blocks = np.fromfile(f"{d}/{name}.bin", dtype=np.uint8).reshape(rows, -1)
    ours = np.fromfile(f"{d}/{name}.f64", dtype=np.float64).reshape(rows, k)
    theirs = dequantize(blocks, qt).astype(np.float64).reshape(rows, k)
    # gguf-py computes in float32; ours in float64 from the same halves.
    err = np.max(np.abs(ours - theirs) / (np.abs(theirs) + 1e-6))
    ok = np.allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    print(f"{name}: {rows}x{k} values, max relative difference {err:.2g}: {'ok' if ok else 'FAIL'}")
    bad |= not ok
sys.exit(1 if bad else 0)
