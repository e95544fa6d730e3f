"""The one normaliser: two manifests mean the same object when their normal forms are equal.

Builders write some fields the API would fill in anyway (``type: ClusterIP``), and
leave out some that input YAML spells out (``protocol: TCP`` on a container port).
:func:`normalise` removes every value that equals the API server's default, so
an imported app that renders ``type: ClusterIP`` where the YAML had no ``type``
still counts as the same object. The defaults removed, and only these:

- ``status`` (server-written) and ``metadata.creationTimestamp: null`` (kubectl noise),
  on the object and on pod templates;
- empty ``metadata.labels`` / ``metadata.annotations`` maps, on the object and on pod
  templates;
- Service ``spec.type: ClusterIP``; Service port ``protocol: TCP``; Service port
  ``targetPort`` equal to its ``port``;
- container and init-container port ``protocol: TCP``; container ``resources: {}``;
- ``spec.replicas: 1`` of Deployment, StatefulSet, ReplicaSet and ReplicationController;
- Secret ``type: Opaque``;
- what the API server fills into every object it stores, so ``kubectl get -o yaml``
  shows it (``dnsPolicy: ClusterFirst``, ``imagePullPolicy`` by image tag, probe
  timings, Deployment ``strategy`` RollingUpdate 25%/25%, Service
  ``sessionAffinity: None``...): every one is listed in :data:`API_DEFAULTS`.

What the server *allocates* (uid, resourceVersion, an assigned clusterIP...) is no
default: :mod:`kubegen.importer.live` drops it from live objects before import.
"""

from __future__ import annotations

from typing import Any

from kubegen.importer.pods import dig
from kubegen.manifest import pod_template_of
from kubegen.values import copy_data

_REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})

API_DEFAULTS: tuple[str, ...] = (
    "status",
    "metadata.creationTimestamp: null",
    "metadata.labels: {}",
    "metadata.annotations: {}",
    "pod template metadata: {}",
    "Service spec.type: ClusterIP",
    "Service spec.ports[].protocol: TCP",
    "Service spec.ports[].targetPort: <port>",
    "containers[].ports[].protocol: TCP",
    "containers[].resources: {}",
    "spec.replicas: 1 (Deployment, StatefulSet, ReplicaSet, ReplicationController)",
    "Secret type: Opaque",
    "pod spec dnsPolicy: ClusterFirst",
    "pod spec restartPolicy: Always (not Job, CronJob)",
    "pod spec schedulerName: default-scheduler",
    "pod spec securityContext: {}",
    "pod spec terminationGracePeriodSeconds: 30",
    "pod spec enableServiceLinks: true",
    "containers[].terminationMessagePath: /dev/termination-log",
    "containers[].terminationMessagePolicy: File",
    "containers[].imagePullPolicy: Always (:latest or no tag) / IfNotPresent (other tags, digests)",
    "containers[].*Probe timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3",
    "containers[].*Probe.httpGet.scheme: HTTP",
    "containers[].env[].valueFrom.fieldRef.apiVersion: v1",
    "volumes[].configMap/secret.defaultMode: 420",
    "Deployment spec.progressDeadlineSeconds: 600",
    "spec.revisionHistoryLimit: 10 (Deployment, StatefulSet, DaemonSet)",
    "Deployment spec.strategy: RollingUpdate, maxSurge 25%, maxUnavailable 25% (or {})",
    "StatefulSet spec.podManagementPolicy: OrderedReady",
    "StatefulSet spec.updateStrategy: RollingUpdate, partition 0",
    "StatefulSet spec.persistentVolumeClaimRetentionPolicy: Retain, Retain",
    "StatefulSet spec.volumeClaimTemplates[]: apiVersion v1, kind PersistentVolumeClaim, status,"
    " metadata.creationTimestamp: null, spec.volumeMode: Filesystem",
    "DaemonSet spec.updateStrategy: RollingUpdate, maxUnavailable 1, maxSurge 0",
    "Service spec.sessionAffinity: None",
    "Service spec.internalTrafficPolicy: Cluster",
    "Service spec.ipFamilyPolicy: SingleStack",
    "Service spec.externalTrafficPolicy: Cluster",
    "Service spec.allocateLoadBalancerNodePorts: true",
    "Service spec.clusterIPs: [<clusterIP>]",
    "Job spec (and a CronJob's job template): backoffLimit 6, completionMode NonIndexed, suspend false,"
    " manualSelector false",
    "CronJob spec: concurrencyPolicy Allow, suspend false, successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1",
    "PersistentVolumeClaim spec.volumeMode: Filesystem",
    "NetworkPolicy spec.policyTypes: [Ingress] (+ Egress when it has egress rules); empty ingress/egress lists",
    "Role/ClusterRole rules: []",
)
"""What :func:`normalise` treats as "not set" (the API server's defaults)."""


