#!/usr/bin/env python3
"""Cross-check `ggscope outliers` against independent writers and math.

numpy writes the activation files (.npy float32/float16, 1-D and 2-D,
format versions 1.0 and 2.0, raw .f32) and computes the statistics and the
Q8_1 round trip on its own; gguf-py's GGUFWriter writes GGUF importance
matrices and struct writes the legacy .dat format, whose per-channel
profiles numpy recomputes. Exit 77 (skip) without numpy or gguf-py."""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import gguf
except ImportError as e:  # pragma: no cover
    print(f"skip: {e}")
    sys.exit(77)

GGSCOPE = os.environ.get("GGSCOPE") or os.path.join(os.environ.get("top_builddir", "."), "ggscope")
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print(f"FAIL: {what}")


def close(a, b, rel=1e-9, what=""):
    ok = a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)
    check(ok, f"{what}: ggscope {a} vs numpy {b}")


def run(*args, expect=0):
    p = subprocess.run([GGSCOPE, "outliers", *args], capture_output=True, text=True)
    if p.returncode != expect:
        FAILS.append(f"{args}: exit {p.returncode}, want {expect}: {p.stderr.strip()}")
        print(f"FAIL: {args}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    return p


# ------------------------------------------------------------ numpy references

def vec_stats(x, mult=8.0):
    x64 = x.astype(np.float64)
    rms = math.sqrt(float(np.mean(x64 * x64)))
    a = np.abs(x64)
    d = x64 - x64.mean()
    m2, m4 = float(np.mean(d ** 2)), float(np.mean(d ** 4))
    order = sorted(range(len(x)), key=lambda i: (-a[i], i))[:8]
    return dict(rms=rms, max_abs=float(a.max()), argmax=int(np.argmax(a)),
                max_over_rms=float(a.max()) / rms, kurtosis=m4 / (m2 * m2),
                top=order, above=int(np.sum(a > mult * rms)))


def q8_1_roundtrip(x):
    """ggml's CUDA quantize_q8_1 and the dp4a kernels' read of it."""
    n = len(x)
    nb = (n + 31) // 32
    xp = np.zeros(nb * 32, dtype=np.float32)
    xp[:n] = x
    b = xp.reshape(nb, 32)
    amax = np.abs(b).max(axis=1).astype(np.float32)
    d = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (b / d[:, None]).astype(np.float32)
    # roundf: half away from zero, computed exactly in float64.
    q = np.where(amax[:, None] == 0, 0.0, np.sign(v) * np.floor(np.abs(v.astype(np.float64)) + 0.5))
    d16 = d.astype(np.float16).astype(np.float32)
    xq = (d16[:, None] * q.astype(np.float32)).astype(np.float32)
    return xq.reshape(-1)[:n]


def q8_errors(x, mult=8.0):
    x64 = x.astype(np.float64)
    e = q8_1_roundtrip(x).astype(np.float64) - x64
    rms = math.sqrt(float(np.mean(x64 * x64)))
    bulk = np.abs(x64) <= mult * rms
    return (math.sqrt(float(np.sum(e * e) / np.sum(x64 * x64))),
            math.sqrt(float(np.sum(e[bulk] ** 2) / np.sum(x64[bulk] ** 2))))


def compare_vector(rep, x, what):
    v, q, ref = rep["vector"], rep["q8_1"], vec_stats(x)
    for key in ("rms", "max_abs", "max_over_rms", "kurtosis"):
        close(v[key], ref[key], 1e-9, f"{what} {key}")
    check(v["argmax"] == ref["argmax"], f"{what} argmax {v['argmax']} vs {ref['argmax']}")
    check([t["channel"] for t in v["top"]] == ref["top"], f"{what} top channels")
    check(v["above_threshold"] == ref["above"], f"{what} count above threshold")
    ex, eb = q8_errors(x)
    close(q["eps_x"], ex, 1e-9, f"{what} Q8_1 eps_x")
    close(q["eps_bulk"], eb, 1e-9, f"{what} Q8_1 eps_bulk")


def test_activations(tmp):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(1536).astype(np.float32)
    x[408] = 26.0 * float(np.sqrt(np.mean(np.delete(x, 408).astype(np.float64) ** 2)))
    x[1000] = -7.5

    p = os.path.join(tmp, "x.npy")
    np.save(p, x)
    r = run("--act", p, "--json")
    if r:
        rep = json.loads(r.stdout)["report"]
        compare_vector(rep, x, "npy <f4 1-D")
        check(rep["verdict"]["seed"] == "fp32", "26x spike flagged by the seed rule")

    raw = os.path.join(tmp, "x.f32")
    x.astype("<f4").tofile(raw)
    r = run("--act", raw, "--json")
    if r:
        compare_vector(json.loads(r.stdout)["report"], x, "raw .f32")

    m = rng.standard_normal((4, 512)).astype(np.float16)
    m[2, 77] = 300.0
    p2 = os.path.join(tmp, "m.npy")
    with open(p2, "wb") as f:
        np.lib.format.write_array(f, m, version=(2, 0))
    for tok in ("2", "-2"):
        r = run("--act", p2, "--token", tok, "--json")
        if r:
            compare_vector(json.loads(r.stdout)["report"], m[2].astype(np.float32), f"npy <f2 2-D v2.0 token {tok}")
    r = run("--act", p2, expect=1)
    check(r is not None and "choose one with --token" in r.stderr, "2-D without --token refused")
    r = run("--act", p2, "--token", "4", expect=1)
    check(r is not None and "token 4 is out of range: the file holds 4 tokens" in r.stderr, "token range")

    pf = os.path.join(tmp, "f.npy")
    np.save(pf, np.asfortranarray(np.ones((3, 64), dtype=np.float32)))
    r = run("--act", pf, expect=1)
    check(r is not None and "Fortran" in r.stderr, "Fortran order refused")
    p8 = os.path.join(tmp, "d.npy")
    np.save(p8, np.ones(64))
    r = run("--act", p8, expect=1)
    check(r is not None and "'<f8' is not supported" in r.stderr, "float64 refused")


# ------------------------------------------------------------ imatrix

def profile(ms):
    ms = np.asarray(ms, dtype=np.float64)
    s = ms.sum()
    p = ms / s
    r = np.sqrt(ms)
    R = math.sqrt(s / len(ms))
    return dict(crest=float(r.max()) / R, top_channel=int(np.argmax(ms)), top1_share=float(p.max()),
                top8_share=float(np.sort(p)[::-1][:8].sum()), n_eff=1.0 / float((p * p).sum()),
                kurtosis_rms=len(ms) * float((p * p).sum()),
                max_over_median=float(r.max()) / float(np.median(r)))


def make_entries(rng):
    """name -> (in_sum2 [n_mat, n_in] float32, counts [n_mat] float32)."""
    e = {}
    for layer in range(3):
        for role, k in (("attn_q", 256), ("ffn_down", 512)):
            s2 = (rng.lognormal(-1.0, 0.5, k) * 1024).astype(np.float32)
            if layer == 1 and role == "ffn_down":
                s2[300] += 4 * 900.0 ** 2
            e[f"blk.{layer}.{role}.weight"] = (s2[None, :], np.array([1024], dtype=np.float32))
    s2 = (rng.lognormal(-1.0, 0.5, (4, 128)) * 100).astype(np.float32)
    e["blk.2.ffn_up_exps.weight"] = (s2, np.array([100, 0, 50, 7], dtype=np.float32))
    return e


def write_gguf_imatrix(path, entries, chunks):
    w = gguf.GGUFWriter(path, arch="imatrix")
    w.add_type("imatrix")
    w.add_array("imatrix.datasets", ["test"])
    w.add_uint32("imatrix.chunk_count", chunks)
    w.add_uint32("imatrix.chunk_size", 256)
    for name in sorted(entries):
        s2, c = entries[name]
        w.add_tensor(name + ".in_sum2", s2 if s2.shape[0] > 1 else s2[0])
        w.add_tensor(name + ".counts", c.reshape(-1, 1) if len(c) > 1 else c)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_dat_imatrix(path, entries, chunks):
    """Legacy: values = mean(x^2) * ncall, experts concatenated."""
    with open(path, "wb") as f:
        f.write(struct.pack("<i", len(entries)))
        for name in sorted(entries):
            s2, c = entries[name]
            ms = np.concatenate([s2[m].astype(np.float64) / c[m] if c[m] > 0 else np.ones(s2.shape[1])
                                 for m in range(len(c))])
            vals = (ms * chunks).astype("<f4")
            b = name.encode()
            f.write(struct.pack("<i", len(b)) + b + struct.pack("<ii", chunks, len(vals)) + vals.tobytes())
        f.write(struct.pack("<ii", chunks, 4) + b"test")


def test_imatrix(tmp):
    rng = np.random.default_rng(11)
    entries = make_entries(rng)
    chunks = 4
    pg = os.path.join(tmp, "im.gguf")
    write_gguf_imatrix(pg, entries, chunks)
    r = run("--imatrix", pg, "--json")
    if not r:
        return
    rows = {row["tensor"]: row for row in json.loads(r.stdout)["rows"]}
    check(set(rows) == set(entries), f"imatrix entries {sorted(rows)}")
    for name, (s2, c) in entries.items():
        live = c > 0
        pooled = s2[live].astype(np.float64).sum(axis=0) / float(c[live].sum())
        ref = profile(pooled)
        got = rows[name]["profile"]
        for key, val in ref.items():
            if key == "top_channel":
                check(got[key] == val, f"{name} top channel {got[key]} vs {val}")
            else:
                close(got[key], val, 1e-6, f"GGUF {name} {key}")
        peak = math.sqrt(float(s2[live].astype(np.float64).sum(axis=0).max()) / chunks)
        close(got["implied_peak"], peak, 1e-6, f"GGUF {name} implied peak")
    check(rows["blk.1.ffn_down.weight"]["profile"]["top_channel"] == 300, "massive channel found")
    check(rows["blk.1.ffn_down.weight"]["verdict"]["seed"] == "fp32", "massive channel flagged")

    pd = os.path.join(tmp, "im.dat")
    write_dat_imatrix(pd, entries, chunks)
    r = run("--imatrix", pd, "--json")
    if not r:
        return
    rows = {row["tensor"]: row for row in json.loads(r.stdout)["rows"]}
    for name, (s2, c) in entries.items():
        if len(c) > 1:
            # Concatenated experts without a model: one long profile of mean squares.
            ms = np.concatenate([s2[m].astype(np.float64) / c[m] if c[m] > 0 else np.ones(s2.shape[1])
                                 for m in range(len(c))])
        else:
            ms = s2[0].astype(np.float64) / c[0]
        ref = profile((ms * chunks).astype(np.float32).astype(np.float64) / chunks)
        got = rows[name]["profile"]
        for key in ("crest", "top1_share", "n_eff", "kurtosis_rms"):
            close(got[key], ref[key], 1e-5, f".dat {name} {key}")
        check(got["implied_peak"] is None, f".dat {name}: no implied peak without token counts")

    bad = os.path.join(tmp, "bad.dat")
    with open(bad, "wb") as f:
        f.write(struct.pack("<i", 1) + struct.pack("<i", 3) + b"abc" + struct.pack("<ii", 1, 1000))
    r = run("--imatrix", bad, expect=1)
    check(r is not None and "nval 1000" in r.stderr, "legacy nval bound")


# ------------------------------------------------------------ weights

def test_model(tmp):
    """A small model written by gguf-py (f32 and gguf-py-quantized Q8_0):
    column norms and the simulated Q8_1 GEMV error against numpy float64."""
    rng = np.random.default_rng(21)
    k = 256
    wq = (rng.standard_normal((48, k)) * 0.05).astype(np.float32)
    wf = (rng.standard_normal((32, k)) * 0.05).astype(np.float32)
    wq_bytes = gguf.quants.quantize(wq, gguf.GGMLQuantizationType.Q8_0)
    wq_deq = gguf.quants.dequantize(wq_bytes, gguf.GGMLQuantizationType.Q8_0).astype(np.float32)
    path = os.path.join(tmp, "model.gguf")
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_tensor("blk.0.attn_q.weight", wq_bytes, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("blk.0.ffn_up.weight", wf)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    x = rng.standard_normal(k).astype(np.float32)
    x[10] = 150.0
    px = os.path.join(tmp, "x256.npy")
    np.save(px, x)
    xq = q8_1_roundtrip(x).astype(np.float64)
    x64 = x.astype(np.float64)
    for name, wmat in (("blk.0.attn_q.weight", wq_deq), ("blk.0.ffn_up.weight", wf)):
        r = run(path, "--act", px, "--tensor", name, "--json", "--threads", "2")
        if not r:
            continue
        rep = json.loads(r.stdout)["report"]
        compare_vector(rep, x, f"{name} input")
        wm = wmat.astype(np.float64)
        y, yq = wm @ x64, wm @ xq
        ref = float(np.linalg.norm(yq - y) / np.linalg.norm(y))
        close(rep["weights"]["gemv_sim"], ref, 1e-9, f"{name} simulated GEMV error")
        norms = np.sqrt((wm * wm).sum(axis=0))
        top = sorted(range(k), key=lambda c: (-norms[c], c))[:8]
        check([t["channel"] for t in rep["weights"]["top_columns"]] == top, f"{name} top columns")
        close(rep["weights"]["top_columns"][0]["norm"], float(norms[top[0]]), 1e-9, f"{name} column norm")
    # The same through the table: both rows, the seed's verdict on each.
    r = run(path, "--act", px, "--json")
    if r:
        rows = json.loads(r.stdout)["rows"]
        check([row["tensor"] for row in rows] == ["blk.0.attn_q.weight", "blk.0.ffn_up.weight"], "table rows")
        check(all(row["verdict"]["seed"] == "fp32" for row in rows), "table seed verdicts")
    np.save(os.path.join(tmp, "x100.npy"), x[:100])
    r = run(path, "--act", os.path.join(tmp, "x100.npy"), expect=1)
    check(r is not None and "has 100 values, but the tensor k is 256" in r.stderr, "length mismatch named")


def main():
    if not os.path.exists(GGSCOPE):
        print(f"skip: {GGSCOPE} not built")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        test_activations(tmp)
        test_imatrix(tmp)
        test_model(tmp)
    print(f"{len(FAILS)} failures")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
