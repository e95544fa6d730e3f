"""Validation rules whose answer changed between Kubernetes releases.

Each entry says since which release the newer rule holds; the checks ask
``since(target, NAME)`` and word their message with :func:`applies`, so a finding
says which version it answers for. Removed API versions are in
:data:`kubegen.checks.k8sdata.REMOVED` (each with its release).
"""

from __future__ import annotations

import functools

from kubegen.checks.kubeversion import Version, text

# name -> (release, what changed); the README's "Kubernetes versions" table lists them.
CHANGES: dict[str, tuple[Version, str]] = {
    "statefulset-name-label": (
        (1, 27), "StatefulSet names must be DNS labels (they become pod host names), not subdomains"),
    "relaxed-env-names": (
        (1, 32), "environment variable names may use any printable ASCII character but '=' "
        "(RelaxedEnvironmentVariableValidation)"),
    "statefulset-pod-template": (
        (1, 34), "the API server validates a StatefulSet's pod template and volumeClaimTemplates like a "
        "pod's (before, errors there surfaced only when the controller created pods or claims)"),
    "statefulset-service-name": (
        (1, 33), "a StatefulSet's serviceName must be a DNS label (it becomes the pods' subdomain)"),
    "traffic-distribution-prefer-close": (
        (1, 31), "Service trafficDistribution accepts PreferClose (ServiceTrafficDistribution)"),
    "traffic-distribution-same-zone-node": (
        (1, 34), "Service trafficDistribution also accepts PreferSameZone and PreferSameNode"),
    "relaxed-service-names": (
        (1, 36), "Service names may start with a digit: DNS-1123 labels instead of DNS-1035 "
        "(RelaxedServiceNameValidation)"),
}


def since(target: Version, name: str) -> bool:
    """Whether the change ``name`` is in effect on a ``target`` release."""
    return target >= CHANGES[name][0]


@functools.lru_cache(maxsize=256)  # a few releases times a few changes; asked once per Service
def applies(target: Version, name: str) -> str:
    """How a message names the release it answers for: ``Kubernetes 1.36 and later``, or
    ``Kubernetes 1.35; 1.36 changed this rule``."""
    release = CHANGES[name][0]
    if target >= release:
        return f"Kubernetes {text(release)} and later"
    return f"Kubernetes {text(target)}; {text(release)} changed this rule"


def traffic_distributions(target: Version) -> tuple[str, ...] | None:
    """The trafficDistribution values a ``target`` server accepts (None: the field is
    ignored there, so any value passes)."""
    if since(target, "traffic-distribution-same-zone-node"):
        return ("PreferClose", "PreferSameZone", "PreferSameNode")
    if since(target, "traffic-distribution-prefer-close"):
        return ("PreferClose",)
    return None
