"""The simulated network: addresses checked with the standard library's ipaddress as
the oracle (inside the right network, never a network/broadcast/gateway address),
determinism, stability, scheduling, targetPort resolution and finding attachment."""

from __future__ import annotations

import ipaddress
import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegen.api import compile_stacks
from kubegen.appload import load_stacks
from kubegen.errors import UsageError
from kubegen.manifest import Manifest
from kubegen.network import Network, NetworkOptions, build_network
from kubegen.reader import read_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def from_app(name: str, **sets: str) -> list[Manifest]:
    return compile_stacks(load_stacks(str(EXAMPLES / name), sets))


def from_yaml(text: str) -> list[Manifest]:
    result = read_text(textwrap.dedent(text), "stack.yaml")
    assert result.problems == []
    return result.manifests


def many_services(n: int, replicas: int = 3) -> str:
    docs = []
    for i in range(n):
        docs.append(f"""\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {{name: svc{i:02d}}}
            spec:
              replicas: {replicas}
              selector: {{matchLabels: {{app: svc{i:02d}}}}}
              template:
                metadata: {{labels: {{app: svc{i:02d}}}}}
                spec:
                  containers: [{{name: c, image: "nginx:1.27", ports: [{{name: http, containerPort: {8000 + i}}}]}}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {{name: svc{i:02d}}}
            spec:
              type: {"NodePort" if i % 3 == 0 else "ClusterIP"}
              selector: {{app: svc{i:02d}}}
              ports: [{{port: 80, targetPort: http}}]
            """)
    return "---\n".join(textwrap.dedent(d) for d in docs)


def all_addresses(net: Network) -> list[str]:
    found = [n.ip for n in net.nodes]
    found += [p.ip for w in net.workloads for p in w.pods if p.ip]
    found += [s.cluster_ip for s in net.services if s.cluster_ip not in (None, "None")]  # type: ignore[misc]
    return found


@pytest.mark.parametrize(
    ("service_cidr", "pod_cidr", "nodes"),
    [("10.96.0.0/12", "10.244.0.0/16", 2), ("10.0.0.0/24", "10.1.0.0/22", 4), ("172.20.0.0/28", "10.8.0.0/16", 1)],
)
def test_every_address_is_a_usable_host_address(service_cidr: str, pod_cidr: str, nodes: int) -> None:
    net = build_network(from_yaml(many_services(10)), NetworkOptions(
        service_cidr=service_cidr, pod_cidr=pod_cidr, nodes=nodes))
    service_net = ipaddress.ip_network(service_cidr)
    for svc in net.services:
        ip = ipaddress.ip_address(svc.cluster_ip)
        assert ip in service_net
        assert ip not in (service_net.network_address, service_net.broadcast_address, service_net[1])
    assert len({s.cluster_ip for s in net.services}) == len(net.services)
    assert net.api_server_ip == str(service_net[1])
    for node in net.nodes:
        subnet = ipaddress.ip_network(node.pod_cidr)
        assert subnet.prefixlen == 24 and subnet.subnet_of(ipaddress.ip_network(pod_cidr))  # type: ignore[arg-type]
        for pod in (p for w in net.workloads for p in w.pods if p.node == node.name):
            ip = ipaddress.ip_address(pod.ip)
            assert ip in subnet and ip not in (subnet.network_address, subnet[1], subnet.broadcast_address)
    addresses = all_addresses(net)
    assert len(addresses) == len(set(addresses))
    for text in addresses:
        assert text.rsplit(".", 1)[1] not in ("0", "255"), text


def test_nodes_follow_the_documented_plan() -> None:
    net = build_network(from_app("nodeport.py"), NetworkOptions(nodes=3))
    assert [(n.name, n.ip, n.pod_cidr) for n in net.nodes] == [
        ("node-0", "192.168.49.2", "10.244.0.0/24"),
        ("node-1", "192.168.49.3", "10.244.1.0/24"),
        ("node-2", "192.168.49.4", "10.244.2.0/24"),
    ]
    pod = net.workloads[0].pods[0]
    assert (pod.name, pod.ip, pod.node) == ("myapp-pod", "10.244.0.2", "node-0")


