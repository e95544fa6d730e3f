"""Facts about the Kubernetes API that builders and checks share.

One rule, one place: the eager validators of the builders and the checks that run
on manifests (from Python or from YAML) both call the functions here. Each
``*_problems`` function returns a list of human-readable problems (empty = valid),
the way the API server's own validation helpers do.

The rules follow the API server's validation (``pkg/apis/core/validation`` and
``k8s.io/apimachinery/pkg/util/validation``); the texts are ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction

# --- suggestions -------------------------------------------------------------

def suggest(value: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice the user probably meant: same word in another case, else the closest."""
    options = [c for c in choices if isinstance(c, str)]
    lowered = value.lower()
    for choice in options:
        if choice.lower() == lowered:
            return choice
    import difflib  # only when a message needs it: keeps start-up fast

    close = difflib.get_close_matches(value, options, n=1, cutoff=cutoff)
    return close[0] if close else None


def no_such(what: str, name: object, existing: Iterable[object], add: str) -> str:
    """The end of a "no such name" message: what exists, then the closest existing
    name when there is one (``did you mean 'http'?``), else how to add it (``add``)."""
    names = [str(n) for n in existing]
    close = suggest(name, names) if isinstance(name, str) else None
    have = f" ({what}: {', '.join(names)})" if names else f" (there are no {what})"
    return f"{have}; did you mean {close!r}?" if close else f"{have}; {add}"


def similarity(a: str, b: str) -> float:
    """0..1, how alike two strings are."""
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio()


# --- names -----------------------------------------------------------------

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_IANA_SVC_NAME = re.compile(r"[-a-z0-9]+\Z")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?\Z")

LABEL_MAX = 63
SUBDOMAIN_MAX = 253


def _fix_name(value: str) -> str:
    """A suggestion that satisfies DNS-1123: lower case, '-' for anything else."""
    fixed = re.sub(r"[^a-z0-9.-]+", "-", value.lower()).strip("-.")
    return fixed[:LABEL_MAX].rstrip("-.") or "name"


def _too_long(value: str, limit: int) -> list[str]:
    return [f"must be no more than {limit} characters (has {len(value)})"] if len(value) > limit else []


def dns1123_label_problems(value: str) -> list[str]:
    """RFC 1123 label: namespaces, container names, Service port names."""
    problems = _too_long(value, LABEL_MAX)
    if not _DNS1123_LABEL.match(value):
        problems.append(
            "must consist of lower case alphanumeric characters or '-', and start and end "
            f"with an alphanumeric character (try {_fix_name(value).replace('.', '-')!r})"
        )
    return problems


def dns1123_subdomain_problems(value: str) -> list[str]:
    """RFC 1123 subdomain: names of most objects (Pod, Deployment, ConfigMap, ...)."""
    problems = _too_long(value, SUBDOMAIN_MAX)
    if not _DNS1123_SUBDOMAIN.match(value):
        problems.append(
            "must consist of lower case alphanumeric characters, '-' or '.', and start and "
            f"end with an alphanumeric character (try {_fix_name(value)!r})"
        )
    return problems


def dns1035_label_problems(value: str) -> list[str]:
    """RFC 1035 label: Service names (they become DNS names)."""
    problems = _too_long(value, LABEL_MAX)
    if not _DNS1035_LABEL.match(value):
        suggestion = _fix_name(value).replace(".", "-")
        if not suggestion[:1].isalpha():
            suggestion = "svc-" + suggestion
        problems.append(
            "must consist of lower case alphanumeric characters or '-', start with a letter "
            f"and end with an alphanumeric character (try {suggestion!r})"
        )
    return problems


def port_name_problems(value: str) -> list[str]:
    """IANA_SVC_NAME: container port names (what a named targetPort refers to)."""
    problems = _too_long(value, 15)
    if not _IANA_SVC_NAME.match(value):
        problems.append("must contain only lower case alphanumeric characters or '-'")
    if "--" in value:
        problems.append("must not contain consecutive hyphens")
    if value[:1] == "-" or value[-1:] == "-":
        problems.append("must not begin or end with a hyphen")
    if not any("a" <= c <= "z" for c in value):
        problems.append("must contain at least one letter (a-z)")
    return problems


