"""Saved schedules: a step log written as JSON and replayed onto a fresh kernel.

    s.save("gemm.schedule.json")
    s2 = av.Schedule.load("gemm.schedule.json", gemm)      # every step re-proved

The file holds a format name and version, the kernel's name, its template arguments (for a
template), the hashes of the original and the final IR, and the steps (primitive name,
arguments, `unchecked`, and the instance a composed step was filed under).

Laws:
- Loading never executes anything from the file: it is parsed as JSON, each primitive is
  looked up in the registry by name, and its arguments are checked against the primitive's
  declared field types before the (frozen dataclass) primitive is built.
- `load` replays onto `customize(kernel)` with `Schedule.apply`, so each step is re-proved
  exactly as when it was first applied; the final IR's hash must equal the saved one.
- Refused, each with a `ScheduleUsageError` (or, for a step its checker refuses now, a
  `ScheduleError`) naming the problem: malformed JSON or structure, another format or
  version, another kernel, another original IR (hash), an unknown primitive, missing,
  unexpected or ill-typed arguments, and a replay whose final IR hash differs (an edited log).
- A step saved `unchecked` is replayed `unchecked` and stays marked unchecked; no other step
  is accepted unchecked.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allo_verify.errors import ScheduleError, ScheduleUsageError
from allo_verify.lang.types import ArrayType, DType, Fixed, Float, Index, Int
from allo_verify.schedule.primitives import REGISTRY

if TYPE_CHECKING:
    from allo_verify.schedule.schedule import Schedule

FORMAT = "allo-verify-schedule"
VERSION = 1
_TOP_KEYS = {"format", "version", "kernel", "template_args", "original_hash", "final_hash",
             "steps"}
_STEP_KEYS = {"primitive", "args", "unchecked", "instance"}


def _hash(module: Any) -> str:
    from allo_verify.equiv.api import ir_text
    from allo_verify.equiv.certificate import ir_hash

    return ir_hash(ir_text(module))


# ---- template arguments as plain data -----------------------------------------------------
def encode_arg(a: Any) -> dict[str, Any]:
    """A template argument as JSON data (types structurally, never as code)."""
    if isinstance(a, ArrayType):
        return {"array": encode_arg(a.dtype), "shape": list(a.shape)}
    if isinstance(a, Fixed):
        return {"fixed": a.bits, "frac": a.frac, "signed": a.signed}
    if isinstance(a, Int):
        return {"int": a.bits, "signed": a.signed}
    if isinstance(a, Float):
        return {"float": a.bits}
    if isinstance(a, Index):
        return {"index": True}
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        raise ScheduleUsageError(f"cannot save template argument {a!r}")
    return {"value": a}


def decode_arg(d: Any, where: str) -> Any:
    """The template argument `d` encodes; anything else is a `ScheduleUsageError`."""
    bad = ScheduleUsageError(f"{where}: malformed template argument {d!r}")
    if not isinstance(d, dict):
        raise bad
    try:
        if set(d) == {"value"} and isinstance(d["value"], (int, float)) \
                and not isinstance(d["value"], bool):
            return d["value"]
        if set(d) == {"int", "signed"} and _is_int(d["int"]) and isinstance(d["signed"], bool):
            return Int(d["int"], d["signed"])
        if set(d) == {"fixed", "frac", "signed"} and _is_int(d["fixed"]) and \
                _is_int(d["frac"]) and isinstance(d["signed"], bool):
            return Fixed(d["fixed"], d["frac"], d["signed"])
        if set(d) == {"float"} and _is_int(d["float"]):
            return Float(d["float"])
        if set(d) == {"index"} and d["index"] is True:
            return Index()
        if set(d) == {"array", "shape"} and isinstance(d["shape"], list) and d["shape"] and \
                all(_is_int(x) for x in d["shape"]):
            dtype = decode_arg(d["array"], where)
            if isinstance(dtype, DType):
                return dtype[tuple(d["shape"])]
    except TypeError as e:
        raise ScheduleUsageError(f"{where}: bad template argument {d!r}: {e}") from None
    raise bad


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


# ---- argument types -----------------------------------------------------------------------
def _split_top(text: str) -> list[str]:
    """`a, b[c, d]` -> ["a", "b[c, d]"] (commas outside brackets)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [*parts, cur.strip()] if cur.strip() else parts


