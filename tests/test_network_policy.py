"""NetworkPolicy in ``kubegen explain`` and ``kubegen graph``: routes a policy blocks are
shown blocked with the policy's name, allowed ones allowed, in text, JSON and pictures;
the verdicts follow Kubernetes' semantics (both sides of a connection, named ports,
ranges, ipBlocks, namespace selectors)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kubegen import Container, Deployment, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyRule, Stack
from kubegen.api import compile_stacks
from kubegen.cli import main
from kubegen.graph import build_graph
from kubegen.graph.mermaid import to_mermaid
from kubegen.network import build_network
from kubegen.reader import read_text

APP = """\
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {team: shop}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: shop}
    spec:
      replicas: 2
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: api, image: api:1, ports: [{name: http, containerPort: 8080}]}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 80}]}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: worker, namespace: shop}
    spec:
      selector: {matchLabels: {app: worker}}
      template:
        metadata: {labels: {app: worker}}
        spec: {containers: [{name: w, image: w:1}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: shop}
    spec:
      selector: {app: api}
      ports: [{port: 80, targetPort: http}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      type: NodePort
      selector: {app: web}
      ports: [{port: 80, targetPort: http, nodePort: 30080}]
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop}
    spec:
      rules:
      - http:
          paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
    """

DENY = """\
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: default-deny, namespace: shop}
    spec:
      podSelector: {}
      policyTypes: [Ingress]
    """


def policy(name: str, spec: str) -> str:
    body = textwrap.indent(textwrap.dedent(spec), "      ")
    return f"""\
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {{name: {name}, namespace: shop}}
    spec:
{body}"""


def explain(tmp_path: Path, *docs: str, fmt: str = "text") -> tuple[int, str]:
    path = tmp_path / "app.yaml"
    path.write_text(textwrap.dedent(APP) + "".join(textwrap.dedent(d) for d in docs))
    result = CliRunner().invoke(main, ["explain", str(path), "--format", fmt])
    return result.exit_code, result.stdout


def port_of(doc: dict[str, Any], service: str) -> dict[str, Any]:
    svc = next(s for s in doc["services"] if s["name"] == service)
    port: dict[str, Any] = svc["ports"][0]
    return port


def test_without_policies_nothing_is_blocked(tmp_path: Path) -> None:
    code, out = explain(tmp_path)
    assert code == 0 and "blocked" not in out and "NetworkPolicy" not in out
    doc = json.loads(explain(tmp_path, fmt="json")[1])
    assert doc["networkPolicies"] == []
    web = port_of(doc, "web")
    assert web["endpoints"][0]["access"] == [] and web["endpoints"][0]["isolatedBy"] == []
    assert all(r["blocked"] is False and r["blockedBy"] == [] for r in web["reach"])


def test_default_deny_blocks_every_route(tmp_path: Path) -> None:
    code, out = explain(tmp_path, DENY)
    assert code == 0
    for route in ("in cluster    api.shop.svc.cluster.local:80", "cluster IP", "node port     192.168.49.2:30080",
                  "Ingress       / on any host   (Ingress web)"):
        line = next(x for x in out.splitlines() if route in x)
        assert line.endswith("✗ blocked by NetworkPolicy default-deny"), line
    assert "✗ blocked    from Deployment api, Deployment web, Deployment worker, outside the cluster and" in out \
        or "✗ blocked  from Deployment api, Deployment web, Deployment worker" in out
    assert "NetworkPolicy shop/default-deny" in out and "isolates ingress of Deployment api, Deployment web" in out
    doc = json.loads(explain(tmp_path, DENY, fmt="json")[1])
    assert doc["networkPolicies"][0] == {
        "namespace": "shop", "name": "default-deny", "source": doc["networkPolicies"][0]["source"],
        "podSelector": {}, "policyTypes": ["Ingress"],
        "workloads": ["Deployment/api", "Deployment/web", "Deployment/worker"]}
    web = port_of(doc, "web")
    assert {(r["via"], r["blocked"]) for r in web["reach"]} == {
        ("dns", True), ("cluster-ip", True), ("node-port", True)}
    assert all(r["blockedBy"] == ["default-deny"] for r in web["reach"])
    assert web["ingress"][0]["blocked"] is True and doc["ingresses"][0]["routes"][0]["blockedBy"] == ["default-deny"]
    access = web["endpoints"][0]["access"]
    assert {a["source"] for a in access} == {"Deployment/api", "Deployment/web", "Deployment/worker", "outside",
                                             "ingress-controller"}
    assert all(a["allowed"] is False and a["policies"] == ["default-deny"] for a in access)


def test_an_allow_rule_opens_one_route_by_named_port(tmp_path: Path) -> None:
    allow = policy("api-from-web", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: http}]
        """)
    code, out = explain(tmp_path, DENY, allow)
    assert code == 0
    assert "✓ allowed  from Deployment web   via api-from-web" in out
    assert "in cluster    api.shop.svc.cluster.local:80   only from Deployment web (NetworkPolicy)" in out
    doc = json.loads(explain(tmp_path, DENY, allow, fmt="json")[1])
    access = {a["source"]: a for a in port_of(doc, "api")["endpoints"][0]["access"]}
    assert access["Deployment/web"]["allowed"] is True and access["Deployment/web"]["policies"] == ["api-from-web"]
    assert access["Deployment/worker"]["allowed"] is False
    assert sorted(access["Deployment/worker"]["policies"]) == ["api-from-web", "default-deny"]
    wrong_port = policy("api-from-web", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: 9090}]
        """)
    doc = json.loads(explain(tmp_path, DENY, wrong_port, fmt="json")[1])
    assert all(not a["allowed"] for a in port_of(doc, "api")["endpoints"][0]["access"])


def test_port_ranges_protocols_and_namespace_labels(tmp_path: Path) -> None:
    ranged = policy("range", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: worker}}}]
          ports: [{port: 8000, endPort: 8100}]
        - from: [{podSelector: {matchLabels: {app: web}}}]
          ports: [{port: 8080, protocol: UDP}]
        """)
    doc = json.loads(explain(tmp_path, ranged, fmt="json")[1])
    access = {a["source"]: a["allowed"] for a in port_of(doc, "api")["endpoints"][0]["access"]}
    assert access == {"Deployment/api": False, "Deployment/web": False, "Deployment/worker": True}


