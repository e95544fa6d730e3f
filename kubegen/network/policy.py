"""NetworkPolicy in the simulated network: which sources may reach a Service's pods.

A pod is *isolated* for ingress when some NetworkPolicy of its namespace selects it with
``Ingress`` in its policy types; traffic into it then flows only if a rule of one of those
policies admits the source and the port. The same holds for egress on the source's side.
Both sides must allow a connection (Kubernetes' own semantics). Policies act on pod IPs
and container ports, after the Service has picked the pod, so a route is judged per
backend workload and per source:

- every workload of the stack (its simulated pod IPs count for ``ipBlock`` peers);
- ``outside``: clients outside the cluster (node ports, load balancers, external IPs);
  only ``ipBlock`` peers or rules without peers admit them;
- ``ingress-controller``: the Ingress controller's pods, in a namespace the stack does not
  hold: a ``namespaceSelector`` peer admits them only if that namespace matches, which the
  stack cannot know (verdict ``None``: depends).

A verdict is ``True`` (allowed), ``False`` (blocked) or ``None`` (depends on the cluster),
with the names of the policies that decide it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from kubegen.checks.validation.meta import selector_matches
from kubegen.checks.wiring import DEFAULT_NAMESPACE
from kubegen.finding import flow_labels, flow_selector
from kubegen.manifest import Manifest
from kubegen.network.model import Backend, PolicyModel, ServiceModel, Verdict, Workload

OUTSIDE = "outside"
CONTROLLER = "ingress-controller"
NAME_LABEL = "kubernetes.io/metadata.name"


def read_policies(manifests: Sequence[Manifest], workloads: list[Workload]) -> list[PolicyModel]:
    """Every NetworkPolicy, with the workloads whose pods it selects."""
    found = []
    for m in manifests:
        if m.kind != "NetworkPolicy" or not m.api_version.startswith("networking.k8s.io/"):
            continue
        spec = m.obj.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        selector = spec.get("podSelector")
        selector = selector if isinstance(selector, dict) else {}
        types = spec.get("policyTypes")
        if not isinstance(types, list) or not types:
            # the API server's defaulting: Ingress, and Egress when there are egress rules
            # (an empty list is none: `egress: []` alone does not isolate egress)
            types = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
        rules = {d: [r for r in spec.get(d) or [] if isinstance(r, dict)] if d.capitalize() in types else None
                 for d in ("ingress", "egress")}
        namespace = m.namespace or DEFAULT_NAMESPACE
        policy = PolicyModel(m, namespace, m.name, selector, rules["ingress"], rules["egress"])
        policy.workloads = [w for w in workloads if w.namespace == namespace and matches(selector, w.podset.labels)]
        found.append(policy)
    found.sort(key=lambda p: (p.namespace, p.name))
    return found


def matches(selector: Any, labels: dict[str, Any]) -> bool:
    """Whether a LabelSelector (``{}``: everything) picks ``labels``."""
    if not isinstance(selector, dict):
        return False
    wanted = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(wanted, dict) or not isinstance(expressions, list):
        return False
    return all(labels.get(k) == v for k, v in wanted.items()) and selector_matches(
        {"matchExpressions": expressions}, labels)


class Judge:
    """Answers "may SOURCE reach WORKLOAD on this port?" for the stack's policies."""

    def __init__(self, policies: list[PolicyModel], manifests: Sequence[Manifest], pod_cidr: str) -> None:
        self.policies = policies
        self.pod_net = ipaddress.ip_network(pod_cidr)
        # the labels of the Namespaces the stack declares; of any other namespace only
        # its name label is known
        self.namespace_labels: dict[str, dict[str, Any]] = {}
        for m in manifests:
            if m.kind == "Namespace" and m.name:
                labels = m.metadata.get("labels")
                self.namespace_labels[m.name] = labels if isinstance(labels, dict) else {}

    def isolating(self, workload: Workload, direction: str) -> list[PolicyModel]:
        return [p for p in self.policies if workload in p.workloads and p.rules(direction) is not None]

    def _labels_of(self, namespace: str) -> dict[str, Any]:
        return {**self.namespace_labels.get(namespace, {}), NAME_LABEL: namespace}

    def _peer(self, peer: dict[str, Any], policy: PolicyModel, source: Workload | str) -> tuple[bool | None, str]:
        block = peer.get("ipBlock")
        if isinstance(block, dict):
            return self._block(block, source)
        pods, spaces = peer.get("podSelector"), peer.get("namespaceSelector")
        if isinstance(source, Workload):
            if pods is not None and not matches(pods, source.podset.labels):
                return False, ""
            if spaces is None:
                return source.namespace == policy.namespace, ""
            if matches(spaces, self._labels_of(source.namespace)):
                return True, ""
            if source.namespace in self.namespace_labels or not _by_name(spaces, source.namespace):
                return False, ""
            return None, f"if namespace {source.namespace} is labelled {_shown(spaces)}"
        if source == CONTROLLER and spaces is not None:
            if spaces == {} and pods is None:
                return True, ""
            where = "any namespace" if spaces == {} else f"a namespace labelled {_shown(spaces)}"
            pods_text = "" if pods is None else f" and its pods are labelled {_shown(pods)}"
            return None, f"if the controller runs in {where}{pods_text}"
        return False, ""

    def _block(self, block: dict[str, Any], source: Workload | str) -> tuple[bool | None, str]:
        try:
            net = ipaddress.ip_network(str(block.get("cidr")), strict=False)
            excluded = [ipaddress.ip_network(str(e), strict=False) for e in block.get("except") or []]
        except ValueError:
            return False, ""
        if isinstance(source, Workload):
            ips = [ipaddress.ip_address(p.ip) for p in source.running if p.ip]
            inside = bool(ips) and all(ip in net and not any(ip in e for e in excluded) for ip in ips)
            return inside, ""
        pods = net.version == self.pod_net.version and net.overlaps(self.pod_net)  # type: ignore[arg-type]
        if source == CONTROLLER:  # a pod: its IP is in the pod CIDR
            return (None, f"if the controller's pod IPs are in {net}") if pods else (False, "")
        if net.prefixlen == 0 and not excluded:
            return True, ""
        if net.version == self.pod_net.version and net.subnet_of(self.pod_net):  # type: ignore[arg-type]
            return False, ""  # pod addresses only
        return None, f"only from {net}" + (f" except {', '.join(map(str, excluded))}" if excluded else "")

    def _admits(self, policy: PolicyModel, direction: str, peer_of: Workload | str, port: int | None,
                name: str | None, protocol: str) -> tuple[bool | None, str]:
        notes: list[str] = []
        for rule in policy.rules(direction) or []:
            if not _ports_match(rule.get("ports"), port, name, protocol):
                continue
            peers = rule.get("from" if direction == "ingress" else "to")
            if not peers:
                return True, ""
            for peer in peers:
                if isinstance(peer, dict):
                    allowed, note = self._peer(peer, policy, peer_of)
                    if allowed:
                        return True, ""
                    if allowed is None:
                        notes.append(note)
        return (None, "; ".join(dict.fromkeys(notes))) if notes else (False, "")

    def side(self, target: Workload, direction: str, other: Workload | str, port: int | None, name: str | None,
             protocol: str) -> Verdict:
        """One side of a connection: ``target``'s ``direction`` policies about ``other``."""
        isolating = self.isolating(target, direction)
        if not isolating:
            return Verdict(_label(other), True, [], None)
        notes, maybe = [], []
        for policy in isolating:
            allowed, note = self._admits(policy, direction, other, port, name, protocol)
            if allowed:
                return Verdict(_label(other), True, [policy.name], None)
            if allowed is None:
                maybe.append(policy.name)
                notes.append(note)
        if maybe:
            return Verdict(_label(other), None, maybe, "; ".join(dict.fromkeys(notes)))
        return Verdict(_label(other), False, [p.name for p in isolating], None)

    def connection(self, source: Workload | str, backend: Backend, name: str | None, protocol: str) -> Verdict:
        """Both sides: the source's egress (a workload of the stack) and the backend's ingress."""
        into = self.side(backend.workload, "ingress", source, backend.container_port, name, protocol)
        if not isinstance(source, Workload) or into.allowed is False:
            return into
        out = self.side(source, "egress", backend.workload, backend.container_port, name, protocol)
        if out.allowed is False:
            return Verdict(into.source, False, out.policies, None)
        policies = into.policies + out.policies
        if into.allowed is None or out.allowed is None:
            notes = "; ".join(n for n in (into.note, out.note) if n)
            return Verdict(into.source, None, policies, notes or None)
        return Verdict(into.source, True, policies, None)

    def dns_blocked(self, workload: Workload) -> list[str]:
        """The egress policies that leave ``workload`` no way to DNS (port 53): it cannot
        resolve Service names (empty: DNS works)."""
        isolating = self.isolating(workload, "egress")
        for policy in isolating:
            for rule in policy.rules("egress") or []:
                peers = [p for p in rule.get("to") or [] if isinstance(p, dict)]
                # the cluster DNS runs in kube-system: a same-namespace pod selector cannot reach it
                reaches = not peers or policy.namespace == "kube-system" or any(
                    "namespaceSelector" in p or "ipBlock" in p for p in peers)
                if reaches and _ports_match(rule.get("ports"), 53, None, "UDP"):
                    return []
        return [p.name for p in isolating]