def test_same_input_same_network() -> None:
    def snapshot() -> list[object]:
        net = build_network(from_app("shop.py"))
        return [(s.key, s.cluster_ip, [(p.name, p.ip, p.node) for w in s.workloads for p in w.pods])
                for s in net.services]

    assert snapshot() == snapshot()


def test_adding_an_unrelated_service_keeps_the_other_cluster_ips() -> None:
    before = {s.key: s.cluster_ip for s in build_network(from_yaml(many_services(8))).services}
    after = {s.key: s.cluster_ip for s in build_network(from_yaml(many_services(12))).services}
    assert all(after[key] == ip for key, ip in before.items())


def test_pods_spread_round_robin_over_nodes() -> None:
    net = build_network(from_yaml(many_services(5, replicas=3)), NetworkOptions(nodes=3))
    per_node = {n.name: 0 for n in net.nodes}
    for w in net.workloads:
        for p in w.pods:
            per_node[p.node] += 1  # type: ignore[index]
    assert sorted(per_node.values()) == [5, 5, 5]
    first = net.workloads[0]
    assert [p.node for p in first.pods] == ["node-0", "node-1", "node-2"]


def test_pods_beyond_node_capacity_stay_pending() -> None:
    net = build_network(from_yaml(many_services(1, replicas=230)), NetworkOptions(nodes=2))
    pods = net.workloads[0].pods
    assert sum(1 for p in pods if p.ip is None) == 230 - 2 * 110
    assert max(ipaddress.ip_address(p.ip) for p in pods if p.ip) == ipaddress.ip_address("10.244.1.111")


def test_target_port_resolves_to_the_container_port_number() -> None:
    net = build_network(from_app("shop.py"))
    frontend = next(s for s in net.services if s.name == "frontend")
    port = frontend.ports[0]
    assert (port.port, port.target_port, port.node_port) == (80, "http", 30080)
    assert [b.container_port for b in port.backends] == [3000]
    assert frontend.dns == "frontend.shop.svc.cluster.local"
    assert net.reach(frontend, port) == [
        ("dns", "frontend.shop.svc.cluster.local:80"),
        ("cluster-ip", f"{frontend.cluster_ip}:80"),
        ("node-port", "192.168.49.2:30080"),
        ("node-port", "192.168.49.3:30080"),
    ]


def test_load_balancer_gets_a_pool_address_and_node_ports() -> None:
    net = build_network(from_app("shop.py", env="prod"))
    frontend = next(s for s in net.services if s.name == "frontend")
    assert frontend.type == "LoadBalancer"
    assert ipaddress.ip_address(frontend.external_ip) in ipaddress.ip_network("192.168.49.192/26")
    port = frontend.ports[0]
    assert port.node_port_assigned and 30000 <= port.node_port <= 32767  # type: ignore[operator]
    vias = [via for via, _ in net.reach(frontend, port)]
    assert vias == ["dns", "cluster-ip", "node-port", "node-port", "load-balancer"]


