"""PodDisruptionBudget: how many of a workload's pods a node drain may take down at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    check_choice,
    check_labels,
    check_meta,
    fail,
    frozen_str_map,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.model.selector import LabelExpression, expressions, label_selector, parse_selector

if TYPE_CHECKING:
    from kubegen.model.workload import _Workload



@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class PodDisruptionBudget(ObjectBuilder):
    """Limits voluntary disruptions (drains, upgrades) of the pods ``selector`` picks;
    usually made by ``workload.budget(max_unavailable=1)``.

    - ``name``: DNS-1123 subdomain (required).
    - ``selector``: pod labels (required unless ``selector_expressions`` are given: an
      empty selector would pick every pod of the namespace).
    - ``selector_expressions``: set-based requirements on the pods' labels
      (``[LabelExpression.in_("tier", ["db"])]``), with ``selector``'s labels. Default: none.
    - ``max_unavailable`` or ``min_available``: a count or a percentage such as ``"25%"``
      (exactly one).
    - ``unhealthy_pod_eviction_policy``: ``IfHealthyBudget`` or ``AlwaysAllow``. Default:
      none (the API's IfHealthyBudget).
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    selector_expressions: tuple[LabelExpression, ...] = attrs.field(default=(), converter=expressions)
    max_unavailable: int | str | None = None
    min_available: int | str | None = None
    unhealthy_pod_eviction_policy: str | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "PodDisruptionBudget"

    def __attrs_post_init__(self) -> None:
        owner = check_meta("PodDisruptionBudget", self)
        check_labels(owner, "selector", self.selector)
        if not self.selector and not self.selector_expressions:
            raise BuilderError(f"{owner}: selector is empty, so it would cover every pod of the namespace; "
                               "give the pods' labels (or use workload.budget(...))")
        if (self.max_unavailable is None) == (self.min_available is None):
            raise BuilderError(f"{owner}: give exactly one of max_unavailable= and min_available=")
        for field, value in (("max_unavailable", self.max_unavailable), ("min_available", self.min_available)):
            if value is not None:
                problems = facts.int_or_percent_problems(value)
                if problems:
                    fail(owner, field, value, problems)
        check_choice(owner, "unhealthy_pod_eviction_policy", self.unhealthy_pod_eviction_policy,
                     apidata.enum("policy.v1.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy"))

    @classmethod
    def create(cls, name: str, *, selector: str, min_available: int | str | None = None,
               max_unavailable: int | str | None = None, **fields: Any) -> PodDisruptionBudget:
        """Same as ``kubectl create poddisruptionbudget NAME --selector=SELECTOR
        --min-available=N|--max-unavailable=N``: the selector in kubectl's syntax
        (``app=web,tier in (db,cache),!canary``); kubectl passes a number with ``%`` as a
        percentage, any other as a count."""
        labels, exprs = parse_selector(f"PodDisruptionBudget {name!r}", selector)
        return cls(name=name, selector=labels, selector_expressions=exprs, min_available=_kubectl_count(min_available),
                   max_unavailable=_kubectl_count(max_unavailable), **fields)

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.max_unavailable is not None:
            spec["maxUnavailable"] = self.max_unavailable
        if self.min_available is not None:
            spec["minAvailable"] = self.min_available
        spec["selector"] = label_selector(self.selector, self.selector_expressions)
        if self.unhealthy_pod_eviction_policy is not None:
            spec["unhealthyPodEvictionPolicy"] = self.unhealthy_pod_eviction_policy
        return {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": self.object_meta(),
            "spec": spec,
        }


def _kubectl_count(value: int | str | None) -> int | str | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def budget(
    workload: _Workload, *, max_unavailable: int | str | None = None, min_available: int | str | None = None,
    name: str | None = None, **fields: Any,
) -> PodDisruptionBudget:
    """A PodDisruptionBudget for ``workload``'s pods: its selector, name, namespace and
    labels. A budget that allows no eviction at all (``max_unavailable=0``, or
    ``min_available`` reaching the replica count) is refused: it would block every node
    drain; the check ``pdb-eviction`` warns about such budgets written by hand."""
    owner = f"budget({workload.kind} {workload.name!r})"
    replicas = getattr(workload, "replicas", 1 if workload.kind == "Pod" else None)
    reason = facts.budget_blocks_evictions(max_unavailable, min_available,
                                           replicas if isinstance(replicas, int) else None)
    if reason is not None:
        raise BuilderError(
            f"{owner}: this budget allows no pod to be evicted ({reason}), so every node drain would hang; "
            "allow at least one (max_unavailable=1)"
        )
    values: dict[str, Any] = {"labels": workload.labels, "namespace": workload.namespace}
    values.update(fields)
    return PodDisruptionBudget(name=name or workload.name, selector=workload.match_labels,
                               max_unavailable=max_unavailable, min_available=min_available, **values)
