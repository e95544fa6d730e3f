"""Facts about the Kubernetes API that builders and checks share.

One rule, one place: the eager validators of the builders and the checks that run
on manifests (from Python or from YAML) both call the functions here. Each
``*_problems`` function returns a list of human-readable problems (empty = valid),
the way the API server's own validation helpers do.

The rules follow the API server's validation (``pkg/apis/core/validation`` and
``k8s.io/apimachinery/pkg/util/validation``); the texts are ours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from math import gcd

from kubegen.names import DIGITS

# The name and format rules live in kubegen.names; they stay importable from here.
from kubegen.names import LABEL_MAX as LABEL_MAX
from kubegen.names import SUBDOMAIN_MAX as SUBDOMAIN_MAX
from kubegen.names import config_key_problems as config_key_problems
from kubegen.names import dns1035_label_problems as dns1035_label_problems
from kubegen.names import dns1123_label_problems as dns1123_label_problems
from kubegen.names import dns1123_subdomain_problems as dns1123_subdomain_problems
from kubegen.names import label_key_problems as label_key_problems
from kubegen.names import label_value_problems as label_value_problems
from kubegen.names import lazy_pattern as lazy_pattern
from kubegen.names import port_name_problems as port_name_problems
from kubegen.names import port_number_problems as port_number_problems

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


# --- quantities ---------------------------------------------------------

_NUMBER_CHARS = DIGITS | {"."}
_SUFFIXES = frozenset({"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"})


def split_quantity(value: str) -> tuple[str, str] | None:
    """``"-1.5Gi"`` -> ``("-1.5", "Gi")``: the number and the suffix of a quantity, as
    apimachinery's ``ParseQuantity`` reads them (``[+-]?(\\d+\\.?\\d*|\\.\\d+)`` then ``e``/``E``
    and an exponent, a binary suffix ``Ki``..``Ei`` or a decimal one ``n``..``E``; ASCII
    digits only), or None. Written without a regular expression: every render checks
    its requests and limits, and compiling one costs start-up time."""
    start = 1 if value[:1] in ("+", "-") else 0
    end = start
    while end < len(value) and value[end] in _NUMBER_CHARS:
        end += 1
    number, suffix = value[start:end], value[end:]
    if not number or number == "." or number.count(".") > 1:
        return None
    if suffix not in _SUFFIXES:
        exponent = suffix[1:] if suffix[:1] in ("e", "E") else ""
        exponent = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        if not exponent or not set(exponent) <= DIGITS:
            return None
    return value[:end], suffix


class Quantity:
    """An exact amount (``numerator / denominator``), what :func:`parse_quantity` returns:
    compared exactly with other quantities and with numbers. (Not ``fractions.Fraction``:
    importing it, and ``decimal`` with it, would cost every render its start-up time.)"""

    __slots__ = ("denominator", "numerator")

    def __init__(self, numerator: int, denominator: int = 1) -> None:
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        common = gcd(numerator, denominator) or 1  # lowest terms, as Fraction keeps them
        self.numerator, self.denominator = numerator // common, denominator // common

    def _cross(self, other: object) -> tuple[int, int] | None:
        """Both sides over a common denominator; for another quantity, an int or any exact
        rational (``fractions.Fraction``)."""
        numerator, denominator = getattr(other, "numerator", None), getattr(other, "denominator", None)
        if isinstance(other, bool) or not isinstance(numerator, int) or not isinstance(denominator, int):
            return None
        return self.numerator * denominator, numerator * self.denominator

    def __eq__(self, other: object) -> bool:
        pair = self._cross(other)
        return pair is not None and pair[0] == pair[1]

    def __hash__(self) -> int:
        return hash((self.numerator, self.denominator))

    def __lt__(self, other: object) -> bool:
        pair = self._cross(other)
        if pair is None:
            return NotImplemented
        return pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._cross(other)
        if pair is None:
            return NotImplemented
        return pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._cross(other)
        if pair is None:
            return NotImplemented
        return pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._cross(other)
        if pair is None:
            return NotImplemented
        return pair[0] >= pair[1]

    def __repr__(self) -> str:
        return f"Quantity({self.numerator}, {self.denominator})"


# suffix -> (numerator, denominator) of its scale
_QUANTITY_SCALE: dict[str, tuple[int, int]] = {
    "": (1, 1), "n": (1, 10**9), "u": (1, 10**6), "m": (1, 1000),
    "k": (10**3, 1), "M": (10**6, 1), "G": (10**9, 1), "T": (10**12, 1), "P": (10**15, 1), "E": (10**18, 1),
    "Ki": (2**10, 1), "Mi": (2**20, 1), "Gi": (2**30, 1), "Ti": (2**40, 1), "Pi": (2**50, 1), "Ei": (2**60, 1),
}


def _decimal(text: str) -> tuple[int, int]:
    """``"-1.25"`` -> ``(-125, 100)``: a decimal number written in digits, exactly."""
    whole, _, fraction = text.partition(".")
    return int((whole or "0") + fraction), 10 ** len(fraction)


def parse_quantity(value: object) -> Quantity | None:
    """The exact amount of a resource quantity (``100m`` -> 1/10, ``1Gi`` -> 2**30,
    ``1e3`` -> 1000), or None when ``value`` is not a quantity. YAML numbers count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Quantity(value)
    if isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            return None
        value = repr(value)  # the shortest text that reads back as this float, e.g. 0.1 or 1e+20
    if not isinstance(value, str):
        return None
    return _parse_quantity_text(value)


