"""The data model of the simulated network (see :mod:`kubegen.network`)."""

from __future__ import annotations

import ipaddress
from typing import Any

import attrs

from kubegen.checks import CheckOptions, Finding
from kubegen.checks.wiring import PodSet
from kubegen.manifest import Manifest

CLUSTER_DOMAIN = "cluster.local"
NODE_NETWORK = ipaddress.IPv4Network("192.168.49.0/24")
LB_POOL = (200, 254)  # last octets of NODE_NETWORK handed to LoadBalancers
MAX_PODS_PER_NODE = 110
MAX_NODES = 100
# Rules whose findings are about a route (shown on it); selector-overlap is a warning
# that the route lands on pods of several workloads.
ROUTE_RULES = frozenset({"selector-dangling", "selector-overlap", "target-port", "ingress-backend", "node-port"})
_SAFE = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of Kubernetes' generated name suffixes


@attrs.frozen(kw_only=True)
class NetworkOptions:
    """The simulated cluster. Defaults: service CIDR ``10.96.0.0/12``, pod CIDR
    ``10.244.0.0/16``, 2 nodes, default check options."""

    service_cidr: str = "10.96.0.0/12"
    pod_cidr: str = "10.244.0.0/16"
    nodes: int = 2
    checks: CheckOptions = attrs.field(factory=CheckOptions)


@attrs.frozen
class Node:
    name: str
    ip: str
    pod_cidr: str


@attrs.frozen
class PodInstance:
    """One simulated pod; ``ip`` and ``node`` are None while it is Pending."""

    name: str
    ip: str | None
    node: str | None


@attrs.define(eq=False)
class Workload:
    """A workload (or bare Pod) and the pods it runs; ``dns_blocked_by``: the egress
    NetworkPolicies that leave its pods no DNS (port 53)."""

    manifest: Manifest
    podset: PodSet
    replicas: int
    pods: list[PodInstance] = attrs.Factory(list)
    dns_blocked_by: list[str] = attrs.Factory(list)

    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def namespace(self) -> str:
        return self.podset.namespace

    @property
    def running(self) -> list[PodInstance]:
        return [p for p in self.pods if p.ip is not None]


@attrs.frozen
class Verdict:
    """May ``source`` (``Kind/name`` of a workload, ``outside`` or ``ingress-controller``)
    reach a backend? ``allowed`` None: it depends on the cluster (``note`` says on what);
    ``policies``: the NetworkPolicies that decide (that allow it, or that block it)."""

    source: str
    allowed: bool | None
    policies: list[str]
    note: str | None


@attrs.define(eq=False)
class PolicyModel:
    """A NetworkPolicy: ``ingress``/``egress`` rules, None when it does not isolate that
    direction; ``workloads``: whose pods it selects."""

    manifest: Manifest
    namespace: str
    name: str
    selector: dict[str, Any]
    ingress: list[dict[str, Any]] | None
    egress: list[dict[str, Any]] | None
    workloads: list[Workload] = attrs.Factory(list)

    def rules(self, direction: str) -> list[dict[str, Any]] | None:
        return self.ingress if direction == "ingress" else self.egress


@attrs.define(eq=False)
class Backend:
    """Where one Service port lands in one workload: ``container_port`` None = nowhere.
    ``access``: a verdict per source when a NetworkPolicy is involved (else empty);
    ``isolated_by``: the policies that isolate the workload's pods for ingress."""

    workload: Workload
    container_port: int | None
    access: list[Verdict] = attrs.Factory(list)
    isolated_by: list[str] = attrs.Factory(list)

    def verdict(self, source: str) -> Verdict | None:
        return next((v for v in self.access if v.source == source), None)


@attrs.define(eq=False)
class ServicePortModel:
    name: str | None
    protocol: str
    port: int
    target_port: int | str
    node_port: int | None = None
    node_port_assigned: bool = False
    manual_endpoints: bool = False  # no selector, or pods declared External: endpoints outside the stack
    backends: list[Backend] = attrs.Factory(list)
    findings: list[Finding] = attrs.Factory(list)

    @property
    def broken(self) -> bool:
        """An error finding on the port, or no pod it could reach."""
        if any(f.severity == "error" for f in self.findings):
            return True
        if self.manual_endpoints:
            return False
        return not any(b.container_port is not None and b.workload.running for b in self.backends)

    @property
    def spec(self) -> str:
        """``80:30008/TCP`` as ``kubectl get services`` shows it."""
        middle = f":{self.node_port}" if self.node_port else ""
        return f"{self.port}{middle}/{self.protocol}"