def convert(value: Any, ann: str, where: str) -> Any:
    """`value` (from JSON) as a field of declared type `ann` (the annotation text: `str`,
    `int`, `float`, `bool`, `None`, unions with `|`, `tuple[X, ...]`, `tuple[X, Y]`); a value
    of another type, or an annotation this loader does not know, is refused."""
    ann = ann.strip()
    alts = [a.strip() for a in _split_top_union(ann)]
    if len(alts) > 1:
        for alt in alts:
            try:
                return convert(value, alt, where)
            except ScheduleUsageError:
                continue
        raise ScheduleUsageError(f"{where}: {value!r} is not a {ann}")
    simple = {"str": str, "int": int, "float": (int, float), "bool": bool}
    if ann in simple:
        ok = isinstance(value, simple[ann]) and (ann == "bool" or not isinstance(value, bool))
        if not ok:
            raise ScheduleUsageError(f"{where}: {value!r} is not a {ann}")
        return value
    if ann == "None":
        if value is not None:
            raise ScheduleUsageError(f"{where}: {value!r} is not None")
        return None
    m = re.fullmatch(r"tuple\[(.*)\]", ann)
    if m:
        inner = _split_top(m.group(1))
        if not isinstance(value, list):
            raise ScheduleUsageError(f"{where}: {value!r} is not a list (for {ann})")
        if len(inner) == 2 and inner[1] == "...":
            return tuple(convert(v, inner[0], where) for v in value)
        if len(inner) != len(value):
            raise ScheduleUsageError(f"{where}: {value!r} does not have {len(inner)} items")
        return tuple(convert(v, t, where) for v, t in zip(value, inner, strict=True))
    raise ScheduleUsageError(f"{where}: cannot load an argument of type {ann}")


