"""Finding: one problem found in a stack (rule id, severity, message, location).

It lives below the checks so that every entrance (the YAML reader included) can
report problems in the same form.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from kubegen.escape import escape
from kubegen.facts import lazy_pattern
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.record import Record

Severity = Literal["error", "warning"]


_PLAIN_WORD = lazy_pattern(r"[A-Za-z_/][A-Za-z0-9_./@-]*\Z")
_NOT_PLAIN = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf", "none"})


def yaml_value(value: Any) -> str:
    """A value as YAML writes it, for messages about YAML: ``true`` (not ``True``),
    ``null``, ``'yes'`` (a string), ``{app: web}``, ``[80, 443]``."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if _PLAIN_WORD.match(value) and value.lower() not in _NOT_PLAIN:
            return value
        if value.isprintable():
            return "'" + value.replace("'", "''") + "'"
        import json  # only for text with control characters

        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_value(k)}: {yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return repr(value)


def quoted(value: Any) -> str:
    """A value from YAML as messages name it: ``'web'`` for text, YAML for anything
    else (``true``, ``null``, ``{a: 1}``), never Python's ``True`` or ``None``."""
    return "'" + value.replace("'", "''") + "'" if isinstance(value, str) else yaml_value(value)


def flow_labels(mapping: dict[str, Any]) -> str:
    """Labels as messages show them, in YAML: ``{app: web, tier: fe, canary: true}``."""
    return yaml_value(mapping)


def flow_selector(selector: dict[str, Any]) -> str:
    """A LabelSelector as kubectl writes one: ``app=web,tier in (back,db),!canary``
    (``matchLabels``, then ``matchExpressions`` in their order)."""
    parts: list[str] = []
    labels = selector.get("matchLabels")
    if isinstance(labels, dict):
        parts += [f"{k}={v}" for k, v in labels.items()]
    expressions = selector.get("matchExpressions")
    for e in expressions if isinstance(expressions, list) else []:
        if not isinstance(e, dict):
            continue
        key, op, values = e.get("key"), e.get("operator"), e.get("values")
        shown = ",".join(str(v) for v in values) if isinstance(values, list) else ""
        parts.append({"In": f"{key} in ({shown})", "NotIn": f"{key} notin ({shown})", "Exists": f"{key}",
                      "DoesNotExist": f"!{key}"}.get(str(op), f"{key} {op} ({shown})"))
    return ",".join(parts) or "{} (every pod)"


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Finding(Record):
    """One problem: which rule, how bad, what (message), and where."""

    rule: str
    severity: Severity
    message: str
    manifest: Manifest | None = attrs.field(default=None, eq=False, repr=False)
    path: tuple[str | int, ...] = ()
    where: Location | None = attrs.field(default=None, eq=False)
    suggestion: str | None = attrs.field(default=None, eq=False)
    """The value the message suggests instead (``UDP`` for ``udp``), when one is obvious."""

    @property
    def location(self) -> Location:
        """file:line of the offending field (or object)."""
        if self.where is not None:
            return self.where
        if self.manifest is not None:
            return self.manifest.locate(self.path)
        return Location("<stack>", 0)

    def format(self) -> str:
        """``file:line: severity rule-id: message``, always one printable line: a file name
        or a value from the input with a newline or a terminal escape in it is shown
        escaped (:func:`kubegen.escape.escape`), so it can neither forge another finding
        nor rewrite the terminal."""
        return escape(f"{self.location}: {self.severity} {self.rule}: {self.message}")

    def to_json(self) -> dict[str, object]:
        loc = self.location
        return {
            "file": loc.file,
            "line": loc.line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "object": None if self.manifest is None else {
                "kind": self.manifest.kind,
                "name": self.manifest.name,
                "namespace": self.manifest.namespace,
            },
            "path": ".".join(str(p) for p in self.path) if self.path else None,
            **({"suggestion": self.suggestion} if self.suggestion is not None else {}),
        }
