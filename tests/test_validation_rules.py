"""The API server's validation, rule by rule, across the kinds kubegen knows: each case is a
small object and either the field path (as the server names it) an error must name, or
None for a near miss the server accepts (no error at all).

The oracle is the server's validation code (``pkg/apis/{core,apps,batch,networking,policy,
autoscaling,rbac}/validation``, apimachinery's name and label validation) and its defaulting
(a Job's ``onPodConditions`` status defaults to True, cluster-scoped objects drop a
namespace); each case was written from the rule, not from kubegen's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kubegen.checks import CheckOptions, run_checks
from kubegen.reader import read_text

# ruff: noqa: E501  (one case per line reads best)

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"


def pod(extra_spec: str = "", container_extra: str = "") -> str:
    return POD + "  containers:\n  - name: c\n    image: nginx\n" + container_extra + extra_spec
POD_CASES: list[tuple[str, str, str | None]] = [
 # --- metadata
 ("cm-name-upper", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: My_Config}\n", "metadata.name: 'My_Config'"),
 ("cm-name-dots-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: my.config}\n", None),
 ("ns-name-dot", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", "metadata.name: 'a.b'"),
 ("role-name-slash", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a/b}\nrules: []\n", "metadata.name: 'a/b'"),
 ("role-name-colon-ok", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:ctl:x'}\nrules: []\n", None),
 ("sa-name-upper", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: Bad}\n", "metadata.name: 'Bad'"),
 ("label-key-two-slashes", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a/b/c: x}}\n", "metadata.labels"),
 ("label-value-64", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: " + "x"*64 + "}}\n", "metadata.labels"),
 ("label-value-empty-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {a: ''}}\n", None),
 ("label-key-prefix-long", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {" + "a"*254 + "/x: y}}\n", "metadata.labels"),
 ("finalizer-unqualified", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [cleanup]}\n", "metadata.finalizers"),
 ("finalizer-standard-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [orphan, example.com/x]}\n", None),
 ("finalizer-orphan-foreground", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [orphan, foregroundDeletion]}\n", "metadata.finalizers"),
 ("ownerref-no-kind", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences: [{apiVersion: v1, kind: '', name: x, uid: '1'}]\n", "metadata.ownerReferences"),
 ("ownerref-two-controllers", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {apiVersion: v1, kind: A, name: x, uid: '1', controller: true}\n  - {apiVersion: v1, kind: B, name: y, uid: '2', controller: true}\n", "metadata.ownerReferences"),
 ("cluster-scoped-namespace-ok", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: Bad_NS}\nrules: []\n", None),
 ("namespace-bad", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: Bad_NS}\n", "metadata.namespace"),
 ("generate-name-only", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}\n", "generateName"),
 # --- volumes
 ("hostpath-empty", pod("  volumes: [{name: v, hostPath: {path: ''}}]\n"), "volumes[0].hostPath.path"),
 ("hostpath-type-bogus", pod("  volumes: [{name: v, hostPath: {path: /x, type: Dir}}]\n"), "volumes[0].hostPath.type"),
 ("hostpath-relative", pod("  volumes: [{name: v, hostPath: {path: x/..}}]\n"), "volumes[0].hostPath.path"),
 ("emptydir-size-neg", pod("  volumes: [{name: v, emptyDir: {sizeLimit: -1Gi}}]\n"), "volumes[0].emptyDir.sizeLimit"),
 ("cm-vol-no-name", pod("  volumes: [{name: v, configMap: {}}]\n"), "volumes[0].configMap.name"),
 ("cm-vol-item-key-empty", pod("  volumes: [{name: v, configMap: {name: c, items: [{key: '', path: a}]}}]\n"), "items[0].key"),
 ("cm-vol-item-path-dotdot", pod("  volumes: [{name: v, configMap: {name: c, items: [{key: k, path: ../a}]}}]\n"), "items[0].path"),
 ("cm-vol-item-mode", pod("  volumes: [{name: v, configMap: {name: c, items: [{key: k, path: a, mode: 512}]}}]\n"), "items[0].mode"),
 ("cm-vol-mode-0777-ok", pod("  volumes: [{name: v, configMap: {name: c, defaultMode: 511}}]\n"), None),
 ("secret-vol-no-name", pod("  volumes: [{name: v, secret: {}}]\n"), "volumes[0].secret.secretName"),
 ("pvc-vol-no-claim", pod("  volumes: [{name: v, persistentVolumeClaim: {claimName: ''}}]\n"), "persistentVolumeClaim.claimName"),
 ("nfs-relative", pod("  volumes: [{name: v, nfs: {server: s, path: x}}]\n"), "volumes[0].nfs.path"),
 ("csi-no-driver", pod("  volumes: [{name: v, csi: {driver: ''}}]\n"), "volumes[0].csi.driver"),
 ("projected-token-short", pod("  volumes: [{name: v, projected: {sources: [{serviceAccountToken: {path: t, expirationSeconds: 60}}]}}]\n"), "expirationSeconds"),
 ("projected-token-no-path", pod("  volumes: [{name: v, projected: {sources: [{serviceAccountToken: {path: ''}}]}}]\n"), "serviceAccountToken.path"),
 ("downward-bad-field", pod("  volumes: [{name: v, downwardAPI: {items: [{path: a, fieldRef: {fieldPath: metadata.foo}}]}}]\n"), "fieldRef.fieldPath"),
 ("downward-label-ok", pod("  volumes: [{name: v, downwardAPI: {items: [{path: a, fieldRef: {fieldPath: \"metadata.labels['app']\"}}]}}]\n"), None),
 ("two-sources", pod("  volumes: [{name: v, emptyDir: {}, secret: {secretName: s}}]\n"), "volumes[0]"),
 ("no-source", pod("  volumes: [{name: v}]\n"), "volumes[0]"),
 ("ephemeral-no-template", pod("  volumes: [{name: v, ephemeral: {}}]\n"), "ephemeral.volumeClaimTemplate"),
 ("image-vol-no-ref-pod", pod("  volumes: [{name: v, image: {reference: ''}}]\n"), "image.reference"),
 # --- scheduling
 ("tol-exists-value", pod("  tolerations: [{key: k, operator: Exists, value: v}]\n"), "tolerations[0].operator"),
 ("tol-empty-key-equal", pod("  tolerations: [{operator: Equal, value: v}]\n"), "tolerations[0].operator"),
 ("tol-empty-key-exists-ok", pod("  tolerations: [{operator: Exists}]\n"), None),
 ("tol-key-bad", pod("  tolerations: [{key: 'a b', operator: Exists}]\n"), "tolerations[0].key"),
 ("tol-seconds-noschedule", pod("  tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]\n"), "tolerations[0].effect"),
 ("tol-operator-bogus", pod("  tolerations: [{key: k, operator: Maybe}]\n"), "tolerations[0].operator"),
 ("aff-in-no-values", pod("  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: In}]}]}}}\n"), "matchExpressions[0].values"),
 ("aff-gt-not-int-ok", pod("  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Gt, values: [a]}]}]}}}\n"), None),
 ("aff-gt-two-values", pod("  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Gt, values: ['1', '2']}]}]}}}\n"), "matchExpressions[0].values"),
 ("aff-exists-with-values", pod("  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Exists, values: [a]}]}]}}}\n"), "matchExpressions[0].values"),
 ("aff-weight-0", pod("  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, preference: {matchExpressions: [{key: k, operator: Exists}]}}]}}\n"), "weight"),
 ("aff-weight-100-ok", pod("  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, preference: {matchExpressions: [{key: k, operator: Exists}]}}]}}\n"), None),
 ("podaff-no-topology", pod("  affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {a: b}}, topologyKey: ''}]}}\n"), "topologyKey"),
 ("tsc-maxskew-0", pod("  topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]\n"), "maxSkew"),
 ("tsc-when-bogus", pod("  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never}]\n"), "whenUnsatisfiable"),
 ("tsc-mindomains-anyway", pod("  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]\n"), "minDomains"),
 ("tsc-dup", pod("  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]\n"), "topologySpreadConstraints[1]"),
 ("dns-too-many-searches", pod("  dnsConfig: {searches: [" + ", ".join(f"s{i}.com" for i in range(33)) + "]}\n"), "dnsConfig.searches"),
 ("dns-option-no-name", pod("  dnsConfig: {options: [{value: '1'}]}\n"), "dnsConfig.options[0]"),
 ("dns-ns-bad-ip", pod("  dnsConfig: {nameservers: [1.2.3]}\n"), "dnsConfig.nameservers[0]"),
 ("priority-class-bad", pod("  priorityClassName: Bad_Class\n"), "priorityClassName"),
 ("node-name-bad", pod("  nodeName: Bad_Node\n"), "nodeName"),
 ("hostname-bad", pod("  hostname: a.b\n"), "spec.hostname"),
 ("subdomain-bad", pod("  subdomain: A\n"), "spec.subdomain"),
 ("runtime-class-bad", pod("  runtimeClassName: Bad_RC\n"), "runtimeClassName"),
 ("scheduler-name-ok", pod("  schedulerName: Bad_Scheduler\n"), None),
 ("node-selector-value-bad", pod("  nodeSelector: {a: 'b c'}\n"), "nodeSelector"),
 ("os-bogus", pod("  os: {name: darwin}\n"), "os.name"),
 # --- security
 ("runasuser-neg", pod("  securityContext: {runAsUser: -1}\n"), "securityContext.runAsUser"),
 ("suppgroups-neg", pod("  securityContext: {supplementalGroups: [-1]}\n"), "supplementalGroups[0]"),
 ("seccomp-localhost-no-profile", pod("  securityContext: {seccompProfile: {type: Localhost}}\n"), "seccompProfile.localhostProfile"),
 ("seccomp-runtime-with-profile", pod("  securityContext: {seccompProfile: {type: RuntimeDefault, localhostProfile: x}}\n"), "seccompProfile.localhostProfile"),
 ("apparmor-localhost-no-profile", pod("", "    securityContext: {appArmorProfile: {type: Localhost}}\n"), "appArmorProfile.localhostProfile"),
 ("priv-no-escalation", pod("", "    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n"), "allowPrivilegeEscalation"),
 ("sysadmin-no-escalation", pod("", "    securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}, allowPrivilegeEscalation: false}\n"), "allowPrivilegeEscalation"),
 ("sysadmin-short-ok", pod("", "    securityContext: {capabilities: {add: [SYS_ADMIN]}, allowPrivilegeEscalation: false}\n"), None),
 ("procmount-unmasked-hostusers", pod("", "    securityContext: {procMount: Unmasked}\n"), "procMount"),
 ("sysctl-dup", pod("  securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: '1'}, {name: kernel.shm_rmid_forced, value: '0'}]}\n"), "sysctls[1]"),
 # --- env / resources
 ("env-fieldref-bad", pod("", "    env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]\n"), "fieldRef.fieldPath"),
 ("env-fieldref-ok", pod("", "    env: [{name: A, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n"), None),
 ("env-secret-key-bad", pod("", "    env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: 'bad key'}}}]\n"), "secretKeyRef.key"),
 ("env-cm-name-empty", pod("", "    env: [{name: A, valueFrom: {configMapKeyRef: {key: k}}}]\n"), "configMapKeyRef.name"),
 ("env-resourcefield-divisor", pod("", "    env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 3m}}}]\n"), "divisor"),
 ("res-ext-request-ne-limit", pod("", "    resources: {requests: {example.com/gpu: '1'}, limits: {example.com/gpu: '2'}}\n"), "example.com/gpu"),
 ("res-ext-request-no-limit", pod("", "    resources: {requests: {example.com/gpu: '1'}}\n"), "example.com/gpu"),
 ("res-ext-fraction", pod("", "    resources: {requests: {example.com/gpu: 500m}, limits: {example.com/gpu: 500m}}\n"), "example.com/gpu"),
 ("res-ext-limit-only-ok", pod("", "    resources: {limits: {example.com/gpu: '1'}}\n"), None),
 ("res-hugepages-alone", pod("", "    resources: {limits: {hugepages-2Mi: 2Mi}}\n"), "resources"),
 ("res-storage-ok", pod("", "    resources: {requests: {ephemeral-storage: 1Gi}}\n"), None),
 ("lifecycle-sleep-neg", pod("", "    lifecycle: {preStop: {sleep: {seconds: -1}}}\n"), "sleep.seconds"),
 ("httpget-port-0", pod("", "    livenessProbe: {httpGet: {port: 0}}\n"), "httpGet.port"),
 ("httpget-scheme-bogus", pod("", "    livenessProbe: {httpGet: {port: 80, scheme: http}}\n"), "scheme"),
 ("httpget-header-bad", pod("", "    livenessProbe: {httpGet: {port: 80, httpHeaders: [{name: 'a b', value: x}]}}\n"), "httpHeaders[0].name"),
 ("grpc-port-0", pod("", "    livenessProbe: {grpc: {port: 0}}\n"), "grpc.port"),
 ("container-name-long", pod().replace("name: c\n", "name: " + "c"*64 + "\n"), "containers[0].name"),
 ("image-empty-pod", pod().replace("image: nginx", "image: ''"), "containers[0].image"),
 ("stdinonce-ok", pod("", "    stdinOnce: true\n"), None),
 ("workingdir-rel-ok", pod("", "    workingDir: rel\n"), None),
]


def dep(spec_extra: str = "", pod_extra: str = "", api: str = "apps/v1", kind: str = "Deployment") -> str:
    return (f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n" + spec_extra +
            "  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n"
            "      containers: [{name: c, image: nginx}]\n" + pod_extra)


def job(spec_extra: str = "", restart: str = "Never", pod_extra: str = "") -> str:
    return ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n" + spec_extra +
            f"  template:\n    spec:\n      restartPolicy: {restart}\n      containers: [{{name: c, image: busybox}}]\n" + pod_extra)


def cron(extra: str = "", schedule: str = "'*/5 * * * *'", name: str = "cj") -> str:
    return (f"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}}}\nspec:\n  schedule: {schedule}\n" + extra +
            "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n"
            "          containers: [{name: c, image: busybox}]\n")


def svc(spec: str) -> str:
    return "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n" + spec


def np(spec: str) -> str:
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n" + spec


def pdb(spec: str) -> str:
    return "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  selector: {matchLabels: {app: w}}\n" + spec


def hpa(spec: str, base: bool = True) -> str:
    head = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
    if base:
        head += "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n"
    return head + spec


def rb(body: str, kind: str = "RoleBinding") -> str:
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: b}}\n" + body


def role(rules: str, kind: str = "Role") -> str:
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r}}\nrules:\n" + rules


def pvc(spec: str) -> str:
    return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n" + spec
ING = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n"
OBJECT_CASES: list[tuple[str, str, str | None]] = [
 ("dep-recreate-rolling", dep("  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n"), "strategy.rollingUpdate"),
 ("dep-surge-unavail-zero", dep("  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n"), "maxUnavailable"),
 ("dep-unavail-120pct", dep("  strategy: {rollingUpdate: {maxUnavailable: '120%'}}\n"), "maxUnavailable"),
 ("dep-surge-pct-ok", dep("  strategy: {rollingUpdate: {maxSurge: '50%', maxUnavailable: 0}}\n"), None),
 ("dep-progress-le-minready", dep("  minReadySeconds: 10\n  progressDeadlineSeconds: 10\n"), "progressDeadlineSeconds"),
 ("dep-revision-neg", dep("  revisionHistoryLimit: -1\n"), "revisionHistoryLimit"),
 ("dep-no-template-spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n", "containers"),
 ("dep-no-spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n", "spec.selector"),
 ("ds-strategy-bogus", dep("  updateStrategy: {type: Rolling}\n", kind="DaemonSet"), "updateStrategy"),
 ("sts-pvc-policy-bogus", dep("  serviceName: w\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Keep}\n", kind="StatefulSet"), "whenDeleted"),
 ("sts-ordinals-neg", dep("  serviceName: w\n  ordinals: {start: -1}\n", kind="StatefulSet"), "ordinals"),
 ("sts-no-servicename-ok", dep("", kind="StatefulSet"), None),
 ("rs-selector-empty", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: w}\nspec:\n  selector: {}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers: [{name: c, image: nginx}]\n", "spec.selector"),
 ("dep-selector-expr-bad-op", dep("").replace("selector: {matchLabels: {app: w}}", "selector: {matchLabels: {app: w}, matchExpressions: [{key: a, operator: Equals, values: [b]}]}"), "matchExpressions[0].operator"),
 # jobs
 ("job-indexed-many-ok", job("  completionMode: Indexed\n  completions: 100001\n  parallelism: 1\n"), None),
 ("job-indexed-parallelism-big", job("  completionMode: Indexed\n  completions: 3\n  parallelism: 100001\n"), "parallelism"),
 ("job-blpi-large-no-maxfailed", job("  completionMode: Indexed\n  completions: 100001\n  backoffLimitPerIndex: 1\n"), "maxFailedIndexes"),
 ("job-blpi-large-parallel", job("  completionMode: Indexed\n  completions: 100001\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 5\n  parallelism: 10001\n"), "parallelism"),
 ("job-maxfailed-gt-completions", job("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 4\n"), "maxFailedIndexes"),
 ("job-pfp-container-unknown", job("  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {containerName: nope, operator: In, values: [1]}}]}\n"), "containerName"),
 ("job-success-count-gt", job("  completionMode: Indexed\n  completions: 3\n  successPolicy: {rules: [{succeededCount: 4}]}\n"), "succeededCount"),
 ("job-success-ok", job("  completionMode: Indexed\n  completions: 3\n  successPolicy: {rules: [{succeededIndexes: '0-1'}]}\n"), None),
 ("job-managedby-bad", job("  managedBy: mycontroller\n"), "managedBy"),
 ("job-managedby-ok", job("  managedBy: example.com/queue\n"), None),
 ("job-bl-per-index-nonindexed", job("  backoffLimitPerIndex: 1\n  completions: 2\n"), "backoffLimitPerIndex"),
 ("job-maxfailed-no-blpi", job("  completionMode: Indexed\n  completions: 3\n  maxFailedIndexes: 1\n"), "maxFailedIndexes"),
 ("job-pfp-restart-onfailure", job("  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [1]}}]}\n", restart="OnFailure"), "restartPolicy"),
 ("job-pfp-exit-zero", job("  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [0]}}]}\n"), "values[0]"),
 ("job-pfp-both", job("  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [1]}, onPodConditions: [{type: DisruptionTarget}]}]}\n"), "podFailurePolicy.rules[0]"),
 ("job-pfp-neither", job("  podFailurePolicy: {rules: [{action: FailJob}]}\n"), "podFailurePolicy.rules[0]"),
 ("job-pfp-failindex-no-blpi", job("  completionMode: Indexed\n  completions: 2\n  podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [1]}}]}\n"), "action"),
 ("job-pfp-unordered", job("  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [3, 1]}}]}\n"), "values"),
 ("job-pfp-replacement-policy", job("  podReplacementPolicy: TerminatingOrFailed\n  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [1]}}]}\n"), "podReplacementPolicy"),
 ("job-pfp-ok", job("  podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}\n"), None),
 ("job-manual-no-selector", job("  manualSelector: true\n"), "spec.selector"),
 ("job-success-policy-nonindexed", job("  successPolicy: {rules: [{succeededCount: 1}]}\n"), "successPolicy"),
 ("job-deadline-neg", job("  activeDeadlineSeconds: -1\n"), "activeDeadlineSeconds"),
 ("job-template-labels-bad", job().replace("  template:\n    spec:", "  template:\n    metadata: {labels: {a: 'b c'}}\n    spec:"), "labels"),
 ("cron-tz-bad", cron("  timeZone: Mars/Olympus\n"), "timeZone"),
 ("cron-tz-ok", cron("  timeZone: Europe/Berlin\n"), None),
 ("cron-tz-in-schedule", cron(schedule="'TZ=UTC 0 * * * *'"), "schedule"),
 ("cron-name-53", cron(name="c"*53), "metadata.name"),
 ("cron-name-52-ok", cron(name="c"*52), None),
 ("cron-schedule-bad", cron(schedule="'61 * * * *'"), "schedule"),
 ("cron-concurrency-bogus", cron("  concurrencyPolicy: Sometimes\n"), "concurrencyPolicy"),
 # services
 ("svc-no-spec", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", "spec.ports"),
 ("svc-headless-no-ports-ok", svc("  clusterIP: None\n  selector: {a: b}\n"), None),
 ("svc-extname-no-ports-ok", svc("  type: ExternalName\n  externalName: db.example.com\n"), None),
 ("svc-port-name-missing-multi", svc("  ports: [{port: 80}, {port: 81}]\n"), "ports[0].name"),
 ("svc-dup-port-names", svc("  ports: [{name: a, port: 80}, {name: a, port: 81}]\n"), "ports[1].name"),
 ("svc-targetport-70000", svc("  ports: [{port: 80, targetPort: 70000}]\n"), "targetPort"),
 ("svc-clusterip-bad", svc("  clusterIP: 10.0.0.300\n  ports: [{port: 80}]\n"), "clusterIP"),
 ("svc-extname-with-clusterip", svc("  type: ExternalName\n  externalName: a.com\n  clusterIP: 10.0.0.1\n"), "clusterIP"),
 ("svc-ipfamilies-dup", svc("  ipFamilies: [IPv4, IPv4]\n  ports: [{port: 80}]\n"), "ipFamilies[1]"),
 ("svc-singlestack-two-families", svc("  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4, IPv6]\n  ports: [{port: 80}]\n"), "ipFamilies"),
 ("svc-etp-on-clusterip", svc("  externalTrafficPolicy: Local\n  ports: [{port: 80}]\n"), "externalTrafficPolicy"),
 ("svc-lbclass-clusterip", svc("  loadBalancerClass: example.com/lb\n  ports: [{port: 80}]\n"), "loadBalancerClass"),
 ("svc-allocate-lb-np-clusterip", svc("  allocateLoadBalancerNodePorts: false\n  ports: [{port: 80}]\n"), "allocateLoadBalancerNodePorts"),
 ("svc-nodeport-on-clusterip", svc("  ports: [{port: 80, nodePort: 30080}]\n"), "nodePort"),
 ("svc-appprotocol-bad", svc("  ports: [{port: 80, appProtocol: 'a b'}]\n"), "appProtocol"),
 ("svc-appprotocol-ok", svc("  ports: [{port: 80, appProtocol: kubernetes.io/h2c}]\n"), None),
 ("svc-selector-bad", svc("  selector: {a: 'b c'}\n  ports: [{port: 80}]\n"), "selector"),
 # ingress
 ("ing-no-spec", ING, "spec"),
 ("ing-class-bad", ING + "spec:\n  ingressClassName: Bad_Class\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n", "ingressClassName"),
 ("ing-host-ip", ING + "spec:\n  rules: [{host: 1.2.3.4, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]\n", "host"),
 ("ing-host-wildcard-ok", ING + "spec:\n  rules: [{host: '*.example.com', http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]\n", None),
 ("ing-path-relative", ING + "spec:\n  rules: [{http: {paths: [{path: api, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]\n", "path"),
 ("ing-impl-relative-ok", ING + "spec:\n  rules: [{http: {paths: [{path: 'api', pathType: ImplementationSpecific, backend: {service: {name: s, port: {number: 80}}}}]}}]\n", "path"),
 ("ing-backend-port-name-bad", ING + "spec:\n  defaultBackend: {service: {name: s, port: {name: HTTP}}}\n", "port.name"),
 ("ing-resource-no-kind", ING + "spec:\n  defaultBackend: {resource: {apiGroup: k8s.example.com, name: x}}\n", "resource.kind"),
 ("ingclass-no-controller", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec: {}\n", "spec.controller"),
 ("ingclass-controller-noprefix", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec: {controller: nginx}\n", "spec.controller"),
 ("ingclass-ok", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec: {controller: k8s.io/ingress-nginx}\n", None),
 ("ingclass-params-ns-no-namespace", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec:\n  controller: example.com/c\n  parameters: {kind: P, name: p, scope: Namespace}\n", "parameters.namespace"),
 ("ingclass-params-cluster-ns", "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c}\nspec:\n  controller: example.com/c\n  parameters: {kind: P, name: p, scope: Cluster, namespace: x}\n", "parameters.namespace"),
 # networkpolicy
 ("np-policytype-bogus", np("  policyTypes: [Inbound]\n"), "policyTypes"),
 ("np-port-zero", np("  ingress: [{ports: [{port: 0}]}]\n"), "ports[0].port"),
 ("np-endport-lt-port", np("  ingress: [{ports: [{port: 100, endPort: 50}]}]\n"), "endPort"),
 ("np-endport-named", np("  ingress: [{ports: [{port: http, endPort: 50}]}]\n"), "endPort"),
 ("np-endport-noport", np("  ingress: [{ports: [{endPort: 50}]}]\n"), "endPort"),
 ("np-ipblock-bad", np("  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]\n"), "ipBlock.cidr"),
 ("np-except-outside", np("  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]\n"), "except[0]"),
 ("np-ipblock-and-selector", np("  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]\n"), "from[0]"),
 ("np-peer-empty", np("  ingress: [{from: [{}]}]\n"), "from[0]"),
 ("np-port-name-bad", np("  ingress: [{ports: [{port: HTTP}]}]\n"), "ports[0].port"),
 ("np-ok", np("  policyTypes: [Ingress, Egress]\n  egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {a: b}}}], ports: [{port: 53, protocol: UDP}]}]\n"), None),
 # pdb
 ("pdb-both", pdb("  minAvailable: 1\n  maxUnavailable: 1\n"), "spec"),
 ("pdb-neg", pdb("  minAvailable: -1\n"), "minAvailable"),
 ("pdb-pct-big", pdb("  maxUnavailable: 120%\n"), "maxUnavailable"),
 ("pdb-policy-bogus", pdb("  unhealthyPodEvictionPolicy: Always\n"), "unhealthyPodEvictionPolicy"),
 ("pdb-ok", pdb("  maxUnavailable: 25%\n"), None),
 ("pdb-empty-selector-ok", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 1\n", None),
 # hpa
 ("hpa-max-lt-min", hpa("  minReplicas: 5\n  maxReplicas: 3\n"), "maxReplicas"),
 ("hpa-min-zero", hpa("  minReplicas: 0\n  maxReplicas: 3\n"), "minReplicas"),
 ("hpa-no-target", hpa("  maxReplicas: 3\n", base=False), "scaleTargetRef"),
 ("hpa-metric-no-target", hpa("  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu}}]\n"), "metrics[0].resource.target"),
 ("hpa-util-zero", hpa("  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}}]\n"), "averageUtilization"),
 ("hpa-util-missing", hpa("  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization}}}]\n"), "averageUtilization"),
 ("hpa-type-mismatch", hpa("  maxReplicas: 3\n  metrics: [{type: Pods, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]\n"), "metrics[0]"),
 ("hpa-behavior-period", hpa("  maxReplicas: 3\n  behavior: {scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 1801}]}}\n"), "periodSeconds"),
 ("hpa-behavior-window", hpa("  maxReplicas: 3\n  behavior: {scaleDown: {stabilizationWindowSeconds: 3601}}\n"), "stabilizationWindowSeconds"),
 ("hpa-select-policy-bogus", hpa("  maxReplicas: 3\n  behavior: {scaleDown: {selectPolicy: Biggest}}\n"), "selectPolicy"),
 ("hpa-ok", hpa("  minReplicas: 1\n  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]\n"), None),
 ("hpa-v1-ok", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 80\n", None),
 ("hpa-v1-max-lt-min", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n  minReplicas: 4\n  maxReplicas: 3\n", "maxReplicas"),
 # rbac
 ("role-no-verbs", role("- {apiGroups: [''], resources: [pods], verbs: []}\n"), "rules[0].verbs"),
 ("role-no-apigroups", role("- {resources: [pods], verbs: [get]}\n"), "rules[0].apiGroups"),
 ("role-nonresource", role("- {nonResourceURLs: [/healthz], verbs: [get]}\n"), "rules[0].nonResourceURLs"),
 ("crole-nonresource-ok", role("- {nonResourceURLs: [/healthz], verbs: [get]}\n", kind="ClusterRole"), None),
 ("crole-nonresource-and-resources", role("- {nonResourceURLs: [/healthz], apiGroups: [''], resources: [pods], verbs: [get]}\n", kind="ClusterRole"), "rules[0]"),
 ("crole-aggregation-ok", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}\n", None),
 ("rb-roleref-kind-bogus", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Rolle, name: r}\nsubjects: [{kind: User, name: u}]\n"), "roleRef.kind"),
 ("rb-roleref-no-name", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ''}\n"), "roleRef.name"),
 ("crb-roleref-role", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n", kind="ClusterRoleBinding"), "roleRef.kind"),
 ("crb-sa-no-namespace", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: sa}]\n", kind="ClusterRoleBinding"), "subjects[0].namespace"),
 ("rb-sa-no-namespace-ok", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: sa}]\n"), None),
 ("rb-subject-kind-bogus", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: Robot, name: x}]\n"), "subjects[0].kind"),
 ("rb-sa-name-bad", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: Bad_SA}]\n"), "subjects[0].name"),
 ("rb-user-apigroup-empty-ok", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: User, name: 'alice@example.com'}]\n"), None),
 ("rb-sa-apigroup-wrong", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: sa, apiGroup: rbac.authorization.k8s.io}]\n"), "subjects[0].apiGroup"),
 ("rb-subject-no-name", rb("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: User, name: ''}]\n"), "subjects[0].name"),
 ("rb-roleref-apigroup-wrong", rb("roleRef: {apiGroup: example.com, kind: Role, name: r}\n"), "roleRef.apiGroup"),
 # pvc / namespace
 ("pvc-no-access", pvc("  resources: {requests: {storage: 1Gi}}\n"), "accessModes"),
 ("pvc-access-bogus", pvc("  accessModes: [ReadWriteAll]\n  resources: {requests: {storage: 1Gi}}\n"), "accessModes"),
 ("pvc-no-storage", pvc("  accessModes: [ReadWriteOnce]\n"), "resources[storage]"),
 ("pvc-storage-zero", pvc("  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: '0'}}\n"), "storage"),
 ("pvc-rwop-with-others", pvc("  accessModes: [ReadWriteOncePod, ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n"), "accessModes"),
 ("pvc-volumemode-bogus", pvc("  accessModes: [ReadWriteOnce]\n  volumeMode: Raw\n  resources: {requests: {storage: 1Gi}}\n"), "volumeMode"),
 ("pvc-datasource-no-kind", pvc("  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n  dataSource: {name: snap}\n"), "dataSource.kind"),
 ("pvc-sc-empty-ok", pvc("  accessModes: [ReadWriteOnce]\n  storageClassName: ''\n  resources: {requests: {storage: 1Gi}}\n"), None),
 ("pvc-sc-bad", pvc("  accessModes: [ReadWriteOnce]\n  storageClassName: Bad_SC\n  resources: {requests: {storage: 1Gi}}\n"), "storageClassName"),
 ("ns-finalizer-bad", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\nspec: {finalizers: ['bad finalizer']}\n", "spec.finalizers"),
 ("ns-finalizer-k8s-ok", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\nspec: {finalizers: [kubernetes]}\n", None),
 ("sa-ok", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\nautomountServiceAccountToken: false\n", None),
 ("cm-binary-dup", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x}\nbinaryData: {a: eA==}\n", "a"),
 ("secret-type-change-ok", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: example.com/custom\nstringData: {a: b}\n", None),
 ("secret-sa-token-no-annotation", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/service-account-token\n", "kubernetes.io/service-account.name"),
]


# a third sweep: values across kinds that the first two do not reach
MORE_CASES: list[tuple[str, str, str | None]] = [
 ("cport-zero", pod("", "    ports: [{containerPort: 0}]\n"), "containerPort"),
 ("init-restart-always-ok", pod("  initContainers: [{name: i, image: busybox, restartPolicy: Always}]\n"), None),
 ("poststart-port-zero", pod("", "    lifecycle: {postStart: {httpGet: {port: 0}}}\n"), "httpGet.port"),
 ("pullsecret-empty-name", pod("  imagePullSecrets: [{name: ''}]\n"), None),
 ("svc-targetport-name-bad", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: 'Http'}]\n", "targetPort"),
 ("svc-affinity-timeout-zero", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n  ports: [{port: 80}]\n", "timeoutSeconds"),
 ("ing-port-zero", ING + "spec:\n  defaultBackend: {service: {name: s, port: {number: 0}}}\n", "port"),
 ("ing-tls-secret-bad", ING + "spec:\n  tls: [{hosts: [a.com], secretName: Bad_Secret}]\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n", "secretName"),
 ("cm-key-dotdot", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'..': x}\n", ".."),
 ("cm-key-dotdot-prefix", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'..a': x}\n", "..a"),
 ("sts-vct-name-upper", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: x, volumeMounts: [{name: Data, mountPath: /d}]}]\n  volumeClaimTemplates:\n  - metadata: {name: Data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n", "Data"),
 ("pdb-selector-bad", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {'a b': x}}\n", "selector"),
 ("hpa-external-no-name", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n  maxReplicas: 3\n  metrics: [{type: External, external: {metric: {name: ''}, target: {type: Value, value: '1'}}}]\n", "metric.name"),
 ("np-ns-selector-bad", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {'a b': x}}}]}]\n", "namespaceSelector"),
 ("cronjob-template-always", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: x}]\n", "restartPolicy"),
 ("dep-paused-ok", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  paused: true\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: x}]\n", None),
 ("pod-name-upper", "apiVersion: v1\nkind: Pod\nmetadata: {name: P}\nspec:\n  containers: [{name: c, image: x}]\n", "metadata.name"),
 ("pod-readiness-gate-bad", pod("  readinessGates: [{conditionType: 'a b'}]\n"), "conditionType"),
 ("env-name-empty", pod("", "    env: [{name: '', value: x}]\n"), "env[0].name"),
 ("env-configmap-optional-ok", pod("", "    envFrom: [{configMapRef: {name: c, optional: true}}]\n"), None),
 ("volume-mount-readonly-rro", pod("  volumes: [{name: v, emptyDir: {}}]\n", "    volumeMounts: [{name: v, mountPath: /v, recursiveReadOnly: Enabled}]\n"), "recursiveReadOnly"),
 ("resources-claims-unknown", pod("", "    resources: {claims: [{name: gpu}]}\n"), "claims"),
 ("hostpid-ok", pod("  hostPID: true\n"), None),
 ("sc-windows-on-linux", pod("  os: {name: linux}\n  securityContext: {windowsOptions: {runAsUserName: x}}\n"), "windowsOptions"),
 ("cm-immutable-ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: b}\n", None),
 ("secret-data-key-bad", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {'a b': eA==}\n", "a b"),
 ("rc-selector-mismatch", "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  selector: {a: b}\n  template:\n    metadata: {labels: {a: c}}\n    spec:\n      containers: [{name: c, image: x}]\n", "labels"),
 ("podtemplate-ok", "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers: [{name: c, image: x}]\n", None),
 ("limitrange-other-kind-ok", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits: [{type: Container, default: {cpu: 100m}}]\n", None),
 ("priorityclass-ok", "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n", None),
 ("crd-object-ok", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {endpoints: [{port: web}]}\n", None),
]

CASES = POD_CASES + OBJECT_CASES + MORE_CASES


def errors_of(text: str) -> list[str]:
    read = read_text(text, "x.yaml")
    findings = [*read.problems, *run_checks(read.manifests, CheckOptions(partial=True))]
    return [f.message for f in findings if f.severity == "error"]


def test_case_ids_are_unique() -> None:
    ids = [case_id for case_id, _, _ in CASES]
    assert len(ids) == len(set(ids))
    assert sum(expected is None for _, _, expected in CASES) >= 40, "near misses keep the rules honest"


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in CASES], ids=[i for i, _, _ in CASES])


def test_rule(text: str, expected: str | None) -> None:
    assert_verdict(text, expected)


def assert_verdict(text: str, expected: str | None) -> None:
    """No error at all (``expected`` None), else an error whose message holds ``expected``
    (the field path as the server names it)."""
    errors = errors_of(text)
    if expected is None:
        assert errors == []
    else:
        assert any(expected in message for message in errors), (expected, errors)


def test_duplicate_keys_of_list_maps_are_warnings_from_the_api_data() -> None:
    """Lists the OpenAPI data marks as list-maps (x-kubernetes-list-map-keys): a repeated
    key is a warning (the server keeps one, server-side apply rejects the list), with
    absent key fields taken at their defaults (a port's protocol is TCP); a list the
    validation already failed (duplicate container names) gets no second finding."""
    text = pod("", "    env: [{name: A, value: '1'}, {name: A, value: '2'}]\n"
               "    ports: [{containerPort: 80}, {containerPort: 80, protocol: TCP}, {containerPort: 80, protocol: UDP}]\n")
    read = read_text(text + "  - {name: c, image: nginx}\n", "x.yaml")
    found = [(f.rule, f.severity, f.message) for f in run_checks(read.manifests)]
    assert ("duplicate-key", "warning", "Pod 'p': spec.containers[0].env[1] repeats name 'A' of env[0]: env entries "
            "are keyed by name, so kubectl apply --server-side rejects the list and a patch may merge the two; remove "
            "or change one") in found
    assert [m for r, _, m in found if r == "duplicate-key" and "ports[1] repeats containerPort 80, protocol 'TCP'" in m]
    assert not [m for r, _, m in found if r == "duplicate-key" and "ports[2]" in m]
    assert [m for r, s, m in found if r == "invalid-value" and "spec.containers[1].name: 'c' is already" in m]
    assert not [m for r, _, m in found if r == "duplicate-key" and "containers[1]" in m]


def test_a_time_zone_is_judged_only_where_a_time_zone_database_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a system without zone files (and no tzdata package), kubegen cannot tell an
    unknown zone from a known one, so neither is a finding; with a database, even a
    pruned one without UTC, only the unknown one is."""
    import zoneinfo

    from kubegen.checks.validation import batch

    def verdicts() -> tuple[bool, bool]:
        batch._known_time_zone.cache_clear()
        zoneinfo.ZoneInfo.clear_cache()
        return batch._known_time_zone("Europe/Berlin"), batch._known_time_zone("Mars/Olympus")

    assert verdicts() == (True, False)
    berlin = next(Path(p) / "Europe" / "Berlin" for p in zoneinfo.TZPATH if (Path(p) / "Europe" / "Berlin").is_file())
    monkeypatch.setitem(sys.modules, "tzdata", None)  # no tzdata package to fall back on
    zoneinfo.reset_tzpath(to=[str(tmp_path)])  # an empty zone directory
    try:
        assert verdicts() == (True, True)
        (tmp_path / "Europe").mkdir()
        (tmp_path / "Europe" / "Berlin").write_bytes(berlin.read_bytes())  # a database of one zone
        assert verdicts() == (True, False)
    finally:
        zoneinfo.reset_tzpath()
        assert verdicts() == (True, False)