def _drop(mapping: Any, key: str, default: Any) -> None:
    if isinstance(mapping, dict) and key in mapping and mapping[key] == default:
        del mapping[key]


def _drop_all(mapping: Any, defaults: dict[str, Any]) -> None:
    for key, default in defaults.items():
        _drop(mapping, key, default)


def _drop_within(mapping: Any, key: str, defaults: dict[str, Any]) -> None:
    """Drop ``mapping[key]`` when it is a mapping that sets nothing but (some of) ``defaults``."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if isinstance(value, dict) and all(k in defaults and defaults[k] == v for k, v in value.items()):
        del mapping[key]


def _strategy(spec: Any, key: str, rolling: dict[str, Any]) -> None:
    strategy = spec.get(key) if isinstance(spec, dict) else None
    if isinstance(strategy, dict) and strategy.get("type", "RollingUpdate") == "RollingUpdate":
        _drop_within(strategy, "rollingUpdate", rolling)
        _drop_within(spec, key, {"type": "RollingUpdate"})


def default_pull_policy(image: Any) -> str | None:
    """The ``imagePullPolicy`` the API server fills in for ``image`` (None: not an image)."""
    if not isinstance(image, str) or not image:
        return None
    name, _, digest = image.partition("@")
    tag = name.rsplit("/", 1)[-1].partition(":")[2]
    return "Always" if tag == "latest" or not (tag or digest) else "IfNotPresent"


def _metadata(meta: Any) -> None:
    if isinstance(meta, dict):
        _drop(meta, "creationTimestamp", None)
        _drop(meta, "labels", {})
        _drop(meta, "annotations", {})


def _ports(ports: Any, service: bool) -> None:
    if not isinstance(ports, list):
        return
    for port in ports:
        if isinstance(port, dict):
            _drop(port, "protocol", "TCP")
            if service and "port" in port:
                _drop(port, "targetPort", port["port"])


_PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
_CONTAINER_DEFAULTS = {
    "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
}
_POD_DEFAULTS = {
    "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "securityContext": {},
    "terminationGracePeriodSeconds": 30, "enableServiceLinks": True,
}


def _container(container: dict[str, Any]) -> None:
    _ports(container.get("ports"), service=False)
    _drop_all(container, _CONTAINER_DEFAULTS)
    _drop(container, "imagePullPolicy", default_pull_policy(container.get("image")))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(key)
        if isinstance(probe, dict):
            _drop_all(probe, _PROBE_DEFAULTS)
            _drop(probe.get("httpGet"), "scheme", "HTTP")
    env = container.get("env")
    for item in env if isinstance(env, list) else ():
        _drop(dig(item, "valueFrom", "fieldRef"), "apiVersion", "v1")


def _pod_spec(spec: Any, kind: Any) -> None:
    if not isinstance(spec, dict):
        return
    _drop_all(spec, _POD_DEFAULTS)
    if kind not in ("Job", "CronJob"):
        _drop(spec, "restartPolicy", "Always")
    for key in ("initContainers", "containers"):
        containers = spec.get(key)
        if isinstance(containers, list):
            for container in containers:
                if isinstance(container, dict):
                    _container(container)
    volumes = spec.get("volumes")
    for volume in volumes if isinstance(volumes, list) else ():
        for source in ("configMap", "secret", "projected"):
            _drop(dig(volume, source), "defaultMode", 420)


def _workload_spec(spec: Any, kind: Any) -> None:
    if kind in _REPLICATED:
        _drop(spec, "replicas", 1)
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        _drop(spec, "revisionHistoryLimit", 10)
    if kind == "Deployment":
        _drop(spec, "progressDeadlineSeconds", 600)
        _strategy(spec, "strategy", {"maxSurge": "25%", "maxUnavailable": "25%"})
    elif kind == "StatefulSet":
        _drop(spec, "podManagementPolicy", "OrderedReady")
        _strategy(spec, "updateStrategy", {"partition": 0})
        _drop_within(spec, "persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
        claims = spec.get("volumeClaimTemplates")
        for claim in claims if isinstance(claims, list) else ():
            if isinstance(claim, dict):
                claim.pop("status", None)
                _drop_all(claim, {"apiVersion": "v1", "kind": "PersistentVolumeClaim"})
                _metadata(claim.get("metadata"))
                _drop(claim.get("spec"), "volumeMode", "Filesystem")
    elif kind == "DaemonSet":
        _strategy(spec, "updateStrategy", {"maxSurge": 0, "maxUnavailable": 1})


_SERVICE_DEFAULTS = {
    "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
    "ipFamilyPolicy": "SingleStack", "externalTrafficPolicy": "Cluster", "allocateLoadBalancerNodePorts": True,
}


def _service_spec(spec: dict[str, Any]) -> None:
    _drop_all(spec, _SERVICE_DEFAULTS)
    if "clusterIP" in spec:
        _drop(spec, "clusterIPs", [spec["clusterIP"]])
    _ports(spec.get("ports"), service=True)


_JOB_DEFAULTS = {"backoffLimit": 6, "completionMode": "NonIndexed", "suspend": False, "manualSelector": False}
_CRON_DEFAULTS = {"concurrencyPolicy": "Allow", "suspend": False, "successfulJobsHistoryLimit": 3,
                  "failedJobsHistoryLimit": 1}


def _app_kind(out: dict[str, Any], kind: Any, spec: Any) -> None:
    """Defaults of the kinds beyond workloads and Services."""
    if kind == "Job":
        _drop_all(spec, _JOB_DEFAULTS)
    elif kind == "CronJob" and isinstance(spec, dict):
        _drop_all(spec, _CRON_DEFAULTS)
        _drop_all(dig(spec, "jobTemplate", "spec"), _JOB_DEFAULTS)
        template = spec.get("jobTemplate")
        if isinstance(template, dict):
            _metadata(template.get("metadata"))
            _drop(template, "metadata", {})
    elif kind == "PersistentVolumeClaim":
        _drop(spec, "volumeMode", "Filesystem")
    elif kind == "NetworkPolicy" and isinstance(spec, dict):
        default = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
        _drop(spec, "policyTypes", default)
        _drop(spec, "ingress", [])
        _drop(spec, "egress", [])
    elif kind in ("Role", "ClusterRole"):
        _drop(out, "rules", [])


def normalise(obj: Any) -> Any:
    """A deep copy of ``obj`` with every API default listed in :data:`API_DEFAULTS` removed."""
    if not isinstance(obj, dict):
        return copy_data(obj)
    out: dict[str, Any] = copy_data(obj)
    out.pop("status", None)
    kind = out.get("kind")
    _metadata(out.get("metadata"))
    spec = out.get("spec")
    template = pod_template_of(out)
    if template is not None:
        if template is not out:
            template.pop("status", None)
            _metadata(template.get("metadata"))
            _drop(template, "metadata", {})
        _pod_spec(template.get("spec"), kind)
    if kind == "Service" and isinstance(spec, dict):
        _service_spec(spec)
    if isinstance(spec, dict):
        _workload_spec(spec, kind)
    if kind == "Secret":
        _drop(out, "type", "Opaque")
    _app_kind(out, kind, spec)
    return out
