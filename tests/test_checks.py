"""Each check rule: a stack built in Python that trips it (message text and app.py
line asserted) and a near miss that must pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import kubegen
from kubegen.appload import load_stacks
from kubegen.checks import CheckOptions, Finding

HEADER = """\
from kubegen import *
stack = Stack(namespace="shop")
web = Deployment(name="web", labels={"app": "web"},
                 containers=[Container(name="web", image="nginx:1.27", ports={"http": 8080})])
stack.add(web)
"""
# Lines 1-5 are the header; the case's own code starts on line 6.
FIRST = 6


def findings_of(tmp_path: Path, body: str, **options: object) -> list[Finding]:
    app = tmp_path / "app.py"
    app.write_text(HEADER + textwrap.dedent(body))
    stacks = load_stacks(str(app))
    return kubegen.check_stack(stacks, CheckOptions(**options))  # type: ignore[arg-type]


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, [f.format() for f in findings]
    return matching[0]


def test_selector_dangling_names_closest_labels_and_line(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        report = stack.add(Deployment(name="report", replicas=3, labels={"app": "report"},
                           containers=[Container(name="r", image="report:1", ports={"http": 8080})]))
        stack.add(Service(name="report", selector={"app": "reports"}, ports=[ServicePort(port=80, target_port="http")]))
    """)
    f = only(found, "selector-dangling")
    assert f.severity == "error"
    assert f.location.file.endswith("app.py") and f.location.line == FIRST + 2
    assert "Service 'report': selector {app: reports} matches no pod template in the stack" in f.message
    assert "closest pod labels: {app: report} (Deployment 'report')" in f.message
    assert "did you mean app=report?" in f.message


def test_selector_dangling_near_miss_passes(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="web", selector={"app": "web"}, ports=[ServicePort(port=80, target_port="http")]))
    """)
    assert found == []


def test_selector_in_other_namespace_is_dangling(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="web2", namespace="other", selector={"app": "web"}, ports=[80]))
    """)
    f = only(found, "selector-dangling")
    assert "runs in namespace 'shop': a Service only reaches pods of its own namespace" in f.message


def test_selector_overlap_is_a_warning(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        api = stack.add(Deployment(name="api", labels={"app": "api", "tier": "be"},
                        containers=[Container(name="a", image="a:1", ports={"http": 8080})]))
        jobs = stack.add(Deployment(name="jobs", labels={"app": "jobs", "tier": "be"},
                         containers=[Container(name="j", image="j:1", ports={"http": 8080})]))
        stack.add(Service(name="be", selector={"tier": "be"}, ports=[ServicePort(port=80, target_port="http")]))
    """)
    f = only(found, "selector-overlap")
    assert f.severity == "warning" and f.location.line == FIRST + 4
    assert "matches pods of 2 workloads (Deployment 'api', Deployment 'jobs')" in f.message
    # near miss: narrower selector
    found = findings_of(tmp_path, """\
        api = stack.add(Deployment(name="api", labels={"app": "api", "tier": "be"},
                        containers=[Container(name="a", image="a:1", ports={"http": 8080})]))
        stack.add(api.expose(80, target_port="http"))
    """)
    assert found == []


def test_named_target_port_missing(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="web", selector=web.pod_labels, ports=[ServicePort(port=80, target_port="htpp")]))
    """)
    f = only(found, "target-port")
    assert f.severity == "error" and f.location.line == FIRST
    assert "targets container port name 'htpp', but Deployment 'web' declares no port of that name" in f.message
    assert "(declares: http(8080))" in f.message and "did you mean 'http'?" in f.message


def test_expose_rejects_unknown_port_name_eagerly(tmp_path: Path) -> None:
    with pytest.raises(kubegen.AppLoadError, match=r"app.py:6: error while building the stack: "
                       r"expose\(Deployment 'web'\): target_port 'web' is not a port name"):
        findings_of(tmp_path, "stack.add(web.expose(80, target_port='web'))\n")


def test_numeric_target_port_undeclared_is_warning(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="web", selector=web.pod_labels, ports=[ServicePort(port=80, target_port=8081)]))
    """)
    f = only(found, "target-port")
    assert f.severity == "warning"
    assert "no selected container declares containerPort 8081 (declared: http(8080))" in f.message
    assert findings_of(tmp_path, """\
        stack.add(Service(name="web", selector=web.pod_labels, ports=[ServicePort(port=80, target_port=8080)]))
    """) == []


def test_target_port_that_is_a_host_port(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        db = stack.add(Pod(name="db", labels={"app": "db"}, containers=[Container(name="db", image="redis",
                       ports=[ContainerPort(container_port=6379, host_port=16379)])]))
        stack.add(Service(name="db", selector={"app": "db"}, ports=[ServicePort(port=6379, target_port=16379)]))
    """)
    f = only(found, "target-port")
    assert "16379 is a hostPort (the node's port) mapped to containerPort 6379" in f.message
    assert "use targetPort: 6379" in f.message


