"""``kubegen import`` of the app kinds: Jobs, CronJobs, claims, ServiceAccounts, RBAC,
autoscalers, budgets and NetworkPolicies become typed builders and wiring helpers, and the
generated app renders back to the same objects."""

from __future__ import annotations

import ast
import json
import textwrap
from typing import Any

from kubegen.api import compile_stacks, write_manifests
from kubegen.importer import import_manifests, normalise
from kubegen.importer.program import plan
from kubegen.reader import read_text

CHART = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop}
imagePullSecrets: [{name: regcred}]
automountServiceAccountToken: false
---
apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: shop}
type: kubernetes.io/dockerconfigjson
stringData: {.dockerconfigjson: "{}"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: api, namespace: shop}
rules:
- apiGroups: [""]
  resources: [configmaps, pods/log]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  resourceNames: [api]
  verbs: [patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: api}
subjects:
- {kind: ServiceAccount, name: api}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: api-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: api, namespace: shop}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: uploads, namespace: shop}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: nfs
  resources: {requests: {storage: 20Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api:1.4
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 200m, memory: 256Mi}}
        env:
        - {name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: MODE, value: prod}
        - {name: FUTURE, valueFrom: {fileKeyRef: {path: env, volumeName: cfg, key: MODE}}}
        volumeMounts: [{name: uploads, mountPath: /srv/uploads}]
      volumes:
      - {name: uploads, persistentVolumeClaim: {claimName: uploads}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Pods
    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: api}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-migrate, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: migrate}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    ports: [{port: 53, protocol: UDP}]
  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 600
  template:
    metadata: {labels: {app: migrate}}
    spec:
      restartPolicy: Never
      serviceAccountName: api
      containers: [{name: migrate, image: api:1.4, command: [migrate, up]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    metadata: {labels: {team: data}}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: report:2}]
"""


def import_chart(text: str = CHART) -> str:
    read = read_text(textwrap.dedent(text), "chart.yaml")
    return import_manifests(read.manifests, ["chart.yaml"])


def canonical(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(normalise(o), sort_keys=True) for o in objs)


def run_app(source: str) -> list[dict[str, Any]]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return [m.obj for m in read_text(write_manifests(compile_stacks(namespace["stack"]), check=False), "out").manifests]


def test_every_app_kind_is_typed_and_renders_back() -> None:
    source = import_chart()
    ast.parse(source)
    assert "Raw(" not in source
    original = [m.obj for m in read_text(CHART, "chart.yaml").manifests]
    assert canonical(run_app(source)) == canonical(original)


def test_helpers_wire_the_typed_objects() -> None:
    source = import_chart()
    assert 'api_role_binding = api_role.bind(api_service_account, Subject.group("devs"))' in source
    assert "view" in source and 'ClusterRoleBinding(' in source
    assert "api_horizontal_pod_autoscaler = api.autoscale(" in source
    assert 'min=2,' in source and 'cpu=70,' in source and 'Metric.pods("requests_per_second", average_value="100")' \
        in source
    assert "api_pod_disruption_budget = api.budget(max_unavailable=1)" in source
    assert 'default_deny = NetworkPolicy.deny_all("default-deny")' in source
    assert 'api_from_migrate = NetworkPolicy.allow(\n    to=api,\n    from_=migrate,\n    port="http",\n' in source
    assert 'NetworkPolicyPeer.block("10.0.0.0/8", except_=["10.1.0.0/16"])' in source
    assert "service_account_name=api_service_account" in source
    assert 'image_pull_secrets=[regcred]' in source
    assert 'Volume.pvc("uploads", uploads)' in source


def test_env_stays_typed_around_an_unmodelled_source() -> None:
    source = import_chart()
    assert '"MEMORY_LIMIT": ResourceFieldRef(\n                    resource="limits.memory",' in source
    assert '"NODE": FieldRef(field_path="spec.nodeName"),' in source
    assert '"MODE": "prod",' in source
    assert 'ValueFrom(\n' in source and '"fileKeyRef"' in source
    assert "extra=" not in source


def test_jobs_and_cronjobs() -> None:
    source = import_chart()
    assert 'migrate = Job(\n    name="migrate",\n    labels={},\n    backoff_limit=2,' in source
    assert 'pod_labels={"app": "migrate"},' in source and "ttl_seconds_after_finished=600," in source
    assert 'report = CronJob(\n    name="report",\n    schedule="0 3 * * *",\n    concurrency_policy="Forbid",' in source
    assert 'job_metadata={"labels": {"team": "data"}},' in source


def test_kinds_in_shapes_kubegen_does_not_model_stay_raw_with_a_reason() -> None:
    odd = """\
    apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata: {name: old}
    spec: {minAvailable: 1, selector: {matchLabels: {app: x}}}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: exprs}
    spec:
      podSelector: {matchExpressions: [{key: app, operator: In, values: []}]}
    """
    entries = plan(read_text(textwrap.dedent(odd), "odd.yaml").manifests).order
    assert [(e.kind, e.typed) for e in entries] == [("PodDisruptionBudget", False), ("NetworkPolicy", False)]
    assert "policy/v1beta1" in (entries[0].why or "")
    assert "a podSelector expression kubegen would write in another form" in (entries[1].why or "")


def test_a_broken_autoscaler_is_kept_as_written() -> None:
    broken = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web}}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: web:1}]}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      maxReplicas: 4
      metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
    """
    source = import_chart(broken)
    # web.autoscale() refuses a CPU target without CPU requests; the plain builder keeps it
    assert "HorizontalPodAutoscaler(\n    name=\"web\",\n    target=web," in source
    assert canonical(run_app(source)) == canonical([m.obj for m in read_text(textwrap.dedent(broken), "b").manifests])


def test_a_deployment_left_to_its_autoscaler_keeps_no_replica_count() -> None:
    # `replicas: 1` (the builder's default) written back would reset the autoscaler's
    # count on every apply: a workload without replicas imports as replicas=None
    scaled = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: web:1, resources: {requests: {cpu: 100m}}}]}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 4
      metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
    """
    source = import_chart(scaled)
    assert "replicas=None," in source and "web.autoscale(" in source
    rendered = run_app(source)
    assert "replicas" not in next(o for o in rendered if o["kind"] == "Deployment")["spec"]


def test_a_budget_beside_its_workload_keeps_its_selector_in_the_plain_spelling() -> None:
    """The fallback ``PodDisruptionBudget(...)`` spelling (tried when ``web.budget(...)``
    does not render back) selects what the input selects, not the budget's own labels."""
    from kubegen.importer.policies import budget

    class Built:
        name, labels = "web", {"app": "web"}

    class Found:
        def workload_for(self, labels: dict[str, str]) -> tuple[str, Built]:
            return "web", Built()

    obj = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "web-pdb", "labels": {"team": "x"}},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}
    helper, plain = budget(obj, Found())  # type: ignore[arg-type]
    assert helper.func == "budget" and dict(helper.kwargs)["labels"] == {"team": "x"}
    assert plain.func == "PodDisruptionBudget"
    assert dict(plain.kwargs)["selector"] == {"app": "web"} and dict(plain.kwargs)["labels"] == {"team": "x"}
