"""Handing a workload's replica count to an autoscaler, in the second render: leaving
``spec.replicas`` out of a manifest that had it makes ``kubectl apply`` remove the field,
and the live workload falls back to 1 pod until the autoscaler scales it up again (the
Kubernetes HPA documentation's "migrating Deployments to horizontal autoscaling")."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from test_gitops import deployment, line_of, live_findings_of, write_dir


def scaled(replicas: int | None, kind: str = "Deployment") -> dict[str, Any]:
    obj = deployment("web", {"app": "web"})
    obj["kind"] = kind
    if kind == "StatefulSet":
        obj["spec"]["serviceName"] = "web"
    if replicas is not None:
        obj["spec"] = {"replicas": replicas, **obj["spec"]}
    return obj


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet"])
def test_dropping_replicas_warns_of_the_fall_back_to_one_pod(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    write_dir([scaled(4, kind)], str(out))
    line = line_of(out / "shop" / f"{kind.lower()}-web.yaml", "replicas:")
    found = live_findings_of([scaled(None, kind)], out)
    assert [(f.rule, f.severity, f.location.line) for f in found] == [("replicas-dropped", "warning", line)]
    assert found[0].message == (
        f"{kind} 'web' (namespace shop): spec.replicas: 4 is left out now, so kubectl apply removes it and the "
        f"live {kind} falls back to 1 pod until its autoscaler scales it up again; to hand the count over without "
        f"that drop, first run `kubectl apply edit-last-applied {kind.lower()}/web -n shop` and delete "
        "spec.replicas there (no pod changes), then apply this")


@pytest.mark.parametrize(("before", "after"), [(1, None), (4, 4), (4, 6), (None, None), (None, 3)])
def test_other_replica_changes_are_not_findings(tmp_path: Path, before: int | None, after: int | None) -> None:
    out = tmp_path / "out"
    write_dir([scaled(before)], str(out))
    assert live_findings_of([copy.deepcopy(scaled(after))], out) == []