def test_ingress_backend_unknown_service_and_port(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        svc = stack.add(web.expose(80, target_port="http"))
        stack.add(Ingress(name="in", paths=[IngressPath(path="/a", service="wbe", port=80),
                                            IngressPath(path="/b", service="web", port=8080)]))
    """)
    rules = [f for f in found if f.rule == "ingress-backend"]
    assert len(rules) == 2, [f.format() for f in found]
    messages = sorted(f.message for f in rules)
    assert "Ingress 'in' routes to Service 'wbe', which the stack does not define in namespace 'shop'; " \
           "did you mean 'web'?" in messages
    assert ("Ingress 'in' routes to port 8080 of Service 'web', which has no such port (ports: 80); route to one "
            "of its ports or add port 8080 to Service 'web'") in messages
    assert all(f.location.line == FIRST + 1 for f in rules)


def test_ingress_backend_near_miss(tmp_path: Path) -> None:
    assert findings_of(tmp_path, """\
        svc = stack.add(web.expose(80, target_port="http"))
        stack.add(Ingress(name="in", paths={"/a": svc, "/b": (svc, 80)}))
    """) == []


def test_duplicate_objects(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Deployment(name="web", containers=[Container(name="web", image="nginx:2")]))
    """)
    f = only(found, "duplicate")
    assert f.location.line == FIRST
    assert "Deployment 'web' is defined twice (first at" in f.message and "app.py:3)" in f.message


def test_node_port_clash_and_range(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(web.expose(80, target_port="http", type="NodePort", node_port=30008, name="a"))
        stack.add(web.expose(81, target_port="http", type="NodePort", node_port=30008, name="b"))
        stack.add(web.expose(82, target_port="http", type="NodePort", node_port=8080, name="c"))
    """)
    node = sorted((f for f in found if f.rule == "node-port"), key=lambda f: f.location.line)
    assert [f.location.line for f in node] == [FIRST + 1, FIRST + 2]
    assert "nodePort 30008 is already claimed by Service 'a'" in node[0].message
    assert "spec.ports[0].nodePort: 8080 is outside the node-port range 30000-32767" in node[1].message
    # the same port is fine with a wider configured range
    ok = findings_of(tmp_path, """\
        stack.add(web.expose(82, target_port="http", type="NodePort", node_port=8080, name="c"))
    """, node_port_range=(1024, 32767))
    assert ok == []


def test_node_port_on_cluster_ip_via_raw(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Raw(manifest={"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "nodePort": 30001}]}}))
    """)
    f = only(found, "node-port")
    assert "spec.ports[0].nodePort: 30001 is set for port 80, but type is ClusterIP" in f.message
    assert f.location.line == FIRST


