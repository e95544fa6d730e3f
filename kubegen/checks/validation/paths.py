"""Field paths as the API server writes them: ``spec.ports[0].name``, ``data[tls.crt]``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Key(str):
    """A map key in a path (``requests[cpu]``, ``labels[app]``), as opposed to a field name.

    It is a ``str``, so it finds the same entry in a manifest and in YAML source lines."""

    __slots__ = ()


def field_path(path: Sequence[Any]) -> str:
    """``("spec", "ports", 0, "name")`` -> ``spec.ports[0].name``; map keys in brackets."""
    out = ""
    for part in path:
        if isinstance(part, int) or isinstance(part, Key):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(object)"
