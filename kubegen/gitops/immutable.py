"""Changes ``kubectl apply`` cannot make to a live object, and changes that cut clients off.

Compares each object render produces with the same object in the previous state
(the file in the output directory, or the directory as committed at ``--base REV``:
what the cluster was last synced to):

- ``immutable-field`` (error; a warning with ``--allow-recreate``): the API server
  answers "field is immutable" and the update fails, in ``kubectl apply`` and Argo CD
  alike; the object has to be deleted and recreated (or get a new name):

  * ``spec.selector`` of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job;
  * a StatefulSet's spec beyond ``replicas``, ``ordinals``, ``template``,
    ``updateStrategy``, ``revisionHistoryLimit``,
    ``persistentVolumeClaimRetentionPolicy`` and ``minReadySeconds`` (``serviceName``,
    ``podManagementPolicy``, ``volumeClaimTemplates``, ...);
  * a Job's ``template``, ``completions`` (but for an Indexed Job scaled with
    ``parallelism``), ``completionMode``, ``podFailurePolicy``,
    ``backoffLimitPerIndex``, ``successPolicy``, ``managedBy``, ``manualSelector``;
  * a Pod's spec beyond container images, ``activeDeadlineSeconds``,
    ``terminationGracePeriodSeconds`` and added tolerations;
  * a PersistentVolumeClaim's spec beyond a larger ``resources.requests.storage``
    and ``volumeAttributesClassName``;
  * the data of a ConfigMap or Secret marked ``immutable: true`` (and taking the
    mark away), a Secret's ``type``;
  * a Service's ``clusterIP`` once set (headless ``None`` included), a LoadBalancer's
    ``loadBalancerClass``;
  * a RoleBinding's or ClusterRoleBinding's ``roleRef``; a StorageClass's
    ``provisioner``, ``parameters``, ``reclaimPolicy``, ``volumeBindingMode``.
- ``node-port-freed`` (warning): a Service leaves NodePort/LoadBalancer for
  ClusterIP (or ExternalName), drops a port that had a nodePort, or moves a nodePort:
  clients outside the cluster that use the old node port lose it.
- ``replicas-dropped`` (warning): a workload's ``spec.replicas`` (more than 1) is left
  out, as for an autoscaler: ``kubectl apply`` removes the field and the live workload
  falls back to 1 pod until the autoscaler scales it again.

Each finding points at the field's line in the previous file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml  # type: ignore[import-untyped]

from kubegen import facts
from kubegen.checks import Finding
from kubegen.gitops.layout import RECORD_NAME, sha256
from kubegen.gitops.plan import Plan
from kubegen.gitops.previous import previous_object
from kubegen.gitops.services import service_changes
from kubegen.location import Location

Change = tuple[str, Sequence[str | int], str]
"""(rule, field path, message) of one change."""

SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
_STATEFULSET_MUTABLE = frozenset({
    "replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
})
_JOB_IMMUTABLE = ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "successPolicy", "managedBy",
                  "manualSelector")
_POD_MUTABLE = frozenset({"activeDeadlineSeconds", "terminationGracePeriodSeconds", "tolerations"})
_PVC_MUTABLE = frozenset({"resources", "volumeAttributesClassName"})
_TOP_FIXED = {  # kind -> top-level fields that never change after creation
    "RoleBinding": ("roleRef",), "ClusterRoleBinding": ("roleRef",),
    "StorageClass": ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"),
}
_COMPARED = SELECTOR_KINDS | {"Pod", "PersistentVolumeClaim", "ConfigMap", "Secret", "Service",
                              "ReplicationController"} | set(_TOP_FIXED)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # for line numbers of findings


def change_findings(
    changed: Iterable[tuple[str, bytes, dict[str, Any], bool]], *, allow_recreate: bool = False,
) -> list[Finding]:
    """Findings for each ``(shown_path, previous_bytes, new_object, canonical)``; ``canonical``
    says that kubegen wrote the previous bytes as they are (see :mod:`kubegen.gitops.previous`)."""
    findings: list[Finding] = []
    for shown, old_bytes, new, canonical in changed:
        kind = new.get("kind")
        if kind not in _COMPARED:
            continue
        text = old_bytes.decode("utf-8", "replace")
        old = previous_object(text, str(kind), canonical)
        if old is None or old.get("kind") != kind:
            continue  # a hand-mangled file: `kubegen check` reports it, nothing to compare
        for rule, path, message in compare(old, new, allow_recreate=allow_recreate):
            severity = "error" if rule == "immutable-field" and not allow_recreate else "warning"
            findings.append(Finding(
                rule=rule, severity=severity, message=message,  # type: ignore[arg-type]
                where=Location(shown, _line(text, path)),
            ))
    return findings


def live_findings(
    plan: Plan, previous: tuple[dict[str, bytes], str] | None, *, allow_recreate: bool = False,
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """``immutable-field`` / ``node-port-freed`` findings for the objects of ``plan``.

    The previous state is the files ``plan`` would replace, or ``previous`` (the
    files of a git revision and its label, from :func:`kubegen.gitops.base.files_at`).
    """
    if previous is None:
        pairs = [
            (plan.show(p), old, plan.objects[p], sha256(old) == plan.owned.get(p))
            for p in plan.changed if p in plan.objects and (old := plan.current.get(p)) is not None
        ]
    else:
        files, label = previous
        owned = _owned_at(files, label)
        pairs = [  # a file render writes byte for byte as it was cannot hold a change
            (f"{label}/{p}", files[p], obj, sha256(files[p]) == owned.get(p)) for p, obj in plan.objects.items()
            if p in files and files[p] != plan.files[p]
        ]
    skip = frozenset(ignore)
    return [f for f in change_findings(pairs, allow_recreate=allow_recreate) if f.rule not in skip]


def _owned_at(files: dict[str, bytes], label: str) -> dict[str, str]:
    """The ownership record's ``{path: sha256}`` among ``files`` (empty when there is none or it is broken)."""
    from kubegen.errors import KubegenError
    from kubegen.gitops.record import parse_record

    record = files.get(RECORD_NAME)
    if record is None:
        return {}
    try:
        return parse_record(record.decode("utf-8", "replace"), f"{label}/{RECORD_NAME}", ".").owned
    except KubegenError:
        return {}


