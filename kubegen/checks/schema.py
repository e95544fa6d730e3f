"""The ``api-version``, ``schema`` and ``yaml-boolean`` rules.

Each manifest's apiVersion/kind is checked against the kinds the API serves
(:mod:`kubegen.checks.apiversions`). Manifests kubegen did not build itself
(``Raw`` objects, YAML read by ``lint``) are then walked against the compact
structural schema of :mod:`kubegen.checks.k8sdata`: wrong shapes, unknown fields
("did you mean"), missing required fields, and YAML 1.1 values that turned into
booleans or numbers where the API wants a string. Typed builders' output is
correct by construction and is not walked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from kubegen import facts, names
from kubegen.checks import Report
from kubegen.checks.apiversions import check_api_version
from kubegen.checks.k8sdata import Definition, FieldType, ListOf, MapOf, api_data
from kubegen.checks.validation.base import unsupported_text
from kubegen.checks.validation.paths import field_path
from kubegen.checks.yamlvalues import Path, dotted, key_text, report_yaml_value, singular
from kubegen.facts import lazy_pattern
from kubegen.manifest import Manifest

# Python types accepted without further thought, per primitive (exact types: bool is not int).
_FAST: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "int-or-string": frozenset({int, str}),
    "quantity": frozenset({int, float}),
    "bytes": frozenset(),
    "any": frozenset({str, int, float, bool, dict, list}),
}

_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "int-or-string": "an integer or a string",
    "quantity": "a quantity such as '250m', '1', '128Mi' or '1Gi'",
    "bytes": "a base64-encoded string",
}

_BASE64 = lazy_pattern(r"[A-Za-z0-9+/]*={0,2}\Z")


def check_schema(manifests: Sequence[Manifest], report: Report) -> None:
    """Run ``api-version``, ``schema`` and ``yaml-boolean`` on every manifest that no typed
    builder made. A builder's apiVersion, kind and field shapes are right by construction
    (tests/test_builders.py holds every builder's apiVersion to the served table), so a
    stack built in Python never pays for loading the API data unless it holds Raw objects."""
    untyped = [m for m in manifests if not m.typed]
    if not untyped:
        return
    data = api_data(report.target)
    for m in untyped:
        pair = check_api_version(m, report, data)
        if m.kind != "List" and m.kind:
            _check_name_present(m, report)
        root = data.roots.get(pair) if pair is not None else None
        if root is not None:
            _walk_object(_Ctx(m, report), m.obj, root, ())


def _check_name_present(m: Manifest, report: Report) -> None:
    meta = m.obj.get("metadata")
    if meta is None or (isinstance(meta, dict) and meta.get("name") is None and meta.get("generateName") is None):
        report.add(
            "schema", m,
            f"{m.kind} has no metadata.name; add metadata: {{name: NAME}} (lower case letters, digits and '-')",
            ("metadata",) if meta is not None else (),
        )


class _Ctx:
    """The manifest being walked and where findings go."""

    __slots__ = ("m", "report")

    def __init__(self, m: Manifest, report: Report) -> None:
        self.m = m
        self.report = report

    def schema(self, message: str, path: Path) -> None:
        self.report.add("schema", self.m, f"{self.m.label}: {message}", path)


# --- the walk ------------------------------------------------------------------


def _walk_object(ctx: _Ctx, obj: dict[Any, Any], d: Definition, path: Path) -> None:
    props = d.props
    enums = d.enums
    formats = d.formats
    misspelled: tuple[str, ...] = ()
    for key, value in obj.items():
        t = props.get(key)
        if t is None:
            meant = _unknown_field(ctx, key, d, path)
            if meant is not None:
                misspelled += (meant,)
        elif value is None:
            continue
        elif isinstance(t, str):
            if type(value) not in _FAST[t]:
                _scalar(ctx, value, t, (*path, key), key, d.title)
            elif enums and key in enums and value not in enums[key] and value != "":
                _unsupported(ctx, value, enums[key], (*path, key), d, key)
            elif formats and key in formats:
                _format(ctx, value, formats[key], (*path, key))
        else:
            _walk_value(ctx, value, t, (*path, key), key)
            if key in d.list_keys and isinstance(value, list) and len(value) > 1 and isinstance(t, ListOf):
                _check_list_keys(ctx, value, d.list_keys[key], t.item, (*path, key))
            if enums and key in enums and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str) and item not in enums[key]:
                        _unsupported(ctx, item, enums[key], (*path, key, i), d, key)
    for field in d.required:
        if obj.get(field) is None and field not in misspelled:  # "did you mean" said it already
            _missing(ctx, obj, field, d, path)


def _check_list_keys(ctx: _Ctx, items: list[Any], keys: tuple[str, ...], item: FieldType, path: Path) -> None:
    """A list-map (``x-kubernetes-list-map-keys``): entries with the same key (absent key
    fields take their defaults, e.g. a port's protocol TCP). Reported after the other rules,
    and only where none of them found an error in the list already (duplicate container or
    volume names are ``invalid-value`` errors)."""
    defaults = item.defaults if isinstance(item, Definition) else {}
    seen: dict[tuple[Any, ...], int] = {}
    for i, entry in enumerate(items):
        if not isinstance(entry, dict):
            continue
        key = tuple(entry.get(k, defaults.get(k)) for k in keys)
        if not all(isinstance(part, (str, int)) for part in key):
            continue
        if key in seen:
            ctx.report.deferred.append(
                functools.partial(_duplicate_key, ctx.report, ctx.m, path, i, seen[key], keys, key)
            )
        else:
            seen[key] = i


def _duplicate_key(report: Report, m: Manifest, path: Path, i: int, first: int, keys: tuple[str, ...],
                   key: tuple[Any, ...]) -> None:
    n = len(path)
    if any(f.manifest is m and f.severity == "error" and f.path[:n] == path for f in report.findings):
        return
    shown = ", ".join(f"{k} {v!r}" for k, v in zip(keys, key, strict=True))
    field = path[-1]
    report.add(
        "duplicate-key", m,
        f"{m.label}: {field_path((*path, i))} repeats {shown} of {field}[{first}]: {field} entries are keyed by "
        f"{', '.join(keys)}, so kubectl apply --server-side rejects the list and a patch may merge the two; "
        "remove or change one",
        (*path, i), severity="warning",
    )


def _walk_value(ctx: _Ctx, value: Any, t: FieldType, path: Path, key: Any) -> None:
    if isinstance(t, Definition):
        if isinstance(value, dict):
            _walk_object(ctx, value, t, path)
        else:
            ctx.schema(f"{dotted(path)} must be a mapping of {t.title} fields ({_got(value)}){_unlist(value)}", path)
    elif isinstance(t, ListOf):
        if not isinstance(value, list):
            ctx.schema(
                f"{dotted(path)} must be a list ({_got(value)}); write each {singular(key)} as a list item "
                "starting with '- '",
                path,
            )
            return
        item = t.item
        if isinstance(item, str):
            fast = _FAST[item]
            for i, v in enumerate(value):
                if v is not None and type(v) not in fast:
                    _scalar(ctx, v, item, (*path, i), i, None)
        else:
            for i, v in enumerate(value):
                if v is not None:
                    _walk_value(ctx, v, item, (*path, i), i)
                elif isinstance(item, Definition) and item.required:
                    _walk_object(ctx, {}, item, (*path, i))  # null decodes to the item's zero value
    elif isinstance(t, MapOf):
        if not isinstance(value, dict):
            ctx.schema(f"{dotted(path)} must be a mapping of key: value pairs ({_got(value)})", path)
            return
        vt = t.value
        if isinstance(vt, str):
            fast = _FAST[vt]
            for k, v in value.items():
                if v is not None and type(v) not in fast:
                    _scalar(ctx, v, vt, (*path, k), k, None, map_field=key)
        else:
            for k, v in value.items():
                if v is not None:
                    _walk_value(ctx, v, vt, (*path, k), k)
    elif type(value) not in _FAST[t]:
        _scalar(ctx, value, t, path, key, None)


def _scalar(
    ctx: _Ctx, value: Any, t: str, path: Path, key: Any, field_of: str | None, *, map_field: Any = None
) -> None:
    """A value outside ``t``'s fast path: accept it, or report ``schema``/``yaml-boolean``."""
    if t == "any":
        return
    is_bool = isinstance(value, bool)
    is_num = not is_bool and isinstance(value, (int, float))
    if t in ("string", "bytes") and (is_bool or is_num):
        report_yaml_value(ctx.report, ctx.m, value, path, key, field_of, map_field)
        return
    if is_num:
        if t in ("number", "quantity") or (t in ("integer", "int-or-string") and float(value).is_integer()):
            return
        problem = f"must be {_EXPECTED[t]}"
        if t in ("integer", "int-or-string"):
            problem = "must be a whole number" if t == "integer" else "must be a whole number or a name"
        ctx.schema(f"{dotted(path)} {problem} ({_got(value)})", path)
        return
    if isinstance(value, str):
        if t in ("string", "int-or-string"):
            return
        if t == "quantity":
            if facts.quantity_problems(value.strip()):
                ctx.schema(f"{dotted(path)} {value!r} is not {_EXPECTED[t]}", path)
            return
        if t == "bytes":
            if not _BASE64.match(value.replace("\n", "").replace("\r", "")) or len(value.strip()) % 4:
                ctx.schema(
                    f"{dotted(path)} is not valid base64; encode the value (echo -n 'VALUE' | base64) "
                    "or put the plain text under stringData instead",
                    path,
                )
            return
        fix = _unquote_fix(value, t)
        hint = f"; write {key_text(key)}: {fix} without quotes" if fix else ""
        ctx.schema(f"{dotted(path)} must be {_EXPECTED[t]} ({_got(value)}){hint}", path)
        return
    ctx.schema(f"{dotted(path)} must be {_EXPECTED.get(t, t)} ({_got(value)})", path)


def _format(ctx: _Ctx, value: Any, fmt: str, path: Path) -> None:
    """What the field's Go type refuses when the server decodes the object (the whole
    object is then refused: "cannot be handled as a ...")."""
    if fmt == "int32" and isinstance(value, int) and not -2**31 <= value < 2**31:
        ctx.schema(f"{dotted(path)} {value} does not fit the field's 32-bit integer (-2147483648 to 2147483647)", path)
    elif fmt == "date-time" and isinstance(value, str) and value and not names.is_rfc3339(value):
        ctx.schema(f"{dotted(path)} {value!r} is not an RFC 3339 time such as '2024-05-01T12:00:00Z', so the API "
                   "server cannot decode the object (the server sets this field itself: remove it)", path)


def _unquote_fix(value: str, t: str) -> str | None:
    text = value.strip()
    if t == "boolean" and text.lower() in ("true", "false"):
        return text.lower()
    if t in ("integer", "number") and re.fullmatch(r"[-+]?\d+" if t == "integer" else r"[-+]?\d+(\.\d*)?", text):
        return text
    return None


# --- enumerations -----------------------------------------------------------------

# Enumerated fields another rule reports (with its own rule id).
_ENUMS_ELSEWHERE = frozenset({("core.v1.ServiceSpec", "type")})


def _unsupported(ctx: _Ctx, value: str, allowed: tuple[str, ...], path: Path, d: Definition, key: str) -> None:
    """A value outside the field's enumeration (from the OpenAPI data of the target release)."""
    if (d.name, key) in _ENUMS_ELSEWHERE:
        return
    text, close = unsupported_text(value, allowed)
    ctx.report.add("invalid-value", ctx.m, f"{ctx.m.label}: {field_path(path)}: {text}", path, suggestion=close)


# --- unknown and missing fields ----------------------------------------------


def _unknown_field(ctx: _Ctx, key: Any, d: Definition, path: Path) -> str | None:
    """Report ``key``; return the field of ``d`` it suggests instead, if any."""
    p = (*path, key)
    name = str(key)
    fields = list(d.props)
    close = facts.suggest(name, fields, cutoff=0.7)
    old = _OLD_FIELDS.get((d.title, name))
    if old is not None:
        hint = old
    elif close:
        hint = f"; did you mean {close}?"
    else:
        deeper = _find_below(d, name)
        if deeper is not None:
            hint = f"; did you mean {dotted((*path, *deeper))}?"
        elif len(fields) <= 12:
            hint = f"; {d.title} has {', '.join(fields)}"
        else:
            hint = ""
    ctx.schema(f"{dotted(p)} is not a field of {d.title}{hint}", p)
    return close


def _find_below(d: Definition, name: str, max_depth: int = 3) -> Path | None:
    """Shortest path of fields (lists as their first item) below ``d`` to a field ``name``."""
    frontier: list[tuple[Definition, Path]] = [(d, ())]
    seen = {d.name}
    for _ in range(max_depth):
        nxt: list[tuple[Definition, Path]] = []
        for cur, rel in frontier:
            for field, t in cur.props.items():
                step: Path = (field,)
                if isinstance(t, ListOf):
                    t, step = t.item, (field, 0)
                if isinstance(t, Definition) and t.name not in seen:
                    if name in t.props:
                        return (*rel, *step, name)
                    seen.add(t.name)
                    nxt.append((t, (*rel, *step)))
        frontier = nxt
    return None


# Fields whose absence or presence has a well-known fix.
_MISSING_HINTS = {
    "image": "; add image: IMAGE:TAG (e.g. nginx:1.27)",
    "port": "; add port: NUMBER",
    "pathType": "; add pathType: Prefix (or Exact, or ImplementationSpecific)",
    "containers": "; add containers: with at least one - name: NAME, image: IMAGE",
}
_OLD_FIELDS = {
    ("IngressBackend", "serviceName"): "; networking.k8s.io/v1 writes the backend as service: {name: NAME, "
    "port: {number: N}} (serviceName/servicePort were the v1beta1 form)",
    ("IngressBackend", "servicePort"): "; networking.k8s.io/v1 writes the backend as service: {name: NAME, "
    "port: {number: N}} (serviceName/servicePort were the v1beta1 form)",
    ("IngressSpec", "backend"): "; did you mean defaultBackend? (backend was the v1beta1 name)",
}


def _missing(ctx: _Ctx, obj: dict[Any, Any], field: str, d: Definition, path: Path) -> None:
    present = field in obj
    where = (*path, field)  # an absent field is located at its parent's line
    state = "is empty" if present else "is missing"
    hint = _MISSING_HINTS.get(field, "")
    ctx.schema(f"{dotted((*path, field))} {state}; {d.title} requires {field}{hint}", where)


# --- wording -------------------------------------------------------------------


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "got a mapping"
    if isinstance(value, list):
        return "got a list"
    if isinstance(value, bool):
        return f"got the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"got the number {value!r}"
    if isinstance(value, str):
        return f"got the string {value!r}"
    return f"got {type(value).__name__}"


def _unlist(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "; write its fields without a leading '- '"
    return ""
