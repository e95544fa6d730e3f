"""Set-based selectors (``matchExpressions``) in the builders that select pods by labels:
PodDisruptionBudget (also in kubectl's ``--selector`` syntax), NetworkPolicy and its peers;
what they write is valid for the official schema, the checks read it as the API server
does, and ``kubegen import`` keeps such selectors typed."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_valid_k8s
from test_import_appkinds import canonical, import_chart, run_app
from test_kubectl_appkinds import create
from test_kubectl_oracle import KUBECTL, from_kubegen, kubeconfig

import kubegen
from kubegen import (
    BuilderError,
    Container,
    Deployment,
    LabelExpression,
    NetworkPolicy,
    NetworkPolicyPeer,
    NetworkPolicyRule,
    PodDisruptionBudget,
    Stack,
)
from kubegen.reader import read_text

__all__ = ["kubeconfig"]

DB = LabelExpression.in_("tier", ["db", "cache"])


def test_each_operator_writes_the_api_form() -> None:
    assert [e.to_dict() for e in (DB, LabelExpression.not_in("tier", ["web"]), LabelExpression.exists("canary"),
                                  LabelExpression.does_not_exist("legacy"))] == [
        {"key": "tier", "operator": "In", "values": ["db", "cache"]},
        {"key": "tier", "operator": "NotIn", "values": ["web"]},
        {"key": "canary", "operator": "Exists"},
        {"key": "legacy", "operator": "DoesNotExist"},
    ]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: LabelExpression(key="tier", operator="In"), "give at least one value"),
    (lambda: LabelExpression(key="tier", operator="Exists", values=["x"]), "takes no values"),
    (lambda: LabelExpression(key="tier", operator="in", values=["x"]), "did you mean 'In'"),
    (lambda: LabelExpression.in_("Tier!", ["x"]), "key 'Tier!'"),
    (lambda: LabelExpression.in_("tier", ["bad value"]), "'tier' value 'bad value'"),
    (lambda: PodDisruptionBudget(name="p", selector_expressions=[{"key": "a"}], max_unavailable=1),
     r"selector_expressions\[0\] must be a LabelExpression"),
])
def test_expressions_refuse_what_the_api_rejects(make: Any, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        make()


def test_budgets_and_policies_select_by_expressions() -> None:
    pdb = PodDisruptionBudget(name="db", selector={"app": "shop"}, selector_expressions=[DB], max_unavailable=1)
    assert pdb.to_dict()["spec"]["selector"] == {
        "matchLabels": {"app": "shop"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db", "cache"]}]}
    only = PodDisruptionBudget(name="db", selector_expressions=[DB], min_available="50%")
    assert only.to_dict()["spec"]["selector"] == {"matchExpressions": [DB.to_dict()]}
    ops = LabelExpression.in_("team", ["ops", "sre"])
    policy = NetworkPolicy(name="p", pod_selector_expressions=[DB], ingress=[NetworkPolicyRule(peers=[
        NetworkPolicyPeer(namespace_selector_expressions=[ops]),
        NetworkPolicyPeer(namespace_selector={}, pod_selector_expressions=[LabelExpression.exists("monitoring")])])])
    spec = policy.to_dict()["spec"]
    assert spec["podSelector"] == {"matchExpressions": [DB.to_dict()]}
    assert spec["ingress"][0]["from"] == [
        {"namespaceSelector": {"matchExpressions": [ops.to_dict()]}},
        {"namespaceSelector": {}, "podSelector": {"matchExpressions": [{"key": "monitoring", "operator": "Exists"}]}}]
    assert_valid_k8s([pdb.to_dict(), only.to_dict(), policy.to_dict()])


def test_the_checks_read_typed_expressions() -> None:
    db = Deployment(name="db", labels={"app": "shop", "tier": "db"}, replicas=3,
                    containers=[Container(name="db", image="pg:16")])
    pdb = PodDisruptionBudget(name="db", selector={"app": "shop"}, selector_expressions=[DB], max_unavailable=1)
    policy = NetworkPolicy(name="db", pod_selector_expressions=[DB], ingress=[])
    assert kubegen.check_stack(Stack(namespace="shop", objects=[db, pdb, policy])) == []
    stray = PodDisruptionBudget(name="web", selector_expressions=[LabelExpression.in_("tier", ["web"])],
                                max_unavailable=1)
    found = kubegen.check_stack(Stack(namespace="shop", objects=[db, stray]))
    assert [f.rule for f in found] == ["pdb-selector"] and "selector tier in (web) matches no pod" in found[0].message


SELECTORS = ["app=web", "app==web", "app in (a,b)", "app notin (a)", "!canary", "canary",
             "app=web,tier in (db, cache),!canary"]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
@pytest.mark.parametrize("selector", SELECTORS)
def test_create_pdb_takes_kubectls_selector_syntax(kubeconfig: Path, selector: str) -> None:
    expected = create(kubeconfig, "create", "poddisruptionbudget", "p", f"--selector={selector}", "--min-available=1")
    built = PodDisruptionBudget.create("p", selector=selector, min_available=1)
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


@pytest.mark.parametrize(("selector", "message"), [
    ("app!=web", "'!=' is not an operator a LabelSelector has"),
    ("app in a,b", "must be requirements such as"),
])
def test_create_pdb_refuses_what_kubectl_refuses(selector: str, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        PodDisruptionBudget.create("p", selector=selector, min_available=1)


EXPRESSIONS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db, tier: db}}
    spec: {containers: [{name: db, image: pg:16}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: shop}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: db}
    matchExpressions: [{key: tier, operator: In, values: [db]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector:
    matchExpressions: [{key: tier, operator: NotIn, values: [web]}, {key: legacy, operator: DoesNotExist}]
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [ops]}]}
      podSelector: {matchLabels: {app: prometheus}}
"""


def test_import_keeps_selectors_by_expressions_typed() -> None:
    source = import_chart(textwrap.indent(EXPRESSIONS, "    "))
    assert "Raw(" not in source
    assert 'selector_expressions=[LabelExpression.in_("tier", ["db"])]' in source
    assert 'LabelExpression.does_not_exist("legacy")' in source
    assert "namespace_selector_expressions=[" in source and 'LabelExpression.in_("team", ["ops"])' in source
    original = [m.obj for m in read_text(EXPRESSIONS, "x.yaml").manifests]
    assert canonical(run_app(source)) == canonical(original)