@functools.lru_cache(maxsize=4096)
def _parse_quantity_text(value: str) -> Quantity | None:
    parts = split_quantity(value.strip())
    if parts is None:
        return None
    number, suffix = parts
    numerator, denominator = _decimal(number.lstrip("+"))
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        exponent = int(suffix[1:])
        if abs(exponent) > 1000:  # far beyond any resource; keeps the arithmetic cheap
            return None
        if exponent >= 0:
            return Quantity(numerator * 10**exponent, denominator)
        return Quantity(numerator, denominator * 10**-exponent)
    scale_num, scale_den = _QUANTITY_SCALE[suffix]
    return Quantity(numerator * scale_num, denominator * scale_den)


def quantity_problems(value: str) -> list[str]:
    """A resource quantity such as ``100m``, ``128Mi``, ``1.5``, ``1e3``."""
    if split_quantity(value) is not None:
        return []
    return ["must be a quantity such as '250m', '1', '128Mi' or '1Gi'"]


# --- ports and Services ----------------------------------------------------

DEFAULT_NODE_PORT_RANGE = (30000, 32767)


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


# --- Secrets and CronJobs ---------------------------------------------------

_CRON_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_CRON_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_CRON_WORDS: tuple[dict[str, int], ...] = (
    {}, {}, {},
    {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
)
_GO_DURATION = lazy_pattern(r"[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)\Z")
_CRON_INT = lazy_pattern(r"\+?\d+\Z")
# The keys a typed Secret must carry (basic-auth: at least one of the two).
SECRET_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/basic-auth": ("username", "password"),
}


def cron_schedule_problem(schedule: str) -> str | None:
    """Why a CronJob schedule is not one the API server's parser accepts (robfig/cron's
    ParseStandard: five fields of numbers, ranges, steps and lists, month and weekday
    names, ``*`` and ``?``; or a descriptor such as ``@daily`` or ``@every 1h``), None if fine."""
    text = schedule
    if text.startswith(("TZ=", "CRON_TZ=")):
        return "sets a time zone; remove the TZ= prefix and use spec.timeZone instead"
    if text.startswith("@"):
        if text in _CRON_DESCRIPTORS:
            return None
        if text.startswith("@every ") and _GO_DURATION.match(text[len("@every "):]):
            return None
        return (f"is not a known descriptor; use one of {', '.join(_CRON_DESCRIPTORS)}, '@every <duration>' (e.g. "
                "'@every 1h30m') or five fields")
    fields = text.split()
    if len(fields) != 5:
        return (f"has {len(fields)} field{'s' if len(fields) != 1 else ''}; a schedule has 5 "
                "(minute hour day-of-month month day-of-week), e.g. '*/5 * * * *'")
    for field, bounds, name, words in zip(fields, _CRON_BOUNDS, _CRON_NAMES, _CRON_WORDS, strict=True):
        for part in (p for p in field.split(",") if p):
            problem = _cron_range_problem(part, bounds, words)
            if problem:
                return f"has an invalid {name} field {field!r}: {problem}" if "outside" not in problem else \
                    f"has {name} {problem}"
    return None