def _spec(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def label(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    return f"{obj.get('kind')} {name!r}" + (f" (namespace {ns})" if ns else "")


def _recreate(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    ns = f" -n {meta['namespace']}" if meta.get("namespace") else ""
    return f"kubectl delete {str(obj.get('kind')).lower()} {meta.get('name')}{ns}"


def _fix(obj: Mapping[str, Any], allow_recreate: bool) -> str:
    if allow_recreate:
        return (f"field is immutable: delete the object before this is applied ({_recreate(obj)}), or let "
                "Argo CD replace it (sync option Replace=true)")
    return (f"the API server rejects the update (field is immutable), so `kubectl apply` and Argo CD fail: keep "
            f"the old value, give the object a new name, or render with --allow-recreate and delete it first "
            f"({_recreate(obj)})")


def compare(old: dict[str, Any], new: dict[str, Any], *, allow_recreate: bool = False) -> list[Change]:
    """Every change from ``old`` to ``new`` (same kind) that a live object rejects or that frees a node port."""
    kind = new.get("kind")
    meta = new.get("metadata")
    if isinstance(meta, dict) and not meta.get("name") and meta.get("generateName"):
        return []  # created anew each time (a hook): no live object is updated
    before, after = _spec(old), _spec(new)
    fix = _fix(new, allow_recreate)
    fields: list[str] = []
    if kind in SELECTOR_KINDS and before.get("selector") != after.get("selector") and (
        kind != "Job" or (before.get("selector") is not None and after.get("selector") is not None)
    ):
        fields.append("selector")
    if kind == "StatefulSet":
        fixed = sorted({*before, *after} - _STATEFULSET_MUTABLE - {"selector"})
        fields += [f for f in fixed if _moved(before, after, f)]
    elif kind == "Job":
        fields += [f for f in ("template", *_JOB_IMMUTABLE) if _moved(before, after, f)]
        if _moved(before, after, "completions") and not _elastic(before, after):
            fields.append("completions")
    elif kind == "Pod":
        fields += _pod_fields(before, after)
    elif kind == "PersistentVolumeClaim":
        fields += [f for f in sorted({*before, *after} - _PVC_MUTABLE) if _moved(before, after, f)]
        fields += _pvc_requests(before, after)
    out: list[Change] = [
        ("immutable-field", ("spec", *field.split(".")),
         f"{label(new)}: spec.{field} {_from_to(_dig(before, field), _dig(after, field))}; {fix}")
        for field in fields
    ]
    if kind in ("ConfigMap", "Secret"):
        out += _config(old, new, fix)
    for field in _TOP_FIXED.get(str(kind), ()):
        if _moved(old, new, field):
            out.append(("immutable-field", (field,),
                        f"{label(new)}: {field} {_from_to(old.get(field), new.get(field))}; {fix}"))
    if kind == "Service":
        out += service_changes(label(new), before, after, fix)
    if kind in _REPLICATED:
        out += _replicas_dropped(new, before, after)
    return out


_REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def _replicas_dropped(new: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """``spec.replicas`` left out (to hand the count to an autoscaler): kubectl apply removes
    the field and the API server's default, 1 pod, applies until the autoscaler acts."""
    count = before.get("replicas")
    if "replicas" in after or not isinstance(count, int) or isinstance(count, bool) or count <= 1:
        return []
    kind, meta = str(new.get("kind")), new.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    ns = f" -n {meta['namespace']}" if meta.get("namespace") else ""
    return [("replicas-dropped", ("spec", "replicas"),
             f"{label(new)}: spec.replicas: {count} is left out now, so kubectl apply removes it and the live {kind} "
             f"falls back to 1 pod until its autoscaler scales it up again; to hand the count over without that "
             f"drop, first run `kubectl apply edit-last-applied {kind.lower()}/{meta.get('name')}{ns}` and delete "
             "spec.replicas there (no pod changes), then apply this")]


def _moved(before: Mapping[str, Any], after: Mapping[str, Any], field: str) -> bool:
    return before.get(field) != after.get(field)


def _dig(spec: Mapping[str, Any], dotted: str) -> Any:
    node: Any = spec
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _elastic(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """An Indexed Job may change completions together with parallelism (elastic Indexed Job)."""
    return (after.get("completionMode") == "Indexed" and before.get("completionMode") == "Indexed"
            and after.get("completions") == after.get("parallelism")
            and before.get("completions") == before.get("parallelism"))


def _pod_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    def frozen(spec: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in spec.items() if k not in _POD_MUTABLE}
        for key in ("containers", "initContainers"):
            if isinstance(out.get(key), list):
                out[key] = [{k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c
                            for c in out[key]]
        return out

    old, new = frozen(before), frozen(after)
    fields = [f for f in sorted({*old, *new}) if old.get(f) != new.get(f)]
    old_tolerations = before.get("tolerations") or []
    new_tolerations = after.get("tolerations") or []
    if isinstance(old_tolerations, list) and isinstance(new_tolerations, list) and any(
        t not in new_tolerations for t in old_tolerations
    ):
        fields.append("tolerations")  # only additions may be made
    return fields


def _pvc_requests(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    old = _dig(before, "resources.requests")
    new = _dig(after, "resources.requests")
    old, new = (old if isinstance(old, dict) else {}), (new if isinstance(new, dict) else {})
    fields = [f"resources.requests.{k}" for k in sorted({*old, *new}) if k != "storage" and old.get(k) != new.get(k)]
    if old.get("storage") != new.get("storage") and not _grows(old.get("storage"), new.get("storage")):
        fields.append("resources.requests.storage")
    if _dig(before, "resources.limits") != _dig(after, "resources.limits"):
        fields.append("resources.limits")
    return fields


def _grows(old: Any, new: Any) -> bool:
    """Whether a storage request grows (a claim may be expanded, never shrunk)."""
    before, after = facts.parse_quantity(old), facts.parse_quantity(new)
    return before is not None and after is not None and after > before


def _config(old: Mapping[str, Any], new: Mapping[str, Any], fix: str) -> list[Change]:
    out: list[Change] = []
    if new.get("kind") == "Secret" and (old.get("type") or "Opaque") != (new.get("type") or "Opaque"):
        out.append(("immutable-field", ("type",),
                    f"{label(new)}: type changes from {old.get('type') or 'Opaque'} to {new.get('type') or 'Opaque'}; "
                    f"{fix}"))
    if old.get("immutable") is not True:
        return out
    if new.get("immutable") is not True:
        out.append(("immutable-field", ("immutable",),
                    f"{label(new)}: is marked immutable: true, and the mark cannot be taken away; {fix}"))
    if new.get("kind") == "Secret":  # stringData is written into data: compare what is stored
        if _stored(old) != _stored(new):
            key = "data" if "data" in new or "data" in old else "stringData"
            out.append(("immutable-field", (key,),
                        f"{label(new)}: is marked immutable: true, but its data changes; {fix}"))
        return out
    for key in ("data", "binaryData"):
        if old.get(key) != new.get(key):
            out.append(("immutable-field", (key,),
                        f"{label(new)}: is marked immutable: true, but its {key} changes; {fix}"))
    return out


def _stored(secret: Mapping[str, Any]) -> dict[str, Any]:
    """A Secret's data as the API server stores it: ``data`` decoded, ``stringData`` merged over it."""
    import base64
    import binascii

    stored: dict[str, Any] = {}
    data = secret.get("data")
    for key, value in (data.items() if isinstance(data, dict) else ()):
        try:
            stored[key] = base64.b64decode(value, validate=True) if isinstance(value, str) else value
        except (binascii.Error, ValueError):
            stored[key] = value  # not base64: compared as written
    strings = secret.get("stringData")
    for key, value in (strings.items() if isinstance(strings, dict) else ()):
        stored[key] = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return stored


def _from_to(before: Any, after: Any) -> str:
    old, new = show(before), show(after)
    if len(old) + len(new) > 160:
        return "changes (see the diff)"
    return f"changes from {old} to {new}"


def show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict) and set(value) == {"matchLabels"} and isinstance(value["matchLabels"], dict):
        value = value["matchLabels"]
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _line(text: str, path: Sequence[str | int]) -> int:
    """1-based line of ``path`` in the YAML ``text`` (the deepest part of it that exists)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return 0
    if node is None:
        return 0
    line: int = node.start_mark.line + 1
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line = k.start_mark.line + 1
                    child = v
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
