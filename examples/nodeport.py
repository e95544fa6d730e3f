"""A pod behind a NodePort Service: reachable on port 30008 of every node."""

from kubegen import Container, Pod, Service, ServicePort, Stack

pod = Pod(
    name="myapp-pod",
    labels={"app": "myapp", "type": "frontend"},
    containers=[Container(name="nginx-container", image="nginx:1.27", ports=[80])],
)

service = Service(
    name="myapp-service",
    type="NodePort",
    selector=pod.pod_labels,
    ports=[ServicePort(port=80, target_port=80, node_port=30008)],
)

stack = Stack(objects=[pod, service])
