"""The frontend behind a LoadBalancer Service (the cloud adds an external balancer;
node port 30008 stays open on every node too)."""

from kubegen import Container, Deployment, Stack

frontend = Deployment(
    name="frontend",
    replicas=2,
    labels={"app": "myapp", "type": "frontend"},
    containers=[Container(name="nginx", image="nginx:1.27", ports={"http": 80})],
)

stack = Stack(objects=[frontend])
stack.add(frontend.expose(80, target_port="http", type="LoadBalancer", node_port=30008, name="myapp-service"))
