"""What a manifest may hold: the one admission rule shared by the reader, the checks and the writer.

A Kubernetes object travels as JSON: mappings with string keys, lists, strings,
64-bit integers, finite numbers, booleans and null, nested to a sane depth. A value
outside that set cannot reach the API server intact, so kubegen neither writes it
nor reads it:

- :func:`scalar_problem` and :func:`key_problem` judge one value or mapping key
  (the writer asks them about anything it cannot write exactly);
- :func:`value_problems` walks a whole object without recursion and says where
  each problem is (the checks report them, at the user's line, naming the field);
- :data:`MAX_DEPTH` is the one nesting limit of every entrance (YAML, JSON,
  ``Raw`` in app.py), far above any real manifest and far below where Python's own
  recursion (``copy.deepcopy``, ``json.dumps``) or libyaml's limit would fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from kubegen.errors import KubegenError

MAX_DEPTH = 100
"""Mappings and lists nested deeper than this (the object itself is level 1) are refused."""

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
"""Integers the API stores (int64); JSON readers turn larger ones into inexact floats."""

Path = tuple[Any, ...]


class InadmissibleValue(KubegenError, ValueError):
    """A value no manifest can hold reached the writer (the checks report such values
    as findings first; this is for manifests written without them)."""


def shown(value: Any, how: Callable[[Any], str] = repr) -> str:
    """``how(value)`` (``repr`` or ``str``) for a message; a user's object whose own
    ``__repr__``/``__str__`` raises (or returns no string) is named by its type instead."""
    try:
        text = how(value)
    except Exception as exc:  # noqa: BLE001 - the user's code failed, not kubegen's
        return f"<{type(value).__name__} whose {how.__name__}() raised {type(exc).__name__}>"
    return text if isinstance(text, str) else f"<{type(value).__name__} whose {how.__name__}() is no string>"


def _describe(value: Any) -> str:
    text = shown(value)
    if len(text) > 40:
        text = text[:37] + "..."
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} ({text})"


def text_problem(value: str) -> str | None:
    """Why the string cannot be written as UTF-8 (a lone surrogate), or None."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains the lone surrogate U+{ord(value[exc.start]):04X} at index {exc.start}, which UTF-8 "
            "(and so YAML, JSON and the API server) cannot carry; remove it or decode the text it came "
            "from properly"
        )
    return None


def scalar_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a scalar of a manifest, or None when it can.

    Containers (dict, list, tuple) are not scalars: :func:`value_problems` walks them.
    """
    if isinstance(value, str):
        return text_problem(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if INT_MIN <= value <= INT_MAX:
            return None
        number = int.__repr__(value) if value.bit_length() <= 128 else \
            f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        return (
            f"is {number}, outside the 64-bit range Kubernetes stores (-2**63 .. 2**63-1); "
            "write it as a string if it is text"
        )
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return (
            f"is {float.__repr__(value)}, which JSON (what kubectl sends to the API server) cannot carry; "
            "use a finite number or a string"
        )
    if isinstance(value, (bytes, bytearray)):
        return (
            f"is {_describe(value)}: manifests hold text; decode it (value.decode()) or use "
            "binary_data= / Secret data=, which base64-encode bytes"
        )
    if isinstance(value, (set, frozenset)):
        return f"is {_describe(value)}, which has no order: use a sorted list"
    return (
        f"is {_describe(value)}: manifests hold only mappings, lists, strings, numbers, booleans "
        "and null"
    )


def key_problem(key: Any) -> str | None:
    """Why ``key`` cannot be a mapping key of a manifest (JSON keys are strings), or None."""
    if isinstance(key, str):
        problem = text_problem(key)
        return None if problem is None else f"has a key that {problem}"
    if key is None:
        return "has the key None: mapping keys are strings in Kubernetes; use a string key"
    if isinstance(key, (bool, int, float)):
        text = shown(key, str)
        return (f"has the key {shown(key)} ({type(key).__name__}): mapping keys are strings in Kubernetes; "
                f"write {text.lower() if isinstance(key, bool) else text!r}")
    return f"has {_describe(key)} as a key: mapping keys are strings in Kubernetes"


def _depth_problem() -> str:
    return (
        f"nests more than {MAX_DEPTH} levels of mappings and lists deep (kubegen's limit, far beyond "
        "any real manifest); flatten the structure"
    )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def admissible(obj: Any) -> bool:
    """Whether :func:`value_problems` would find nothing in ``obj`` (the fast question:
    no paths kept, most values judged by their exact type)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            for key in value:
                if type(key) is not str or not (key.isascii() or _encodable(key)):
                    if key_problem(key) is not None:
                        return False
            items: Any = value.values()
        else:
            items = value
        for item in items:
            kind = type(item)
            if kind is str:
                if not item.isascii() and not _encodable(item):
                    return False
            elif kind is dict or kind is list or kind is tuple:
                push((item, depth + 1))
            elif kind is int:
                if not INT_MIN <= item <= INT_MAX:
                    return False
            elif kind is bool or item is None:
                continue
            elif kind is float:
                if not math.isfinite(item):
                    return False
            elif isinstance(item, (dict, list, tuple)):
                push((item, depth + 1))
            elif scalar_problem(item) is not None:
                return False
    return True