def _shown(selector: Any) -> str:
    """``{team: ops}`` for labels only, else kubectl's form (``team in (ops,sre)``)."""
    if not isinstance(selector, dict):
        return "(none)"
    labels = selector.get("matchLabels")
    if isinstance(labels, dict) and labels and not selector.get("matchExpressions"):
        return flow_labels(labels)
    return flow_selector(selector)


def _by_name(selector: Any, namespace: str) -> bool:
    """Whether a namespace selector's requirements on the name label (the one label every
    namespace has) let ``namespace`` through: then only its other labels decide."""
    if not isinstance(selector, dict):
        return False
    wanted = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    named = {"matchLabels": {k: v for k, v in wanted.items() if k == NAME_LABEL} if isinstance(wanted, dict) else {},
             "matchExpressions": [e for e in expressions if isinstance(e, dict) and e.get("key") == NAME_LABEL]
             if isinstance(expressions, list) else []}
    return matches(named, {NAME_LABEL: namespace})


def _label(source: Workload | str) -> str:
    return f"{source.kind}/{source.name}" if isinstance(source, Workload) else source


def _ports_match(ports: Any, number: int | None, name: str | None, protocol: str) -> bool:
    if not ports:
        return True
    for item in ports if isinstance(ports, list) else []:
        if not isinstance(item, dict) or item.get("protocol", "TCP") != protocol:
            continue
        port, end = item.get("port"), item.get("endPort")
        if port is None:
            return True
        if isinstance(port, str) and name is not None and port == name:
            return True
        if isinstance(port, int) and number is not None and (
                port == number or (isinstance(end, int) and port <= number <= end)):
            return True
    return False


