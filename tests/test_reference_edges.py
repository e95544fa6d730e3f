"""The reference rules at their edges, each case the way Kubernetes itself decides it:
Secrets a controller fills in, volume plugins that name Secrets, autoscaler targets the
controller cannot map, requests that sidecars and LimitRanges bring, budgets whose
percentage rounds up to every pod, selectors shown as a user wrote them."""

from __future__ import annotations

import textwrap

import pytest

import kubegen
from kubegen import (
    Container,
    Deployment,
    PodDisruptionBudget,
    Resources,
    Secret,
    SecretKeyRef,
    Stack,
)
from kubegen.checks import Finding, run_checks
from kubegen.errors import BuilderError
from kubegen.reader import read_text


def lint(*docs: str) -> list[Finding]:
    """Lint the YAML documents (each indented as it likes) as one file."""
    return run_checks(read_text("".join(textwrap.dedent(d) for d in docs), "k8s.yaml").manifests)


def rules(found: list[Finding]) -> list[tuple[str, int]]:
    return sorted((f.rule, f.location.line) for f in found)


WEB = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: REPLICAS
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web, tier: front}}
        spec:
          containers: [{name: web, image: web:1, resources: {requests: {cpu: 100m}}}]
    """


def web(replicas: int | None = None) -> str:
    """The web Deployment, with ``replicas`` (None: left out, as for an autoscaled one)."""
    text = WEB.replace("REPLICAS", str(replicas))
    return text if replicas is not None else text.replace("      replicas: None\n", "")


# --- config-key: Secrets whose keys a controller writes ------------------------------------


def test_a_service_account_token_secret_has_the_keys_the_token_controller_writes() -> None:
    token = Secret(name="robot-token", type="kubernetes.io/service-account-token",
                   annotations={"kubernetes.io/service-account.name": "robot"})
    env = {k: SecretKeyRef(secret=token, key=k) for k in ("token", "ca.crt", "namespace")}
    pod = Deployment(name="api", containers=[Container(name="api", image="api:1", env=env)])
    assert kubegen.check_stack(Stack(namespace="shop", objects=[token, pod])) == []
    typo = Deployment(name="api", containers=[Container(name="api", image="api:1", env={
        "T": SecretKeyRef(secret=token, key="tokne")})])
    found = kubegen.check_stack(Stack(namespace="shop", objects=[token, typo]))
    assert [f.rule for f in found] == ["config-key"] and "did you mean 'token'?" in found[0].message


# --- config-ref: every volume plugin that names a Secret -----------------------------------

PLUGINS = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: c, image: c:1}]
      volumes:
      - name: csi
        csi: {driver: secrets-store.csi.k8s.io, nodePublishSecretRef: {name: csi-creds}}
      - name: azure
        azureFile: {secretName: azure-creds, shareName: share}
      - name: flex
        flexVolume: {driver: example/lvm, secretRef: {name: flex-creds}}
      - name: ceph
        cephfs: {monitors: [10.0.0.1], secretRef: {name: ceph-creds}}
      - name: rbd
        rbd: {monitors: [10.0.0.1], image: img, secretRef: {name: rbd-creds}}
      - name: iscsi
        iscsi: {targetPortal: 10.0.0.2, iqn: iqn.2001-04.com.example:storage, lun: 0, secretRef: {name: iscsi-creds}}
      - name: sio
        scaleIO: {gateway: https://sio, system: s, volumeName: v, secretRef: {name: sio-creds}}
      - name: sos
        storageos: {volumeName: v, secretRef: {name: sos-creds}}
    """


def test_every_volume_plugin_secret_is_a_reference() -> None:
    found = lint(PLUGINS)
    assert rules(found) == [("config-ref", line) for line in (8, 10, 12, 14, 16, 18, 20, 22)]
    assert "volume 'csi' names Secret 'csi-creds', which the stack does not define in namespace 'default'; the " \
           "pod would never start" in found[0].message
    names = ("csi-creds", "azure-creds", "flex-creds", "ceph-creds", "rbd-creds", "iscsi-creds", "sio-creds",
             "sos-creds")
    secrets = "".join(f"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\n" for name in names)
    assert lint(PLUGINS, secrets) == []


# --- hpa-target ------------------------------------------------------------------------------

HPA = """\
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: REF
      maxReplicas: 5
      metrics:
      - type: Resource
        resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    """


def hpa(ref: str) -> str:
    return HPA.replace("REF", ref)


def test_a_target_without_apiversion_is_in_the_core_group_where_no_deployment_is() -> None:
    found = lint(web(), hpa("{kind: Deployment, name: web}"))
    assert rules(found) == [("hpa-target", 15)]
    assert found[0].message == (
        "HorizontalPodAutoscaler 'web': scaleTargetRef names Deployment 'web' without an apiVersion, so the "
        "autoscaler looks for it in the core API group, which has no Deployment (FailedGetScale: no matches for "
        "kind \"Deployment\" in group \"\"); add apiVersion: apps/v1")
    assert lint(web(), hpa("{apiVersion: apps/v1, kind: Deployment, name: web}")) == []