def value_problems(obj: Any, limit: int | None = None) -> Iterator[tuple[Path, str]]:
    """Every problem in ``obj`` as (path to the field, what is wrong), in document order,
    without recursion. Stops descending below :data:`MAX_DEPTH`; stops after ``limit``
    problems when given."""
    found = 0
    # (value, path, depth); reversed pushes keep document order
    stack: list[tuple[Any, Path, int]] = [(obj, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                yield path, _depth_problem()
                found += 1
            else:
                children = []
                for key, item in value.items():
                    problem = key_problem(key)
                    if problem is not None:
                        yield path, problem
                        found += 1
                        continue
                    children.append((item, (*path, key), depth + 1))
                stack.extend(reversed(children))
        elif isinstance(value, (list, tuple)):
            if depth > MAX_DEPTH:
                yield path, _depth_problem()
                found += 1
            else:
                stack.extend(reversed([(item, (*path, i), depth + 1) for i, item in enumerate(value)]))
        else:
            problem = scalar_problem(value)
            if problem is not None:
                yield path, problem
                found += 1
        if limit is not None and found >= limit:
            return


def too_deep(obj: Any) -> Path | None:
    """The path of the first mapping or list nested deeper than :data:`MAX_DEPTH`, or None
    (no recursion, so any depth is safe to ask about)."""
    stack: list[tuple[Any, Path]] = [(obj, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            return path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, (dict, list, tuple)):
                stack.append((item, (*path, key)))
    return None


def copy_data(value: Any, _depth: int = 0) -> Any:
    """A deep copy of nested dicts, lists and tuples (tuples become lists, as in JSON).
    Fast recursion down to :data:`MAX_DEPTH`, then :func:`_copy_deep` without recursion,
    so any depth is safe and a cycle stays a cycle (which the walk of
    :func:`value_problems` stops at :data:`MAX_DEPTH`). Other values are not copied."""
    if _depth > MAX_DEPTH:
        return _copy_deep(value)
    if isinstance(value, dict):
        return {key: copy_data(item, _depth + 1) if isinstance(item, _CONTAINERS) else item
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [copy_data(item, _depth + 1) if isinstance(item, _CONTAINERS) else item for item in value]
    return value


def plain_data(value: Any, _depth: int = 0) -> Any:
    """:func:`copy_data` for values an app made: also every string, integer and float of
    a subclass (an enum member such as ``IntEnum``, a ``str`` subclass), as a value or
    a key, becomes the plain value it stands for, so that nothing downstream calls the
    app's own ``__str__``, ``__repr__`` or ``__eq__`` (which may say anything, or raise)."""
    if _depth > MAX_DEPTH:
        return _copy_deep(value)
    if isinstance(value, dict):
        return {key if type(key) is str else _plain(key): item if type(item) in _EXACT else plain_data(item, _depth + 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [item if type(item) in _EXACT else plain_data(item, _depth + 1) for item in value]
    return _plain(value)


_EXACT = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _EXACT:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    return value


_CONTAINERS = (dict, list, tuple)


def _copy_deep(value: Any) -> Any:
    if not isinstance(value, _CONTAINERS):
        return value
    root: Any = {} if isinstance(value, dict) else []
    memo: dict[int, Any] = {id(value): root}
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        is_dict = isinstance(source, dict)
        for key, item in (source.items() if is_dict else enumerate(source)):
            if isinstance(item, _CONTAINERS):
                copied = memo.get(id(item))
                if copied is None:
                    copied = memo[id(item)] = {} if isinstance(item, dict) else []
                    stack.append((item, copied))
                item = copied
            if is_dict:
                target[key] = item
            else:
                target.append(item)
    return root
