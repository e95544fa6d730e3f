"""External declarations of pods and Services (``External.pods``, ``--assume Pod/...``):
what a selector-only reference (a Service, budget or policy whose pods another file runs)
and an Ingress's Service need, and what the checks still judge about them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kubegen import (
    BuilderError,
    External,
    Ingress,
    IngressPath,
    PodDisruptionBudget,
    Service,
    ServicePort,
    Stack,
    check_stack,
    render,
)
from kubegen.checks import Assumed
from kubegen.cli import main


def lint(tmp_path: Path, text: str, *assume: str) -> tuple[int, str]:
    path = tmp_path / "in.yaml"
    path.write_text(textwrap.dedent(text))
    result = CliRunner().invoke(main, ["lint", str(path), *(a for name in assume for a in ("--assume", name))])
    return result.exit_code, result.output


SERVICE = """\
    apiVersion: v1
    kind: Service
    metadata: {name: db}
    spec:
      selector: {app: db}
      ports: [{name: pg, port: 5432, targetPort: postgres}]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("Pod/app=db", Assumed("Pod", "", None, labels=(("app", "db"),))),
    ("Pod/shop/app=db,tier=backend:postgres=5432,9187",
     Assumed("Pod", "", "shop", labels=(("app", "db"), ("tier", "backend")), ports=(("postgres", 5432), ("", 9187)))),
    ("Pod/app.kubernetes.io/name=db", Assumed("Pod", "", None, labels=(("app.kubernetes.io/name", "db"),))),
    ("Deployment/app=web:http", Assumed("Deployment", "", None, labels=(("app", "web"),), ports=(("http", 0),))),
    ("Service/api:80,http=8080", Assumed("Service", "api", None, ports=(("", 80), ("http", 8080)))),
    ("ConfigMap/shop/settings:LOG_LEVEL", Assumed("ConfigMap", "settings", "shop", frozenset({"LOG_LEVEL"}))),
])
def test_assume_forms_and_their_spelling(text: str, expected: Assumed) -> None:
    assert Assumed.parse(text) == expected
    assert Assumed.parse(expected.text()) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("Secret/app=db", "KEY=VALUE labels describe pods: write Pod/app=db"),
    ("Pod/app=db,tier", "'tier' is not KEY=VALUE; write pod labels as app=db,tier=backend"),
    ("Pod/app=db:http=x", "port 'http=x' is not NUMBER, NAME or NAME=NUMBER"),
    ("Role/reader:get", "':...' lists the keys of a ConfigMap or Secret or the ports of a Service or of pods"),
    ("Service", "expected KIND/NAME or KIND/NAMESPACE/NAME"),
])
def test_assume_mistakes_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        Assumed.parse(text)
    assert message in str(info.value)


def test_lint_assume_pods_satisfies_the_selector_and_checks_the_port(tmp_path: Path) -> None:
    code, output = lint(tmp_path, SERVICE)
    assert code == 1 and "error selector-dangling" in output
    assert "declare them: External.pods({\"app\": \"db\"}) or --assume Pod/default/app=db:postgres" in output
    code, output = lint(tmp_path, SERVICE, "Pod/app=db")
    assert code == 0, output
    code, output = lint(tmp_path, SERVICE, "Pod/app=db:pg=5432")
    assert code == 1
    assert "error target-port: Service 'db': port 5432 targets container port name 'postgres', but External pods " \
           "{app: db} declares no port of that name (declares: pg(5432))" in output
    code, output = lint(tmp_path, SERVICE, "Pod/other/app=db")
    assert code == 1 and "error selector-dangling" in output  # pods of another namespace are not these


def test_an_ingress_to_a_declared_service_checks_its_declared_ports() -> None:
    ingress = Ingress(name="edge", paths=[IngressPath(path="/", service="api", port="http")])
    assert [f.rule for f in check_stack(Stack(objects=[ingress]))] == ["ingress-backend"]
    assert check_stack(Stack(objects=[ingress, External(kind="Service", name="api")])) == []
    assert check_stack(Stack(objects=[ingress, External(kind="Service", name="api", ports={"http": 80})])) == []
    found = check_stack(Stack(objects=[ingress, External(kind="Service", name="api", ports=[80])]))
    assert [f.message for f in found] == [
        "Ingress 'edge' routes to port 'http' of External Service 'api', which declares no such port (ports: 80); "
        "add it to the declaration or fix the port"]


def test_a_lone_service_renders_with_its_pods_declared() -> None:
    service = Service(name="db", selector={"app": "db"}, ports=[ServicePort(port=5432, target_port="postgres")])
    stack = Stack(namespace="shop", objects=[service, External.pods({"app": "db"}, ports={"postgres": 5432})])
    assert "kind: Service" in render(stack)
    other = Stack(namespace="shop", objects=[service, External.pods({"app": "db"}, namespace="other")])
    assert [f.rule for f in check_stack(other) if f.severity == "error"] == ["selector-dangling"]


def test_a_budget_for_declared_pods_is_not_judged_by_a_replica_count_nobody_knows() -> None:
    budget = PodDisruptionBudget(name="db", selector={"app": "db"}, min_available=1)
    found = check_stack(Stack(objects=[budget, External.pods({"app": "db"})]))
    assert found == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "Secret", "labels": {"app": "db"}}, "labels= declares pods: use a kind that runs them"),
    ({"kind": "Pod", "labels": {}}, "name must be a non-empty string (or labels= for pods)"),
    ({"kind": "ConfigMap", "name": "c", "ports": [80]}, "ports= is for a Service or for pods declared with labels="),
    ({"kind": "Pod", "labels": {"app": "db"}, "ports": [True]}, "a port is a number or a name (got True)"),
    ({"kind": "Pod", "labels": {"app": "Bad Value"}}, "labels['app'] value 'Bad Value'"),
])
def test_external_messages(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(BuilderError) as info:
        External(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_explain_and_graph_show_declared_pods_as_made_elsewhere_not_broken(tmp_path: Path) -> None:
    path = tmp_path / "svc.yaml"
    path.write_text(textwrap.dedent(SERVICE))
    text = CliRunner().invoke(main, ["explain", str(path), "--assume", "Pod/app=db:postgres=5432"])
    assert text.exit_code == 0, text.output
    assert "selector {app: db} → External pods {app: db}: made elsewhere, not simulated" in text.output
    assert "BROKEN" not in text.output
    doc = json.loads(CliRunner().invoke(main, ["explain", str(path), "--assume", "Pod/app=db", "--format", "json"]).output)
    [service] = doc["services"]
    assert service["declared"] == ["External pods {app: db}"] and service["workloads"] == []
    assert [p["broken"] for p in service["ports"]] == [False]
    assert doc["workloads"] == []  # declared pods are not simulated
    graph = CliRunner().invoke(main, ["graph", str(path), "--assume", "Pod/app=db", "--format", "mermaid"]).output
    assert "External pods {app: db}<br/>made elsewhere" in graph and ":::broken" not in graph
    without = CliRunner().invoke(main, ["graph", str(path), "--format", "mermaid"]).output
    assert "no pods match" in without and ":::broken" in without
