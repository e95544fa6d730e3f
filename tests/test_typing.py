"""Typing is part of the interface: kubegen type-checks under mypy --strict, users'
mistakes in builder calls are caught by their type checker, and ruff is clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def have(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


needs_mypy = pytest.mark.skipif(not have("mypy"), reason="mypy is not installed (pip install -e '.[test]')")


def mypy(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


@needs_mypy
def test_package_is_strictly_typed(tmp_path: Path) -> None:
    result = mypy("kubegen", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_mypy
def test_users_builder_mistakes_are_type_errors(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent("""\
        from kubegen import Container, Deployment, Service, ServicePort, Stack

        web = Deployment(name="web", replicas="3", containers=[Container(name="web", image="nginx")])
        svc = Service(nme="web", ports=[ServicePort(port=80)])
        ok = Stack(namespace="demo", objects=[web])
        same: Deployment = ok.add(web)
        wrong = Container(name="web", image="nginx", ports=8080)
    """))
    result = mypy("--strict", str(app), cache=tmp_path / "cache")
    out = result.stdout
    assert result.returncode == 1, out
    assert 'app.py:3: error: Argument "replicas" to "Deployment" has incompatible type "str"; expected "int | None"' in out
    assert 'app.py:4: error: Unexpected keyword argument "nme" for "Service"' in out
    assert "app.py:6" not in out  # Stack.add returns the object it was given, typed
    assert 'app.py:7: error: Argument "ports" to "Container" has incompatible type "int"' in out


@pytest.mark.skipif(shutil.which("ruff") is None and not have("ruff"), reason="ruff is not installed")
def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "kubegen", "tests", "bench", "tools"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_mypy
def test_app_kind_helpers_keep_their_types(tmp_path: Path) -> None:
    """Constructors and wiring helpers return the builder they make, typed, so a typo on
    their result is a type error too, and helpers take only what they accept."""
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent("""\
        from kubegen import (ClusterRole, Container, Deployment, NetworkPolicy, NetworkPolicyPeer, Role,
                             ServiceAccount, StatefulSet, Subject)

        robot = ServiceAccount(name="robot")
        web = Deployment(name="web", containers=[Container(name="web", image="nginx:1")])
        web.run_as(robot).replicaz
        Role.create("r", verb=["get"], resource=["pods"]).rulez
        ClusterRole.create("c", verb=["get"], resource=["pods"]).aggregate_fromm
        Role(name="r").bind(robot, 42)
        db = StatefulSet(name="db", service_name="db", containers=[Container(name="db", image="pg:16")])
        same: StatefulSet = db.run_as("robot")
        binding = ClusterRole(name="view").bind_in_namespace(Subject.user("jane"), robot)
        ok: int = binding.subjects[0].name
        NetworkPolicy.allow(to=web, from_="web", port="http")
        NetworkPolicy.allow(to=web, from_=[db, NetworkPolicyPeer.namespaces(name="ingress")], port="http")
    """))
    result = mypy("--strict", str(app), cache=tmp_path / "cache")
    out = result.stdout
    assert 'app.py:6: error: "Deployment" has no attribute "replicaz"' in out, out
    assert 'app.py:7: error: "Role" has no attribute "rulez"' in out, out
    assert 'app.py:8: error: "ClusterRole" has no attribute "aggregate_fromm"' in out, out
    assert 'app.py:9: error: Argument 2 to "bind" of "Role" has incompatible type "int"' in out, out
    assert "app.py:11" not in out  # run_as returns the same kind of workload
    assert 'app.py:13: error: Incompatible types in assignment (expression has type "str", variable has type ' \
           '"int")' in out, out
    assert 'app.py:14: error: Argument "from_" to "allow" of "NetworkPolicy" has incompatible type "str"' in out, out
    assert "app.py:15" not in out
