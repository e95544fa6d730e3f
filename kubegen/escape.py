"""One function makes a value safe where it is not data: in a comment line, or in a file name.

Values a user controls (an app path, a ``--set`` string, an object's name or kind, a
field name read from YAML) reach places that have their own syntax: the ``# ...``
header of every ``--output-dir`` file and of ``kustomization.yaml``, the comments of
the ``app.py`` that ``kubegen import`` writes, and the file names of ``--output-dir``.
A newline (or a CR, U+0085, U+2028, U+2029: YAML 1.1 line breaks too) in a comment
ends it and makes the rest YAML or Python; ESC and DEL make a file YAML refuses, or
rewrite a terminal; a ``/`` or a leading ``.`` in a file name moves or hides a file.
:func:`escape` is the one place that decides what may pass.
"""

from __future__ import annotations

import re
from typing import Literal

from kubegen.names import lazy_pattern

Context = Literal["comment", "filename"]

# Comment: everything that breaks a line (C0 controls with \n and \r, NEL U+0085 and
# the other C1 controls, U+2028/U+2029), that a YAML stream may not hold (DEL,
# surrogates, U+FFFE/U+FFFF), or that hides or reorders what a reviewer reads
# (zero-width and bidirectional controls, soft hyphen, BOM, tag characters).
# Written out here, not taken from unicodedata, so the bytes do not depend on the
# Python version's Unicode tables.
_COMMENT_UNSAFE = lazy_pattern(  # compiled on first use: a clean render prints no finding
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0001\U000e0020-\U000e007f]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# File name: letters, digits, '.', '-', '_' and nothing else (no '/', no NUL, no
# space, no case folding surprises from non-ASCII); never hidden, never '.' or '..'.
_FILENAME_UNSAFE = lazy_pattern(r"[^A-Za-z0-9._-]")
NAME_MAX = 255
"""The longest file name (bytes) Linux and macOS file systems take."""


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    short = _SHORT.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str, context: Context = "comment", *, limit: int = NAME_MAX) -> str:
    """``text`` made safe for ``context``; the same text always gives the same result.

    - ``comment``: one line of printable text. Each character that could end the
      line, that YAML refuses, or that is invisible or reorders text becomes a
      Python-style escape (``\\n``, ``\\x1b``, ``\\u2028``); everything else (quotes,
      backslashes, ``#``, ``:``, letters of any script) stays as it is, so a message
      that already shows a value with ``repr`` reads the same. Comments are for
      people: where the exact value matters it is also kept as data (the
      ownership record, the object itself).
    - ``filename``: one path segment. Every character but ``A-Z a-z 0-9 . - _``
      becomes ``_``, a leading ``.`` becomes ``_`` (never hidden, never ``..``), and a
      result longer than ``limit`` bytes is cut and ends in ``-`` plus 8 hex digits
      of the text's sha256, so different long names stay different files.
    """
    if context == "comment":
        return _COMMENT_UNSAFE.sub(_escape_char, text)
    safe = _FILENAME_UNSAFE.sub("_", text) or "_"
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if len(safe) > limit:
        import hashlib  # only for names too long for a file: start-up does not pay for it

        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        safe = f"{safe[:limit - 9]}-{digest}"
    return safe
