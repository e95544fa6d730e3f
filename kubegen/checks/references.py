"""Reference rules: a name in one object that must be another object of the stack.

The API server accepts a pod that reads a Secret nobody made, a volume of a claim that
does not exist, a RoleBinding to a missing Role; the cluster then breaks at run time
(``CreateContainerConfigError``, pods stuck in ``ContainerCreating``, permissions that
never arrive). These rules find each such name, in stacks built in Python and in YAML:

- ``config-ref``: ConfigMaps and Secrets named by ``env``, ``envFrom``, volumes
  (``configMap``, ``secret``, ``projected``, and the credentials of ``csi``,
  ``azureFile`` and the other plugins that take a Secret), ``imagePullSecrets`` (of pods
  and of ServiceAccounts) and Ingress TLS;
- ``config-key``: the keys ``env`` and volume ``items`` read (and the keys an Ingress TLS
  Secret or an image pull Secret must hold);
- ``pvc-ref``: ``persistentVolumeClaim.claimName``;
- ``service-account``: ``serviceAccountName``;
- ``role-ref``: a binding's ``roleRef`` (and, as a warning, ServiceAccount subjects of a
  namespace the stack manages).

References marked ``optional: true`` are not findings. Objects the cluster has without the
stack are declared (``External(...)``, ``--assume KIND/NAME``), never assumed. A few are
known to exist everywhere: the ``default`` ServiceAccount, the ``kube-root-ca.crt``
ConfigMap, the built-in ClusterRoles. Objects other tools derive from the stack count
as defined (a cert-manager ``Certificate``'s Secret, the TLS Secrets of an Ingress
cert-manager issues certificates for, a ``SealedSecret``, an ``ExternalSecret``'s
target). The selection rules (HPA, PDB, NetworkPolicy) are in
:mod:`kubegen.checks.policies`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Assumed, Report
from kubegen.checks.catalogue import DEFAULT_NAMESPACE, Catalogue, space_of
from kubegen.checks.validation.base import dicts
from kubegen.manifest import Manifest, pod_template

P = tuple[str | int, ...]
# What these rules and those of kubegen.checks.policies read whole (the rest they only
# look up in the catalogue): pods and their templates, accounts, Ingresses, bindings,
# the policies themselves, and LimitRanges (the requests they give containers).
# The kinds kubegen.checks.policies judges (the module is loaded for a stack that has one).
POLICY_KINDS = frozenset({"HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"})
KINDS = frozenset({*facts.POD_TEMPLATE_PATHS, *facts.SCALABLE_KINDS, "ServiceAccount", "Ingress", "RoleBinding",
                   "ClusterRoleBinding", *POLICY_KINDS, "LimitRange"})
# Objects every namespace has: (kind, name) -> keys (None: any).
_EVERYWHERE: dict[tuple[str, str], frozenset[str] | None] = {
    ("ServiceAccount", "default"): None,
    ("ConfigMap", "kube-root-ca.crt"): frozenset({"ca.crt"}),
}
# Volume plugins that read credentials from a Secret of the pod's namespace (where its
# name is): the kubelet cannot mount the volume without it.
_PLUGIN_SECRETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("csi", ("nodePublishSecretRef", "name")), ("azureFile", ("secretName",)),
    ("flexVolume", ("secretRef", "name")), ("cephfs", ("secretRef", "name")), ("rbd", ("secretRef", "name")),
    ("iscsi", ("secretRef", "name")), ("scaleIO", ("secretRef", "name")), ("storageos", ("secretRef", "name")),
)
_WHY = {
    "env": "the container would not start (CreateContainerConfigError)",
    "volume": "the pod would never start (stuck in ContainerCreating: FailedMount)",
    "pull": "the kubelet would pull without credentials (ErrImagePull for a private image)",
    "tls": "the Ingress controller would serve its default certificate instead",
}


def namespace_of(m: Manifest) -> str:
    return m.namespace or DEFAULT_NAMESPACE


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class Known:
    """What exists: every object of the stack (the :class:`Catalogue`: identities and
    ConfigMap/Secret keys, also what other tools derive from them), the objects the rules
    were given whole, by (kind, namespace, name), and the assumptions; ``""`` is the
    namespace of cluster-scoped kinds."""

    def __init__(self, manifests: Sequence[Manifest], assume: frozenset[Assumed],
                 catalogue: Catalogue | None = None) -> None:
        if catalogue is None:
            catalogue = Catalogue()
            for m in manifests:
                catalogue.add(m)
        self.catalogue = catalogue
        self._manifests = manifests
        self.namespaces = catalogue.namespaces
        self.assumed = assume

    @functools.cached_property
    def objects(self) -> dict[tuple[str, str, str], Manifest]:
        """The objects the rules were given whole, by (kind, namespace, name); built on
        first use (only autoscalers ask)."""
        found: dict[tuple[str, str, str], Manifest] = {}
        for m in self._manifests:
            if m.kind and m.name:
                found.setdefault((m.kind, space_of(m.kind, m.namespace), m.name), m)
        return found

    def find(self, kind: str, namespace: str, name: str) -> tuple[bool, frozenset[str] | None]:
        """Whether ``kind/name`` exists in ``namespace``, and its data keys (None: unknown)."""
        if self.catalogue.has(kind, namespace, name):
            return True, self.catalogue.keys(kind, namespace, name)
        space = space_of(kind, namespace)
        everywhere = (kind, name)
        if everywhere in _EVERYWHERE:
            return True, _EVERYWHERE[everywhere]
        if (kind == "ClusterRole" and facts.is_builtin_cluster_role(name)) or (
                kind == "Role" and facts.is_builtin_role(namespace, name)):
            return True, None
        for a in self.assumed:
            if a.names(kind, space, name):
                return True, a.keys
        return False, None

    def names(self, kind: str, namespace: str) -> list[str]:
        return self.catalogue.names(kind, namespace)


def fix_hint(kind: str, name: str) -> str:
    return (f"if another tool creates it, declare it: External(kind={kind!r}, name={name!r}) "
            f"or --assume {kind}/{name}")


def report_missing(report: Report, rule: str, m: Manifest, path: P, what: str, kind: str, name: str,
                   namespace: str, known: Known, why: str, *, severity: str = "error") -> None:
    """``{what} names {kind} {name!r}, which the stack does not define ...``."""
    close = facts.suggest(name, known.names(kind, namespace))
    where = "" if kind in facts.CLUSTER_SCOPED else f" in namespace {namespace!r}"
    hint = f"; did you mean {close!r}?" if close else ""
    report.add(rule, m, f"{m.label}: {what} names {kind} {name!r}, which the stack does not define{where}{hint}; "
               f"{why}; {fix_hint(kind, name)}", path, severity="warning" if severity == "warning" else "error",
               missing=Assumed(kind, name, None if kind in facts.CLUSTER_SCOPED else namespace))


def _key_missing(report: Report, m: Manifest, path: P, what: str, kind: str, name: str, key: str,
                 keys: frozenset[str], why: str) -> None:
    close = facts.suggest(key, keys)
    hint = f"; did you mean {close!r}?" if close else ""
    have = ", ".join(sorted(keys)) or "none"
    report.add("config-key", m, f"{m.label}: {what} reads key {key!r} of {kind} {name!r}, which has no such key "
               f"(keys: {have}){hint}; {why}", path)


def check_references(manifests: Sequence[Manifest], report: Report) -> None:
    """Every reference rule of this module and of :mod:`kubegen.checks.policies`."""
    known = Known(manifests, report.options.assume, report.catalogue)
    owned = {uid for m in manifests if isinstance(uid := m.metadata.get("uid"), str)}
    for m in manifests:
        kind = m.kind
        base = facts.POD_TEMPLATE_PATHS.get(kind)
        if base is not None and not _controlled(m, owned):
            template = pod_template(m)
            spec = template.get("spec") if template is not None else None
            if isinstance(spec, dict):
                _check_pod(m, spec, (*base, "spec"), known, report)
        elif kind == "ServiceAccount":
            _pull_secrets(m, m.obj, (), known, report)
        elif kind == "Ingress":
            _ingress_tls(m, known, report)
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            _binding(m, known, report)
    if any(m.kind in POLICY_KINDS for m in manifests):
        from kubegen.checks import policies

        policies.check_policies(manifests, known, report)


def _controlled(m: Manifest, uids: set[str]) -> bool:
    refs = m.metadata.get("ownerReferences")
    return isinstance(refs, list) and any(
        isinstance(r, dict) and r.get("controller") is True and r.get("uid") in uids for r in refs
    )


# --- pods --------------------------------------------------------------------


def _check_pod(m: Manifest, spec: dict[str, Any], path: P, known: Known, report: Report) -> None:
    namespace = namespace_of(m)
    for field in ("initContainers", "containers"):
        containers = spec.get(field)
        if not isinstance(containers, list):
            continue
        for ci, container in enumerate(containers):
            if isinstance(container, dict):
                _check_container(m, container, (*path, field, ci), namespace, known, report)
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        claims: set[str] | None = None
        for vi, volume in enumerate(volumes):
            if not isinstance(volume, dict):
                continue
            if "persistentVolumeClaim" in volume and claims is None:
                claims = _claim_templates(m)
            _check_volume(m, volume, (*path, "volumes", vi), namespace, claims or set(), known, report)
    for field in ("serviceAccountName", "serviceAccount"):
        account = text_of(spec.get(field))
        if account is not None:
            if not known.find("ServiceAccount", namespace, account)[0]:
                report_missing(report, "service-account", m, (*path, field), field, "ServiceAccount", account,
                               namespace, known, f"its pods would never be created (serviceaccount {account!r} "
                               "not found)")
            break
    if "imagePullSecrets" in spec:
        _pull_secrets(m, spec, path, known, report)


def _fine(ref: dict[str, Any], name_key: str, kind: str, keys: list[Any], namespace: str, known: Known) -> bool:
    """The common case, cheaply: the named object exists with every key read (or it is
    optional, or not a name at all); only the rest builds a message."""
    name = ref.get(name_key)
    if not isinstance(name, str) or not name or ref.get("optional") is True:
        return True
    found, have = known.find(kind, namespace, name)
    return found and (have is None or all(not isinstance(k, str) or k in have for k in keys))


def _check_container(m: Manifest, container: dict[str, Any], cpath: P, namespace: str, known: Known,
                     report: Report) -> None:
    env = container.get("env")
    for ei, item in enumerate(env if isinstance(env, list) else ()):
        source = item.get("valueFrom") if isinstance(item, dict) else None
        if not isinstance(source, dict):
            continue
        for ref_key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
            ref = source.get(ref_key)
            if isinstance(ref, dict) and not _fine(ref, "name", kind, [ref.get("key")], namespace, known):
                what = f"container {container.get('name')!r} env {item.get('name')!r}"
                _config_ref(m, ref, (*cpath, "env", ei, "valueFrom", ref_key), what, kind, "name",
                            [(ref.get("key"), ("key",))], namespace, known, report, _WHY["env"])
    env_from = container.get("envFrom")
    for ei, item in enumerate(env_from if isinstance(env_from, list) else ()):
        if not isinstance(item, dict):
            continue
        for ref_key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = item.get(ref_key)
            if isinstance(ref, dict) and not _fine(ref, "name", kind, [], namespace, known):
                _config_ref(m, ref, (*cpath, "envFrom", ei, ref_key), f"container {container.get('name')!r} envFrom",
                            kind, "name", [], namespace, known, report, _WHY["env"])


def _check_volume(m: Manifest, volume: dict[str, Any], vpath: P, namespace: str, claims: set[str], known: Known,
                  report: Report) -> None:
    what = f"volume {volume.get('name')!r}"
    for source_key, kind, name_key in (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName")):
        source = volume.get(source_key)
        if isinstance(source, dict):
            _config_ref(m, source, (*vpath, source_key), what, kind, name_key, _items(source), namespace, known,
                        report, _WHY["volume"])
    for plugin, name_path in _PLUGIN_SECRETS:
        source = volume.get(plugin)
        ref = source.get(name_path[0]) if isinstance(source, dict) else None
        name = text_of(ref.get("name") if len(name_path) > 1 and isinstance(ref, dict) else ref)
        if name is not None and not known.find("Secret", namespace, name)[0]:
            report_missing(report, "config-ref", m, (*vpath, plugin, *name_path), what, "Secret", name, namespace,
                           known, _WHY["volume"])
    projected = volume.get("projected")
    for si, item in dicts(projected.get("sources") if isinstance(projected, dict) else None):
        for source_key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
            source = item.get(source_key)
            if isinstance(source, dict):
                _config_ref(m, source, (*vpath, "projected", "sources", si, source_key), what, kind, "name",
                            _items(source), namespace, known, report, _WHY["volume"])
    claim = volume.get("persistentVolumeClaim")
    name = text_of(claim.get("claimName")) if isinstance(claim, dict) else None
    if name is not None and name not in claims and not known.find("PersistentVolumeClaim", namespace, name)[0]:
        report_missing(report, "pvc-ref", m, (*vpath, "persistentVolumeClaim", "claimName"), what,
                       "PersistentVolumeClaim", name, namespace, known, _WHY["volume"])


def _items(source: dict[str, Any]) -> list[tuple[Any, P]]:
    return [(item.get("key"), ("items", i, "key")) for i, item in dicts(source.get("items"))]


def _claim_templates(m: Manifest) -> set[str]:
    spec = m.obj.get("spec") if m.kind == "StatefulSet" else None
    templates = spec.get("volumeClaimTemplates") if isinstance(spec, dict) else None
    return {name for _, t in dicts(templates) if isinstance(t.get("metadata"), dict)
            and (name := text_of(t["metadata"].get("name"))) is not None}


def _config_ref(
    m: Manifest, ref: dict[str, Any], path: P, what: str, kind: str, name_key: str, keys: list[tuple[Any, P]],
    namespace: str, known: Known, report: Report, why: str,
) -> None:
    name = text_of(ref.get(name_key))
    if name is None or ref.get("optional") is True:
        return
    found, have = known.find(kind, namespace, name)
    if not found:
        report_missing(report, "config-ref", m, (*path, name_key), what, kind, name, namespace, known, why)
        return
    if have is None:
        return
    for key, key_path in keys:
        if isinstance(key, str) and key not in have:
            _key_missing(report, m, (*path, *key_path), what, kind, name, key, have, why)


def _pull_secrets(m: Manifest, owner: dict[str, Any], path: P, known: Known, report: Report) -> None:
    namespace = namespace_of(m)
    for i, ref in dicts(owner.get("imagePullSecrets")):
        name = text_of(ref.get("name"))
        if name is None:
            continue
        where = (*path, "imagePullSecrets", i, "name")
        found, keys = known.find("Secret", namespace, name)
        if not found:
            report_missing(report, "config-ref", m, where, "imagePullSecrets", "Secret", name, namespace, known,
                           _WHY["pull"])
        elif keys is not None and not keys & {".dockerconfigjson", ".dockercfg"}:
            report.add("config-key", m, f"{m.label}: imagePullSecrets names Secret {name!r}, which has no "
                       ".dockerconfigjson key; the kubelet ignores it (make it with kubectl create secret "
                       "docker-registry, type kubernetes.io/dockerconfigjson)", where)


def _ingress_tls(m: Manifest, known: Known, report: Report) -> None:
    spec = m.obj.get("spec")
    namespace = namespace_of(m)
    for i, tls in dicts(spec.get("tls") if isinstance(spec, dict) else None):
        name = text_of(tls.get("secretName"))
        if name is None:
            continue
        where = ("spec", "tls", i, "secretName")
        found, keys = known.find("Secret", namespace, name)
        if not found:
            report_missing(report, "config-ref", m, where, f"tls[{i}]", "Secret", name, namespace, known, _WHY["tls"])
        elif keys is not None and not {"tls.crt", "tls.key"} <= keys:
            missing = " and ".join(k for k in ("tls.crt", "tls.key") if k not in keys)
            report.add("config-key", m, f"{m.label}: tls[{i}] names Secret {name!r}, which has no {missing} key; "
                       f"{_WHY['tls']} (a TLS Secret holds tls.crt and tls.key: kubectl create secret tls)", where)


# --- RBAC --------------------------------------------------------------------


def _binding(m: Manifest, known: Known, report: Report) -> None:
    namespace = namespace_of(m)
    ref = m.obj.get("roleRef")
    if isinstance(ref, dict):
        kind, name = text_of(ref.get("kind")), text_of(ref.get("name"))
        if kind in ("Role", "ClusterRole") and name is not None and not known.find(kind, namespace, name)[0]:
            if not (kind == "Role" and m.kind == "ClusterRoleBinding"):  # invalid-value's to report
                report_missing(report, "role-ref", m, ("roleRef", "name"), "roleRef", kind, name, namespace, known,
                               "the binding grants nothing")
    for i, subject in dicts(m.obj.get("subjects")):
        if subject.get("kind") != "ServiceAccount" or text_of(subject.get("name")) is None:
            continue
        space = text_of(subject.get("namespace")) or (namespace if m.kind == "RoleBinding" else None)
        if space is None or space not in known.namespaces:
            continue  # an account of a namespace the stack does not manage
        if not known.find("ServiceAccount", space, subject["name"])[0]:
            report_missing(report, "role-ref", m, ("subjects", i, "name"), f"subjects[{i}]", "ServiceAccount",
                           subject["name"], space, known, "no pod runs as it, so the grant reaches nobody",
                           severity="warning")


__all__ = ["Known", "check_references", "namespace_of", "report_missing", "text_of"]
