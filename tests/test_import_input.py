"""kubegen import never changes the objects it was given.

The plan shares the input's mappings instead of copying every object
(:func:`kubegen.importer.program.local_view` copies only what it takes out): so
nothing on the way (candidates, builders, the render-back comparison, comments,
External declarations) may change them. Oracle: a deep copy taken before.
"""

from __future__ import annotations

import copy
import textwrap

from test_import import importable_corpus

from kubegen.importer import import_manifests, normalise
from kubegen.importer.program import Settings, local_view, plan
from kubegen.reader import read_paths, read_text

STACK = textwrap.dedent("""\
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {team: a}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop, labels: {app: web, team: a}}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web, team: a}}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            ports: [{name: http, containerPort: 8080}]
            env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop, labels: {app: web, team: a}}
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: http}]
    ---
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly, namespace: shop, labels: {team: a}}
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            metadata: {labels: {team: a, job: nightly}}
            spec:
              restartPolicy: OnFailure
              containers: [{name: run, image: busybox:1.36, args: [sh, -c, date]}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: debug, namespace: shop, labels: {team: a, run: debug}}
    spec:
      containers: [{name: sh, image: busybox:1.36, ports: [{containerPort: 9000, protocol: TCP}]}]
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: thing, namespace: shop, labels: {team: a}}
    spec: {size: 3, nested: {deep: [1, {two: 2}]}}
""")


def test_import_leaves_a_namespaced_stack_with_common_labels_unchanged() -> None:
    manifests = read_text(STACK, "in.yaml").manifests
    before = copy.deepcopy([m.obj for m in manifests])
    result = plan(manifests)
    assert result.settings.namespace == "shop" and result.settings.labels == {"team": "a"}
    source = import_manifests(manifests, ["in.yaml"])
    assert "Deployment(" in source and "web.expose(" in source and "CronJob(" in source
    assert [m.obj for m in manifests] == before


def test_local_view_takes_out_the_stack_s_part_and_copies_only_what_it_changes() -> None:
    obj = read_text(STACK, "in.yaml").manifests[3].obj  # the CronJob
    before = copy.deepcopy(obj)
    local = local_view(obj, Settings("shop", {"team": "a"}))
    assert obj == before
    assert "labels" not in local["metadata"] and "namespace" not in local["metadata"]
    template = local["spec"]["jobTemplate"]["spec"]["template"]
    assert template["metadata"] == {"labels": {"job": "nightly"}}
    assert template["spec"] is obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # shared, not copied
    assert local["spec"]["schedule"] == "0 3 * * *"
    assert local_view(obj, Settings(None, {})) is obj  # nothing to take out: the object itself


def test_import_leaves_every_corpus_file_unchanged() -> None:
    files = importable_corpus()
    assert len(files) >= 250
    for path in files:
        manifests = read_paths([path]).manifests
        before = copy.deepcopy([m.obj for m in manifests])
        import_manifests(manifests, [path])
        assert [m.obj for m in manifests] == before, path
    manifests = read_paths(files).manifests  # all of them as one app
    before = copy.deepcopy([m.obj for m in manifests])
    import_manifests(manifests, files)
    assert [m.obj for m in manifests] == before


TRICKY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {}, annotations: {}, creationTimestamp: null}
    spec:
      replicas: 1
      revisionHistoryLimit: 10
      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {}, creationTimestamp: null}
        spec:
          dnsPolicy: ClusterFirst
          securityContext: {}
          containers:
          - name: web
            image: nginx
            imagePullPolicy: Always
            resources: {}
            ports: [{containerPort: 80, protocol: TCP}]
            livenessProbe: {httpGet: {port: 80, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10}
    status: {}
    ---
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      schedule: "0 3 * * *"
      concurrencyPolicy: Allow
      jobTemplate:
        metadata: {creationTimestamp: null, labels: {}}
        spec:
          backoffLimit: 6
          template:
            metadata: {}
            spec:
              restartPolicy: OnFailure
              containers: [{name: run, image: busybox:1.36}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: ClusterIP
      clusterIP: 10.0.0.1
      clusterIPs: [10.0.0.1]
      ports: [{port: 80, targetPort: 80, protocol: TCP}]
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      serviceName: db
      updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
      persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: db, image: postgres:16}]}
      volumeClaimTemplates:
      - apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, creationTimestamp: null}
        spec: {volumeMode: Filesystem, resources: {requests: {storage: 1Gi}}}
        status: {}
""")


def test_normalise_is_idempotent() -> None:
    """The render-back check compares a rendering's normal form with the input as written
    before it computes the input's normal form: sound because a normal form is its own."""
    objs = [m.obj for m in read_text(TRICKY, "tricky.yaml").manifests]
    objs += [m.obj for path in importable_corpus() for m in read_paths([path]).manifests]
    assert len(objs) > 300
    changed = 0
    for obj in objs:
        normal = normalise(obj)
        assert normalise(normal) == normal, obj
        changed += normal != obj
    assert changed >= 4  # the tricky ones at least: there was something to take out