def apply_policies(services: list[ServiceModel], workloads: list[Workload], policies: list[PolicyModel],
                   manifests: Sequence[Manifest], pod_cidr: str) -> None:
    """Fill each backend's ``access`` (one verdict per source) when a policy is involved."""
    if not policies:
        return
    judge = Judge(policies, manifests, pod_cidr)
    for w in workloads:
        w.dns_blocked_by = judge.dns_blocked(w)
    for svc in services:
        external = svc.type in ("NodePort", "LoadBalancer") or bool(svc.external_ips)
        for port in svc.ports:
            routed = any(r.port is port for r in svc.routes)
            for backend in port.backends:
                if backend.container_port is None:
                    continue
                name = _container_port_name(backend, port.target_port)
                sources: list[Workload | str] = list(workloads)
                if external:
                    sources.append(OUTSIDE)
                if routed:
                    sources.append(CONTROLLER)
                verdicts = [judge.connection(s, backend, name, port.protocol) for s in sources]
                involved = judge.isolating(backend.workload, "ingress") or any(
                    isinstance(s, Workload) and judge.isolating(s, "egress") for s in sources)
                if involved:
                    backend.access = verdicts
                    backend.isolated_by = [p.name for p in judge.isolating(backend.workload, "ingress")]


def _container_port_name(backend: Backend, target: int | str) -> str | None:
    if isinstance(target, str):
        return target
    for declared in backend.workload.podset.declared_ports():
        if declared.get("containerPort") == backend.container_port and isinstance(declared.get("name"), str):
            return str(declared["name"])
    return None