@attrs.define(eq=False)
class IngressRoute:
    """One Ingress rule path (or the default backend, ``path`` None)."""

    ingress: IngressModel
    host: str | None
    path: str | None
    path_type: str | None
    service_name: str
    service_port: int | str | None
    tls: bool
    manifest_path: tuple[str | int, ...]
    service: ServiceModel | None = None
    port: ServicePortModel | None = None
    findings: list[Finding] = attrs.Factory(list)

    @property
    def broken(self) -> bool:
        """An error finding on the route, or no such Service port."""
        return any(f.severity == "error" for f in self.findings) or self.port is None

    @property
    def where(self) -> str:
        """``https://shop.example.com/form``, ``/form on any host``, or the default backend."""
        if self.path is None:
            return f"any other request to {self.host}" if self.host else "any request no rule matches"
        if self.host:
            return f"{'https' if self.tls else 'http'}://{self.host}{self.path}"
        return f"{self.path} on any host"


@attrs.define(eq=False)
class IngressModel:
    manifest: Manifest
    namespace: str
    name: str
    class_name: str | None
    routes: list[IngressRoute] = attrs.Factory(list)


@attrs.define(eq=False)
class ServiceModel:
    manifest: Manifest
    namespace: str
    name: str
    type: str
    selector: dict[str, Any] | None
    cluster_ip: str | None = None  # "None" for a headless Service
    external_ip: str | None = None  # LoadBalancer address, "<pending>", or None
    external_ips: list[str] = attrs.Factory(list)
    external_name: str | None = None
    local_traffic: bool = False
    ports: list[ServicePortModel] = attrs.Factory(list)
    workloads: list[Workload] = attrs.Factory(list)
    declared: list[str] = attrs.Factory(list)  # pods the selector finds among External declarations
    routes: list[IngressRoute] = attrs.Factory(list)
    findings: list[Finding] = attrs.Factory(list)

    @property
    def spec(self) -> dict[str, Any]:
        """The manifest's ``spec`` (empty when malformed)."""
        spec = self.manifest.obj.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def dns(self) -> str:
        return f"{self.name}.{self.namespace}.svc.{CLUSTER_DOMAIN}"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@attrs.define(eq=False)
class Network:
    """The whole simulated network of a stack."""

    options: NetworkOptions
    nodes: list[Node]
    api_server_ip: str
    workloads: list[Workload]
    services: list[ServiceModel]
    ingresses: list[IngressModel]
    findings: list[Finding]
    other_findings: list[Finding]
    policies: list[PolicyModel] = attrs.Factory(list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def policy_verdict(self, port: ServicePortModel, source: str) -> Verdict | None:
        """Whether NetworkPolicies let ``source`` reach ``port`` at all: ``outside``,
        ``ingress-controller``, or ``cluster`` (any workload of the stack). Allowed when one
        backend admits it, blocked when none does (the policies named are those that
        block); None when no policy is involved."""
        verdicts = [v for b in port.backends if b.access for v in b.access
                    if v.source == source or (source == "cluster" and "/" in v.source)]
        if not verdicts:
            return None
        if any(v.allowed for v in verdicts):
            return Verdict(source, True, sorted({p for v in verdicts if v.allowed for p in v.policies}), None)
        maybe = [v for v in verdicts if v.allowed is None]
        if maybe:
            notes = "; ".join(dict.fromkeys(v.note for v in maybe if v.note))
            return Verdict(source, None, sorted({p for v in maybe for p in v.policies}), notes or None)
        return Verdict(source, False, sorted({p for v in verdicts for p in v.policies}), None)

    def node_addresses(self, service: ServiceModel, port: ServicePortModel) -> list[str]:
        """``nodeIP:nodePort`` on every node that forwards the port (``Local`` policy:
        only the nodes running one of its pods)."""
        if port.node_port is None:
            return []
        nodes = self.nodes
        if service.local_traffic:
            used = {p.node for b in port.backends if b.container_port for p in b.workload.running}
            nodes = [n for n in nodes if n.name in used]
        return [f"{n.ip}:{port.node_port}" for n in nodes]

    def reach(self, service: ServiceModel, port: ServicePortModel) -> list[tuple[str, str]]:
        """``(via, address)`` pairs a client can use for ``port``: ``dns``, ``cluster-ip``,
        ``node-port``, ``load-balancer``, ``external-ip`` (Ingress routes are in ``routes``)."""
        found = [("dns", f"{service.dns}:{port.port}")]
        if service.cluster_ip and service.cluster_ip != "None":
            found.append(("cluster-ip", f"{service.cluster_ip}:{port.port}"))
        found.extend(("node-port", address) for address in self.node_addresses(service, port))
        if service.type == "LoadBalancer" and service.external_ip and service.external_ip != "<pending>":
            found.append(("load-balancer", f"{service.external_ip}:{port.port}"))
        found.extend(("external-ip", f"{ip}:{port.port}") for ip in service.external_ips)
        return found
