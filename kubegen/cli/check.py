"""``kubegen check``: exit 1 with a diff when DIR is not what render would write."""

from __future__ import annotations

import os
import shlex

import click

from kubegen.cli import fail, report_errors, traceback_option
from kubegen.cli.render import ASSUME_HELP, load_checked, resolve_dir, source_of, split_ignore


@click.command()
@click.argument("app", metavar="APP", type=click.Path())
@click.option("--output-dir", required=True, metavar="DIR", type=click.Path(),
              help="The directory `kubegen render --output-dir` wrote.")
@click.option("--kustomization", is_flag=True, help="DIR should also hold the kustomization.yaml render writes.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="The same --set values render was given (repeatable).")
@click.option("--strict", is_flag=True, help="Treat check warnings as errors.")
@click.option("--node-port-range", metavar="A-B", help="The cluster's node-port range [default: 30000-32767].")
@click.option("--ignore", multiple=True, metavar="RULE", help="Do not report RULE (repeatable).")
@click.option("--assume", multiple=True, metavar="KIND/NAME", help=ASSUME_HELP)
@traceback_option
@report_errors
def check(
    app: str, output_dir: str, kustomization: bool, sets: tuple[str, ...], strict: bool,
    node_port_range: str | None, ignore: tuple[str, ...], assume: tuple[str, ...],
) -> None:
    """Exit 0 if DIR is exactly what `kubegen render APP --output-dir DIR` would write.

    Otherwise print a unified diff (stdout) from DIR to what render would write,
    one line per file on stderr saying what is wrong with it (missing, stale,
    hand-edited, extra, not-owned, not-regular), and exit 1: the CI gate that keeps
    stale or hand-edited manifests out of the main branch. A symbolic link (or any
    file that is not a regular file) where kubegen writes is reported, never read.
    Files kubegen did not write are ignored. Nothing is written. The diff applies with `patch -p1 -d DIR`.

    \b
    Examples:
      kubegen check app.py --output-dir deploy/dev
      kubegen check app.py --set env=prod --output-dir deploy/prod --kustomization
    """
    from kubegen.gitops import check_dir
    from kubegen.output import data_out

    check_ignore, _ = split_ignore(ignore)
    target_dir = resolve_dir(output_dir)
    source = source_of(app, sets)
    ordered = load_checked(app, sets, node_port_range, check_ignore, strict, assume)
    result = check_dir(ordered, target_dir, source=source, kustomization=kustomization, shown=output_dir)
    if result.ok:
        click.echo(f"kubegen: {result.summary()}", err=True)
        return
    out = data_out()
    out.write("".join(result.diff))
    out.flush()
    if not os.path.isdir(target_dir):
        click.echo(f"{output_dir}: does not exist: render would create it with {len(result.drift)} files", err=True)
    else:
        for item in result.drift:
            where = item.path if item.state in ("interrupted", "busy") else os.path.join(output_dir, item.path)
            click.echo(f"{where}: {item.message}", err=True)
    words = ["kubegen", "render", app, *(w for s in sets for w in ("--set", s)), "--output-dir", output_dir]
    render_cmd = shlex.join([*words, "--kustomization"] if kustomization else words)
    click.echo(f"kubegen: {result.summary()}; to update it run: {render_cmd}", err=True)
    fail(1)
