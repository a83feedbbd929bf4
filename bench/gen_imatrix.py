#!/usr/bin/env python3
"""Write a synthetic llama.cpp importance matrix shaped like a dense
llama-family model (default: Llama-3-8B, 32 layers x 7 weight matrices =
224 tensors, k = 4096 or 14336), in the GGUF imatrix format (written with
gguf-py's GGUFWriter) or the legacy .dat format.

The per-channel mean squares are log-normal, with the outliers the
literature reports (docs: ../shared/notes/outliers.md 1.6): systematic
channels in the normed inputs of q/k/v/gate/up, and one massive
"super activation" in the ffn_down input of an early layer, put in as if it
came from one token (BOS) per chunk. Used to time `ggscope outliers
--imatrix` and, with small shapes, for test and fuzz inputs.

    bench/gen_imatrix.py /tmp/im8b.gguf
    bench/gen_imatrix.py /tmp/im8b.dat --format dat
    time ggscope outliers --imatrix /tmp/im8b.gguf > /dev/null
"""
import argparse
import struct
import sys

import numpy as np

ROLES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--format", choices=("gguf", "dat"), default="gguf")
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--hidden", type=int, default=4096)
    p.add_argument("--ffn", type=int, default=14336)
    p.add_argument("--chunks", type=int, default=100)
    p.add_argument("--chunk-size", type=int, default=512)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--residual", default="788,1384,4062",
                   help="massive residual channels (seen by q/k/v/gate/up after --massive-layer)")
    p.add_argument("--massive-layer", type=int, default=1)
    p.add_argument("--massive-channel", type=int, default=2427, help="ffn_down input channel")
    p.add_argument("--massive-peak", type=float, default=2600.0,
                   help="its magnitude on the one token per chunk that carries it")
    return p.parse_args(argv)


def tensors(a):
    """Yield (name, in_sum2 float32 array) in llama.cpp's sorted name order."""
    rng = np.random.default_rng(a.seed)
    tokens = a.chunks * a.chunk_size
    residual = [int(c) for c in a.residual.split(",") if c] if a.residual else []
    out = []
    for layer in range(a.layers):
        for role in ROLES:
            k = a.ffn if role == "ffn_down" else a.hidden
            ms = rng.lognormal(mean=-2.0, sigma=0.6, size=k)
            s2 = ms * tokens
            if role in ("attn_q", "attn_k", "attn_v", "ffn_gate", "ffn_up"):
                # Systematic outlier channels on every token (LLM.int8-style).
                for c in (17, 1024 + 3 * layer):
                    if c < k:
                        s2[c] *= 40.0
                # The massive residual channel on BOS, from the layer after its birth.
                if layer > a.massive_layer:
                    for c in residual:
                        if c < k:
                            s2[c] += a.chunks * (0.02 * a.massive_peak) ** 2
            if role == "ffn_down" and layer == a.massive_layer and a.massive_channel < k:
                s2[a.massive_channel] += a.chunks * a.massive_peak ** 2
            out.append((f"blk.{layer}.{role}.weight", s2.astype(np.float32), tokens))
    out.sort(key=lambda t: t[0])
    return out


def write_gguf(a, items):
    import gguf

    w = gguf.GGUFWriter(a.out, arch="imatrix")
    w.add_type("imatrix")
    w.add_array("imatrix.datasets", ["synthetic"])
    w.add_uint32("imatrix.chunk_count", a.chunks)
    w.add_uint32("imatrix.chunk_size", a.chunk_size)
    for name, s2, tokens in items:
        w.add_tensor(name + ".in_sum2", s2)
        w.add_tensor(name + ".counts", np.array([tokens], dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_dat(a, items):
    with open(a.out, "wb") as f:
        f.write(struct.pack("<i", len(items)))
        for name, s2, tokens in items:
            b = name.encode()
            # Legacy values are mean(x^2) * ncall, ncall = chunks.
            vals = (s2.astype(np.float64) / tokens * a.chunks).astype("<f4")
            f.write(struct.pack("<i", len(b)) + b + struct.pack("<ii", a.chunks, len(vals)))
            f.write(vals.tobytes())
        ds = b"synthetic"
        f.write(struct.pack("<ii", a.chunks, len(ds)) + ds)


def main(argv):
    a = parse_args(argv)
    items = tensors(a)
    (write_gguf if a.format == "gguf" else write_dat)(a, items)
    print(f"{a.out}: {len(items)} tensors, {a.layers} layers, {a.format}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
