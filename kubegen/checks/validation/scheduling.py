"""Where a pod may run: node and pod affinity, tolerations, topology spread constraints
(core validation's validateAffinity, ValidateTolerations,
validateTopologySpreadConstraints)."""

from __future__ import annotations

from typing import Any

from kubegen import names
from kubegen.checks.validation.base import Ctx, P, dicts, items, ival, mapping, required_text, sval
from kubegen.checks.validation.meta import check_label_selector, check_selector_requirement

NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_TERMS = ("requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution")


def check_scheduling(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    affinity = mapping(spec.get("affinity"))
    if affinity is not None:
        here = (*path, "affinity")
        node = mapping(affinity.get("nodeAffinity"))
        if node is not None:
            _check_node_affinity(ctx, node, (*here, "nodeAffinity"))
        for field in ("podAffinity", "podAntiAffinity"):
            pods = mapping(affinity.get(field))
            if pods is not None:
                _check_pod_affinity(ctx, pods, (*here, field))
    for i, toleration in dicts(spec.get("tolerations")):
        _check_toleration(ctx, toleration, (*path, "tolerations", i))
    _check_spread(ctx, spec.get("topologySpreadConstraints"), (*path, "topologySpreadConstraints"))


def _check_node_affinity(ctx: Ctx, node: dict[str, Any], path: P) -> None:
    required = mapping(node.get(_TERMS[0]))
    if required is not None:
        here = (*path, _TERMS[0], "nodeSelectorTerms")
        terms = required.get("nodeSelectorTerms")
        if terms is None or terms == []:
            ctx.add(here, "is required: must have at least one node selector term (a term with matchExpressions "
                    "or matchFields)")
        for i, term in dicts(terms):
            _check_node_term(ctx, term, (*here, i), label_values=True)
    for i, preferred in dicts(node.get(_TERMS[1])):
        here = (*path, _TERMS[1], i)
        _check_weight(ctx, preferred, here)
        preference = mapping(preferred.get("preference"))
        if preference is not None:
            _check_node_term(ctx, preference, (*here, "preference"), label_values=False)


def _check_node_term(ctx: Ctx, term: dict[str, Any], path: P, *, label_values: bool) -> None:
    for j, expr in dicts(term.get("matchExpressions")):
        check_selector_requirement(ctx, expr, (*path, "matchExpressions", j), NODE_OPERATORS, label_values)
    for j, expr in dicts(term.get("matchFields")):
        here = (*path, "matchFields", j)
        operator, values = expr.get("operator"), expr.get("values")
        if isinstance(operator, str) and operator not in ("In", "NotIn"):
            ctx.invalid((*here, "operator"), operator, "is not a valid operator for a node field selector (In, NotIn)")
        elif not isinstance(values, list) or len(values) != 1:
            ctx.add((*here, "values"), "must hold exactly one value when operator is In or NotIn")
        key = expr.get("key")
        if isinstance(key, str) and key != "metadata.name":
            ctx.invalid((*here, "key"), key, "is not a valid field selector key (metadata.name)")
        for k, value in items(values):
            if isinstance(value, str):
                ctx.problems((*here, "values", k), value, names.dns1123_subdomain_problems(value))


def _check_weight(ctx: Ctx, owner: dict[str, Any], path: P) -> None:
    weight = ival(owner.get("weight"))
    if weight is not None and not 1 <= weight <= 100:
        ctx.invalid((*path, "weight"), weight, "must be in the range 1-100")


def _check_pod_affinity(ctx: Ctx, pods: dict[str, Any], path: P) -> None:
    for i, term in dicts(pods.get(_TERMS[0])):
        _check_pod_term(ctx, term, (*path, _TERMS[0], i))
    for i, weighted in dicts(pods.get(_TERMS[1])):
        here = (*path, _TERMS[1], i)
        _check_weight(ctx, weighted, here)
        _check_pod_term(ctx, mapping(weighted.get("podAffinityTerm")) or {}, (*here, "podAffinityTerm"))


def _check_pod_term(ctx: Ctx, term: dict[str, Any], path: P) -> None:
    check_label_selector(ctx, term.get("labelSelector"), (*path, "labelSelector"))
    check_label_selector(ctx, term.get("namespaceSelector"), (*path, "namespaceSelector"))
    for i, namespace in items(term.get("namespaces")):
        if isinstance(namespace, str):
            ctx.problems((*path, "namespaces", i), namespace, names.dns1123_label_problems(namespace))
    key = required_text(ctx, term, "topologyKey", path, "can not be empty; name a node label such as "
                        "kubernetes.io/hostname or topology.kubernetes.io/zone")
    if key is not None:
        ctx.problems((*path, "topologyKey"), key, names.qualified_name_problems(key))
    selector = mapping(term.get("labelSelector"))
    selector_keys: set[Any] = set()
    if selector is not None:
        selector_keys = set(mapping(selector.get("matchLabels")) or {}) | {
            sval(e.get("key")) for _, e in dicts(selector.get("matchExpressions"))
        }
    match, mismatch = term.get("matchLabelKeys"), term.get("mismatchLabelKeys")
    for field, keys in (("matchLabelKeys", match), ("mismatchLabelKeys", mismatch)):
        if not isinstance(keys, list) or not keys:
            continue
        if selector is None:
            ctx.add((*path, field), "must not be specified when labelSelector is not set")
            continue
        for i, label in enumerate(keys):
            if isinstance(label, str):
                ctx.problems((*path, field, i), label, names.qualified_name_problems(label))
                if field == "matchLabelKeys" and label in selector_keys:
                    ctx.invalid((*path, field, i), label, "exists in both matchLabelKeys and labelSelector")
                if field == "matchLabelKeys" and isinstance(mismatch, list) and label in mismatch:
                    ctx.invalid((*path, field, i), label, "exists in both matchLabelKeys and mismatchLabelKeys")


def _check_toleration(ctx: Ctx, toleration: dict[str, Any], path: P) -> None:
    key, operator = sval(toleration.get("key")) or "", toleration.get("operator") or "Equal"
    if key:
        ctx.problems((*path, "key"), key, names.qualified_name_problems(key))
    elif operator != "Exists":
        ctx.invalid((*path, "operator"), operator, "must be Exists when key is empty (an empty key with Exists "
                    "matches every taint)", suggestion="Exists")
    effect = toleration.get("effect")
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        ctx.invalid((*path, "effect"), effect if effect is not None else "", "must be 'NoExecute' when "
                    "tolerationSeconds is set (tolerationSeconds only applies to NoExecute taints)",
                    suggestion="NoExecute")
    value = sval(toleration.get("value"))
    if operator == "Equal" and value:
        ctx.problems((*path, "value"), value, names.label_value_problems(value))
    elif operator == "Exists" and value:  # the server names the operator here
        ctx.invalid((*path, "operator"), operator, f"does not take a value (value is {value!r}): value must be "
                    "empty when operator is Exists")


def _check_spread(ctx: Ctx, constraints: Any, path: P) -> None:
    items = dicts(constraints)
    seen: dict[tuple[Any, Any], int] = {}
    for i, constraint in items:
        here = (*path, i)
        skew = ival(constraint.get("maxSkew"))
        if skew is not None and skew <= 0:
            ctx.invalid((*here, "maxSkew"), skew, "must be greater than zero")
        key = constraint.get("topologyKey")
        if key == "":
            ctx.add((*here, "topologyKey"), "is required: can not be empty (e.g. topology.kubernetes.io/zone)")
        action = constraint.get("whenUnsatisfiable")
        pair = (sval(key), sval(action))
        if pair in seen:
            ctx.add(here, f"repeats constraint {seen[pair]}: the pair (topologyKey {key!r}, whenUnsatisfiable "
                    f"{action!r}) must be unique")
        seen.setdefault(pair, i)
        minimum = constraint.get("minDomains")
        if minimum is not None:
            if ival(minimum) is not None and (ival(minimum) or 0) <= 0:
                ctx.invalid((*here, "minDomains"), minimum, "must be greater than zero")
            if action != "DoNotSchedule":
                ctx.add((*here, "minDomains"), f"can only be used with whenUnsatisfiable: DoNotSchedule, not {action}")
        check_label_selector(ctx, constraint.get("labelSelector"), (*here, "labelSelector"))
        keys = constraint.get("matchLabelKeys")
        if isinstance(keys, list) and keys:
            selector = mapping(constraint.get("labelSelector"))
            if selector is None:
                ctx.add((*here, "matchLabelKeys"), "must not be specified when labelSelector is not set")
            else:
                taken = set(mapping(selector.get("matchLabels")) or {}) | {
                    sval(e.get("key")) for _, e in dicts(selector.get("matchExpressions"))
                }
                for j, label in enumerate(keys):
                    if isinstance(label, str):
                        ctx.problems((*here, "matchLabelKeys", j), label, names.qualified_name_problems(label))
                        if label in taken:
                            ctx.invalid((*here, "matchLabelKeys", j), label, "exists in both matchLabelKeys and "
                                        "labelSelector")
