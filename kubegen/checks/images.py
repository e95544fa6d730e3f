"""Container image references: what the kubelet can pull, and tags that move.

The API server stores any string as ``image``; the kubelet parses it as an image
reference (``[registry[:port]/]repository[:tag][@digest]``, the grammar of the
distribution/reference library) and leaves a pod that it cannot parse in
``InvalidImageName``, forever. So these are findings, with the object's file:line
(for a typed stack, the app.py line that built it, where a ``--set tag=`` value
ended up):

- ``image`` (error): a reference the kubelet cannot parse: whitespace, a scheme
  (``https://``), an empty tag (``app:``), a tag or digest of the wrong shape, a
  repository with upper-case letters (``MyOrg/app``). Leading or trailing
  whitespace in a *pod template* is a warning: the API server accepts it there
  (and refuses it on a Pod), but refuses every pod the controller then creates.
- ``image-latest`` (warning): no tag, or ``:latest``, without a digest: every pull
  may run a different build, and rollbacks cannot go back to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kubegen import facts
from kubegen.checks import Report
from kubegen.facts import lazy_pattern
from kubegen.finding import quoted
from kubegen.manifest import Manifest, pod_template
from kubegen.names import ALNUM, DIGITS, LOWER_ALNUM

# The reference grammar of distribution/reference, as character-set tests: every render
# checks its images, and compiling regular expressions would cost each run start-up time
# (tests/test_images.py holds each test to the grammar's pattern).
_WORD = ALNUM | {"_"}  # Go's \w is ASCII: a tag of other letters (``1.0-ä``) does not parse
_LOWER_HEX = DIGITS | frozenset("abcdef")
_HEX = _LOWER_HEX | frozenset("ABCDEF")
_DIGEST = lazy_pattern(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")
# The digest algorithms the kubelet's reference parser (opencontainers/go-digest) knows,
# with the length of their lower-case hex; any other algorithm is "unsupported".
_DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}


def is_path_component(part: str) -> bool:
    """``[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*``: runs of lower-case letters and digits
    joined by one '.', one '_', '__' or any number of '-'."""
    if not part or part[0] not in LOWER_ALNUM or part[-1] not in LOWER_ALNUM:
        return False
    separator = ""
    for char in part:
        if char in LOWER_ALNUM:
            if separator and separator not in (".", "_", "__") and separator.strip("-"):
                return False
            separator = ""
        elif char in "._-":
            separator += char
        else:
            return False
    return True


def is_domain(host: str) -> bool:
    """A registry: DNS labels (either case) joined by '.', or ``[IPv6]``, then an optional
    ``:PORT`` (the grammar's ``domain``)."""
    if host.startswith("["):
        address, bracket, port = host[1:].partition("]")
        if not bracket or not address or not set(address) <= _HEX | {":"}:
            return False
    else:
        name, colon, port = host.partition(":")
        for label in name.split("."):
            if not label or label[0] not in ALNUM or label[-1] not in ALNUM or not set(label) <= ALNUM | {"-"}:
                return False
        port = colon + port
    return not port or (port[0] == ":" and len(port) > 1 and set(port[1:]) <= DIGITS)


def is_tag(tag: str) -> bool:
    """``[\\w][\\w.-]{0,127}`` (ASCII word characters)."""
    return 0 < len(tag) <= 128 and tag[0] in _WORD and set(tag) <= _WORD | {".", "-"}


def is_image_id(ref: str) -> bool:
    """``[a-f0-9]{64}``: what the kubelet takes for an image ID."""
    return len(ref) == 64 and set(ref) <= _LOWER_HEX


NAME_MAX = 255


def split_reference(ref: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of a reference (``None``: not given)."""
    name, at, digest = ref.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest if at else None


def image_problems(ref: str) -> list[str]:
    """Why the kubelet cannot parse ``ref`` (empty: it can)."""
    if ref and ref.split() != [ref]:  # a whitespace character anywhere (split uses str.isspace's set)
        return ["contains whitespace; an image reference has none"]
    if "://" in ref:
        return [f"starts with a scheme ({ref.split('://')[0]}://); write the registry host without it"]
    name, tag, digest = split_reference(ref)
    problems: list[str] = []
    if tag is not None and not tag:
        problems.append("has an empty tag after ':'; give a tag (e.g. :1.2.3) or drop the ':'")
    elif tag is not None and not is_tag(tag):
        problems.append(f"has tag {tag!r}: a tag is letters, digits, '_', '.', '-' (not first), up to 128 characters")
    if digest is not None:
        problems += _digest_problems(digest)
    if is_image_id(ref):
        return ["is 64 hexadecimal digits, which is taken for an image ID, not a repository name"]
    problems += _name_problems(name)
    return problems


def _digest_problems(digest: str) -> list[str]:
    if not _DIGEST.match(digest):
        return [f"has digest {digest!r}, not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)"]
    algorithm, _, hexdigits = digest.partition(":")
    size = _DIGEST_HEX.get(algorithm)
    if size is None:
        return [f"has a digest of algorithm {algorithm!r}; the kubelet knows sha256, sha384 and sha512 only"]
    if len(hexdigits) != size:
        return [f"has a {algorithm} digest of {len(hexdigits)} hex digits, not {size}"]
    if hexdigits != hexdigits.lower():
        return [f"has a {algorithm} digest with upper-case hex digits; write them lower case"]
    return []


def _name_problems(name: str) -> list[str]:
    if not name:
        return ["has no repository name"]
    if len(name) > NAME_MAX:
        return [f"has a name of {len(name)} characters; at most {NAME_MAX}"]
    parts = name.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        if not is_domain(first):
            return [f"has registry {first!r}, which is not a host name (or host:port)"]
        parts = parts[1:]
    for part in parts:
        if is_path_component(part):
            continue
        if is_path_component(part.lower()):
            fixed = "/".join(p.lower() if p in parts else p for p in name.split("/"))
            return [f"has upper-case letters in repository {part!r}; repositories are lower case: {fixed}"]
        return [f"has repository part {part!r}: lower-case letters and digits, joined by '.', '_', '__' or '-'"]
    return []


def _containers(m: Manifest) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    base = facts.POD_TEMPLATE_PATHS.get(m.kind)
    template = pod_template(m) if base is not None else None
    if template is None or base is None:
        return
    spec = template.get("spec")
    if not isinstance(spec, dict):
        return
    for key in ("initContainers", "containers", "ephemeralContainers"):
        items = spec.get(key)
        if isinstance(items, list):
            for index, container in enumerate(items):
                if isinstance(container, dict):
                    yield (*base, "spec", key, index), container


def check_images(manifests: Sequence[Manifest], report: Report) -> None:
    for m in manifests:
        for path, container in _containers(m):
            ref = container.get("image")
            if not isinstance(ref, str) or not ref:
                continue  # a missing image is the schema rule's
            # (what a finding says and where are worked out for a finding only)
            if ref != ref.strip() and m.kind != "Pod" and ref.strip() and not image_problems(ref.strip()):
                what, where = _what(m, container, ref), (*path, "image")
                report.add("image", m, f"{what} has leading or trailing whitespace: the API server accepts it in a "
                           f"template but refuses every pod made from it; write {ref.strip()!r}", where,
                           severity="warning")
                continue
            problems = image_problems(ref)
            if problems:
                what, where = _what(m, container, ref), (*path, "image")
                report.add("image", m, f"{what} {'; '.join(problems)}: the kubelet cannot pull it (InvalidImageName)",
                           where)
                continue
            _, tag, digest = split_reference(ref)
            if digest is None and tag in (None, "latest"):
                said = "has no tag" if tag is None else "uses the tag latest"
                what, where = _what(m, container, ref), (*path, "image")
                report.add("image-latest", m, f"{what} {said}: each pull may run a different build, and a rollback "
                           f"cannot return to this one; pin a version (e.g. {ref.split(':')[0]}:1.2.3) or a digest",
                           where, severity="warning")


def _what(m: Manifest, container: dict[str, Any], ref: str) -> str:
    """How a finding names the image: ``Deployment 'web': container 'app': image 'nginx:'``."""
    return f"{m.label}: container {quoted(container.get('name'))}: image {ref!r}"
