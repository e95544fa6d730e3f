"""Start-up work kubegen defers (issue 12) still happens whenever it is needed.

The per-object validation modules are imported per kind on first use, the builders'
enumerations come from a generated module instead of the API data file, and the
time-zone database is opened only for a CronJob's timeZone: each deferral is held here
to its two sides, the module is not loaded when no object needs it, and every kind
still reaches its rules.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kubegen.checks import validation

ROOT = Path(__file__).resolve().parents[1]

# One object per kind the registry names, each with a mistake only its kind's rules catch.
BAD: dict[tuple[str, str], tuple[dict[str, object], str]] = {
    ("", "Service"): ({"spec": {"ports": [{"port": 80, "protocol": "udp"}]}}, ": spec.ports[0].protocol"),
    ("", "ReplicationController"): ({"spec": {"replicas": -1}}, "spec.replicas"),
    ("apps", "Deployment"): ({"spec": {"replicas": -1}}, "spec.replicas"),
    ("apps", "ReplicaSet"): ({"spec": {"replicas": -1}}, "spec.replicas"),
    ("apps", "StatefulSet"): ({"spec": {"replicas": -1}}, "spec.replicas"),
    ("apps", "DaemonSet"): ({"spec": {"minReadySeconds": -1}}, "spec.minReadySeconds"),
    ("batch", "Job"): ({"spec": {"parallelism": -1}}, "spec.parallelism"),
    ("batch", "CronJob"): ({"spec": {"schedule": "* * * * *", "timeZone": "Mars/Olympus"}}, "spec.timeZone"),
    ("networking.k8s.io", "Ingress"): ({"spec": {}}, "spec"),
    ("networking.k8s.io", "IngressClass"): ({"spec": {"controller": "Not A Controller"}}, "spec.controller"),
    ("networking.k8s.io", "NetworkPolicy"): ({"spec": {"policyTypes": ["Sideways"]}}, "spec.policyTypes[0]"),
    ("policy", "PodDisruptionBudget"): ({"spec": {"minAvailable": -1}}, "spec.minAvailable"),
    ("autoscaling", "HorizontalPodAutoscaler"): ({"spec": {"minReplicas": 0, "maxReplicas": 0}}, "spec."),
    ("", "ConfigMap"): ({"data": {"bad key": "x"}}, "data[bad key]"),
    ("", "Secret"): ({"type": "kubernetes.io/tls", "data": {}}, "requires data[tls.crt]"),
    ("", "Namespace"): ({"spec": {"finalizers": ["Not Valid!"]}}, "spec.finalizers[0]"),
    ("", "PersistentVolumeClaim"): ({"spec": {}}, "spec.accessModes"),
    ("rbac.authorization.k8s.io", "Role"): ({"rules": [{"verbs": []}]}, "rules[0].verbs"),
    ("rbac.authorization.k8s.io", "ClusterRole"): ({"rules": [{"verbs": []}]}, "rules[0].verbs"),
    ("rbac.authorization.k8s.io", "RoleBinding"): ({"roleRef": {}}, "roleRef"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ({"roleRef": {}}, "roleRef"),
}

REGISTRY = {**validation.SPEC_CHECKS, **validation.OBJECT_CHECKS}


def manifest(group: str, kind: str, extra: dict[str, object]) -> dict[str, object]:
    api_version = f"{group}/v2" if group == "autoscaling" else f"{group}/v1" if group else "v1"
    namespaced = kind not in ("Namespace", "IngressClass", "ClusterRole", "ClusterRoleBinding")
    meta: dict[str, object] = {"name": "x", **({"namespace": "ns"} if namespaced else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **extra}


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and return its stdout."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_registry_covers_every_kind_with_a_check_function() -> None:
    assert set(BAD) == set(REGISTRY), "give each registered kind a case in BAD"
    for target in REGISTRY.values():
        assert callable(validation.resolve(target)), target


@pytest.mark.parametrize("key", sorted(BAD), ids=lambda k: k[1])
def test_each_kind_reaches_its_rules_from_a_fresh_process(key: tuple[str, str]) -> None:
    """In a process that has imported no rule module yet, an object of the kind is judged
    by its kind's rules (the module is imported on demand), and the finding names the field."""
    group, kind = key
    extra, field = BAD[key]
    module = REGISTRY[key].partition(":")[0]
    out = run_python(f"""
        import json, sys
        from kubegen.checks import run_checks
        from kubegen.manifest import Manifest
        from kubegen.location import Location
        loaded = "kubegen.checks.validation.{module}" in sys.modules
        findings = run_checks([Manifest({manifest(group, kind, extra)!r}, Location("x.yaml", 1))])
        print(json.dumps({{"loaded_before": loaded, "messages": [f.message for f in findings]}}))
    """)
    result = json.loads(out)
    assert result["loaded_before"] is False
    assert any(field in message for message in result["messages"]), result["messages"]


