"""``kubegen graph``: the stack's networking as a Mermaid, DOT or SVG picture."""

from __future__ import annotations

import click

from kubegen.cli import report_errors, traceback_option
from kubegen.cli.explain import finish, network_options, simulate


@click.command()
@network_options
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid",
              show_default=True, help="mermaid: flowchart text; dot: for Graphviz; svg: a finished picture.")
@click.option("-o", "--output", "output", metavar="FILE", type=click.Path(),
              help="Write to FILE (atomically) instead of stdout.")
@traceback_option
@report_errors
def graph(
    inputs: tuple[str, ...], sets: tuple[str, ...], nodes: int, service_cidr: str, pod_cidr: str,
    node_port_range: str | None, assume: tuple[str, ...], fmt: str, output: str | None,
) -> None:
    """Draw the stack: Ingress → Service → workload → pods, pods grouped by node.

    Edges carry the ports (80 → http(8080)); NodePort and LoadBalancer entry
    points come from outside the cluster; routes a check finds broken are drawn
    red and dashed. The svg format is laid out by kubegen itself (no Graphviz
    needed); dot is for Graphviz (`dot -Tpng`); mermaid renders on GitHub.

    The simulated cluster (IPs, nodes) is the one `kubegen explain` prints.
    Exit code 1 when a check finds an error (the picture is still written).

    \b
    Examples:
      kubegen graph examples/shop.py --format svg -o shop.svg
      kubegen graph k8s/ --format dot | dot -Tpng > stack.png
    """
    from kubegen.graph import build_graph
    from kubegen.output import resolve_output, write_text

    target = resolve_output(output)  # before the app runs: an os.chdir() in it moves nothing
    network = simulate(inputs, sets, nodes, service_cidr, pod_cidr, node_port_range, assume)
    picture = build_graph(network)
    if fmt == "svg":
        from kubegen.graph.svg import to_svg

        text = to_svg(picture)
    elif fmt == "dot":
        from kubegen.graph.dot import to_dot

        text = to_dot(picture)
    else:
        from kubegen.graph.mermaid import to_mermaid

        text = to_mermaid(picture)
    write_text(target, text, shown=output)
    finish(network)
