"""The simulated network of a stack: what a cluster would make of its manifests.

:func:`build_network` turns manifests (from app.py or YAML) into a deterministic
model that ``kubegen explain`` prints and ``kubegen graph`` draws:

- **Nodes**: ``--nodes N`` (default 2) named ``node-0`` ... ``node-(N-1)``. Node *k* has
  the IP ``192.168.49.(k+2)`` (minikube's node network) and owns the *k*-th ``/24`` of the
  pod CIDR (default ``10.244.0.0/16``, so node *k* owns ``10.244.k.0/24``).
- **Pods**: each workload's replicas (a DaemonSet: one per node; a Job: its
  ``parallelism``; a CronJob: none until it runs) are spread round-robin over the nodes,
  workloads taken in (namespace, name, kind) order. In a node's ``/24`` the network
  address ``.0`` and the bridge gateway ``.1`` are never pod IPs: pods get ``.2``, ``.3``,
  ... A node holds at most 110 pods (the kubelet's default ``maxPods``); pods that fit
  nowhere stay ``Pending`` with no IP. ``hostNetwork`` pods use their node's IP.
- **Cluster IPs** come from the service CIDR (default ``10.96.0.0/12``). Its first
  address (``10.96.0.1``) is the ``kubernetes`` API Service, so it is never handed out;
  neither are the network and broadcast addresses nor any address ending in ``.0`` or
  ``.255``. Each Service's IP is picked by a hash of ``namespace/name`` (linear probing on
  a clash, Services taken in sorted order), so adding an unrelated Service does not move
  the others. An explicit ``spec.clusterIP`` is kept.
- **Node ports** missing from a NodePort/LoadBalancer Service are picked the same way
  from the node-port range (flagged ``assigned``: the real cluster picks its own).
- **Load balancers** get an external IP from ``192.168.49.200``-``192.168.49.254`` (a
  MetalLB-style pool on the node network) unless ``spec.loadBalancerIP`` names one; when
  the pool is exhausted the IP is ``<pending>``, as kubectl shows it.

Findings of the rules that break a route (:data:`ROUTE_RULES`) are attached to the
Service port, Service or Ingress route they break; all others stay in
``Network.other_findings``.

**NetworkPolicies** (:mod:`kubegen.network.policy`): where one isolates a Service's pods
(or the pods of a client), each backend carries a verdict per source (every workload
of the stack, clients outside the cluster, the Ingress controller), with the names of
the policies that allow or block it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from kubegen.checks import run_checks
from kubegen.checks.admission import admitted
from kubegen.checks.wiring import StackIndex
from kubegen.errors import UsageError
from kubegen.manifest import Manifest
from kubegen.network.model import (
    CLUSTER_DOMAIN,
    MAX_NODES,
    MAX_PODS_PER_NODE,
    NODE_NETWORK,
    ROUTE_RULES,
    Backend,
    IngressModel,
    IngressRoute,
    Network,
    NetworkOptions,
    Node,
    PodInstance,
    PolicyModel,
    ServiceModel,
    ServicePortModel,
    Verdict,
    Workload,
)
from kubegen.network.parse import attach_findings, link_route, read_ingress, read_service
from kubegen.network.policy import apply_policies, read_policies
from kubegen.network.simulate import assign_addresses, autoscaled_minimums, schedule

__all__ = [
    "CLUSTER_DOMAIN", "MAX_PODS_PER_NODE", "ROUTE_RULES", "Backend", "IngressModel", "IngressRoute", "Network",
    "NetworkOptions", "Node", "PodInstance", "PolicyModel", "ServiceModel", "ServicePortModel", "Verdict",
    "Workload", "build_network",
]


def _network(text: str, option: str) -> ipaddress.IPv4Network:
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc} (expected e.g. 10.96.0.0/12)") from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise UsageError(f"{option} {text!r}: only IPv4 networks are simulated")
    return net


def build_network(manifests: Sequence[Manifest], options: NetworkOptions | None = None) -> Network:
    """Simulate ``manifests`` on a cluster described by ``options`` (see the module doc)."""
    options = options or NetworkOptions()
    service_net = _network(options.service_cidr, "--service-cidr")
    pod_net = _network(options.pod_cidr, "--pod-cidr")
    if not 1 <= options.nodes <= MAX_NODES:
        raise UsageError(f"--nodes {options.nodes}: simulate between 1 and {MAX_NODES} nodes")
    if pod_net.prefixlen > 24 or 2 ** (24 - pod_net.prefixlen) < options.nodes:
        raise UsageError(
            f"--pod-cidr {options.pod_cidr}: too small to give each of {options.nodes} nodes a /24 "
            "(use a /16 such as 10.244.0.0/16)"
        )
    if service_net.prefixlen > 28:
        raise UsageError(f"--service-cidr {options.service_cidr}: too small (use e.g. 10.96.0.0/12)")
    if service_net.overlaps(pod_net):  # a cluster refuses this: a pod and a Service could get one address
        raise UsageError(f"--service-cidr {options.service_cidr} and --pod-cidr {options.pod_cidr} overlap; a "
                         "cluster's Service and pod networks are apart (e.g. 10.96.0.0/12 and 10.244.0.0/16)")
    for net, option in ((service_net, "--service-cidr"), (pod_net, "--pod-cidr")):
        if net.overlaps(NODE_NETWORK):
            raise UsageError(f"{option} {net}: overlaps the simulated nodes' network {NODE_NETWORK}; pick another "
                             "range (e.g. 10.96.0.0/12 for Services, 10.244.0.0/16 for pods)")
    subnets = pod_net.subnets(new_prefix=24)
    nodes = [Node(f"node-{k}", str(NODE_NETWORK[k + 2]), str(next(subnets))) for k in range(options.nodes)]
    findings = run_checks(manifests, options.checks)
    manifests = admitted(manifests)  # a value JSON cannot carry: a finding, and no part of the model
    index = StackIndex(manifests, options.checks.assume)  # pods declared External: selected, not simulated
    workloads = schedule(index, nodes, autoscaled_minimums(manifests))
    by_podset = {id(w.podset): w for w in workloads}
    services = [read_service(m, index, by_podset) for m in manifests if m.kind == "Service"]
    services.sort(key=lambda s: (s.namespace, s.name))
    assign_addresses(services, service_net, options.checks.node_port_range)
    ingresses = [read_ingress(m) for m in manifests if m.kind == "Ingress"]
    ingresses.sort(key=lambda i: (i.namespace, i.name))
    by_name = {(s.namespace, s.name): s for s in services}
    for ing in ingresses:
        for route in ing.routes:
            link_route(route, by_name)
    other = attach_findings(findings, services, ingresses)
    policies = read_policies(manifests, workloads)
    apply_policies(services, workloads, policies, manifests, options.pod_cidr)
    api_ip = str(service_net.network_address + 1)
    return Network(options, nodes, api_ip, workloads, services, ingresses, findings, other, policies)
