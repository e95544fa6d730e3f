"""``kubegen init``: scaffold a working app.py (a Deployment behind a Service) and a README."""

from __future__ import annotations

import click

from kubegen.cli import report_errors


@click.command("init")
@click.argument("directory", metavar="[DIR]", default=".", required=False, type=click.Path())
@click.option("--name", metavar="NAME",
              help="The app's name (Deployment, Service and namespace). Default: from DIR's name.")
@click.option("--force", is_flag=True, help="Overwrite app.py and README.md if they exist.")
@report_errors
def init(directory: str, name: str | None, force: bool) -> None:
    """Write DIR/app.py and DIR/README.md: a small app ready for `kubegen render`.

    DIR (default: the current directory) is created if needed. Existing files
    are never overwritten unless --force is given.

    \b
    Examples:
      kubegen init myapp && kubegen render myapp/app.py
    """
    from kubegen.importer.scaffold import scaffold

    for path in scaffold(directory, name=name, force=force):
        click.echo(f"wrote {path}", err=True)
