"""`kubegen import` does a constant amount of work per object: twice the objects, twice
the work. Work is counted, not timed: the Python bytecode instructions the import
executes (a deterministic count), for N and 2N objects. A list built per entry, or a
scan of every entry per Service, shows up as a ratio well above 2. The wall-clock
figure (50,000 objects) is measured by bench/bench_import.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from kubegen.importer import import_manifests
from kubegen.reader import read_text


def config_maps(n: int) -> str:
    return "---\n".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  key: value-{i}\n" for i in range(n)
    )


def services(n: int) -> str:
    """N Deployments, each behind a Service selecting it, and an Ingress to every tenth."""
    docs = []
    for i in range(n):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  selector:\n"
            f"    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n"
            f"    spec:\n      containers:\n      - name: app\n        image: app:{i}\n"
            f"        ports: [{{name: http, containerPort: 8080}}]\n"
        )
        docs.append(
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector: {{app: app-{i}}}\n"
            f"  ports: [{{port: 80, targetPort: http}}]\n"
        )
    return "---\n".join(docs)


def instructions(run: Callable[[], Any]) -> int:
    """Bytecode instructions executed by Python frames while ``run`` runs."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return local

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        return local

    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("make", [config_maps, services], ids=["ConfigMaps", "Deployments+Services"])
def test_twice_the_objects_is_twice_the_work(make: Callable[[int], str]) -> None:
    def work(n: int) -> int:
        manifests = read_text(make(n), "in.yaml").manifests
        return instructions(lambda: import_manifests(manifests, ["in.yaml"]))

    work(20)  # first use: imports and caches
    small, large = work(150), work(300)
    assert large <= 2.05 * small, f"{large / small:.2f}x the work for 2x the objects"
