"""Apply order: one explicit rank table (namespaces first, Ingress last, unknown kinds after)."""

from __future__ import annotations

from collections.abc import Iterable

from kubegen import facts
from kubegen.manifest import Manifest

_UNKNOWN_RANK = len(facts.APPLY_ORDER)


def sort_key(m: Manifest) -> tuple[int, str, str, str]:
    return (facts.APPLY_RANK.get(m.kind, _UNKNOWN_RANK), m.kind, m.namespace or "", m.name)


def apply_order(manifests: Iterable[Manifest]) -> list[Manifest]:
    """Manifests in the order ``kubectl apply`` should see them; stable and deterministic."""
    return sorted(manifests, key=sort_key)
