"""kubegen import's building blocks: the normaliser (API defaults), the Python literal
writer, and robustness against malformed manifests.

Oracles: ``ast.literal_eval`` for literals; the real builders, writer and reader for
round trips.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import import WEB, canonical, run_app

from kubegen.errors import InputError
from kubegen.importer import import_manifests, normalise
from kubegen.importer.pysource import identifier, string_literal
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.reader import read_text


def test_normalise_removes_exactly_the_documented_api_defaults() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {}},
               "spec": {"type": "ClusterIP", "ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}]},
               "status": {"loadBalancer": {}}}
    assert normalise(service) == {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                                  "spec": {"ports": [{"port": 80}]}}
    node_port = {"kind": "Service", "spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": 8080,
                                                                            "protocol": "UDP"}]}}
    assert normalise(node_port) == node_port
    deployment = {"kind": "Deployment", "spec": {"replicas": 1, "template": {
        "metadata": {"creationTimestamp": None, "labels": {"app": "a"}},
        "spec": {"containers": [{"name": "a", "resources": {}, "ports": [{"containerPort": 80, "protocol": "TCP"}]}]},
    }}}
    assert normalise(deployment) == {"kind": "Deployment", "spec": {"template": {
        "metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]},
    }}}
    assert normalise({"kind": "Secret", "type": "Opaque"}) == {"kind": "Secret"}
    assert normalise({"kind": "Secret", "type": "kubernetes.io/tls"}) == {"kind": "Secret", "type": "kubernetes.io/tls"}
    assert normalise({"kind": "Deployment", "spec": {"replicas": 2}}) == {"kind": "Deployment", "spec": {"replicas": 2}}


@given(st.text())
def test_string_literals_read_back_as_the_same_text(text: str) -> None:
    assert ast.literal_eval(string_literal(text)) == text


def test_string_literal_style() -> None:
    assert string_literal("it's") == '"it\'s"'
    assert string_literal('say "hi"') == "'say \"hi\"'"
    assert string_literal("server {\n  listen 80;\n}\n") == '"""server {\n  listen 80;\n}\n"""'
    assert string_literal("trailing \nspace\n") == '"trailing \\nspace\\n"'


# --- robustness: mutated manifests either import and round-trip, or are refused clearly -------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70000),
    st.sampled_from(["", "TCP", "tcp", "web", "http", "a b", "80", "ClusterIP", "yes"]),
)
_KEYS = st.sampled_from(["name", "port", "labels", "app", "containers", "image", "ports", "selector", "spec",
                         "matchLabels", "template", "metadata", "type", "targetPort", "containerPort", "env"])
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found.extend(_paths(value, (*prefix, key)))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_manifests_round_trip_or_are_refused(data: st.DataObject) -> None:
    objs = [m.obj for m in read_text(WEB, "web.yaml").manifests]
    for _ in range(data.draw(st.integers(1, 3))):
        obj = objs[data.draw(st.integers(0, len(objs) - 1))]
        path = data.draw(st.sampled_from([p for p in _paths(obj) if len(p) >= 2]))
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(_VALUES)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    manifests = [Manifest(obj, Location("web.yaml", 1)) for obj in objs]
    try:
        source = import_manifests(manifests, ["web.yaml"])
    except InputError as exc:
        assert "web.yaml:1: " in str(exc)
        return
    back = read_text(run_app(source), "rendered").manifests
    assert canonical([m.obj for m in back]) == canonical(objs), source


@pytest.mark.parametrize(("name", "expected"), [
    ("My--App__v2.", "my_app_v2"),  # runs of anything but a-z0-9 are one "_", none at the ends
    ("caf\u00e9-bar", "caf_bar"),  # a letter outside ASCII is not kept
    ("x\u00b2", "x"),
    ("\u212aelvin", "kelvin"),  # the Kelvin sign lower-cases to an ASCII k
    ("\u0130stanbul", "i_stanbul"),  # İ lower-cases to i and a combining dot
    ("--", "obj"),
    ("9lives", "_9lives"),
    ("match", "match_"),
    ("class", "class_"),
])
def test_identifier(name: str, expected: str) -> None:
    assert identifier(name) == expected
