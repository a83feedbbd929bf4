#!/usr/bin/env python3
"""Validate generated `ggscope report --format json` documents against
docs/report-schema.json, and cross-check their content against gguf-py's
reading of the model and `ggscope kernels --json`'s registry.

Reports: a small demo layer (compile only, and with the default
measurement, which on a machine without a GPU says why it is missing),
one tensor, a layer/variant/warps selection, and every report attached
under docs/examples/. A validator that cannot fail proves nothing, so
mutated documents (a measured figure turned into a string, an unknown
field, a winner that did not pass, a missing schema_version) must be
rejected.

The validator is the `jsonschema` package when it is importable; else a
small one of our own that implements the keywords the schema uses.

Exit status: 0 pass, 1 fail, 77 skip (python3 without numpy)."""

import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy  # noqa: F401  (gguf-py needs it; its absence is the skip case)
except ImportError as exc:
    print(f"SKIP: numpy not importable: {exc}")
    sys.exit(77)

SRCDIR = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..")
GGSCOPE = os.environ.get("GGSCOPE") or os.path.join(os.environ.get("top_builddir", "."), "ggscope")
SCHEMA_PATH = os.path.join(SRCDIR, "docs", "report-schema.json")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


# ---------------------------------------------------------------- a small validator

class Invalid(Exception):
    pass


TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise Invalid(f"unsupported $ref {ref}")
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def validate(inst, schema, root, path="$"):
    """Raise Invalid naming the path; return the property names this schema
    (with its applicators) evaluated, for unevaluatedProperties."""
    if schema is True:
        return set()
    if schema is False:
        raise Invalid(f"{path}: not allowed")
    seen = set()
    if "$ref" in schema:
        seen |= validate(inst, resolve(root, schema["$ref"]), root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](inst) for t in types):
            raise Invalid(f"{path}: {inst!r} is not of type {types}")
    if "const" in schema and not (inst == schema["const"] and type(inst) is type(schema["const"])):
        raise Invalid(f"{path}: {inst!r} != const {schema['const']!r}")
    if "enum" in schema and not any(inst == e and type(inst) is type(e) for e in schema["enum"]):
        raise Invalid(f"{path}: {inst!r} not in {schema['enum']}")
    if TYPES["number"](inst):
        if "minimum" in schema and inst < schema["minimum"]:
            raise Invalid(f"{path}: {inst} < minimum {schema['minimum']}")
        if "maximum" in schema and inst > schema["maximum"]:
            raise Invalid(f"{path}: {inst} > maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and inst <= schema["exclusiveMinimum"]:
            raise Invalid(f"{path}: {inst} <= exclusiveMinimum {schema['exclusiveMinimum']}")
    if isinstance(inst, str) and "pattern" in schema and not re.search(schema["pattern"], inst):
        raise Invalid(f"{path}: {inst!r} does not match {schema['pattern']}")
    if isinstance(inst, list):
        if "minItems" in schema and len(inst) < schema["minItems"]:
            raise Invalid(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(inst) > schema["maxItems"]:
            raise Invalid(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(inst):
                validate(item, schema["items"], root, f"{path}[{i}]")
    for sub in schema.get("allOf", []):
        seen |= validate(inst, sub, root, path)
    if "oneOf" in schema:
        ok = 0
        for sub in schema["oneOf"]:
            try:
                validate(inst, sub, root, path)
                ok += 1
            except Invalid:
                pass
        if ok != 1:
            raise Invalid(f"{path}: matches {ok} of the oneOf branches, not 1")
    if "if" in schema:
        try:
            validate(inst, schema["if"], root, path)
            cond = True
        except Invalid:
            cond = False
        if cond and "then" in schema:
            seen |= validate(inst, schema["then"], root, path)
    if isinstance(inst, dict):
        for key in schema.get("required", []):
            if key not in inst:
                raise Invalid(f"{path}: missing required {key!r}")
        props = schema.get("properties", {})
        for key, sub in props.items():
            if key in inst:
                validate(inst[key], sub, root, f"{path}.{key}")
        seen |= set(props)
        if schema.get("additionalProperties") is False:
            extra = set(inst) - set(props)
            if extra:
                raise Invalid(f"{path}: unexpected {sorted(extra)}")
        if schema.get("unevaluatedProperties") is False:
            extra = set(inst) - seen
            if extra:
                raise Invalid(f"{path}: unevaluated {sorted(extra)}")
    return seen


def make_validator(schema):
    try:
        import jsonschema
    except ImportError:
        print("jsonschema not importable: using the built-in validator")

        def run(doc):
            try:
                validate(doc, schema, schema)
                return None
            except Invalid as exc:
                return str(exc)
        return run
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    v = cls(schema)

    def run(doc):
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if not errors:
            return None
        e = errors[0]
        return f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
    return run


# ---------------------------------------------------------------- reports

def ggscope(*args, env=None):
    proc = subprocess.run([GGSCOPE, *args], capture_output=True, text=True, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def report(model, *args):
    rc, out, err = ggscope("report", model, "--format", "json", *args)
    check(rc == 0, f"report {' '.join(args)}: exit {rc}: {err.strip()}")
    try:
        return json.loads(out)
    except json.JSONDecodeError as exc:
        check(False, f"report {' '.join(args)}: not JSON: {exc}")
        return None


def cross_check(doc, model_tensors, registry, label):
    """Content checks against gguf-py and the variant registry."""
    names = [t["name"] for t in doc["tensors"]]
    check(len(set(names)) == len(names), f"{label}: a tensor listed twice")
    shape_tensors = []
    for i, sh in enumerate(doc["shapes"]):
        shape_tensors += sh["tensors"]
        members = [t for t in doc["tensors"] if t["shape"] == i]
        check(sorted(t["name"] for t in members) == sorted(sh["tensors"]),
              f"{label}: shape {i} lists other tensors than point to it")
        for t in members:
            check((t["type"], t["n"], t["k"]) == (sh["type"], sh["n"], sh["k"]),
                  f"{label}: {t['name']} is not of its shape's (type, n, k)")
        # every legal (variant, warps) of the type, once
        want = sorted((v["name"], w) for v in registry if v["type"] == sh["type"].upper()
                      for w in v["warps"])
        got = sorted((r["variant"], r["warps"]) for r in sh["rows"])
        if "variants all; warps all legal" in doc["selection"]:
            check(got == want, f"{label}: shape {i} rows {len(got)} != registry {len(want)}")
        winners = [r for r in sh["rows"] if r["winner"]]
        check(len(winners) == (0 if sh["winner"] is None else 1), f"{label}: shape {i} winner marks")
    check(sorted(shape_tensors) == sorted(names), f"{label}: shapes do not partition the tensors")
    for t in doc["tensors"]:
        mt = model_tensors.get(t["name"])
        check(mt is not None, f"{label}: {t['name']} not in the model")
        if mt is not None:
            check((t["k"], t["n"], t["bytes"], t["type"].lower()) == mt,
                  f"{label}: {t['name']} {(t['k'], t['n'], t['bytes'], t['type'])} != gguf-py {mt}")
    total = sum(t["bytes_share_pct"] for t in doc["tensors"])
    check(abs(total - 100) < 0.01 * len(doc["tensors"]), f"{label}: bytes shares sum to {total}")


def mutations(doc):
    """Documents the schema must reject, with what was done."""
    out = []
    d = copy.deepcopy(doc)
    del d["schema_version"]
    out.append(("schema_version removed", d))
    d = copy.deepcopy(doc)
    d["shapes"][0]["rows"][0]["time_us"] = "12.5"
    out.append(("a time as a string", d))
    d = copy.deepcopy(doc)
    d["shapes"][0]["rows"][0]["surprise"] = 1
    out.append(("an undocumented row field", d))
    d = copy.deepcopy(doc)
    d["shapes"][0]["rows"][0]["winner"] = True
    d["shapes"][0]["rows"][0]["status"] = "unmeasured"
    out.append(("a winner that did not pass", d))
    d = copy.deepcopy(doc)
    d["environment"]["l2"] = "lukewarm"
    out.append(("an unknown L2 mode", d))
    d = copy.deepcopy(doc)
    d["environment"]["device"] = {"available": False, "reason": None}
    out.append(("unavailable without a reason", d))
    d = copy.deepcopy(doc)
    d["tensors"][0]["bytes_share_pct"] = 140
    out.append(("a share above 100%", d))
    return out


def main():
    if not os.access(GGSCOPE, os.X_OK):
        print(f"FAIL: no ggscope at {GGSCOPE}", file=sys.stderr)
        return 1
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    run = make_validator(schema)
    try:
        import gguf
    except ImportError:
        gguf = None
        print("gguf-py not importable: the content cross-check against it is skipped")
    rc, out, err = ggscope("kernels", "--json")
    check(rc == 0, f"kernels --json: exit {rc}")
    registry = []
    if rc == 0:
        kj = json.loads(out)
        for v in kj.get("variants", []):
            if v.get("kind", "gemv") == "gemv" and v.get("type") in ("Q4_K", "Q6_K"):
                registry.append({"name": v["name"], "type": v["type"], "warps": v["warps"]})
    check(registry, "kernels --json: no Q4_K/Q6_K variant found")

    docs = []
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "small.gguf")
        rc, _, err = ggscope("demo", "--hidden", "256", "--ffn", "512", "--kv-dim", "256", "--block", "2",
                             "-o", model)
        check(rc == 0, f"demo: exit {rc}: {err.strip()}")
        model_tensors = {}
        if gguf is not None:
            for t in gguf.GGUFReader(model).tensors:
                if len(t.shape) == 2:
                    model_tensors[t.name] = (int(t.shape[0]), int(t.shape[1]), int(t.n_bytes),
                                             t.tensor_type.name.lower())
        for label, args in (("static", ["--no-measure", "--no-weights"]),
                            ("default", ["--reps", "2", "--warmup", "0", "--no-weights", "--no-ceiling"]),
                            ("tensor", ["--tensor", "blk.2.ffn_down.weight", "--no-measure"]),
                            ("selection", ["--layers", "2", "--variants", "q4k_mwv,q6k_hw_dp4a",
                                           "--warps", "2,4", "--no-measure", "--outlier", "100:40"])):
            doc = report(model, *args)
            if doc is not None:
                docs.append((label, doc))
                if model_tensors:
                    cross_check(doc, model_tensors, registry, label)
        selection = next((d for l, d in docs if l == "selection"), None)
    for path in sorted(glob.glob(os.path.join(SRCDIR, "docs", "examples", "*.json"))):
        with open(path) as f:
            docs.append((os.path.relpath(path, SRCDIR), json.load(f)))

    for label, doc in docs:
        why = run(doc)
        check(why is None, f"{label}: does not validate: {why}")
        print(f"{label}: {'valid' if why is None else 'INVALID'} "
              f"({sum(len(s['rows']) for s in doc['shapes'])} rows, partial {doc['partial']})")
    static = next((d for l, d in docs if l == "static"), None)
    if static is not None:
        check(static["measurements"]["available"] is False and static["measurements"]["reason"],
              "static: measurements not marked missing with a reason")
        check(all(r["time_us"] is None for s in static["shapes"] for r in s["rows"]),
              "static: a time without a measurement")
        check(static["outliers"]["available"] is True, "static: no outlier table")
        for what, bad in mutations(static):
            check(run(bad) is not None, f"the schema accepts {what}")
    if selection is not None:
        check("100:40" in (selection["outliers"]["source"] or ""), "selection: the planted outlier is not named")
        check([t["name"] for t in selection["tensors"]] ==
              ["blk.2.attn_q.weight", "blk.2.attn_k.weight", "blk.2.attn_v.weight", "blk.2.attn_output.weight",
               "blk.2.ffn_gate.weight", "blk.2.ffn_up.weight", "blk.2.ffn_down.weight"],
              "selection: not the block's seven matrices in file order")
        check(all(r["variant"] in ("q4k_mwv", "q6k_hw_dp4a") and r["warps"] in (2, 4)
                  for s in selection["shapes"] for r in s["rows"]), "selection: a row outside the filter")
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