def _split_top_union(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def build_primitive(entry: Any, where: str) -> tuple[Any, bool, str]:
    """The primitive a log entry describes, its `unchecked` flag and instance."""
    if not isinstance(entry, dict):
        raise ScheduleUsageError(f"{where}: a step must be a JSON object, got {entry!r}")
    extra = set(entry) - _STEP_KEYS
    if extra or "primitive" not in entry or "args" not in entry:
        raise ScheduleUsageError(f"{where}: a step has keys primitive, args (and optionally "
                                 f"unchecked, instance); got {sorted(entry)}")
    name, args = entry["primitive"], entry["args"]
    unchecked, instance = entry.get("unchecked", False), entry.get("instance", "")
    if not isinstance(name, str) or name not in REGISTRY:
        raise ScheduleUsageError(f"{where}: unknown primitive {name!r} (registered: "
                                 f"{', '.join(sorted(REGISTRY))})")
    if not isinstance(args, dict):
        raise ScheduleUsageError(f"{where}: the arguments of {name} must be a JSON object")
    if not isinstance(unchecked, bool) or not isinstance(instance, str):
        raise ScheduleUsageError(f"{where}: 'unchecked' must be true/false and 'instance' a "
                                 "string")
    cls = REGISTRY[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(args) - set(fields)
    if unknown:
        raise ScheduleUsageError(f"{where}: {name} has no argument {sorted(unknown)[0]!r} "
                                 f"(its arguments: {', '.join(fields)})")
    kw: dict[str, Any] = {}
    for fname, f in fields.items():
        if fname not in args:
            if f.default is dataclasses.MISSING and \
                    f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                raise ScheduleUsageError(f"{where}: {name} needs argument {fname!r}")
            continue
        kw[fname] = convert(args[fname], str(f.type), f"{where}: {name} argument {fname!r}")
    try:
        return cls(**kw), unchecked, instance
    except (TypeError, ValueError) as e:
        raise ScheduleUsageError(f"{where}: cannot build {name}: {e}") from None


# ---- save and load ------------------------------------------------------------------------
def to_json(s: Schedule) -> dict[str, Any]:
    """The saved form of schedule `s`."""
    if s.refusal is not None:
        raise ScheduleUsageError(f"cannot save the schedule of '{s.kernel.name}': it holds a "
                                 "refused step")
    origin = s.kernel.origins.get(s.kernel.name)
    targs = [encode_arg(a) for a in origin.args] if origin and origin.args is not None \
        else None
    return {"format": FORMAT, "version": VERSION, "kernel": s.kernel.name,
            "template_args": targs, "original_hash": _hash(s.original),
            "final_hash": _hash(s.module), "steps": [st.to_dict() for st in s.steps]}


def save(s: Schedule, path: Any) -> None:
    text = json.dumps(to_json(s), indent=2, sort_keys=True)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read(path: Any) -> dict[str, Any]:
    """The saved log at `path`, its structure checked (not yet its meaning)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ScheduleUsageError(f"{p}: cannot read the saved schedule: {e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ScheduleUsageError(f"{p}: not a saved schedule: malformed JSON ({e})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScheduleUsageError(f"{p}: not a saved schedule (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ScheduleUsageError(f"{p}: saved schedule format version "
                                 f"{data.get('version')!r}; this version reads {VERSION}")
    if set(data) != _TOP_KEYS:
        raise ScheduleUsageError(f"{p}: a saved schedule has exactly the keys "
                                 f"{sorted(_TOP_KEYS)}; got {sorted(data)}")
    for key in ("kernel", "original_hash", "final_hash"):
        if not isinstance(data[key], str):
            raise ScheduleUsageError(f"{p}: '{key}' must be a string")
    if not isinstance(data["steps"], list):
        raise ScheduleUsageError(f"{p}: 'steps' must be a list")
    if data["template_args"] is not None and not isinstance(data["template_args"], list):
        raise ScheduleUsageError(f"{p}: 'template_args' must be a list or null")
    return data


def load(path: Any, kernel: Any, instantiate: Any = None) -> Schedule:
    """A fresh schedule of `kernel` with the log at `path` replayed (see the module laws)."""
    from allo_verify.schedule.compose import label_instance
    from allo_verify.schedule.schedule import customize

    data = read(path)
    where = str(path)
    if instantiate is None and data["template_args"] is not None:
        instantiate = [decode_arg(a, where) for a in data["template_args"]]
    s = customize(kernel, instantiate=instantiate)
    if data["kernel"] != s.kernel.name:
        raise ScheduleUsageError(f"{where}: this log was saved for kernel '{data['kernel']}', "
                                 f"not '{s.kernel.name}'")
    if data["original_hash"] != _hash(s.original):
        raise ScheduleUsageError(
            f"{where}: this log was saved for another version of '{s.kernel.name}': its "
            f"original IR hash {data['original_hash'][:12]}... differs from the kernel's "
            f"{_hash(s.original)[:12]}... (the kernel, its sizes or its callees changed)")
    steps = [build_primitive(e, f"{where}: step {k}") for k, e in
             enumerate(data["steps"], 1)]
    done = len(s.steps)  # steps customize itself applied (loop keywords) are in the log too
    if [st.to_dict() for st in s.steps] != \
            json.loads(json.dumps(data["steps"][:done])):
        raise ScheduleUsageError(f"{where}: the log does not start with the {done} step(s) "
                                 f"customize applies to '{s.kernel.name}'")
    for k, (prim, unchecked, instance) in enumerate(steps[done:], done + 1):
        label = (f"{instance}: " if instance else "") + prim.label()
        try:
            step = s.apply(prim, unchecked=unchecked)
        except ScheduleError as e:
            raise type(e)(f"{where}: step {k} {label} does not replay onto "
                          f"'{s.kernel.name}': {e}", e.counterexample) from None
        step.unchecked = step.unchecked or unchecked
        if instance:
            label_instance(step, instance)
    final = _hash(s.module)
    if final != data["final_hash"]:
        raise ScheduleUsageError(
            f"{where}: the log was edited: replaying its {len(steps)} step(s) gives final IR "
            f"hash {final[:12]}..., but the log records {data['final_hash'][:12]}...")
    return s
