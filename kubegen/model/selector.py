"""Set-based label selectors: the ``matchExpressions`` half of a LabelSelector.

``LabelExpression.in_("tier", ["db", "cache"])``, ``.not_in(...)``, ``.exists("canary")``,
``.does_not_exist("canary")``; the builders whose selectors pick pods by expressions
(PodDisruptionBudget, NetworkPolicy and its peers) take them beside their labels, and
:func:`parse_selector` reads kubectl's ``--selector`` syntax into both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError
from kubegen.model._base import Builder, as_list, check_choice, fail, str_tuple, typed_fields

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class LabelExpression(Builder):
    """One requirement on a label (an entry of ``matchExpressions``); build it with
    ``LabelExpression.in_(key, values)``, ``.not_in(key, values)``, ``.exists(key)`` or
    ``.does_not_exist(key)``.

    - ``key``: a label key (required).
    - ``operator``: ``In``, ``NotIn``, ``Exists`` or ``DoesNotExist`` (required).
    - ``values``: for ``In`` and ``NotIn``, at least one; none for the others. Default: none.
    """

    key: str
    operator: str
    values: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def __attrs_post_init__(self) -> None:
        owner = "LabelExpression"
        problems = facts.label_key_problems(self.key) if isinstance(self.key, str) else ["must be a string"]
        if problems:
            fail(owner, "key", self.key, problems)
        check_choice(owner, "operator", self.operator, OPERATORS)
        if self.operator in ("In", "NotIn") and not self.values:
            raise BuilderError(f"{owner} {self.key!r} {self.operator}: give at least one value")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise BuilderError(f"{owner} {self.key!r} {self.operator}: takes no values")
        for value in self.values:
            problems = facts.label_value_problems(value)
            if problems:
                fail(owner, f"{self.key!r} value", value, problems)

    @classmethod
    def in_(cls, key: str, values: Iterable[str]) -> LabelExpression:
        """Pods whose label ``key`` is one of ``values``."""
        return cls(key=key, operator="In", values=str_tuple(values))

    @classmethod
    def not_in(cls, key: str, values: Iterable[str]) -> LabelExpression:
        """Pods without label ``key`` or with another value (kubectl's ``key notin (...)``)."""
        return cls(key=key, operator="NotIn", values=str_tuple(values))

    @classmethod
    def exists(cls, key: str) -> LabelExpression:
        """Pods with label ``key``, whatever its value."""
        return cls(key=key, operator="Exists")

    @classmethod
    def does_not_exist(cls, key: str) -> LabelExpression:
        """Pods without label ``key`` (kubectl's ``!key``)."""
        return cls(key=key, operator="DoesNotExist")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"key": self.key, "operator": self.operator}
        if self.values:
            d["values"] = list(self.values)
        return d


def expressions(value: Iterable[LabelExpression] | None) -> Any:
    """Converter of ``*_expressions`` fields."""
    return as_list(value, (LabelExpression,), "[LabelExpression.in_('tier', ['db']), ...]")


def label_selector(labels: Mapping[str, str], exprs: Iterable[LabelExpression] = ()) -> dict[str, Any]:
    """A LabelSelector: ``matchLabels`` and ``matchExpressions``, each only when given
    (``{}`` when neither is)."""
    selector: dict[str, Any] = {}
    if labels:
        selector["matchLabels"] = dict(labels)
    written = [e.to_dict() for e in exprs]
    if written:
        selector["matchExpressions"] = written
    return selector


# kubectl's selector syntax (apimachinery's labels.Parse), as `kubectl create pdb --selector`
# and `kubectl get -l` take it: requirements separated by commas (outside parentheses).
_SET = re.compile(r"\s*(\S+?)\s+(in|notin)\s*\(([^)]*)\)\s*\Z")


def parse_selector(owner: str, text: str) -> tuple[dict[str, str], list[LabelExpression]]:
    """``app=web,tier in (db,cache),!canary,release`` -> (labels, expressions): ``k=v`` and
    ``k==v`` are labels; ``k in (...)``, ``k notin (...)``, ``k`` and ``!k`` expressions.
    ``k!=v`` is refused as kubectl refuses it (a LabelSelector cannot say it)."""
    labels: dict[str, str] = {}
    found: list[LabelExpression] = []
    for part in _split(text):
        item = part.strip()
        set_based = _SET.match(item)
        if set_based is not None:
            values = sorted({v.strip() for v in set_based.group(3).split(",") if v.strip()})
            operator = "In" if set_based.group(2) == "in" else "NotIn"
            found.append(LabelExpression(key=set_based.group(1), operator=operator, values=values))
        elif "!=" in item:
            raise BuilderError(f"{owner}: selector {text!r}: '!=' is not an operator a LabelSelector has "
                               "(write 'key notin (value)')")
        elif "=" in item:
            key, _, value = item.partition("==" if "==" in item else "=")
            labels[key.strip()] = value.strip()
        elif item.startswith("!") and item[1:].strip():
            found.append(LabelExpression(key=item[1:].strip(), operator="DoesNotExist"))
        elif item and not any(c in item for c in " ()"):
            found.append(LabelExpression(key=item, operator="Exists"))
        else:
            raise BuilderError(f"{owner}: selector {text!r} must be requirements such as 'app=web', "
                               "'tier in (db,cache)', 'tier notin (web)', 'canary' or '!canary', separated by commas")
    found.sort(key=lambda e: e.key)  # as kubectl writes them: by key, values sorted
    return labels, found


def _split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


__all__ = ["LabelExpression", "expressions", "label_selector", "parse_selector"]
