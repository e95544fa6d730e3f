"""Object metadata, labels and label selectors (apimachinery's ValidateObjectMeta,
ValidateLabels, ValidateLabelSelector and core's finalizer rules), and each kind's
name format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubegen import facts, hooks, names
from kubegen.checks.validation import versions
from kubegen.checks.validation.base import Ctx, P, dicts, items, ival, mapping, show, sval
from kubegen.checks.validation.paths import Key

NAME = "name"
ANNOTATIONS_MAX = 256 * 1024
STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")
# Names that are only a REST path segment (RBAC allows e.g. 'system:controller:job').
_PATH_SEGMENT_NAMES = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "PodDisruptionBudget"})
_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

NameRule = Callable[[str], list[str]]


def name_rule(ctx: Ctx) -> tuple[NameRule, Callable[[str], str] | None, str]:
    """How ``metadata.name`` of this kind is validated: (problems, fix, which release says so)."""
    kind, group = ctx.kind, ctx.m.api_version.rpartition("/")[0]
    if group == "" and kind == "Namespace":
        return names.dns1123_label_problems, names.fix_dns_label, ""
    if group == "" and kind == "Service":
        version = versions.applies(ctx.target, "relaxed-service-names")
        if versions.since(ctx.target, "relaxed-service-names"):
            return names.dns1123_label_problems, names.fix_dns_label, version
        return names.dns1035_label_problems, names.fix_dns1035_label, version
    if group == "apps" and kind == "StatefulSet":
        version = versions.applies(ctx.target, "statefulset-name-label")
        if versions.since(ctx.target, "statefulset-name-label"):
            return names.dns1123_label_problems, names.fix_dns_label, version
        return names.dns1123_subdomain_problems, names.fix_dns_subdomain, version
    if kind in _PATH_SEGMENT_NAMES:
        return names.path_segment_problems, None, ""
    return names.dns1123_subdomain_problems, names.fix_dns_subdomain, ""


def check_metadata(ctx: Ctx, namespaced: bool) -> None:
    meta = mapping(ctx.m.obj.get("metadata"))
    if meta is None:
        return
    path: P = ("metadata",)
    rule, fix, version = name_rule(ctx)
    name, generate = sval(meta.get("name")), sval(meta.get("generateName"))
    if name:
        problems = rule(name)
        if problems:
            note = f" ({version})" if version else ""
            ctx.problems((*path, "name"), name, [p + note for p in problems], rule=NAME,
                         suggestion=fix(name) if fix else None)
    elif name == "" and not generate:  # absent: the schema rule's "has no metadata.name"
        ctx.add((*path, "name"), "is empty: an object needs a name (kubectl: resource name may not be empty)",
                rule=NAME)
    # An object with only a generateName (which kubectl apply refuses, unless a GitOps
    # hook creates it) is the generate-name rule's, kubegen.checks.hooks.
    if generate:
        problems = rule(hooks.mask_trailing_dash(generate))
        ctx.problems((*path, "generateName"), generate, problems, rule=NAME)
    namespace = sval(meta.get("namespace"))
    if namespace and namespaced:
        ctx.problems((*path, "namespace"), namespace, names.dns1123_label_problems(namespace), rule=NAME,
                     fix=names.fix_dns_label)
    check_labels(ctx, meta.get("labels"), (*path, "labels"))
    check_annotations(ctx, meta.get("annotations"), (*path, "annotations"))
    check_finalizers(ctx, meta.get("finalizers"), (*path, "finalizers"))
    _check_owner_references(ctx, meta.get("ownerReferences"), (*path, "ownerReferences"))


def check_labels(ctx: Ctx, labels: Any, path: P) -> None:
    """ValidateLabels: qualified-name keys, label values."""
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        problems = names.label_key_problems(key)
        if problems:
            ctx.add((*path, Key(key)), f"label key {key!r} " + "; ".join(problems), rule=NAME)
        if isinstance(value, str):
            problems = names.label_value_problems(value)
            if problems:
                fixed = names.fix_label_value(value)
                hint = f"; did you mean {fixed!r}?" if fixed else ""
                ctx.add((*path, Key(key)), f"label {key}={value!r} " + "; ".join(problems) + hint, rule=NAME,
                        suggestion=fixed or None)


def check_annotations(ctx: Ctx, annotations: Any, path: P) -> None:
    """ValidateAnnotations: qualified-name keys (any case), at most 256 KiB in all."""
    if not isinstance(annotations, dict):
        return
    size = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        problems = names.qualified_name_problems(key.lower())
        if problems:
            ctx.add((*path, Key(key)), f"annotation key {key!r} " + "; ".join(problems))
        size += len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if size > ANNOTATIONS_MAX:
        ctx.add(path, f"are {size} bytes in all (keys and values); annotations may hold at most {ANNOTATIONS_MAX} "
                "bytes (256 KiB); move large data into a ConfigMap")


def check_finalizers(ctx: Ctx, finalizers: Any, path: P) -> None:
    """Qualified names; without a '/' only the standard ones; not orphan and foregroundDeletion together."""
    seen = set()
    for i, name in items(finalizers):
        if not isinstance(name, str):
            continue
        seen.add(name)
        problems = names.qualified_name_problems(name)
        if "/" not in name and name not in STANDARD_FINALIZERS:
            problems.append(f"is neither a standard finalizer ({', '.join(STANDARD_FINALIZERS)}) nor fully "
                            "qualified (e.g. 'example.com/cleanup')")
        ctx.problems((*path, i), name, problems)
    if {"orphan", "foregroundDeletion"} <= seen:
        ctx.add(path, "holds both orphan and foregroundDeletion; they cannot both be set")


def _check_owner_references(ctx: Ctx, refs: Any, path: P) -> None:
    controllers = []
    for i, ref in dicts(refs):
        here = (*path, i)
        api_version = sval(ref.get("apiVersion")) or ""
        if not api_version.rpartition("/")[2]:
            ctx.add((*here, "apiVersion"), "must name the owner's apiVersion (e.g. apps/v1)")
        for field in ("kind", "name", "uid"):
            value = ref.get(field)
            if value is None or value == "":
                ctx.add((*here, field), f"must not be empty; an owner reference needs the owner's {field}"
                        + (" (the owner's metadata.uid, known only once it exists: let its controller set "
                           "ownerReferences)" if field == "uid" else ""))
        if (api_version, ref.get("kind")) == ("v1", "Event"):
            ctx.add(here, "an Event may not own other objects")
        if ref.get("controller") is True:
            controllers.append(f"{ref.get('kind')}/{ref.get('name')}")
    if len(controllers) > 1:
        ctx.add(path, f"has controller: true on {len(controllers)} references ({', '.join(controllers)}); only one "
                "owner may be the controller")


def check_label_selector(ctx: Ctx, selector: Any, path: P) -> None:
    """ValidateLabelSelector: matchLabels are labels; each matchExpression has a label key,
    an operator, and values exactly when the operator is In or NotIn."""
    if not isinstance(selector, dict):
        return
    check_labels(ctx, selector.get("matchLabels"), (*path, "matchLabels"))
    for i, expr in dicts(selector.get("matchExpressions")):
        check_selector_requirement(ctx, expr, (*path, "matchExpressions", i), _SELECTOR_OPERATORS)


def check_selector_requirement(ctx: Ctx, expr: dict[str, Any], path: P, operators: tuple[str, ...],
                               label_values: bool = True) -> None:
    """One ``{key, operator, values}`` requirement (label and node selectors)."""
    operator, values = expr.get("operator"), expr.get("values")
    count = len(values) if isinstance(values, list) else 0
    if isinstance(operator, str):
        if operator in ("In", "NotIn") and count == 0:
            ctx.add((*path, "values"), f"must be specified when operator is {operator} (give at least one value)")
        elif operator in ("Exists", "DoesNotExist") and count:
            ctx.add((*path, "values"), f"must not be specified when operator is {operator} (remove values)")
        elif operator in ("Gt", "Lt") and "Gt" in operators and count != 1:
            ctx.add((*path, "values"), f"must hold exactly one value when operator is {operator}")
        elif operator not in operators:
            close = facts.suggest(operator, operators, cutoff=0.5)
            ctx.add((*path, "operator"), f"{show(operator)} is not a valid selector operator; use one of "
                    f"{', '.join(operators)}" + (f"; did you mean {close!r}?" if close else ""), suggestion=close)
    key = expr.get("key")
    if isinstance(key, str):
        ctx.problems((*path, "key"), key, names.label_key_problems(key))
    if label_values:
        for j, value in items(values):
            if isinstance(value, str):
                ctx.problems((*path, "values", j), value, names.label_value_problems(value))


def selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether ``labels`` satisfy a (well-formed part of a) LabelSelector."""
    match = selector.get("matchLabels")
    if isinstance(match, dict) and any(labels.get(k) != v for k, v in match.items()):
        return False
    for _, expr in dicts(selector.get("matchExpressions")):
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if not isinstance(key, str):
            continue
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def int_or_percent(ctx: Ctx, owner: dict[str, Any], field: str, path: P, *, max_100: bool) -> int | None:
    """ValidatePositiveIntOrPercent (+ IsNotMoreThan100Percent): the number (percent or
    integer) when valid, None otherwise or when absent."""
    value = owner.get(field)
    where = (*path, field)
    if isinstance(value, str):
        if not names.is_percent(value):
            digits = value.strip().rstrip("%").strip()
            fix = f"{digits}%" if digits.isdigit() else None
            ctx.invalid(where, value, "must be an integer or a percentage such as '25%'", suggestion=fix)
            return None
        percent = int(value[:-1])
        if max_100 and percent > 100:
            ctx.invalid(where, value, "must not be greater than 100%")
        return percent
    number = ival(value)
    if number is not None and number < 0:
        ctx.invalid(where, number, "must be greater than or equal to 0")
    return number
