"""What one object of an imported app refers to, so the objects it names are written first.

:func:`references` lists ``(kind, name)`` pairs (a ConfigMap an env reads, the Role a
binding grants, the workload an autoscaler scales, ...); :func:`selectors` the label
selectors that pick workloads (a Service's, a budget's, a NetworkPolicy's and its peers').
"""

from __future__ import annotations

from typing import Any

from kubegen.importer.pods import dig

_REF_KEYS = {
    "configMapKeyRef": ("ConfigMap", "name"), "configMapRef": ("ConfigMap", "name"),
    "configMap": ("ConfigMap", "name"), "secretKeyRef": ("Secret", "name"),
    "secretRef": ("Secret", "name"), "secret": ("Secret", "secretName"), "service": ("Service", "name"),
    "persistentVolumeClaim": ("PersistentVolumeClaim", "claimName"),
}


def _walk(node: Any, found: set[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            target = _REF_KEYS.get(key)
            if target is not None and isinstance(value, dict) and isinstance(value.get(target[1]), str):
                found.add((target[0], value[target[1]]))
            elif key == "serviceAccountName" and isinstance(value, str):
                found.add(("ServiceAccount", value))
            elif key == "imagePullSecrets" and isinstance(value, list):
                found.update(("Secret", v["name"]) for v in value if isinstance(v, dict) and isinstance(
                    v.get("name"), str))
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def references(obj: dict[str, Any]) -> set[tuple[str, str]]:
    """``(kind, name)`` of the objects ``obj`` names."""
    kind = obj.get("kind")
    found: set[tuple[str, str]] = set()
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = obj.get("roleRef")
        if isinstance(ref, dict) and isinstance(ref.get("kind"), str) and isinstance(ref.get("name"), str):
            found.add((ref["kind"], ref["name"]))
        for subject in obj.get("subjects") or []:
            if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and isinstance(
                    subject.get("name"), str):
                found.add(("ServiceAccount", subject["name"]))
    elif kind == "HorizontalPodAutoscaler":
        ref = dig(obj, "spec", "scaleTargetRef")
        if isinstance(ref, dict) and isinstance(ref.get("kind"), str) and isinstance(ref.get("name"), str):
            found.add((ref["kind"], ref["name"]))
    elif kind == "ServiceAccount":
        _walk({"imagePullSecrets": obj.get("imagePullSecrets")}, found)
    elif kind != "Service":
        _walk(obj.get("spec"), found)
    return found


def selectors(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``matchLabels`` maps of ``obj`` that pick workloads of the app."""
    kind, spec = obj.get("kind"), obj.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "Service":
        return [spec["selector"]] if isinstance(spec.get("selector"), dict) and spec["selector"] else []
    if kind == "PodDisruptionBudget":
        return [m] if isinstance(m := dig(spec, "selector", "matchLabels"), dict) else []
    if kind != "NetworkPolicy":
        return []
    found = [m] if isinstance(m := dig(spec, "podSelector", "matchLabels"), dict) else []
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for rule in spec.get(direction) or []:
            for peer in (rule.get(key) or []) if isinstance(rule, dict) else []:
                labels = dig(peer, "podSelector", "matchLabels")
                if isinstance(labels, dict) and labels:
                    found.append(labels)
    return found
