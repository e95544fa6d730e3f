"""Shared test helpers. Keep this small: one helper per real oracle.

- ``assert_valid_k8s(objs)``: every object validates against the Kubernetes OpenAPI
  schema of the newest version kubernetes-validate knows, strictly (unknown fields
  fail). Skips the test when kubernetes-validate is not installed. Usable as a plain
  function (``from conftest import assert_valid_k8s``) or as the fixture of that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["ci_skips"]  # KUBEGEN_CI=1 (set by .ci/run): a skip is a failure

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def assert_valid_k8s(objs: Iterable[dict[str, Any]] | dict[str, Any]) -> None:
    """Fail with every schema error (object, version, message) unless all ``objs`` are valid."""
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed")
    version = kubernetes_validate.latest_version()
    items = [objs] if isinstance(objs, dict) else list(objs)
    assert items, "assert_valid_k8s: no objects to validate"
    problems = []
    for obj in items:
        label = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(p) for p in exc.path)
            problems.append(f"{label}: {where}: {exc.message}")
        except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as exc:
            problems.append(f"{label}: {exc}")
    assert not problems, f"invalid for Kubernetes {version}:\n" + "\n".join(problems)


@pytest.fixture(name="assert_valid_k8s")
def _assert_valid_k8s_fixture() -> Callable[[Any], None]:
    return assert_valid_k8s


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the API-server agreement figure when tests/test_apiserver_verdicts.py ran."""
    flagged = rejected = false = accepted = 0
    for status in ("passed", "failed"):
        for report in terminalreporter.stats.get(status, []):
            for name, value in getattr(report, "user_properties", ()):
                if name != "apiserver_verdict" or getattr(report, "when", "call") != "call":
                    continue
                verdict, ok = value
                if verdict == "accepted":
                    accepted += 1
                    false += not ok
                else:
                    rejected += 1
                    flagged += ok
    if rejected or accepted:
        from apiserver_verdicts import figure

        terminalreporter.write_line(figure(flagged, rejected, false, accepted))
