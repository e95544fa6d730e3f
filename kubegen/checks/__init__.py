"""Checks: whole-stack validation that returns every finding at once.

Rule ids are part of kubegen's interface (see the README's table). Per-object
rules mirror the API server's validation; cross-object ("wiring") rules catch what
the server accepts but traffic does not survive. The same functions run on
manifests built in Python and on manifests read from YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from kubegen import facts
from kubegen.checks.assumed import Assumed as Assumed
from kubegen.finding import Finding as Finding
from kubegen.finding import Severity as Severity
from kubegen.finding import plural
from kubegen.manifest import Manifest, custom_pod_template
from kubegen.record import Record

if TYPE_CHECKING:
    from kubegen.checks.catalogue import Catalogue

RULES: dict[str, str] = {
    "api-version": "kind/apiVersion pair the API does not serve",
    "schema": "field of the wrong type or shape, unknown field, missing required field",
    "name": "names, port names, label keys and values the API would reject",
    "yaml-boolean": "a value YAML 1.1 reads as bool/number where the API wants a string",
    "service-type": "Service type not ClusterIP, NodePort, LoadBalancer or ExternalName",
    "service-ports": "no ports, duplicate port/protocol, unnamed port in a multi-port Service, bad port number",
    "node-port": "nodePort on a ClusterIP Service, outside the node-port range, or claimed twice",
    "selector-dangling": "Service selector that matches no pod template in the stack",
    "selector-overlap": "one Service selector matching pods of several workloads (warning)",
    "target-port": "targetPort no selected container serves",
    "workload-selector": "workload selector not matching its own pod template labels",
    "ingress-backend": "Ingress backend naming a Service or port the stack does not define",
    "duplicate": "two objects with the same kind, namespace and name",
    "volume-mount": "volumeMount naming no volume of the pod",
    "duplicate-key": "two entries of a keyed list (env, ports, ...) with the same key, which server-side apply "
                     "rejects and a patch may merge (warning)",
    "invalid-value": "a value the API server rejects (request above limit, duplicate names in a pod, ...)",
    "yaml": "input that is not valid YAML",
    "image": "container image reference the kubelet cannot parse (empty tag, upper case, whitespace, ...)",
    "image-latest": "container image without a tag, or :latest, and no digest (warning)",
    "config-ref": "a ConfigMap or Secret that env, envFrom, volumes, imagePullSecrets or Ingress TLS name and "
                  "the stack does not define",
    "config-key": "a key of a ConfigMap or Secret that env or volume items read and the object does not have",
    "pvc-ref": "a persistentVolumeClaim volume naming a claim the stack does not define",
    "service-account": "serviceAccountName naming a ServiceAccount the stack does not define",
    "hpa-target": "HorizontalPodAutoscaler target missing or not scalable, or utilisation metrics without requests",
    "pdb-selector": "PodDisruptionBudget selector that matches no pod",
    "pdb-eviction": "PodDisruptionBudget that allows no eviction at all, so node drains hang (warning)",
    "netpol-selector": "NetworkPolicy pod selector (or a rule's peer selector) that matches no pod",
    "netpol-port": "NetworkPolicy ingress rule naming a port no selected pod declares",
    "role-ref": "RoleBinding/ClusterRoleBinding roleRef naming a Role or ClusterRole that does not exist",
    "generate-name": "generateName without name: kubectl apply cannot create it (error; a warning on an Argo CD or "
                     "Helm hook, which the tool creates)",
    "hook": "an Argo CD or Helm hook annotation (phase, delete policy, sync wave, weight) the tool does not understand",
}

REFERENCE_RULES = frozenset(
    {"config-ref", "config-key", "pvc-ref", "service-account", "hpa-target", "pdb-selector", "pdb-eviction",
     "netpol-selector", "netpol-port", "role-ref"}
)

# Rules of `render --output-dir` / `check`, which compare with the files already there.
OUTPUT_DIR_RULES: dict[str, str] = {
    "immutable-field": "a change kubectl apply cannot make to a live object (selector, clusterIP, ...)",
    "node-port-freed": "a Service change that frees a nodePort clients outside the cluster may rely on",
    "replicas-dropped": "a workload's replica count left out: applied, the live workload falls back to 1 pod",
}

CROSS_OBJECT_RULES = frozenset(
    {"selector-dangling", "selector-overlap", "target-port", "ingress-backend", *REFERENCE_RULES}
)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class CheckOptions(Record):
    """How to check.

    - ``node_port_range``: the cluster's ``--service-node-port-range``. Default: 30000-32767.
    - ``partial``: the manifests are not a whole stack (pods may live elsewhere), so a
      cross-object finding about something they lack (one that carries the declaration
      supplying it) is a warning instead of an error; a mismatch between two objects both
      present (a key the ConfigMap here lacks, a port the pods here do not declare, an
      autoscaler's cpu target on pods here without cpu requests) stays an error, as the
      file is wrong whatever else the app holds. Default: False.
    - ``ignore``: rule ids not to report. Default: none.
    - ``assume``: objects the cluster has that the manifests do not make
      (:class:`Assumed`); references to them are not findings. Default: none.
    - ``kube_version``: the Kubernetes version (``"1.36"``) whose API server the checks
      answer for. Default: the newest kubegen ships data for. A version outside the
      supported range raises :class:`kubegen.errors.UsageError`.
    """

    node_port_range: tuple[int, int] = facts.DEFAULT_NODE_PORT_RANGE
    partial: bool = False
    ignore: frozenset[str] = frozenset()
    assume: frozenset[Assumed] = frozenset()
    kube_version: str | None = attrs.field(default=None)

    @kube_version.validator
    def _known_version(self, _attribute: object, value: str | None) -> None:
        if value is not None:
            from kubegen.checks import kubeversion

            kubeversion.parse(value)

    @property
    def target(self) -> tuple[int, int]:
        """The target version as (major, minor)."""
        from kubegen.checks import kubeversion

        return kubeversion.parse(self.kube_version) if self.kube_version else kubeversion.shipped()[-1]


class Report:
    """Collects findings for the rules; the rules call :meth:`add`."""

    def __init__(self, options: CheckOptions) -> None:
        self.options = options
        self.target = options.target
        """The Kubernetes version the findings answer for, as (major, minor)."""
        self.findings: list[Finding] = []
        self.deferred: list[Callable[[], None]] = []
        """Actions to run after every rule (findings that depend on the others')."""
        # what a finding says is missing from the stack, as the declaration that would
        # supply it (``kubegen import`` declares these for a file of a larger app)
        self.missing: list[tuple[Assumed, Finding]] = []
        # every object checked, by identity, when a Checker runs the rules (else the
        # whole-stack rules catalogue the objects they are given)
        self.catalogue: Catalogue | None = None

    def add(
        self,
        rule: str,
        manifest: Manifest | None,
        message: str,
        path: Sequence[str | int] = (),
        *,
        severity: Severity = "error",
        suggestion: str | None = None,
        missing: Assumed | None = None,
    ) -> None:
        """Report a finding; ``missing``: what the stack lacks, as the declaration that supplies it."""
        if rule in self.options.ignore:
            return
        if self.options.partial and rule in CROSS_OBJECT_RULES and missing is not None:
            severity = "warning"
        finding = Finding(rule=rule, severity=severity, message=message, manifest=manifest, path=tuple(path),
                          suggestion=suggestion)
        self.findings.append(finding)
        if missing is not None:
            self.missing.append((missing, finding))


Rule = Callable[[Sequence[Manifest], Report], None]


def _object_rules() -> list[Rule]:
    """Rules that judge each object alone (they may see the objects in any batches)."""
    from kubegen.checks import hooks, images
    from kubegen.checks.schema import check_schema
    from kubegen.checks.validation import check_validation

    return [check_schema, check_validation, images.check_images, hooks.check_hooks]


def _stack_rules() -> tuple[list[Rule], frozenset[str]]:
    """Rules over the whole stack, and the kinds they read whole; every other object they
    know from the catalogue (identity, data keys)."""
    from kubegen.checks import references, wiring

    return [wiring.check_wiring, references.check_references], wiring.KINDS | references.KINDS


class Checker:
    """Runs every rule over objects that come in batches: lint streams a file of a million
    objects through it and keeps only what the whole-stack rules read.

    :meth:`add` admits each batch (:mod:`kubegen.checks.admission`), runs the per-object
    rules on it, enters every object in the catalogue (reporting ``duplicate``) and keeps
    the objects the whole-stack rules read (their kinds, and live objects: their uids
    tell which objects a controller in the input owns); :meth:`finish` runs the
    whole-stack rules and returns every finding, sorted.
    """

    def __init__(self, options: CheckOptions | None = None) -> None:
        from kubegen.checks.catalogue import Catalogue

        self.report = Report(options or CheckOptions())
        self.catalogue = self.report.catalogue = Catalogue()
        self.kept: list[Manifest] = []
        self._object_rules = _object_rules()
        self._stack_rules, self._kinds = _stack_rules()

    def add(self, manifests: Iterable[Manifest]) -> None:
        from kubegen.checks.admission import admit
        from kubegen.checks.wiring import report_duplicate

        report = self.report
        batch = admit(list(manifests), report)  # values JSON cannot carry: reported, not checked further
        for rule in self._object_rules:
            rule(batch, report)
        for action in report.deferred:  # per-object findings that depend on the batch's others
            action()
        report.deferred.clear()
        kinds, catalogue = self._kinds, self.catalogue
        for m in batch:
            first = catalogue.add(m)
            if first is not None:
                report_duplicate(m, first, report)
            if m.kind in kinds or "uid" in m.metadata or custom_pod_template(m.obj) is not None:
                self.kept.append(m)

    def finish(self) -> list[Finding]:
        for rule in self._stack_rules:
            rule(self.kept, self.report)
        return sort_findings(self.report.findings)


def run_checks(manifests: Iterable[Manifest], options: CheckOptions | None = None) -> list[Finding]:
    """Run every rule over the whole set; findings sorted by file, line, rule."""
    checker = Checker(options)
    checker.add(manifests)
    return checker.finish()


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[str, int, str, str]:
        loc = f.location
        return (loc.file, loc.line, f.rule, f.message)

    return sorted(findings, key=key)


def errors(findings: Iterable[Finding], *, strict: bool = False) -> list[Finding]:
    """The findings that fail a run (warnings too when ``strict``)."""
    return [f for f in findings if strict or f.severity == "error"]


def summary(findings: Sequence[Finding]) -> str:
    n_err = sum(1 for f in findings if f.severity == "error")
    n_warn = len(findings) - n_err
    return f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')}"