def test_outside_clients_and_the_ingress_controller(tmp_path: Path) -> None:
    open_web = policy("web-public", """\
        podSelector: {matchLabels: {app: web}}
        ingress:
        - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
        """)
    doc = json.loads(explain(tmp_path, DENY, open_web, fmt="json")[1])
    web = port_of(doc, "web")
    assert next(r for r in web["reach"] if r["via"] == "node-port")["blocked"] is False
    office = policy("web-office", """\
        podSelector: {matchLabels: {app: web}}
        ingress:
        - from: [{ipBlock: {cidr: 203.0.113.0/24}}]
        - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
        """)
    code, out = explain(tmp_path, DENY, office)
    node_port = next(x for x in out.splitlines() if "node port     192.168.49.2:30080" in x)
    assert node_port.endswith("? only from 203.0.113.0/24 (NetworkPolicy web-office)")
    ingress = next(x for x in out.splitlines() if x.strip().startswith("Ingress       /"))
    assert "? if the controller runs in a namespace labelled {kubernetes.io/metadata.name: ingress-nginx}" in ingress
    doc = json.loads(explain(tmp_path, DENY, office, fmt="json")[1])
    assert port_of(doc, "web")["ingress"][0]["blocked"] is None


def test_egress_policies_of_the_client_count_and_dns_is_reported(tmp_path: Path) -> None:
    egress = policy("web-egress", """\
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Egress]
        egress:
        - to: [{podSelector: {matchLabels: {app: worker}}}]
        """)
    code, out = explain(tmp_path, egress)
    doc = json.loads(explain(tmp_path, egress, fmt="json")[1])
    access = {a["source"]: a for a in port_of(doc, "api")["endpoints"][0]["access"]}
    assert access["Deployment/web"]["allowed"] is False and access["Deployment/web"]["policies"] == ["web-egress"]
    assert access["Deployment/worker"]["allowed"] is True
    assert "DNS: Deployment shop/web cannot resolve Service names: NetworkPolicy web-egress allow(s) no egress to " \
           "port 53/UDP; allow DNS" in out
    web = next(w for w in doc["workloads"] if w["name"] == "web")
    assert web["dnsBlockedBy"] == ["web-egress"]
    dns = policy("web-egress", """\
        podSelector: {matchLabels: {app: web}}
        policyTypes: [Egress]
        egress:
        - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
        """)
    assert "DNS:" not in explain(tmp_path, dns)[1]


