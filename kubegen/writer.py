"""The YAML writer: block-style YAML that means the same to YAML 1.1 and 1.2 readers.

kubectl reads YAML 1.1, where an unquoted ``yes``, ``on``, ``y``, ``0755``, ``1e3``
or ``12:30`` is not a string. Every string this writer leaves unquoted is one that
PyYAML (1.1), ruamel.yaml (1.2) and Go's yaml.v2 all read back as the same
string; everything else is quoted. The tests hold it to that with property tests
and the whole corpus, using ruamel.yaml and PyYAML as oracles.

It is a small purpose-built emitter (plain dicts, lists, str, int, float, bool,
None) rather than ruamel.yaml's general one because rendering is on every
GitOps pipeline's path: see ``bench/`` for the figures.

Layout follows ``kubectl -o yaml``: two-space indents, list items at their key's
indentation, ``apiVersion, kind, metadata, spec`` first, ``---`` between documents,
no ``status`` and no ``creationTimestamp: null``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

from kubegen.facts import lazy_pattern
from kubegen.names import DIGITS, LETTERS
from kubegen.values import INT_MAX, INT_MIN, InadmissibleValue, key_problem, scalar_problem, text_problem

_TOP_FIRST = ("apiVersion", "kind", "metadata", "spec")
_DROP_TOP = frozenset({"status"})

# Which strings are written plain is decided by character sets rather than regular
# expressions: every render writes strings, and compiling patterns costs each run
# start-up time (tests/test_writer.py holds each test to the pattern in its docstring).
_PLAIN_FIRST = LETTERS | {"_", "/"}
_PLAIN_HEAD = _PLAIN_FIRST | DIGITS | frozenset(".:@+=-")
_PLAIN_WORD = _PLAIN_HEAD | {"(", ")"}


def is_plain_word(value: str) -> bool:
    """``[A-Za-z_/][A-Za-z0-9_./:@+=-]*(?: [A-Za-z0-9_./:@+=()-]+)*``: a plain scalar starts
    with a letter, '_' or '/' and goes on with a conservative set of characters (single
    spaces between words, parentheses after the first)."""
    if not value or value[0] not in _PLAIN_FIRST:
        return False
    head, space, tail = value.partition(" ")
    if not _PLAIN_HEAD.issuperset(head):
        return False
    return not space or all(word and _PLAIN_WORD.issuperset(word) for word in tail.split(" "))


def is_numeric_word(value: str) -> bool:
    """``(?:[1-9][0-9]*|0)(?:\\.[0-9]+)?[A-Za-z]+``: quantities and durations such as 100m,
    128Mi, 1.5Gi, 30s, which no reader takes for a number (no exponent digits, no base
    prefix, no sign, no ':' or '-')."""
    end = 0
    while end < len(value) and value[end] in DIGITS:
        end += 1
    if not end or (end > 1 and value[0] == "0"):
        return False
    if value[end:end + 1] == ".":
        fraction = end + 1
        while fraction < len(value) and value[fraction] in DIGITS:
            fraction += 1
        if fraction == end + 1:
            return False
        end = fraction
    rest = value[end:]
    return bool(rest) and LETTERS.issuperset(rest)


def is_hyphenated_number(value: str) -> bool:
    """``[0-9]+(?:-[0-9]+)+``: numbers joined by hyphens, such as kubectl's port names
    80-8080, which no reader takes for a number (dates are told apart by the caller)."""
    parts = value.split("-")
    return len(parts) > 1 and all(part and DIGITS.issuperset(part) for part in parts)


# Words YAML 1.1 (and some 1.2 readers) resolve to booleans or null, any case.
_RESERVED = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf"})

# Characters that may stand unescaped in a double-quoted scalar.
_DQ_NEEDS_ESCAPE = lazy_pattern("[\\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0", "\x1b": "\\e"}
# What may appear in a single-quoted or literal block scalar unescaped.
_NOT_PRINTABLE = lazy_pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff\x85]")

_cache: dict[str, str] = {}
_CACHE_LIMIT = 200_000


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    known = _ESCAPES.get(ch)
    if known is not None:
        return known
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def double_quoted(value: str) -> str:
    return '"' + _DQ_NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def _plain_ok(value: str) -> bool:
    first = value[0]
    if "0" <= first <= "9":
        if is_hyphenated_number(value):
            parts = value.split("-")
            return not (len(parts) == 3 and len(parts[0]) == 4)
        return (
            is_numeric_word(value)
            and value[:2].lower() not in ("0x", "0o", "0b")
        )
    if not is_plain_word(value):
        return False
    if value.lower() in _RESERVED:
        return False
    return not (value.endswith(":") or ": " in value)


def quote_string(value: str) -> str:
    """The one-line YAML form of ``value`` (plain when safe, else quoted)."""
    cached = _cache.get(value)
    if cached is not None:
        return cached
    if value and _plain_ok(value):
        text = value
    elif "\n" in value or "\t" in value or "\r" in value or (
        not (value.isascii() and value.isprintable()) and _NOT_PRINTABLE.search(value)
    ):
        problem = text_problem(value)
        if problem is not None:
            raise InadmissibleValue(f"cannot write the string {ascii(value)[:60]}: it {problem}")
        text = double_quoted(value)
    else:
        text = "'" + value.replace("'", "''") + "'"
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[value] = text
    return text


def _literal_ok(value: str) -> bool:
    """Whether a multi-line string can be a literal block (``|``) and read back exactly."""
    if "\r" in value or _NOT_PRINTABLE.search(value):
        return False
    body = value.strip("\n")
    if not body:
        return False
    first_line = body.split("\n", 1)[0]
    if first_line[:1] in (" ", "\t") or value[:1] == "\n":
        return False
    # Lines that are only spaces/tabs confuse readers' indentation detection.
    return all(line.strip(" \t") or not line for line in value.split("\n"))


def _literal(value: str, indent: str) -> str:
    """``|`` block for ``value``; ``indent`` is the content's indentation."""
    if value.endswith("\n\n"):
        header, body = "|+", value[:-1]
    elif value.endswith("\n"):
        header, body = "|", value[:-1]
    else:
        header, body = "|-", value
    lines = [(indent + line) if line else "" for line in body.split("\n")]
    return header + "\n" + "\n".join(lines)


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        _refuse(value)
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def scalar(value: Any, indent: str = "") -> str:
    """YAML text of a scalar; multi-line strings become literal blocks at ``indent``."""
    kind = type(value)
    if kind is str:
        if "\n" in value and _literal_ok(value):
            return _literal(value, indent)
        return quote_string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        if INT_MIN <= value <= INT_MAX:
            return str(value)
        _refuse(value)
    if value is None:
        return "null"
    if kind is float:
        return _float(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return scalar(int(value))
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        # str.__str__ gives the text itself; str() of a str-mixin Enum is "Cls.MEMBER".
        return scalar(str.__str__(value), indent)
    _refuse(value)


def _refuse(value: Any) -> NoReturn:
    """What :mod:`kubegen.values` admits is what this writer writes exactly; anything
    else is refused with the admission rule's own words."""
    raise InadmissibleValue(f"cannot write this value: it {scalar_problem(value)}")


def _key(key: Any) -> str:
    if type(key) is str:
        return quote_string(key)
    if isinstance(key, str):
        return quote_string(str.__str__(key))
    raise InadmissibleValue(f"cannot write this mapping: it {key_problem(key)}")


def _mapping(d: dict[Any, Any], first: str, indent: str, out: list[str]) -> None:
    prefix = first
    child = indent + "  "
    cached = _cache.get  # quote_string's memory, asked here first: most keys and strings repeat
    for key, value in d.items():
        k = cached(key) if type(key) is str else None
        if k is None:
            k = _key(key)
        if len(k) > _IMPLICIT_KEY_LIMIT:
            _explicit_entry(k, value, prefix, indent, out)
            prefix = indent
            continue
        kind = type(value)
        if kind is dict or isinstance(value, dict):
            if key == "metadata" and value.get("creationTimestamp", 0) is None:
                value = {mk: mv for mk, mv in value.items() if mk != "creationTimestamp"}
            if value:
                out.append(f"{prefix}{k}:\n")
                _mapping(value, child, child, out)
            else:
                out.append(f"{prefix}{k}: {{}}\n")
        elif kind is list or isinstance(value, (list, tuple)):
            if value:
                out.append(f"{prefix}{k}:\n")
                _sequence(value, indent, out)
            else:
                out.append(f"{prefix}{k}: []\n")
        elif kind is str and "\n" not in value:  # scalar()'s own first case, without the call
            out.append(f"{prefix}{k}: {cached(value) or quote_string(value)}\n")
        elif kind is int and INT_MIN <= value <= INT_MAX:
            out.append(f"{prefix}{k}: {value}\n")
        else:
            out.append(f"{prefix}{k}: {scalar(value, child)}\n")
        prefix = indent


# YAML allows an implicit key (``key: value``) of at most 1024 characters; a longer one
# (quotes and escapes included) is written as an explicit ``? key`` / ``: value`` pair.
_IMPLICIT_KEY_LIMIT = 1000


def _explicit_entry(k: str, value: Any, prefix: str, indent: str, out: list[str]) -> None:
    child = indent + "  "
    out.append(f"{prefix}? {k}\n")
    if isinstance(value, dict) and value:
        out.append(f"{indent}:\n")
        _mapping(value, child, child, out)
    elif isinstance(value, (list, tuple)) and value:
        out.append(f"{indent}:\n")
        _sequence(value, child, out)
    elif isinstance(value, dict):
        out.append(f"{indent}: {{}}\n")
    elif isinstance(value, (list, tuple)):
        out.append(f"{indent}: []\n")
    else:
        out.append(f"{indent}: {scalar(value, child)}\n")


def _sequence(items: Iterable[Any], indent: str, out: list[str]) -> None:
    dash = indent + "- "
    child = indent + "  "
    for item in items:
        kind = type(item)
        if kind is dict or isinstance(item, dict):
            if item:
                _mapping(item, dash, child, out)
            else:
                out.append(f"{dash}{{}}\n")
        elif kind is list or isinstance(item, (list, tuple)):
            if item:
                out.append(f"{indent}-\n")
                _sequence(item, child, out)
            else:
                out.append(f"{dash}[]\n")
        else:
            out.append(f"{dash}{scalar(item, child)}\n")


def _top_level(obj: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: obj[k] for k in _TOP_FIRST if k in obj}
    for key, value in obj.items():
        if key not in ordered and key not in _DROP_TOP:
            ordered[key] = value
    return ordered


def dump(obj: Any) -> str:
    """One YAML document (no ``---``), ending with a newline."""
    out: list[str] = []
    if isinstance(obj, dict):
        if obj:
            _mapping(_top_level(obj), "", "", out)
        else:
            out.append("{}\n")
    elif isinstance(obj, (list, tuple)):
        if obj:
            _sequence(obj, "", out)
        else:
            out.append("[]\n")
    else:
        # A top-level block scalar is indented too, so none of its lines can read as ``---``.
        out.append(scalar(obj, "  ") + "\n")
    return "".join(out)


def dump_all(objs: Iterable[Any]) -> str:
    """Several documents separated by ``---``; empty string for none."""
    return "---\n".join(dump(obj) for obj in objs)


def dump_json(objs: list[dict[str, Any]]) -> str:
    """JSON: one object, or a ``kind: List`` (as kubectl prints) for several."""
    cleaned = [_top_level(o) for o in objs]
    doc: Any = cleaned[0] if len(cleaned) == 1 else {"apiVersion": "v1", "kind": "List", "items": cleaned}
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
