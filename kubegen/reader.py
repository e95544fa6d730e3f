"""Read Kubernetes manifests from YAML (or JSON) files, directories or stdin, like kubectl.

>>> result = read_paths(["k8s/"])
>>> result.manifests   # list[Manifest], each with a YamlOrigin that finds field lines
>>> result.problems    # list[Finding] with rule id ``yaml``: input kubectl would reject

Semantics follow kubectl (YAML 1.1 via go-yaml v2, see :mod:`kubegen.reader_scalars`):
unquoted ``yes`` and ``y`` are booleans, ``0755`` an octal int, timestamps stay
strings, ``.inf`` is refused (JSON cannot hold it), several documents per file
(``---``/``...``), empty documents skipped, ``kind: List`` (and any ``*List`` with
``items``) expanded into its items, duplicate keys rejected.

Limits (bounded time and memory, never a hang or a traceback):

- input files larger than :data:`MAX_INPUT_BYTES` (64 MiB by default; set the
  ``KUBEGEN_MAX_INPUT_MB`` environment variable to change it) are not read;
- aliases expanding to more than a million values (an "alias bomb") or recursive
  aliases are refused;
- binary or undecodable input is reported once, with its offset;
- only standard YAML tags are constructed (``!!python/...`` is refused).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import yaml  # type: ignore[import-untyped]

from kubegen.errors import InputError
from kubegen.finding import Finding
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.reader_lines import FileLines, YamlOrigin
from kubegen.reader_loader import KubeLoader, check_aliases, may_have_aliases, nesting_problem
from kubegen.reader_scalars import json_float

YAML_SUFFIXES = (".yaml", ".yml", ".json")
STDIN_NAME = "<stdin>"


def _max_input_bytes() -> int:
    try:
        return int(float(os.environ.get("KUBEGEN_MAX_INPUT_MB", "64")) * 1024 * 1024)
    except ValueError:
        return 64 * 1024 * 1024


MAX_INPUT_BYTES = _max_input_bytes()
"""Largest input file read (bytes); ``KUBEGEN_MAX_INPUT_MB`` overrides the 64 MiB default."""


class ReadResult:
    """What reading produced: the manifests, the problems (rule ``yaml``), and how many files."""

    __slots__ = ("manifests", "problems", "files")

    def __init__(self) -> None:
        self.manifests: list[Manifest] = []
        self.problems: list[Finding] = []
        self.files: int = 0

    def extend(self, other: ReadResult) -> None:
        self.manifests.extend(other.manifests)
        self.problems.extend(other.problems)
        self.files += other.files


def _problem(file: str, line: int, message: str) -> Finding:
    return Finding(rule="yaml", severity="error", message=message, where=Location(file, line))


# kustomize's own files in a directory (`kubectl apply -k` reads them; they are not
# objects for the API server), skipped when a directory is read.
KUSTOMIZE_FILES = frozenset({"kustomization.yaml", "kustomization.yml"})
_KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"


def expand_paths(paths: Sequence[str]) -> list[str]:
    """FILE stays, DIR becomes its ``*.yaml``, ``*.yml``, ``*.json`` files (recursively, sorted),
    ``-`` means stdin. Raises :class:`InputError` for a path that does not exist or a
    directory without such files (a typo must not pass as "no findings")."""
    files: list[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            found: list[str] = []
            for root, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(
                    os.path.join(root, n) for n in names
                    if n.lower().endswith(YAML_SUFFIXES) and n not in KUSTOMIZE_FILES
                )
            if not found:
                raise InputError(f"{path}: no *.yaml, *.yml or *.json files in this directory")
            files.extend(sorted(found))
        elif os.path.exists(path):
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


def read_paths(paths: Sequence[str], stdin: TextIO | None = None) -> ReadResult:
    """Read every manifest from FILEs, DIRs (recursively) and ``-`` (stdin)."""
    result = ReadResult()
    for path in expand_paths(paths):
        if path == "-":
            result.extend(_read_stdin(stdin if stdin is not None else sys.stdin))
        else:
            result.extend(read_file(path))
    return result


def read_file(path: str) -> ReadResult:
    """Read one file (its size is checked against :data:`MAX_INPUT_BYTES` first)."""
    try:
        size = os.path.getsize(path)
        if size > MAX_INPUT_BYTES:
            result = ReadResult()
            result.files = 1
            result.problems.append(_too_big(path, size))
            return result
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return read_bytes(data, path)


def _too_big(file: str, size: int) -> Finding:
    return _problem(
        file, 0,
        f"input is {size / 1048576:.1f} MiB, over kubegen's limit of {MAX_INPUT_BYTES / 1048576:.0f} MiB; "
        "split it into several files or raise the limit with KUBEGEN_MAX_INPUT_MB",
    )


def _read_stdin(stream: TextIO) -> ReadResult:
    buffer = getattr(stream, "buffer", None)
    data: bytes | str = buffer.read(MAX_INPUT_BYTES + 1) if buffer is not None else stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        result = ReadResult()
        result.files = 1
        result.problems.append(_too_big(STDIN_NAME, len(data)))
        return result
    if isinstance(data, str):
        return read_text(data, STDIN_NAME)
    return read_bytes(data, STDIN_NAME)


def read_bytes(data: bytes, filename: str) -> ReadResult:
    """Decode (UTF-8, or UTF-16 with a BOM) and read; binary input is one clear problem."""
    text, problem = _decode(data, filename)
    if problem is not None:
        result = ReadResult()
        result.files = 1
        result.problems.append(problem)
        return result
    return read_text(text, filename)


def _decode(data: bytes, filename: str) -> tuple[str, Finding | None]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return "", _problem(
            filename, line,
            f"this is binary data, not YAML (a NUL byte at offset {nul}); pass Kubernetes manifests "
            "written as YAML or JSON text",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", _problem(
            filename, line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded); "
            "kubectl reads UTF-8: re-save the file as UTF-8",
        )


def read_text(text: str, filename: str) -> ReadResult:
    """Read every manifest of one YAML (or JSON) text; ``filename`` is used in locations."""
    result = ReadResult()
    result.files = 1
    too_deep = nesting_problem(text)
    if too_deep is not None:
        result.problems.append(_problem(
            filename, 0, f"the YAML nests too deeply to read safely: {too_deep}; flatten the structure",
        ))
        return result
    if text.lstrip(" \t\r\n").startswith("{"):
        stream = _read_json_stream(text, filename)
        if stream is not None:
            return stream
    lines = FileLines(filename, text)
    loader = KubeLoader(text)
    check = may_have_aliases(text)
    doc = -1
    try:
        while loader.check_node():
            node = loader.get_node()
            doc += 1
            lines.add_document(node)
            if check and node is not None:
                unsafe = check_aliases(node)
                if unsafe is not None:
                    result.problems.append(_problem(filename, lines.locate(doc, ()).line, unsafe))
                    continue
            try:
                data = loader.construct_document(node)
            except yaml.constructor.ConstructorError as exc:
                # A bad value (a Python tag, .inf) spoils its document only: read on.
                result.problems.append(_syntax_problem(filename, exc, text))
                loader.reset_construction()
                continue
            _add_document(result, lines, doc, data)
            if loader.duplicates:
                for dup in loader.duplicates:
                    result.problems.append(_problem(
                        filename, dup.second_line,
                        f"duplicate key {dup.key!r} (also on line {dup.first_line}); YAML forbids "
                        "duplicate keys and strict Kubernetes validation rejects them, while lenient "
                        "readers silently keep only the last value: remove one",
                    ))
                loader.duplicates.clear()
    except yaml.MarkedYAMLError as exc:
        result.problems.append(_syntax_problem(filename, exc, text))
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        result.problems.append(_problem(
            filename, line,
            f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason}); remove it",
        ))
    except yaml.YAMLError as exc:
        result.problems.append(_problem(filename, 0, f"invalid YAML: {exc}"))
    except RecursionError:
        result.problems.append(_problem(
            filename, 0, "the YAML nests too deeply to read safely; flatten the structure",
        ))
    finally:
        loader.dispose()
    return result


def _read_json_stream(text: str, filename: str) -> ReadResult | None:
    """Several concatenated JSON objects (kubectl reads such streams), or None to read
    ``text`` as YAML instead (one object, invalid JSON, or duplicate keys, which the YAML
    reader reports with their lines)."""
    decoder = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_float=json_float,
                               parse_constant=_no_constant)
    spans: list[tuple[Any, int, int]] = []
    pos = _skip_space(text, 0)
    try:
        while pos < len(text):
            obj, end = decoder.raw_decode(text, pos)
            spans.append((obj, pos, end))
            pos = _skip_space(text, end)
    except (ValueError, _DuplicateJsonKey, RecursionError):  # JSONDecodeError is a ValueError
        return None
    if len(spans) < 2:
        return None
    result = ReadResult()
    result.files = 1
    for obj, start, end in spans:
        lines = FileLines(filename, text[start:end], text.count("\n", 0, start) + 1)
        _add_document(result, lines, 0, obj)
    return result


class _DuplicateJsonKey(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: let the YAML reader explain


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateJsonKey
    return obj


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _add_document(result: ReadResult, lines: FileLines, doc: int, data: Any) -> None:
    if data is None:
        return  # an empty document: kubectl skips it too
    if not isinstance(data, dict):
        result.problems.append(_problem(
            lines.file, lines.locate(doc, ()).line,
            f"document {doc + 1} is {_describe(data)}, not a Kubernetes object (a mapping with "
            "apiVersion, kind and metadata)",
        ))
        return
    api_version = data.get("apiVersion")
    if isinstance(api_version, str) and api_version.startswith(_KUSTOMIZE_GROUP):
        return  # a Kustomization or Component: kustomize's input, never sent to the API server
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and (kind == "List" or "items" in data) and items is None:
        return  # a List of nothing (items: null or left out), as kubectl reads it
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                result.manifests.append(Manifest(item, YamlOrigin(lines, doc, ("items", i))))
            else:
                result.problems.append(_problem(
                    lines.file, lines.locate(doc, ("items", i)).line,
                    f"items[{i}] of this {kind} is {_describe(item)}, not a Kubernetes object",
                ))
        return
    result.manifests.append(Manifest(data, YamlOrigin(lines, doc)))


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"the value {value!r}"


def _syntax_problem(filename: str, exc: yaml.MarkedYAMLError, text: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    problem = exc.problem or "invalid YAML"
    tag = _python_tag(problem)
    if tag is not None:
        return _problem(
            filename, line,
            f"the tag {tag} asks for a Python object; kubegen reads plain YAML data only and never "
            "constructs objects from tags: remove the tag",
        )
    context = f" ({exc.context}" + (f" on line {exc.context_mark.line + 1})" if exc.context_mark else ")") \
        if exc.context else ""
    hint = ""
    if "\t" in _line_of(text, line) and ("token" in problem or "tab" in problem or "indent" in problem):
        hint = "; this line contains a tab: indent YAML with spaces, not tabs"
    elif "could not determine a constructor" in problem:
        hint = "; kubectl reads plain YAML data: remove the tag"
    return _problem(filename, line, f"invalid YAML: {problem}{context}{hint}")


def _line_of(text: str, line: int) -> str:
    if line <= 0:
        return ""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start:end if end >= 0 else None]


def _python_tag(problem: str) -> str | None:
    marker = "tag:yaml.org,2002:python/"
    start = problem.find(marker)
    if start < 0:
        return None
    end = problem.find("'", start)
    return "!!" + problem[start + len("tag:yaml.org,2002:"):end if end > 0 else None]