def test_a_typed_stack_default_deny_and_allow_in_explain_and_graph() -> None:
    api = Deployment(name="api", containers=[Container(name="api", image="api:1", ports={"http": 8080})])
    web = Deployment(name="web", containers=[Container(name="web", image="web:1", ports={"http": 80})])
    stack = Stack(namespace="shop", objects=[api, web, api.expose(80, target_port="http"),
                                             web.expose(80, target_port="http", type="NodePort", node_port=30080),
                                             NetworkPolicy.deny_all(), NetworkPolicy.allow(to=api, from_=web)])
    network = build_network(compile_stacks(stack))
    picture = to_mermaid(build_graph(network))
    assert '-.->|":30080 → 80 ✗ blocked by NetworkPolicy default-deny"|' in picture
    assert '"80 → http(8080) (NetworkPolicy: only from web)"' in picture
    assert '"80 → http(80) ✗ blocked by NetworkPolicy default-deny"' in picture
    web_port = next(s for s in network.services if s.name == "web").ports[0]
    verdict = network.policy_verdict(web_port, "cluster")
    assert verdict is not None and verdict.allowed is False and verdict.policies == ["default-deny"]


def test_policy_egress_rules_built_in_python_read_back() -> None:
    web = Deployment(name="web", containers=[Container(name="web", image="web:1")])
    lock = NetworkPolicy(name="lock", pod_selector=web.match_labels, egress=[
        NetworkPolicyRule(peers=[NetworkPolicyPeer.namespaces(name="kube-system")], ports=[53])])
    network = build_network(read_text(_yaml(Stack(objects=[web, lock])), "s.yaml").manifests)
    # TCP 53 only: UDP DNS is still blocked
    assert network.workloads[0].dns_blocked_by == ["lock"]


def _yaml(stack: Stack) -> str:
    from kubegen.api import write_manifests

    return write_manifests(compile_stacks(stack), check=False)


# --- semantics, case by case against the Kubernetes documentation -----------------------
# (concepts/services-networking/network-policies and the API reference of NetworkPolicySpec)

MONITORING = """\
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: mon, namespace: monitoring}
    spec:
      selector: {matchLabels: {app: mon}}
      template:
        metadata: {labels: {app: mon}}
        spec: {containers: [{name: mon, image: mon:1}]}
    """
OPS_NAMESPACE = """\
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: monitoring, labels: {team: ops}}
    """


def into_api(tmp_path: Path, *docs: str) -> dict[str, bool | None]:
    """Whether each source may reach the api pods (True everywhere when no policy is involved)."""
    doc = json.loads(explain(tmp_path, *docs, fmt="json")[1])
    access = port_of(doc, "api")["endpoints"][0]["access"]
    if not access:
        return {f"{w['kind']}/{w['name']}": True for w in doc["workloads"]}
    return {a["source"]: a["allowed"] for a in access if "/" in a["source"]}


def test_an_empty_egress_list_does_not_make_a_policy_an_egress_policy(tmp_path: Path) -> None:
    # policyTypes defaults to Ingress, plus Egress only when the policy has egress rules:
    # `egress: []` has none, so web's egress is not isolated (its ingress is)
    empty = policy("web-in", """\
        podSelector: {matchLabels: {app: web}}
        egress: []
        """)
    doc = json.loads(explain(tmp_path, empty, fmt="json")[1])
    assert doc["networkPolicies"][0]["policyTypes"] == ["Ingress"]
    assert into_api(tmp_path, empty)["Deployment/web"] is True
    assert next(w for w in doc["workloads"] if w["name"] == "web")["dnsBlockedBy"] == []
    assert "isolates ingress of Deployment web" in explain(tmp_path, empty)[1]