def test_service_type_suggests_case(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Raw(manifest={"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                  "spec": {"type": "ClusterIp", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}))
    """)
    f = only(found, "service-type")
    assert "spec.type: 'ClusterIp' is not one of ClusterIP, ExternalName, LoadBalancer, NodePort; did you mean " \
        "'ClusterIP'?" in f.message
    assert f.suggestion == "ClusterIP"


def test_service_type_builder_rejects_eagerly() -> None:
    with pytest.raises(kubegen.BuilderError, match=r"type 'Nodeport' is not one of .* did you mean 'NodePort'\?"):
        kubegen.Service(name="x", type="Nodeport", ports=[80])


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ([], "Service 'x': spec.ports: is required: a Service needs at least one port"),
        ([{"port": 80}, {"port": 81}], "spec.ports[0].name: is required: the Service has 2 ports, so each needs a name "
         "(add name: http)"),
        ([{"name": "a", "port": 80}, {"name": "b", "port": 80}], "spec.ports[1].port: 80/TCP is declared twice"),
        ([{"port": 70000}], "spec.ports[0].port: 70000 must be between 1 and 65535, inclusive"),
    ],
)
def test_service_ports(tmp_path: Path, ports: list[dict[str, object]], expected: str) -> None:
    found = findings_of(tmp_path, f"""\
        stack.add(Raw(manifest={{"apiVersion": "v1", "kind": "Service", "metadata": {{"name": "x"}},
                  "spec": {{"selector": {{"app": "web"}}, "ports": {ports!r}}}}}))
    """)
    messages = [f.message for f in found if f.rule == "service-ports"]
    assert any(expected in m for m in messages), [f.format() for f in found]


def test_service_ports_near_miss_headless_needs_none(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service.headless("peers", selector=web.pod_labels))
    """)
    assert found == []


def test_workload_selector_via_raw_and_eager(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Raw(manifest={"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "e"}},
            "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
    """)
    f = only(found, "workload-selector")
    assert "spec.template.metadata.labels: {app: e} do not match spec.selector {app: d}" in f.message
    with pytest.raises(kubegen.BuilderError, match=r"selector \{'app': 'x'\} does not match the pod labels"):
        kubegen.Deployment(name="d", selector={"app": "x"}, containers=[kubegen.Container(name="c", image="i")])


def test_name_rule_on_raw_and_builder(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Raw(manifest={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "My_Config"}}))
    """)
    f = only(found, "name")
    assert "ConfigMap 'My_Config': metadata.name: 'My_Config' must be a lowercase RFC 1123 subdomain: it must " \
        "consist of lower case alphanumeric characters" in f.message
    assert f.suggestion == "my-config"
    with pytest.raises(kubegen.BuilderError, match=r"Service: name 'web.api' must be a lowercase RFC 1123 label: .* \(try 'web-api'\)"):
        kubegen.Service(name="web.api", ports=[80])


def test_volume_mount_without_volume(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Raw(manifest={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"volumes": [{"name": "config", "emptyDir": {}}],
                     "containers": [{"name": "c", "image": "i", "volumeMounts": [{"name": "conf", "mountPath": "/c"}]}]}}))
    """)
    f = only(found, "volume-mount")
    assert "container 'c' mounts volume 'conf', which the pod does not declare (volumes: config); did you mean 'config'?" in f.message


def test_every_finding_reported_at_once(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="a", selector={"app": "nope"}, ports=[80]))
        stack.add(Service(name="b", selector=web.pod_labels, ports=[ServicePort(port=80, target_port="metrics")]))
        stack.add(Ingress(name="in", paths=[IngressPath(path="/", service="zzz", port=80)]))
    """)
    assert {f.rule for f in found} == {"selector-dangling", "target-port", "ingress-backend"}
    assert [f.location.line for f in found] == [FIRST, FIRST + 1, FIRST + 2]


def test_partial_turns_cross_object_rules_into_warnings(tmp_path: Path) -> None:
    found = findings_of(tmp_path, """\
        stack.add(Service(name="a", selector={"app": "nope"}, ports=[80]))
    """, partial=True)
    assert only(found, "selector-dangling").severity == "warning"


def test_render_refuses_stack_with_errors(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(HEADER + 'stack.add(Service(name="a", selector={"app": "nope"}, ports=[80]))\n')
    with pytest.raises(kubegen.FindingsError) as info:
        kubegen.render(load_stacks(str(app)))
    assert info.value.message == "1 error, 0 warnings: nothing was written"
    assert [f.rule for f in info.value.findings] == ["selector-dangling"]


# --- malformed input never crashes a rule ---------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kubegen.checks import run_checks  # noqa: E402
from kubegen.location import Location  # noqa: E402
from kubegen.manifest import Manifest  # noqa: E402

junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=6),
              st.sampled_from(["TCP", "http", "NodePort", "None", "app", "web"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["name", "port", "targetPort", "nodePort", "protocol", "selector",
                                         "matchLabels", "labels", "containers", "ports", "volumes",
                                         "volumeMounts", "type", "service", "number", "backend", "paths",
                                         "http", "rules", "template", "spec", "metadata", "containerPort"]),
                        inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["Service", "Deployment", "Pod", "Ingress", "StatefulSet", "CronJob"]),
       spec=junk, meta=junk)
def test_rules_survive_any_shape(kind: str, spec: object, meta: object) -> None:
    objs = [
        {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"template": {"metadata": meta, "spec": spec}}},
    ]
    manifests = [Manifest(obj, Location("junk.yaml", 1)) for obj in objs]
    for finding in run_checks(manifests):
        assert finding.rule and finding.message


def test_target_port_zero_or_empty_means_the_port(tmp_path: Path) -> None:
    # The API server defaults targetPort 0 or "" to the Service port: not an error.
    for target in (0, '""'):
        found = findings_of(tmp_path, f"""\
            stack.add(Raw(manifest={{"apiVersion": "v1", "kind": "Service", "metadata": {{"name": "web"}},
                      "spec": {{"selector": {{"app": "web"}}, "ports": [{{"port": 8080, "targetPort": {target}}}]}}}}))
        """)
        assert found == [], [f.format() for f in found]
