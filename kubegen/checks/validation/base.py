"""What every validator shares: :class:`Ctx` (the object being checked, how findings are
worded) and small readers that accept only values of the expected shape.

Validators mirror the API server's validation functions: they receive a mapping and
the field path it sits at, read each value with :func:`ival`, :func:`sval`,
:func:`dicts`, ... (anything of another shape is the ``schema`` rule's business and is
skipped), and report through ``ctx``. A finding reads
``Kind 'name': spec.ports[0].protocol: 'udp' is not supported; supported values: SCTP,
TCP, UDP; did you mean 'UDP'?``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report, Severity
from kubegen.checks.kubeversion import Version
from kubegen.checks.validation.paths import field_path
from kubegen.manifest import Manifest

RULE = "invalid-value"
P = tuple[Any, ...]
"""A field path: keys (str, :class:`~kubegen.checks.validation.paths.Key`) and list indexes."""


# Pod-template fields a StatefulSet's restart/deadline rules check on every release.
_ALWAYS_CHECKED = frozenset({"restartPolicy", "activeDeadlineSeconds"})


class Ctx:
    """One manifest under validation and the report its findings go to."""

    __slots__ = ("m", "report", "target", "kind", "lenient", "lenient_note", "shifts")

    def __init__(self, m: Manifest, report: Report, target: Version) -> None:
        self.m = m
        self.report = report
        self.target = target
        self.kind = m.kind
        self.lenient: tuple[P, ...] = ()
        """Field paths (prefixes) the target's API server does not validate: findings under
        them are warnings carrying :attr:`lenient_note`."""
        self.lenient_note = ""
        self.shifts: tuple[tuple[P, int], ...] = ()
        """(list path, n): messages name item ``i`` of that list as ``i + n``, as the server
        does where it validates a list with items of its own put first."""

    def _is_lenient(self, path: P) -> bool:
        return any(path[:len(prefix)] == prefix for prefix in self.lenient) and path[-1] not in _ALWAYS_CHECKED

    def add(
        self, path: P, text: str, *, rule: str = RULE, severity: Severity = "error", suggestion: str | None = None
    ) -> None:
        """Report ``Kind 'name': <path>: <text>``."""
        if self.lenient and self._is_lenient(path):
            severity, text = "warning", f"{text} ({self.lenient_note})"
        self.report.add(rule, self.m, f"{self.m.label}: {field_path(self._server_path(path))}: {text}", path,
                        severity=severity, suggestion=suggestion)

    def _server_path(self, path: P) -> P:
        for prefix, shift in self.shifts:
            n = len(prefix)
            if len(path) > n and path[:n] == prefix and isinstance(path[n], int):
                return (*prefix, path[n] + shift, *path[n + 1:])
        return path

    def invalid(self, path: P, value: Any, detail: str, *, rule: str = RULE, suggestion: str | None = None) -> None:
        """``'Init' must be ...; did you mean 'init'?`` (no question when the detail already
        says ``(try 'init')``)."""
        hint = ""
        if suggestion is not None and f"(try {show(suggestion)})" not in detail:
            hint = f"; did you mean {show(suggestion)}?"
        self.add(path, f"{show(value)} {detail}{hint}", rule=rule, suggestion=suggestion)

    def problems(self, path: P, value: Any, problems: Sequence[str], *, rule: str = RULE,
                 suggestion: str | None = None, fix: Callable[[Any], str] | None = None) -> None:
        """Report a value with the problems a ``*_problems`` function found (if any);
        ``fix`` makes the suggestion (only then)."""
        if problems:
            if fix is not None:
                suggestion = fix(value)
            self.invalid(path, value, "; ".join(problems), rule=rule, suggestion=suggestion)

    def unsupported(self, path: P, value: Any, allowed: Iterable[str], *, rule: str = RULE, why: str = "") -> None:
        """A value outside a fixed set: name the set and the near miss."""
        text, close = unsupported_text(value, allowed, why)
        self.add(path, text, rule=rule, suggestion=close)

    def required(self, path: P, detail: str, *, rule: str = RULE) -> None:
        """A field that must be set (and non-empty)."""
        self.add(path, f"is required: {detail}", rule=rule)

    def forbidden(self, path: P, detail: str, *, rule: str = RULE) -> None:
        self.add(path, f"is not allowed: {detail}", rule=rule)


def unsupported_text(value: Any, allowed: Iterable[str], why: str = "") -> tuple[str, str | None]:
    """``'udp' is not supported; supported values: SCTP, TCP, UDP; did you mean 'UDP'?``
    and the suggestion itself."""
    choices = list(allowed)
    close = facts.suggest(value, choices, cutoff=0.5) if isinstance(value, str) else None
    hint = f"; did you mean {close!r}?" if close else ""
    return f"{show(value)} is not supported{why}; supported values: {', '.join(choices)}{hint}", close


def show(value: Any) -> str:
    """A value as messages quote it: ``'udp'``, ``70000``, ``true``, ``["a","b"]``."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json  # on first use: only messages about mappings and lists need it

        text = json.dumps(value, sort_keys=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


# --- readers: the value when it has the expected shape, else None -----------------


def ival(value: Any) -> int | None:
    """An integer (not a bool; a whole float such as ``3.0`` counts)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def sval(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def mapping(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def required_text(ctx: Ctx, owner: dict[str, Any], field: str, path: P, detail: str) -> str | None:
    """A string field the server requires: reported (``<path>.<field>: is required:
    <detail>``) when absent or empty; the value when it is a non-empty string, None when
    missing or of another shape (the ``schema`` rule's)."""
    value = owner.get(field)
    if value is None or value == "":
        ctx.required((*path, field), detail)
        return None
    return value if isinstance(value, str) else None


def items(value: Any) -> list[tuple[int, Any]]:
    """The (index, item) pairs of a list; nothing for any other value."""
    return list(enumerate(value)) if isinstance(value, list) else []


def dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, item) pairs of a list whose items are mappings; a null item is an
    empty mapping, as the server decodes it (the zero value of the item's struct)."""
    if not isinstance(value, list):
        return []
    return [(i, {} if item is None else item) for i, item in enumerate(value) if item is None or isinstance(item, dict)]


def strings(value: Any) -> list[tuple[int, str]]:
    """The (index, item) pairs of a list whose items are strings."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def empty(value: Any) -> bool:
    """Absent or Go's zero value (``""``, ``[]``, ``{}``, null)."""
    return value is None or value == "" or value == [] or value == {}


def non_negative(ctx: Ctx, owner: dict[str, Any], field: str, path: P) -> None:
    """The API's ValidateNonnegativeField."""
    value = ival(owner.get(field))
    if value is not None and value < 0:
        ctx.invalid((*path, field), value, "must be greater than or equal to 0")


def one_of(ctx: Ctx, owner: dict[str, Any], field: str, path: P, allowed: Sequence[str], why: str = "") -> None:
    """A string field that takes one of a fixed set of values (when set)."""
    value = owner.get(field)
    if isinstance(value, str) and value and value not in allowed:
        ctx.unsupported((*path, field), value, allowed, why=why)