def label_key_problems(key: str) -> list[str]:
    """A label or annotation key: ``[prefix/]name``."""
    prefix, slash, name = key.rpartition("/")
    problems = []
    if slash and not prefix:
        problems.append("prefix part must be non-empty")
    elif slash:
        problems.extend("prefix part " + p for p in dns1123_subdomain_problems(prefix))
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > LABEL_MAX:
        problems.append(f"name part must be no more than {LABEL_MAX} characters (has {len(name)})")
    elif not _QUALIFIED_NAME.match(name):
        problems.append(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return problems


def label_value_problems(value: str) -> list[str]:
    """A label value: empty, or up to 63 of ``[A-Za-z0-9_.-]`` starting/ending alphanumeric."""
    problems = _too_long(value, LABEL_MAX)
    if value and not _QUALIFIED_NAME.match(value):
        problems.append(
            "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return problems


def config_key_problems(key: str) -> list[str]:
    """A ConfigMap/Secret data key."""
    problems = []
    if len(key) > SUBDOMAIN_MAX:
        problems.append(f"must be no more than {SUBDOMAIN_MAX} characters")
    if not _CONFIG_KEY.match(key):
        problems.append("must consist of alphanumeric characters, '-', '_' or '.'")
    if key in (".", ".."):
        problems.append(f"must not be {key!r}")
    return problems


_QUANTITY_SCALE: dict[str, Fraction] = {
    "": Fraction(1), "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
    "P": Fraction(10**15), "E": Fraction(10**18),
    "Ki": Fraction(2**10), "Mi": Fraction(2**20), "Gi": Fraction(2**30), "Ti": Fraction(2**40),
    "Pi": Fraction(2**50), "Ei": Fraction(2**60),
}


def parse_quantity(value: object) -> Fraction | None:
    """The exact amount of a resource quantity (``100m`` -> 1/10, ``1Gi`` -> 2**30,
    ``1e3`` -> 1000), or None when ``value`` is not a quantity. YAML numbers count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value)) if value == value and abs(value) != float("inf") else None
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    amount = Fraction(number)
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        exponent = int(suffix[1:])
        if abs(exponent) > 1000:  # far beyond any resource; keeps the arithmetic cheap
            return None
        return amount * Fraction(10) ** exponent
    return amount * _QUANTITY_SCALE[suffix]


def quantity_problems(value: str) -> list[str]:
    """A resource quantity such as ``100m``, ``128Mi``, ``1.5``, ``1e3``."""
    if _QUANTITY.match(value):
        return []
    return ["must be a quantity such as '250m', '1', '128Mi' or '1Gi'"]


# --- ports and Services ----------------------------------------------------

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
PROTOCOLS = ("TCP", "UDP", "SCTP")
DEFAULT_NODE_PORT_RANGE = (30000, 32767)


def port_number_problems(value: int) -> list[str]:
    if not 1 <= value <= 65535:
        return [f"must be between 1 and 65535, inclusive (got {value})"]
    return []


# --- kinds -----------------------------------------------------------------

# Kinds that live outside namespaces.
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
        "StorageClass", "CustomResourceDefinition", "APIService", "PriorityClass",
        "IngressClass", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "CSIDriver",
        "CSINode", "RuntimeClass", "VolumeAttachment", "CertificateSigningRequest",
        "ComponentStatus", "FlowSchema", "PriorityLevelConfiguration",
    }
)

# Kinds whose objects carry a pod template (path to the template's metadata/spec).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

# Apply order: namespaces, then config, then workloads, then Services, then
# Ingress; any other kind after these.
APPLY_ORDER = (
    "Namespace", "CustomResourceDefinition", "PriorityClass", "StorageClass",
    "NetworkPolicy", "ResourceQuota", "LimitRange", "ServiceAccount",
    "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    "Secret", "ConfigMap", "PersistentVolume", "PersistentVolumeClaim",
    "Pod", "ReplicationController", "ReplicaSet", "Deployment", "StatefulSet",
    "DaemonSet", "Job", "CronJob", "HorizontalPodAutoscaler", "PodDisruptionBudget",
    "Service", "IngressClass", "Ingress",
)
APPLY_RANK = {kind: rank for rank, kind in enumerate(APPLY_ORDER)}
