"""A review of the API-server validation against the Kubernetes sources, rule by rule: each
case is an object with one change and either the field path an error must name or None
for what the server accepts (no error at all). The comment on each group names the Go
function (pkg/apis/<group>/validation, apimachinery, the v1 defaulting) it follows; every
case here disagreed with kubegen before the fix that came with it.
"""

from __future__ import annotations

import pytest
from test_validation_rules import ING, POD, assert_verdict, cron, dep, hpa, job, pod, pvc, svc

from kubegen.facts import cron_schedule_problem

# ruff: noqa: E501  (one case per line reads best)


def env(source: str) -> str:
    return pod("", f"    env: [{{name: A, valueFrom: {source}}}]\n")


def volume(source: str, mount: str = "") -> str:
    return pod(f"  volumes: [{{name: v, {source}}}]\n", f"    volumeMounts: [{{name: v, mountPath: /v{mount}}}]\n")


def template_annotations(annotations: str) -> str:
    return dep().replace("metadata: {labels: {app: w}}", f"metadata: {{labels: {{app: w}}, annotations: {annotations}}}")


CASES: list[tuple[str, str, str | None]] = [
 # validateObjectFieldSelector + ConvertDownwardAPIFieldLabel: env vars read single labels and
 # annotations by subscript, and spec.host is the old clients' spec.nodeName
 ("env-label-subscript-ok", env("{fieldRef: {fieldPath: \"metadata.labels['app']\"}}"), None),
 ("env-annotation-subscript-ok", env("{fieldRef: {fieldPath: \"metadata.annotations['a.b/c']\"}}"), None),
 ("env-spec-host-ok", env("{fieldRef: {fieldPath: spec.host}}"), None),
 ("env-labels-whole", env("{fieldRef: {fieldPath: metadata.labels}}"), "fieldRef.fieldPath"),
 ("env-subscript-other", env("{fieldRef: {fieldPath: \"spec.nodeName['x']\"}}"), "fieldRef.fieldPath"),
 ("env-subscript-bad-key", env("{fieldRef: {fieldPath: \"metadata.labels['a b']\"}}"), "fieldRef.fieldPath"),
 ("volume-spec-host", volume("downwardAPI: {items: [{path: n, fieldRef: {fieldPath: spec.host}}]}"), "fieldRef.fieldPath"),
 # validateContainerResourceDivisor compares Quantity.String(): 1000m is 1, 1024Ki is 1Mi
 ("divisor-1000m-ok", env("{resourceFieldRef: {resource: limits.cpu, divisor: 1000m}}"), None),
 ("divisor-1024Ki-ok", env("{resourceFieldRef: {resource: limits.memory, divisor: 1024Ki}}"), None),
 ("divisor-1024", env("{resourceFieldRef: {resource: limits.memory, divisor: '1024'}}"), "divisor"),
 ("divisor-2", env("{resourceFieldRef: {resource: limits.cpu, divisor: '2'}}"), "divisor"),
 # SetDefaults_IngressClass: parameters.scope defaults to Cluster (then no namespace)
 ("ingclass-scope-default-ok", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec:\n  controller: example.com/ingress\n  parameters: {apiGroup: example.com, kind: Params, name: p}\n", None),
 ("ingclass-scope-default-namespace", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec:\n  controller: example.com/ingress\n  parameters: {apiGroup: example.com, kind: Params, name: p, namespace: n}\n", "parameters.namespace"),
 # IsDomainPrefixedPath: the path part takes URL path characters only
 ("ingclass-controller-path-bad", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec:\n  controller: example.com/a b\n", "spec.controller"),
 ("job-managedby-path-bad", job("  managedBy: example.com/a b\n"), "managedBy"),
 # the Job strategy's generateSelector labels the pods job-name=<name> before validation;
 # validateGeneratedSelector then holds the template's job-name/controller-uid labels to the
 # generated values
 ("job-name-64", job().replace("name: j}", "name: " + "j" * 64 + "}"), "metadata.name"),
 ("job-name-63-ok", job().replace("name: j}", "name: " + "j" * 63 + "}"), None),
 ("job-name-64-manual-ok", job("  manualSelector: true\n  selector: {matchLabels: {a: b}}\n").replace("name: j}", "name: " + "j" * 64 + "}").replace("  template:\n    spec:", "  template:\n    metadata: {labels: {a: b}}\n    spec:"), None),
 ("job-template-job-name-other", job().replace("  template:\n    spec:", "  template:\n    metadata: {labels: {job-name: other}}\n    spec:"), "labels[job-name]"),
 ("job-template-job-name-same-ok", job().replace("  template:\n    spec:", "  template:\n    metadata: {labels: {batch.kubernetes.io/job-name: j}}\n    spec:"), None),
 ("job-template-controller-uid", job().replace("  template:\n    spec:", "  template:\n    metadata: {labels: {controller-uid: x}}\n    spec:"), "labels[controller-uid]"),
 # validateSuccessPolicy + validateIndexesFormat: ordered indexes below completions
 ("job-success-index-too-large", job("  completionMode: Indexed\n  completions: 3\n  successPolicy: {rules: [{succeededIndexes: 0-5}]}\n"), "succeededIndexes"),
 ("job-success-index-garbage", job("  completionMode: Indexed\n  completions: 3\n  successPolicy: {rules: [{succeededIndexes: a}]}\n"), "succeededIndexes"),
 ("job-success-index-unordered", job("  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: '3,1'}]}\n"), "succeededIndexes"),
 ("job-success-count-over-indexes", job("  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: '1,3', succeededCount: 3}]}\n"), "succeededCount"),
 ("job-success-indexes-ok", job("  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: '0,2-4', succeededCount: 4}]}\n"), None),
 # validateScheduleFormat = robfig/cron ParseStandard: names only in month/day-of-week,
 # no 'H', steps above 0, ranges forwards
 ("cron-h", cron(schedule="'H 3 * * *'"), "schedule"),
 ("cron-step-zero", cron(schedule="'*/0 * * * *'"), "schedule"),
 ("cron-range-backwards", cron(schedule="'0 5-3 * * *'"), "schedule"),
 ("cron-long-weekday", cron(schedule="'0 3 * * MONDAY'"), "schedule"),
 ("cron-every-bad", cron(schedule="'@every 5x'"), "schedule"),
 ("cron-names-ok", cron(schedule="'0 9 * jan-mar mon-fri'"), None),
 ("cron-step-from-ok", cron(schedule="'5/15 * * * *'"), None),
 # validateDataSource/validateDataSourceRef: the two must agree; a cross-namespace ref stands alone
 ("pvc-datasource-mismatch", pvc("  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n  dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: a}\n  dataSourceRef: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: b}\n"), "spec.dataSource"),
 ("pvc-datasource-same-ok", pvc("  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n  dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: a}\n  dataSourceRef: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: a}\n"), None),
 ("pvc-datasourceref-namespace-with-datasource", pvc("  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n  dataSource: {apiGroup: x.io, kind: Snap, name: a}\n  dataSourceRef: {apiGroup: x.io, kind: Snap, name: a, namespace: other}\n"), "spec.dataSource"),
 # ValidatePersistentVolumeClaimTemplate -> ValidateTemplateObjectMeta: labels and annotations only
 ("ephemeral-template-name", volume("ephemeral: {volumeClaimTemplate: {metadata: {name: x}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}"), "volumeClaimTemplate.metadata.name"),
 ("ephemeral-template-labels-ok", volume("ephemeral: {volumeClaimTemplate: {metadata: {labels: {a: b}}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}"), None),
 ("ephemeral-template-label-bad", volume("ephemeral: {volumeClaimTemplate: {metadata: {labels: {a: 'b c'}}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}"), "volumeClaimTemplate.metadata.labels"),
 # validatePathNoBacksteps splits at '/' only (filepath.ToSlash on a Linux server)
 ("subpath-backslash-ok", volume("emptyDir: {}", ", subPath: 'a\\\\..\\\\b'"), None),
 # the storage volume sources (validateISCSIVolumeSource, validateFCVolumeSource,
 # validateFlockerVolumeSource, validateAzureDisk + SetDefaults_AzureDiskVolumeSource,
 # validateQuobyteVolumeSource, validateStorageOSVolumeSource, validateCSIVolumeSource,
 # validateFlexVolumeSource, validateCinderVolumeSource)
 ("iscsi-iqn-bad", volume("iscsi: {targetPortal: '10.0.0.1:3260', iqn: foo, lun: 0}"), "iscsi.iqn"),
 ("iscsi-iqn-format", volume("iscsi: {targetPortal: '10.0.0.1:3260', iqn: iqn.2001.example, lun: 0}"), "iscsi.iqn"),
 ("iscsi-ok", volume("iscsi: {targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0}"), None),
 ("iscsi-chap-no-secret", volume("iscsi: {targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0, chapAuthSession: true}"), "iscsi.secretRef"),
 ("iscsi-initiator-bad", volume("iscsi: {targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0, initiatorName: bob}"), "iscsi.initiatorName"),
 ("fc-empty", volume("fc: {}"), "fc.targetWWNs"),
 ("fc-wwn-no-lun", volume("fc: {targetWWNs: ['500a0982991b8dc5']}"), "fc.lun"),
 ("fc-both", volume("fc: {targetWWNs: ['500a0982991b8dc5'], lun: 1, wwids: [x]}"), "fc.targetWWNs"),
 ("fc-wwids-ok", volume("fc: {wwids: ['3600508b400105e210000900000490000']}"), None),
 ("flocker-empty", volume("flocker: {}"), "volumes[0].flocker"),
 ("flocker-slash", volume("flocker: {datasetName: a/b}"), "flocker.datasetName"),
 ("azuredisk-uri-default-kind", volume("azureDisk: {diskName: d, diskURI: /subscriptions/x/disks/d}"), "azureDisk.diskURI"),
 ("azuredisk-managed-ok", volume("azureDisk: {diskName: d, diskURI: /subscriptions/x/disks/d, kind: Managed}"), None),
 ("azuredisk-blob-ok", volume("azureDisk: {diskName: d, diskURI: 'https://a.blob.core.windows.net/c/d.vhd'}"), None),
 ("quobyte-registry-no-port", volume("quobyte: {registry: reg, volume: v}"), "quobyte.registry"),
 ("quobyte-ok", volume("quobyte: {registry: 'reg:7861,reg2:7861', volume: v}"), None),
 ("storageos-name-bad", volume("storageos: {volumeName: Vol_1}"), "storageos.volumeName"),
 ("csi-secret-no-name", volume("csi: {driver: csi.example.com, nodePublishSecretRef: {}}"), "nodePublishSecretRef.name"),
 ("flex-reserved-option", volume("flexVolume: {driver: example.com/x, options: {kubernetes.io/x: y}}"), "flexVolume.options"),
 ("cinder-secret-no-name", volume("cinder: {volumeID: x, secretRef: {}}"), "cinder.secretRef.name"),
 # validateResourceQuantityHugePageValue: a whole number of pages
 ("hugepages-not-multiple", pod("", "    resources: {limits: {memory: 64Mi, hugepages-2Mi: 3Mi}, requests: {memory: 64Mi, hugepages-2Mi: 3Mi}}\n"), "hugepages-2Mi"),
 ("hugepages-bad-size", pod("", "    resources: {limits: {memory: 64Mi, hugepages-big: 2Mi}, requests: {memory: 64Mi, hugepages-big: 2Mi}}\n"), "hugepages-big"),
 ("hugepages-multiple-ok", pod("", "    resources: {limits: {memory: 64Mi, hugepages-2Mi: 4Mi}, requests: {memory: 64Mi, hugepages-2Mi: 4Mi}}\n"), None),
 # validatePodResources: pod-level cpu/memory/hugepages, no claims, containers within them
 ("pod-resources-ok", pod("  resources: {limits: {cpu: '1', memory: 1Gi}}\n"), None),
 ("pod-resources-gpu", pod("  resources: {limits: {example.com/gpu: '1'}}\n"), "spec.resources.limits"),
 ("pod-resources-container-over", pod("  resources: {limits: {memory: 100Mi}}\n", "    resources: {limits: {memory: 200Mi}}\n"), "containers[0].resources.limits"),
 ("pod-resources-requests-under", pod("  resources: {requests: {cpu: 100m}, limits: {cpu: '1'}}\n", "    resources: {requests: {cpu: 200m}}\n"), "spec.resources.requests"),
 # ValidatePodSpecificAnnotations (pods and templates): deletion cost, seccomp and AppArmor annotations
 ("deletion-cost-bad", template_annotations("{controller.kubernetes.io/pod-deletion-cost: abc}"), "annotations[controller.kubernetes.io/pod-deletion-cost]"),
 ("deletion-cost-plus", template_annotations("{controller.kubernetes.io/pod-deletion-cost: '+1'}"), "pod-deletion-cost"),
 ("deletion-cost-ok", template_annotations("{controller.kubernetes.io/pod-deletion-cost: '-10'}"), None),
 ("seccomp-annotation-bad", template_annotations("{seccomp.security.alpha.kubernetes.io/pod: default}"), "seccomp.security.alpha.kubernetes.io/pod"),
 ("seccomp-annotation-ok", template_annotations("{seccomp.security.alpha.kubernetes.io/pod: runtime/default}"), None),
 ("apparmor-annotation-no-container", template_annotations("{container.apparmor.security.beta.kubernetes.io/nope: runtime/default}"), "apparmor"),
 ("apparmor-annotation-profile-bad", template_annotations("{container.apparmor.security.beta.kubernetes.io/c: strict}"), "apparmor"),
 ("apparmor-annotation-ok", template_annotations("{container.apparmor.security.beta.kubernetes.io/c: 'localhost/k8s-x'}"), None),
 ("mirror-annotation-no-node", template_annotations("{kubernetes.io/config.mirror: x}"), "kubernetes.io/config.mirror"),
 ("pod-apparmor-annotation-no-container", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {container.apparmor.security.beta.kubernetes.io/x: unconfined}\nspec:\n  containers: [{name: c, image: nginx}]\n", "metadata.annotations"),
 # kubectl refuses an empty name (resource name may not be empty); ValidateObjectMeta requires one
 ("name-empty", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ''}\n", "metadata.name"),
 # metav1.Time decodes RFC 3339 only
 ("creation-timestamp-bad", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: yesterday}\n", "metadata.creationTimestamp"),
 ("creation-timestamp-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: '2024-05-01T12:00:00.5+02:00'}\n", None),
 ("creation-timestamp-null-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: null}\n", None),
 # ValidateService: the source-ranges annotation and the topology annotations
 ("svc-source-ranges-annotation-bad", svc("  type: LoadBalancer\n  ports: [{port: 80}]\n").replace("name: s}", "name: s, annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: '10.0.0.0/8,300.0.0.0/8'}}"), "load-balancer-source-ranges"),
 ("svc-source-ranges-annotation-clusterip", svc("  ports: [{port: 80}]\n").replace("name: s}", "name: s, annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: '10.0.0.0/8'}}"), "load-balancer-source-ranges"),
 ("svc-source-ranges-annotation-ok", svc("  type: LoadBalancer\n  ports: [{port: 80}]\n").replace("name: s}", "name: s, annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: ' 10.0.0.0/8, 192.168.0.0/16'}}"), None),
 ("svc-topology-mismatch", svc("  ports: [{port: 80}]\n").replace("name: s}", "name: s, annotations: {service.kubernetes.io/topology-mode: Auto, service.kubernetes.io/topology-aware-hints: Disabled}}"), "topology-mode"),
 # the registry allocates a given healthCheckNodePort from the node-port range
 ("svc-health-check-port-outside-range", svc("  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 8080\n  ports: [{port: 80}]\n"), "healthCheckNodePort"),
 ("svc-health-check-port-ok", svc("  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 31000\n  ports: [{port: 80}]\n"), None),
 # ValidateSecret: an ssh-auth Secret's private key may not be empty
 ("secret-ssh-empty", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/ssh-auth\nstringData: {ssh-privatekey: ''}\n", "ssh-privatekey"),
 # validateScalingRules (after SetDefaults_HorizontalPodAutoscalerBehavior keeps given policies)
 ("hpa-policies-empty", hpa("  maxReplicas: 3\n  behavior: {scaleUp: {policies: []}}\n"), "scaleUp.policies"),
 ("hpa-policies-absent-ok", hpa("  maxReplicas: 3\n  behavior: {scaleUp: {stabilizationWindowSeconds: 60}}\n"), None),
 ("hpa-tolerance-negative", hpa("  maxReplicas: 3\n  behavior: {scaleDown: {tolerance: '-0.1'}}\n"), "tolerance"),
 # validateContainerResourceSource: a container resource name and a container name (DNS label)
 ("hpa-container-resource-name-bad", hpa("  maxReplicas: 3\n  metrics: [{type: ContainerResource, containerResource: {name: cpus, container: web, target: {type: Utilization, averageUtilization: 50}}}]\n"), "containerResource.name"),
 ("hpa-container-resource-container-bad", hpa("  maxReplicas: 3\n  metrics: [{type: ContainerResource, containerResource: {name: cpu, container: Web, target: {type: Utilization, averageUtilization: 50}}}]\n"), "containerResource.container"),
 ("hpa-container-resource-ok", hpa("  maxReplicas: 3\n  metrics: [{type: ContainerResource, containerResource: {name: memory, container: web, target: {type: AverageValue, averageValue: 100Mi}}}]\n"), None),
 # validateMetricIdentifier: a metric's selector is a label selector
 ("hpa-metric-selector-bad", hpa("  maxReplicas: 3\n  metrics: [{type: External, external: {metric: {name: queue, selector: {matchLabels: {q: 'a b'}}}, target: {type: Value, value: '1'}}}]\n"), "metric.selector"),
 ("ingress-ok", ING + "spec:\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n", None),
 # decoding: an int32 field refuses a larger number, metav1.Time anything but RFC 3339, and a
 # null list item becomes the item's zero value (then validated like any other)
 ("replicas-int32-overflow", dep("  replicas: 3000000000\n"), "spec.replicas"),
 ("grace-int64-ok", pod("  terminationGracePeriodSeconds: 3000000000\n"), None),
 ("container-null", POD + "  containers: [null]\n", "containers[0].name"),
 ("service-port-null", svc("  ports: [null]\n"), "ports[0].port"),
 ("toleration-null", pod("  tolerations: [null]\n"), "tolerations[0].operator"),
 ("pull-secret-null-ok", pod("  imagePullSecrets: [null]\n"), None),
 ("ingress-rule-null-ok", ING + "spec:\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n  rules: [null]\n", None),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in CASES], ids=[i for i, _, _ in CASES])
def test_rule(text: str, expected: str | None) -> None:
    assert_verdict(text, expected)


def test_case_ids_are_unique() -> None:
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("schedule", "fragment"), [
    ("H 3 * * *", "invalid minute field 'H'"), ("*/0 * * * *", "a step must be a positive number"),
    ("0 5-3 * * *", "runs backwards"), ("0 0 * * MONDAY", "'MONDAY' is not a number or a name"),
    ("@every 1d", "not a known descriptor"), ("@daily ", "not a known descriptor"),
])
def test_cron_parser_follows_robfig(schedule: str, fragment: str) -> None:
    problem = cron_schedule_problem(schedule)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("schedule", ["@every 1h30m", "@every 500ms", "1,,2 * * * *", "*-5 * * * *", "0 0 * * sun"])
def test_cron_parser_near_misses(schedule: str) -> None:
    assert cron_schedule_problem(schedule) is None
