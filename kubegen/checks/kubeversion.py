"""Kubernetes versions the checks can answer for (``--kube-version X.Y``).

The structural schema, enumerations and defaults come from the OpenAPI document of the
newest version shipped in ``kubegen/data/`` (``k8s-X.Y.json``) not newer than the target.
Rules whose answer changed between releases consult
:data:`kubegen.checks.validation.versions.CHANGES` with the target version, so
``lint --kube-version 1.30`` rejects what a 1.30 API server rejects there.

Supported: :data:`OLDEST` to the newest shipped data file. Adding a version: save the
server's ``/openapi/v3`` documents under ``tools/openapi/vX.Y/``, run
``python tools/gen_schema.py tools/openapi/vX.Y``, and add the rules that changed in
that release to ``CHANGES`` (README, "Kubernetes versions").
"""

from __future__ import annotations

import re

from kubegen.apidata import Version as Version
from kubegen.apidata import shipped as shipped
from kubegen.errors import UsageError

OLDEST = "1.25"


def newest() -> str:
    major, minor = shipped()[-1]
    return f"{major}.{minor}"


def parse(text: str) -> Version:
    """``1.36``, ``v1.36`` or ``1.36.2`` -> (1, 36); a :class:`UsageError` names the range."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if match is None:
        raise UsageError(f"--kube-version {text!r}: expected MAJOR.MINOR, e.g. {newest()}")
    version = (int(match.group(1)), int(match.group(2)))
    if not parse_bounds()[0] <= version <= parse_bounds()[1]:
        raise UsageError(
            f"--kube-version {text!r}: kubegen answers for Kubernetes {OLDEST} to {newest()}; "
            "see the README (Kubernetes versions) for how to add one"
        )
    return version


def parse_bounds() -> tuple[Version, Version]:
    major, minor = OLDEST.split(".")
    return (int(major), int(minor)), shipped()[-1]


def data_version(target: Version) -> Version:
    """The shipped data to read for ``target``: the newest not newer than it (else the oldest)."""
    older = [v for v in shipped() if v <= target]
    return older[-1] if older else shipped()[0]


def text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"