def test_a_replication_controller_target_needs_no_apiversion() -> None:
    rc = """\
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: web}
        spec:
          selector: {app: web}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web:1, resources: {requests: {cpu: 100m}}}]}
        """
    assert lint(rc, hpa("{kind: ReplicationController, name: web}")) == []


SIDECAR = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          initContainers:
          - {name: migrate, image: m:1}
          - {name: proxy, image: envoy:1, restartPolicy: Always}
          containers: [{name: web, image: web:1, resources: {requests: {cpu: 100m}}}]
    """


def test_a_sidecar_needs_requests_for_a_utilisation_target_an_init_container_does_not() -> None:
    found = lint(SIDECAR, hpa("{apiVersion: apps/v1, kind: Deployment, name: web}"))
    assert rules(found) == [("hpa-target", 22)]
    assert "container(s) 'proxy' request no cpu" in found[0].message
    fixed = SIDECAR.replace("restartPolicy: Always}", "restartPolicy: Always, resources: {requests: {cpu: 10m}}}")
    assert lint(fixed, hpa("{apiVersion: apps/v1, kind: Deployment, name: web}")) == []


def test_the_autoscale_helper_counts_sidecars_too() -> None:
    proxy = Container(name="proxy", image="envoy:1", extra={"restartPolicy": "Always"})
    web = Deployment(name="web", init_containers=[proxy, Container(name="migrate", image="m:1")],
                     containers=[Container(name="web", image="web:1", resources=Resources(requests={"cpu": "1"}))])
    with pytest.raises(BuilderError, match="'proxy' request"):
        web.autoscale(max=4, cpu=70)


@pytest.mark.parametrize(("limit", "clean"), [
    ("{type: Container, defaultRequest: {cpu: 100m}}", True),
    ("{type: Container, default: {cpu: 500m}}", True),  # defaultRequest defaults to default
    ("{type: Container, max: {cpu: '2'}}", True),  # default defaults to max
    ("{type: Container, defaultRequest: {memory: 64Mi}}", False),
    ("{type: Pod, max: {cpu: '2'}}", False),
])
def test_a_limit_range_of_the_namespace_gives_containers_their_requests(limit: str, clean: bool) -> None:
    bare = web().replace(", resources: {requests: {cpu: 100m}}", "")
    limits = f"""\
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {{name: defaults}}
        spec:
          limits: [{limit}]
        """
    found = lint(bare, limits, hpa("{apiVersion: apps/v1, kind: Deployment, name: web}"))
    assert (found == []) is clean, [f.format() for f in found]
    elsewhere = limits.replace("{name: defaults}", "{name: defaults, namespace: other}")
    assert lint(bare, elsewhere, hpa("{apiVersion: apps/v1, kind: Deployment, name: web}"))


# --- pdb-eviction: a percentage rounds up -----------------------------------------------------

PDB = """\
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web}
    spec:
      FIELD
      selector: {matchLabels: {app: web}}
    """


@pytest.mark.parametrize(("replicas", "field", "blocked"), [
    (1, "minAvailable: 50%", True),   # ceil(0.5) = 1 of 1
    (2, "minAvailable: 51%", True),   # ceil(1.02) = 2 of 2
    (2, "minAvailable: 50%", False),
    (3, "minAvailable: 50%", False),  # 2 of 3
    (10, "minAvailable: 95%", True),  # ceil(9.5) = 10
    (1, "maxUnavailable: 10%", False),  # ceil(0.1) = 1 may go
    (3, "maxUnavailable: 0%", True),
])
def test_a_min_available_percentage_rounds_up(replicas: int, field: str, blocked: bool) -> None:
    found = lint(web(replicas), PDB.replace("FIELD", field))
    assert bool(found) is blocked, [f.format() for f in found]
    if blocked and "minAvailable" in field:
        assert [f.rule for f in found] == ["pdb-eviction"] and found[0].severity == "warning"
        assert f"of the {replicas} pod(s) of Deployment 'web'" in found[0].message


def test_the_budget_helper_refuses_a_percentage_that_rounds_up_to_every_pod() -> None:
    one = Deployment(name="web", containers=[Container(name="web", image="web:1")])
    with pytest.raises(BuilderError, match="allows no pod to be evicted"):
        one.budget(min_available="50%")
    assert one.budget(max_unavailable="50%").max_unavailable == "50%"
    three = Deployment(name="web", replicas=3, containers=[Container(name="web", image="web:1")])
    assert three.budget(min_available="50%").min_available == "50%"
    assert kubegen.check_stack(Stack(objects=[three, PodDisruptionBudget(
        name="web", selector={"app": "web"}, min_available="50%")])) == []


# --- selectors in messages -----------------------------------------------------------------------


def test_a_selector_by_expressions_is_shown_as_kubectl_writes_it() -> None:
    found = lint(web(), """\
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector:
            matchLabels: {app: web}
            matchExpressions:
            - {key: tier, operator: In, values: [back, db]}
            - {key: canary, operator: DoesNotExist}
        """)
    assert [f.rule for f in found] == ["pdb-selector"]
    assert "selector app=web,tier in (back,db),!canary matches no pod template in namespace 'default'" in \
        found[0].message


@pytest.mark.parametrize(("version", "error"), [
    ("apps/v1", False),
    ("apps/v1beta2", False),  # the controller maps group and kind; any version of apps serves the scale
    ("extensions/v1beta1", True),  # no Deployment in that group any more
    ("batch/v1", True),
])
def test_only_the_group_of_the_targets_apiversion_matters(version: str, error: bool) -> None:
    found = lint(web(), hpa(f"{{apiVersion: {version}, kind: Deployment, name: web}}"))
    assert bool(found) is error, [f.format() for f in found]
    if error:
        assert [f.rule for f in found] == ["hpa-target"] and "use apiVersion: apps/v1" in found[0].message


# --- hpa-target: a fixed replica count fights the autoscaler ------------------------------


def test_a_replica_count_beside_an_autoscaler_is_a_warning_at_the_replicas() -> None:
    found = lint(web(3), hpa("{apiVersion: apps/v1, kind: Deployment, name: web}"))
    assert [(f.rule, f.severity, f.location.line) for f in found] == [("hpa-target", "warning", 5)]
    assert found[0].message == (
        "Deployment 'web': spec.replicas: 3 while HorizontalPodAutoscaler 'web' scales it: every kubectl apply "
        "(and GitOps sync) sets it back to 3 pods before the autoscaler scales it again; leave replicas out "
        "(replicas=None in kubegen) and let the autoscaler's minReplicas decide")
    assert lint(web(), hpa("{apiVersion: apps/v1, kind: Deployment, name: web}")) == []


def test_a_workload_without_replicas_is_left_to_its_autoscaler() -> None:
    app = Deployment(name="web", replicas=None, containers=[
        Container(name="web", image="web:1", resources=Resources(requests={"cpu": "100m"}))])
    assert "replicas" not in app.to_dict()["spec"]
    stack = Stack(namespace="shop", objects=[app, app.autoscale(min=2, max=5, cpu=70), app.budget(min_available=1)])
    assert kubegen.check_stack(stack) == []
    fixed = Deployment(name="web", replicas=2, containers=app.containers)
    found = kubegen.check_stack(Stack(namespace="shop", objects=[fixed, fixed.autoscale(min=2, max=5, cpu=70)]))
    assert [(f.rule, f.severity) for f in found] == [("hpa-target", "warning")]
    assert "replicas=None" in found[0].message and found[0].location.line > 0


# --- envFrom: prefix and optional, typed ------------------------------------------------------


def test_an_optional_env_from_is_typed_and_no_finding() -> None:
    from kubegen import EnvFrom

    maybe = EnvFrom(config_map="feature-flags", prefix="FLAG_", optional=True)
    assert maybe.to_dict() == {"prefix": "FLAG_", "configMapRef": {"name": "feature-flags", "optional": True}}
    pod = Deployment(name="api", containers=[Container(name="api", image="api:1", env_from=[maybe])])
    assert kubegen.check_stack(Stack(namespace="shop", objects=[pod])) == []


def test_import_keeps_an_optional_env_from_typed() -> None:
    from test_import_appkinds import import_chart, run_app

    chart = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
      - name: c
        image: c:1
        envFrom: [{prefix: X_, secretRef: {name: maybe, optional: true}}]
    """
    source = import_chart(chart)
    assert 'EnvFrom(secret="maybe", prefix="X_", optional=True)' in source and "extra=" not in source
    rendered = run_app(source)[0]
    assert rendered["spec"]["containers"][0]["envFrom"] == [{"prefix": "X_", "secretRef": {"name": "maybe",
                                                                                              "optional": True}}]


# --- config-ref: the Secrets cert-manager's ingress-shim makes for annotated Ingresses ----------

SHIMMED = """\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      annotations: {ANNOTATION}
    spec:
      ingressClassName: nginx
      tls: [{hosts: [shop.example.com], secretName: shop-tls}]
      rules:
      - host: shop.example.com
        http:
          paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: web, labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, ports: [{containerPort: 80}]}]
      volumes: [{name: tls, secret: {secretName: shop-tls, items: [{key: tls.key, path: key}]}}]
    """


@pytest.mark.parametrize(("annotation", "made"), [
    ("'cert-manager.io/cluster-issuer': letsencrypt", True),
    ("'cert-manager.io/issuer': ca", True),
    ("'kubernetes.io/tls-acme': 'true'", True),
    ("'kubernetes.io/tls-acme': 'false'", False),
    ("'nginx.ingress.kubernetes.io/ssl-redirect': 'true'", False),
])
def test_cert_managers_ingress_shim_makes_the_tls_secrets(annotation: str, made: bool) -> None:
    found = lint(SHIMMED.replace("ANNOTATION", annotation))
    if made:
        assert found == [], [f.format() for f in found]
    else:
        assert sorted(f.rule for f in found) == ["config-ref", "config-ref"]