def test_a_render_loads_only_the_rules_of_its_kinds() -> None:
    """The shop (Deployments, Services, an Ingress, a ConfigMap) never loads the Job,
    autoscaling, policy or RBAC rules, the cross-object rules of autoscalers, budgets and
    NetworkPolicies, the time-zone database or the JSON API data."""
    out = run_python("""
        import sys
        import kubegen
        from kubegen.appload import load_stacks
        kubegen.render(load_stacks("examples/shop.py", {}))
        print(sorted(sys.modules))
    """)
    loaded = set(ast.literal_eval(out))
    for module in ("apps", "services", "networking", "config", "meta"):
        assert f"kubegen.checks.validation.{module}" in loaded
    for module in ("batch", "autoscaling", "policy", "rbac"):
        assert f"kubegen.checks.validation.{module}" not in loaded
    assert "kubegen.checks.policies" not in loaded  # no autoscaler, budget or NetworkPolicy to judge
    assert "zoneinfo" not in loaded
    assert "json" not in loaded


LAZY_BUILDERS = {
    "kubegen.model.secret": "Secret(name='s', string_data={'k': 'v'})",
    "kubegen.model.namespace": "Namespace(name='n')",
    "kubegen.model.raw": "Raw(manifest={'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': {'name': 'r'}})",
    "kubegen.model.hook": "Job(generate_name='m-', containers=[Container(name='m', image='m:1')], "
                          "hook=Hook.argocd('PreSync'))",
    "kubegen.model.envfrom": "Deployment(name='e', containers=[Container(name='e', image='e:1', "
                             "env_from=[EnvFrom(config_map='c')])])",
    "kubegen.model.downward": "Deployment(name='d', containers=[Container(name='d', image='d:1', "
                              "env={'IP': FieldRef(field_path='status.podIP')})])",
    "kubegen.model.volume": "Deployment(name='v', containers=[Container(name='v', image='v:1', "
                            "volume_mounts=[Volume.empty_dir('cache').mount('/cache')])])",
}


def test_a_render_builds_only_the_builders_its_app_uses() -> None:
    """attrs compiles every class a process defines, so builders live in one module per
    family: the shop (ConfigMaps, Deployments, Services, an Ingress) never loads the
    modules of Secret, Namespace, Raw, Hook, EnvFrom, the downward API or volumes."""
    out = run_python("""
        import sys
        import kubegen
        from kubegen.appload import load_stacks
        kubegen.render(load_stacks("examples/shop.py", {}))
        print(sorted(sys.modules))
    """)
    loaded = set(ast.literal_eval(out))
    assert "kubegen.model.config" in loaded
    assert not set(LAZY_BUILDERS) & loaded, set(LAZY_BUILDERS) & loaded


@pytest.mark.parametrize("module", sorted(LAZY_BUILDERS))
def test_each_lazily_loaded_builder_renders_and_is_type_checked(module: str) -> None:
    """The other side: an app that uses the builder gets it (the converters and type
    checks that name it import it on demand), and a wrong type in its place is still
    refused with the field named."""
    out = run_python(f"""
        import json
        import kubegen
        from kubegen import *
        stack = Stack(namespace="ns", objects=[{LAZY_BUILDERS[module]}])
        text = kubegen.render(stack, options=kubegen.CheckOptions(ignore=frozenset({{"config-ref"}})))
        refused = []
        for make in (lambda: Job(name="j", containers=[Container(name="j", image="j:1")], hook="PreSync"),
                     lambda: Container(name="c", image="c:1", env_from=["settings"]),
                     lambda: Container(name="c", image="c:1", volume_mounts=["/data"])):
            try:
                make()
            except kubegen.BuilderError as exc:
                refused.append(str(exc))
        print(json.dumps({{"text": text, "refused": refused}}))
    """)
    result = json.loads(out)
    assert "kind:" in result["text"]
    assert len(result["refused"]) == 3, result["refused"]
    assert "hook must be a Hook or None" in result["refused"][0]
    assert "env_from[0] must be an EnvFrom" in result["refused"][1]
    assert "volume_mounts[0] must be a VolumeMount" in result["refused"][2]


def test_the_policy_rules_load_for_a_stack_that_has_a_policy() -> None:
    """The other side: in a fresh process, a budget whose selector matches no pod is
    judged (kubegen.checks.policies is imported because the stack has one)."""
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "db", "namespace": "ns"},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "nowhere"}}}}
    out = run_python(f"""
        import json, sys
        from kubegen.checks import run_checks
        from kubegen.manifest import Manifest
        from kubegen.location import Location
        loaded = "kubegen.checks.policies" in sys.modules
        findings = run_checks([Manifest({pdb!r}, Location("x.yaml", 1))])
        print(json.dumps({{"loaded_before": loaded, "rules": [f.rule for f in findings]}}))
    """)
    result = json.loads(out)
    assert result["loaded_before"] is False
    assert "pdb-selector" in result["rules"], result