def _cron_range_problem(part: str, bounds: tuple[int, int], words: dict[str, int]) -> str | None:
    """One comma-separated part of a cron field (robfig/cron's getRange)."""
    low, high = bounds
    range_text, *steps = part.split("/")
    ends = range_text.split("-")
    if len(steps) > 1:
        return "more than one '/'"
    if ends[0] in ("*", "?"):
        first, last = low, high
    else:
        if len(ends) > 2:
            return "more than one '-'"
        numbers = [_cron_number(end, words) for end in ends]
        if any(n is None for n in numbers):
            bad = next(e for e, n in zip(ends, numbers, strict=True) if n is None)
            return f"{bad!r} is not a number" + (" or a name" if words else "")
        first, last = numbers[0] or 0, numbers[-1] or 0
        if steps and len(ends) == 1:
            last = high  # N/step means N-max/step
        for number in (first, last):
            if not low <= number <= high:
                return f"{number}, outside {low}-{high}"
        if first > last:
            return f"range {range_text!r} runs backwards"
    if steps:
        step = _cron_number(steps[0], {})
        if step is None:
            return f"step {steps[0]!r} is not a number"
        if step == 0:
            return "a step must be a positive number"
    return None


def _cron_number(text: str, words: dict[str, int]) -> int | None:
    if text.lower() in words:
        return words[text.lower()]
    return int(text) if _CRON_INT.match(text) else None


# --- storage, RBAC, autoscaling ----------------------------------------------


# ClusterRoles every cluster has (the API server bootstraps them), so a binding may
# name them without the stack defining them; "system:" ones are the control plane's.
BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})


def is_builtin_cluster_role(name: str) -> bool:
    return name in BUILTIN_CLUSTER_ROLES or name.startswith("system:")


def is_builtin_role(namespace: str, name: str) -> bool:
    """Roles the API server bootstraps in its own namespaces (an aggregated API server's
    ``extension-apiserver-authentication-reader``, the controllers' ``system:`` ones)."""
    if namespace not in ("kube-system", "kube-public"):
        return False
    return name == "extension-apiserver-authentication-reader" or name.startswith("system:")


# The verbs the API server's authorizer knows (any other string is accepted but matches
# no request, so a near miss is almost always a typo).
KNOWN_VERBS = (
    "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
    "use", "bind", "escalate", "impersonate", "approve", "sign", "proxy", "*",
)

# Kinds with a scale subresource, and the apiVersion an HPA's scaleTargetRef names them by.
SCALABLE_KINDS = {
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "ReplicaSet": "apps/v1", "ReplicationController": "v1",
}

_PERCENT = lazy_pattern(r"(0|[1-9][0-9]*)%\Z")


def budget_blocks_evictions(max_unavailable: object, min_available: object, pods: int | None,
                            of: str = "") -> str | None:
    """Why a PodDisruptionBudget allows no eviction at all, or None. ``pods``: how many pods
    it covers at least (None: unknown). The disruption controller rounds a percentage up
    (``minAvailable: 50%`` of 1 pod is 1), so a percentage can also ask for every pod; ``of``
    names them (`` of Deployment 'web'``)."""
    if max_unavailable in (0, "0%"):
        return f"maxUnavailable is {max_unavailable}"
    if min_available == "100%":
        return "minAvailable is 100%"
    if not pods:
        return None
    if isinstance(min_available, int) and not isinstance(min_available, bool) and min_available >= pods:
        return f"minAvailable {min_available} is at least the {pods} pod(s){of}"
    match = _PERCENT.match(min_available) if isinstance(min_available, str) else None
    if match is not None:
        needed = -(-int(match.group(1)) * pods // 100)
        if needed >= pods:
            return f"minAvailable {min_available} of the {pods} pod(s){of} rounds up to {needed}: all of them"
    return None


def int_or_percent_problems(value: int | str) -> list[str]:
    """A count or a percentage (``1``, ``"25%"``), as PodDisruptionBudgets and rolling
    updates take them."""
    if isinstance(value, bool):
        return ["must be an integer or a percentage such as '25%'"]
    if isinstance(value, int):
        return [] if value >= 0 else [f"must be 0 or more (got {value})"]
    if isinstance(value, str) and _PERCENT.match(value):
        return [] if int(value[:-1]) <= 100 else [f"must be at most 100% (got {value})"]
    return ["must be an integer or a percentage such as '25%'"]

# Resources of the built-in API (plural, as RBAC rules name them): a rule naming the
# singular (``pod``) matches nothing.
COMMON_RESOURCES = frozenset({
    "pods", "services", "endpoints", "configmaps", "secrets", "namespaces", "nodes", "events",
    "persistentvolumeclaims", "persistentvolumes", "serviceaccounts", "replicationcontrollers",
    "resourcequotas", "limitranges", "deployments", "statefulsets", "daemonsets", "replicasets",
    "jobs", "cronjobs", "ingresses", "ingressclasses", "networkpolicies", "roles", "rolebindings",
    "clusterroles", "clusterrolebindings", "horizontalpodautoscalers", "poddisruptionbudgets",
    "storageclasses", "leases", "endpointslices", "customresourcedefinitions", "priorityclasses",
})
