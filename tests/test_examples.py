"""Golden files: every ``examples/<name>.py`` renders byte for byte to ``examples/<name>.yaml``.

Through the library and through the CLI (a fresh process each time, so a different
hash seed), twice. After an intended change to the output, regenerate with

    KUBEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py

and review the diff (``git diff examples/``) as a Kubernetes engineer before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

import kubegen
from kubegen.appload import load_stacks

UPDATE = os.environ.get("KUBEGEN_UPDATE_GOLDEN") == "1"
APPS = sorted(EXAMPLES.glob("*.py"))


def render_with_library(app: Path) -> str:
    return kubegen.render(load_stacks(str(app)))


def render_with_cli(app: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "kubegen", "render", str(app.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, f"kubegen render {app.name} exited {result.returncode}:\n{result.stderr}"
    assert result.stderr == "", result.stderr
    return result.stdout


def test_the_documented_examples_have_goldens() -> None:
    assert {"nodeport", "clusterip", "loadbalancer", "shop", "blog"} <= {app.stem for app in APPS}


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.stem)
def test_example_matches_its_golden_through_the_library(app: Path) -> None:
    golden = app.with_suffix(".yaml")
    text = render_with_library(app)
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.exists(), (
        f"{golden.name} is missing: run KUBEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py "
        "and review it"
    )
    assert text == golden.read_text(encoding="utf-8"), (
        f"{app.name} no longer renders to {golden.name}; if the change is intended, regenerate with "
        "KUBEGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_examples.py and review the diff"
    )
    assert render_with_library(app) == text, "rendering twice gave different output"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.stem)
def test_example_matches_its_golden_through_the_cli(app: Path) -> None:
    golden = app.with_suffix(".yaml")
    if not golden.exists():
        pytest.skip(f"{golden.name} missing (reported by the library test)")
    first = render_with_cli(app)
    assert first.encode("utf-8") == golden.read_bytes()
    assert render_with_cli(app) == first, "two CLI runs gave different output"


def test_goldens_are_yaml_a_kubernetes_engineer_expects() -> None:
    # Spot checks of the reviewed goldens, independent of the writer's code.
    shop = (EXAMPLES / "shop.yaml").read_text(encoding="utf-8")
    assert shop.startswith("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    assert "FEATURE_REPORTS: 'yes'" in shop  # a string, not a YAML 1.1 boolean
    assert "value: '8080'" in shop  # env values are strings
    assert "creationTimestamp" not in shop and "status:" not in shop
    kinds = [line.split(": ", 1)[1] for line in shop.splitlines() if line.startswith("kind: ")]
    assert kinds == ["Namespace", "ConfigMap"] + ["Deployment"] * 4 + ["Service"] * 4 + ["Ingress"]
    blog = (EXAMPLES / "blog.yaml").read_text(encoding="utf-8")
    kinds = [line.split(": ", 1)[1] for line in blog.splitlines() if line.startswith("kind: ")]
    assert kinds[:2] == ["Namespace", "NetworkPolicy"] and kinds[-1] == "Ingress"
    for kind in ("Job", "CronJob", "PersistentVolumeClaim", "ServiceAccount", "Role", "ClusterRole", "RoleBinding",
                 "ClusterRoleBinding", "HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet"):
        assert kind in kinds, kind
    assert "registry-creds" in blog and "kind: Secret\nmetadata:\n  name: blog-tls" not in blog  # External: not rendered
    assert "volumeClaimTemplates:" in blog and "serviceAccountName: blog-api" in blog
    nodeport = (EXAMPLES / "nodeport.yaml").read_text(encoding="utf-8")
    assert "  type: NodePort\n" in nodeport and "    nodePort: 30008\n" in nodeport