def test_an_empty_policy_types_list_defaults_like_an_absent_one(tmp_path: Path) -> None:
    deny = policy("api-deny", """\
        podSelector: {matchLabels: {app: api}}
        policyTypes: []
        """)
    doc = json.loads(explain(tmp_path, deny, fmt="json")[1])
    assert doc["networkPolicies"][0]["policyTypes"] == ["Ingress"]
    assert set(into_api(tmp_path, deny).values()) == {False}


@pytest.mark.parametrize("rules", ["[{}]", "[{from: []}]", "[{from: [], ports: []}]"])
def test_a_rule_without_peers_or_ports_admits_everything(tmp_path: Path, rules: str) -> None:
    opened = policy("api-open", f"""\
        podSelector: {{matchLabels: {{app: api}}}}
        ingress: {rules}
        """)
    assert set(into_api(tmp_path, DENY, opened).values()) == {True}


def test_namespace_and_pod_selector_in_one_peer_is_and_in_two_peers_or(tmp_path: Path) -> None:
    both = policy("and", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: web}}}]
        """)
    either = policy("or", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {team: ops}}}, {podSelector: {matchLabels: {app: web}}}]
        """)
    assert set(into_api(tmp_path, MONITORING, OPS_NAMESPACE, both).values()) == {False}
    assert into_api(tmp_path, MONITORING, OPS_NAMESPACE, either) == {
        "Deployment/api": False, "Deployment/mon": True, "Deployment/web": True, "Deployment/worker": False}


def test_namespace_labels_the_stack_does_not_declare_are_not_judged(tmp_path: Path) -> None:
    # the monitoring namespace is not in the stack: whether it carries team=ops is the
    # cluster's business, so its pods "depend"; its name label is always known
    by_label = policy("ops", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {team: ops}}}]
        """)
    verdicts = into_api(tmp_path, MONITORING, by_label)
    assert verdicts["Deployment/mon"] is None
    assert verdicts["Deployment/web"] is False  # shop is declared (labelled team: shop)
    by_name = policy("ops", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
        """)
    assert into_api(tmp_path, MONITORING, by_name)["Deployment/mon"] is True
    code, out = explain(tmp_path, MONITORING, by_label)
    assert "? depends  from Deployment mon" in out and "team: ops" in out


def test_a_named_port_is_resolved_on_each_selected_pod(tmp_path: Path) -> None:
    # two workloads behind one Service both call their port http, on different numbers:
    # a policy on port 8080 opens only the one that serves http on 8080
    other = """\
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api-canary, namespace: shop}
        spec:
          selector: {matchLabels: {app: api, track: canary}}
          template:
            metadata: {labels: {app: api, track: canary}}
            spec: {containers: [{name: api, image: api:2, ports: [{name: http, containerPort: 9090}]}]}
        """
    numbered = policy("api-8080", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - ports: [{port: 8080}]
        """)
    doc = json.loads(explain(tmp_path, other, numbered, fmt="json")[1])
    endpoints = {e["workload"]: e for e in port_of(doc, "api")["endpoints"]}
    assert {a["allowed"] for a in endpoints["Deployment/api"]["access"]} == {True}
    assert {a["allowed"] for a in endpoints["Deployment/api-canary"]["access"]} == {False}


def test_a_namespace_selector_by_expressions_is_shown_in_its_condition(tmp_path: Path) -> None:
    by_expression = policy("ops", """\
        podSelector: {matchLabels: {app: api}}
        ingress:
        - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [ops, sre]}]}}]
        """)
    out = explain(tmp_path, MONITORING, by_expression)[1]
    assert "? depends  from Deployment mon (if namespace monitoring is labelled team in (ops,sre))" in out
