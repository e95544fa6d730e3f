"""``kubegen explain``: the stack's networking, as a simulated cluster would wire it.

Also home of what ``kubegen graph`` shares with it: reading APP or FILEs and the
simulated-cluster options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kubegen.cli import fail, print_findings, report_errors, traceback_option
from kubegen.cli.render import ASSUME, NODE_PORT_RANGE, check_options, parse_sets

if TYPE_CHECKING:
    from kubegen.checks import Assumed
    from kubegen.manifest import Manifest
    from kubegen.network import Network

F = TypeVar("F", bound=Callable[..., Any])
_YAML = (".yaml", ".yml", ".json")


def _is_yaml(path: str) -> bool:
    return path == "-" or path.lower().endswith(_YAML) or os.path.isdir(path) or (
        os.path.isfile(path) and not path.endswith(".py")
    )


def read_inputs(inputs: tuple[str, ...], sets: tuple[str, ...]) -> tuple[list[Manifest], frozenset[Assumed]]:
    """APP (``app.py``, ``app.py:NAME``, ``pkg.module:NAME``) or YAML FILEs/DIRs/``-``; and
    what the APP's ``External(...)`` declarations say the cluster has."""
    from kubegen.errors import FindingsError, UsageError

    yaml_inputs = [p for p in inputs if _is_yaml(p)]
    if yaml_inputs and len(yaml_inputs) != len(inputs):
        app = next(p for p in inputs if not _is_yaml(p))
        raise UsageError(f"{app!r} is an APP but {yaml_inputs[0]!r} is YAML: give one APP, or YAML files only")
    if not yaml_inputs:
        if len(inputs) != 1:
            raise UsageError(f"give one APP (got {len(inputs)}: {', '.join(inputs)})")
        from kubegen.api import assumptions, compile_stacks
        from kubegen.appload import load_stacks

        stacks = load_stacks(inputs[0], parse_sets(sets))
        return compile_stacks(stacks), assumptions(stacks)
    if sets:
        raise UsageError("--set passes values to an APP's stack function; YAML files take none")
    from kubegen.reader import read_paths

    result = read_paths(inputs, sys.stdin)
    if result.problems:
        raise FindingsError(f"{len(result.problems)} input problem(s): nothing to explain", result.problems)
    return result.manifests, frozenset()


def network_options(fn: F) -> F:
    """The options every network command takes (inputs, --set, simulated cluster)."""
    decorators = [
        click.argument("inputs", metavar="APP|FILE...", nargs=-1, required=True, type=click.Path()),
        click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                     help="Pass NAME=VALUE to the stack function APP names (repeatable)."),
        click.option("--nodes", type=click.IntRange(1, 100), default=2, show_default=True,
                     help="Simulated nodes: node-k has IP 192.168.49.(k+2) and pod subnet k of --pod-cidr."),
        click.option("--service-cidr", default="10.96.0.0/12", show_default=True, metavar="CIDR",
                     help="Cluster IPs come from here (its first address is the API server's)."),
        click.option("--pod-cidr", default="10.244.0.0/16", show_default=True, metavar="CIDR",
                     help="Each node owns one /24 of it; pod IPs start at .2 of that /24."),
        NODE_PORT_RANGE.decorator(),
        ASSUME.decorator(),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def simulate(
    inputs: tuple[str, ...], sets: tuple[str, ...], nodes: int, service_cidr: str, pod_cidr: str,
    node_port_range: str | None, assume: tuple[str, ...] = (),
) -> Network:
    """Read the inputs and build the simulated network (see :mod:`kubegen.network`)."""
    import attrs

    from kubegen.network import NetworkOptions, build_network

    manifests, declared = read_inputs(inputs, sets)
    checks = check_options(node_port_range, (), assume=assume)
    checks = attrs.evolve(checks, assume=checks.assume | declared)
    options = NetworkOptions(service_cidr=service_cidr, pod_cidr=pod_cidr, nodes=nodes, checks=checks)
    return build_network(manifests, options)


def finish(network: Network) -> None:
    """Findings that break no route go to stderr; exit 1 when any finding is an error."""
    from kubegen.checks import summary

    print_findings(network.other_findings)
    if network.errors:
        click.echo(f"kubegen: {summary(network.findings)} (route findings are shown on the routes they break)",
                   err=True)
        fail(1)


@click.command()
@network_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: tables and routes; json: the stable schema of kubegen.explain.")
@traceback_option
@report_errors
def explain(
    inputs: tuple[str, ...], sets: tuple[str, ...], nodes: int, service_cidr: str, pod_cidr: str,
    node_port_range: str | None, assume: tuple[str, ...], fmt: str,
) -> None:
    """Explain how traffic reaches each Service's pods on a simulated cluster.

    For every Service: its type, simulated cluster IP, ports (port:nodePort/protocol),
    the workloads and pods behind it (pod IP, node, container port its targetPort
    resolves to), and every address that reaches it: DNS name, cluster IP, each
    node's IP on the nodePort, the load balancer, Ingress paths. Findings that
    break a route (selector-dangling, target-port, ingress-backend, node-port;
    and the selector-overlap warning) are printed on that route. Where
    NetworkPolicies isolate pods, each route says which sources they let in and
    which they block, naming the policy (a default-deny shows every route blocked).

    APP is app.py, app.py:NAME or package.module:NAME (as for render); FILE is YAML
    or JSON, a directory of them, or - for stdin. Exit code 1 when a check finds
    an error (the explanation is still printed).

    \b
    Examples:
      kubegen explain examples/shop.py --set env=prod --nodes 3
      kubegen explain k8s/ --format json
    """
    from kubegen.explain import explain_json, explain_text
    from kubegen.output import write_text

    network = simulate(inputs, sets, nodes, service_cidr, pod_cidr, node_port_range, assume)
    text = explain_json(network) if fmt == "json" else explain_text(network)
    write_text(None, text)
    finish(network)
