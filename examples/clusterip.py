"""A backend pod behind a ClusterIP Service: the equivalent of
`kubectl create service clusterip backend --tcp=80:80` plus the pod.

kubectl's Service would select app=backend, a label no pod here has; taking the
selector from the pod keeps the two from drifting apart.
"""

from kubegen import Container, Pod, Service, Stack

pod = Pod(
    name="myapp-pod",
    labels={"app": "myapp", "type": "backend"},
    containers=[Container(name="nginx-container", image="nginx:1.27", ports=[80])],
)

backend = Service.clusterip("backend", tcp=["80:80"], selector=pod.pod_labels)

stack = Stack(objects=[pod, backend])
