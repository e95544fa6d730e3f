"""PodDisruptionBudgets (policy validation's ValidatePodDisruptionBudgetSpec)."""

from __future__ import annotations

from typing import Any

from kubegen.checks.validation.base import Ctx, P
from kubegen.checks.validation.meta import check_label_selector, int_or_percent

_EVICTION_POLICIES = ("IfHealthyBudget", "AlwaysAllow")


def check_pdb(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        ctx.add(path, "minAvailable and maxUnavailable cannot be both set; keep one")
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            int_or_percent(ctx, spec, field, path, max_100=True)
    check_label_selector(ctx, spec.get("selector"), (*path, "selector"))
