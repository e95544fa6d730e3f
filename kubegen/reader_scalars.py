"""Plain YAML scalars as kubectl reads them (go-yaml v2 under sigs.k8s.io/yaml), not PyYAML.

The two agree on most YAML 1.1 (``yes`` and ``on`` are booleans, ``0755`` is octal)
but differ at the edges; kubectl (``kubectl create -f --dry-run=client -o json``) is
the oracle the tests use. go-yaml v2, unlike PyYAML:

- reads ``y``, ``Y``, ``n``, ``N`` as booleans;
- reads ``0o755`` as an octal int and ``1e3``, ``08`` as numbers (Go's ``ParseInt``
  with base 0, then its float syntax), but ``1:20`` as text (no base 60);
- keeps timestamps and ``=`` as text;
- and, going through JSON, writes a whole float as an integer (``1e3`` -> ``1000``),
  while ``.inf`` and ``.nan`` cannot be written at all (kubectl refuses them);
- an integer beyond 64 bits becomes a float when it is decimal and finite, else the
  text stays a string (go-yaml's fallback), so every value read is one kubegen's
  writer can write back (:mod:`kubegen.values`).
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any

from yaml.constructor import ConstructorError, SafeConstructor  # type: ignore[import-untyped]

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_BOOL = re.compile("^(?:" + "|".join(sorted(_TRUE | _FALSE)) + ")$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
# Go's strconv.ParseInt(s, 0, 64) after go-yaml removes every "_".
_INT = re.compile(r"^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)$")
# go-yaml's yamlStyleFloat, plus its named infinities and NaNs.
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_MERGE = re.compile(r"^(?:<<)$")


def implicit_resolvers() -> dict[Any, list[tuple[str, Any]]]:
    """A ``yaml_implicit_resolvers`` table (first character -> [(tag, regexp)]) with go-yaml's rules."""
    table: dict[Any, list[tuple[str, Any]]] = {}

    def add(tag: str, regexp: Any, first: str) -> None:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))

    add(BOOL_TAG, _BOOL, "yYnNtTfFoO")
    add(NULL_TAG, _NULL, "~nN")
    table.setdefault(None, []).append((NULL_TAG, _NULL))  # PyYAML's key for the empty scalar
    table.setdefault("", []).append((NULL_TAG, _NULL))
    add(INT_TAG, _INT, "-+0123456789")
    add(FLOAT_TAG, _FLOAT, "-+.0123456789")
    add(MERGE_TAG, _MERGE, "<")
    return table


_TABLE = implicit_resolvers()


def plain_scalar(text: str) -> Any:
    """The value of ``text`` written unquoted, as kubectl reads it (``"y"`` -> True,
    ``"1e3"`` -> 1000). Raises ValueError for ``.inf`` and ``.nan``."""
    for tag, regexp in _TABLE.get(text[:1] if text else "", ()):
        if regexp.match(text):
            return scalar_value(tag, text)
    return text


def scalar_value(tag: str, text: str) -> Any:
    """The value of a plain scalar resolved to ``tag`` (str for any other tag).

    Raises ValueError for text that is not valid for the tag and for infinities and
    NaNs (which JSON, and so kubectl, cannot carry).
    """
    if tag == BOOL_TAG:
        if text in _TRUE or text.lower() in ("y", "yes", "on", "true"):
            return True
        if text in _FALSE or text.lower() in ("n", "no", "off", "false"):
            return False
        raise ValueError(f"{text!r} is not a boolean")
    if tag == NULL_TAG:
        return None
    if tag == INT_TAG:
        return _int(text)
    if tag == FLOAT_TAG:
        return _float(text)
    return text


def _int(text: str) -> int | float | str:
    value = text.replace("_", "")
    sign = -1 if value[:1] == "-" else 1
    digits = value.lstrip("+-")
    if len(digits) > 4000:
        return _beyond_int64(text, value)  # Python refuses to parse such numbers
    try:
        if len(digits) > 1 and digits[0] == "0" and digits[1] in "bBoOxX":
            number = sign * int(digits, 0)
        elif len(digits) > 1 and digits[0] == "0":
            number = sign * int(digits, 8)
        else:
            number = sign * int(digits)
    except ValueError:
        raise ValueError(f"{text!r} is not an integer") from None
    if -(2**63) <= number < 2**63:
        return number
    return _beyond_int64(text, value)


def _beyond_int64(text: str, value: str) -> float | str:
    """An integer too large for int64: go-yaml v2 tries it as a float (decimal digits
    only, and only when finite), else keeps the text, and so does kubegen (the API
    stores int64; its JSON reader turns larger numbers into floats too)."""
    if _FLOAT.match(value):
        number = float(value) if len(value) < 400 else math.inf
        if math.isfinite(number):
            return number
    return text


def _float(text: str) -> float | int:
    value = text.replace("_", "").lower()
    if value.lstrip("+-") in (".inf", ".nan"):
        raise ValueError(
            f"{text} (infinity or not-a-number) cannot be written as JSON, so kubectl refuses it; "
            f"quote it (\"{text}\") if it is text"
        )
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if math.isinf(number) or math.isnan(number):
        raise ValueError(f"{text} is too large a number to write as JSON")
    if number.is_integer() and abs(number) < 2**63:
        return int(number)  # JSON (what kubectl sends) has no 1000.0, only 1000
    return number


def json_int(text: str) -> int | float | str:
    """A JSON integer, as the reader gives YAML's (beyond int64: see the module docstring)."""
    return _int(text)


def json_float(text: str) -> float | int:
    """A JSON number with a fraction or exponent, as the reader gives YAML's (1.0 -> 1)."""
    return _float(text)


def json_key(value: Any) -> str | None:
    """A scalar mapping key as sigs.k8s.io/yaml writes it into JSON (None: it cannot, e.g.
    a list, or a null key, which kubectl refuses)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float32(value)
    return None


def _go_float32(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'g', -1, 32)``, which sigs.k8s.io/yaml uses for float keys."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return text
    return repr(single)  # pragma: no cover - nine digits always round-trip a float32


def construct_scalar_as_kubectl(loader: SafeConstructor, node: Any) -> Any:
    """A PyYAML constructor for the bool, null, int and float tags with the rules above."""
    try:
        return scalar_value(node.tag, loader.construct_scalar(node))
    except ValueError as exc:
        raise ConstructorError(None, None, str(exc), node.start_mark) from None