BROKEN = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "nginx:1.27", ports: [{name: http, containerPort: 8080}]}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{name: a, port: 80, targetPort: htp}, {name: b, port: 81, targetPort: http}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: lost, namespace: shop}
    spec:
      selector: {app: wbe}
      ports: [{port: 80}]
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: site, namespace: shop}
    spec:
      rules:
      - host: shop.example.com
        http:
          paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
          - {path: /old, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}
    """


def test_findings_land_on_the_route_they_break() -> None:
    net = build_network(from_yaml(BROKEN))
    web = next(s for s in net.services if s.name == "web")
    bad, good = web.ports
    assert [f.rule for f in bad.findings] == ["target-port"] and bad.broken
    assert "did you mean 'http'?" in bad.findings[0].message
    assert bad.backends[0].container_port is None
    assert good.findings == [] and not good.broken and good.backends[0].container_port == 8080
    lost = next(s for s in net.services if s.name == "lost")
    assert [f.rule for f in lost.findings] == ["selector-dangling"]
    assert lost.workloads == [] and lost.ports[0].broken
    root, old = net.ingresses[0].routes
    assert root.service is web and root.port is good and not root.broken
    assert root.where == "http://shop.example.com/"
    assert [f.rule for f in old.findings] == ["ingress-backend"] and old.broken
    assert "routes to Service 'gone'" in old.findings[0].message
    assert net.other_findings == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (NetworkOptions(nodes=0), "--nodes 0: simulate between 1 and 100 nodes"),
        (NetworkOptions(service_cidr="10.96.0.1/12"), "--service-cidr '10.96.0.1/12': 10.96.0.1/12 has host bits set"),
        (NetworkOptions(pod_cidr="fd00::/64"), "--pod-cidr 'fd00::/64': only IPv4 networks are simulated"),
        (NetworkOptions(pod_cidr="10.0.0.0/24", nodes=2), "too small to give each of 2 nodes a /24"),
        (NetworkOptions(service_cidr="10.0.0.0/8"),  # a pod and a Service could get one address
         "--service-cidr 10.0.0.0/8 and --pod-cidr 10.244.0.0/16 overlap"),
        (NetworkOptions(pod_cidr="192.168.0.0/16"),
         "--pod-cidr 192.168.0.0/16: overlaps the simulated nodes' network 192.168.49.0/24"),
    ],
)
def test_bad_cluster_options_are_usage_errors(options: NetworkOptions, message: str) -> None:
    with pytest.raises(UsageError, match=None) as info:
        build_network(from_app("nodeport.py"), options)
    assert message in str(info.value)


def test_service_cidr_too_small_for_the_services() -> None:
    with pytest.raises(UsageError) as info:
        build_network(from_yaml(many_services(14)), NetworkOptions(service_cidr="10.0.0.0/28"))
    assert "--service-cidr 10.0.0.0/28: no room for 14 Services" in str(info.value)


def test_local_traffic_policy_answers_only_on_nodes_with_pods() -> None:
    text = many_services(1, replicas=1).replace("type: NodePort", "type: NodePort\n  externalTrafficPolicy: Local")
    net = build_network(from_yaml(text), NetworkOptions(nodes=3))
    svc = net.services[0]
    assert svc.local_traffic
    node_port = svc.ports[0].node_port
    assert net.node_addresses(svc, svc.ports[0]) == [f"192.168.49.2:{node_port}"]


_KEYS = ["selector", "ports", "port", "targetPort", "nodePort", "name", "protocol", "type", "rules", "http", "paths",
         "backend", "service", "number", "host", "path", "tls", "hosts", "template", "spec", "containers",
         "containerPort", "replicas", "metadata", "labels", "app", "clusterIP", "externalIPs", "loadBalancerIP",
         "defaultBackend", "hostNetwork", "externalTrafficPolicy", "matchLabels", "pathType"]
_LEAF = st.none() | st.booleans() | st.integers(-5, 70000) | st.sampled_from(
    ["web", "http", "None", "10.96.0.5", "LoadBalancer", "NodePort", "Local", "/", 'a"<b>&#'])
_VALUE = st.recursive(
    _LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUE, _VALUE, _VALUE)
def test_malformed_specs_never_crash_the_model_or_its_views(workload: object, service: object, ingress: object) -> None:
    from kubegen.explain import explain_json, explain_text
    from kubegen.graph import build_graph
    from kubegen.graph.dot import to_dot
    from kubegen.graph.mermaid import to_mermaid
    from kubegen.graph.svg import to_svg
    from kubegen.location import Location

    objs = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": workload},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": service},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": ingress},
    ]
    net = build_network([Manifest(obj, Location("fuzz.yaml", 1)) for obj in objs])
    assert explain_text(net).startswith("Simulated cluster: 2 nodes")
    assert json.loads(explain_json(net))["schema"] == "kubegen.explain/v1"
    graph = build_graph(net)
    assert to_svg(graph).startswith("<?xml") and to_mermaid(graph).startswith("flowchart LR")
    assert to_dot(graph).startswith("digraph kubegen {")
