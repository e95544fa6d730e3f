"""Read Kubernetes manifests from YAML (or JSON) files, directories or stdin, like kubectl.

>>> result = read_paths(["k8s/"])
>>> result.manifests   # list[Manifest], each with a YamlOrigin that finds field lines
>>> result.problems    # list[Finding] with rule id ``yaml``: input kubectl would reject

Semantics follow kubectl (YAML 1.1 via go-yaml v2, see :mod:`kubegen.reader_scalars`):
unquoted ``yes`` and ``y`` are booleans, ``0755`` an octal int, timestamps stay
strings, ``.inf`` is refused (JSON cannot hold it), several documents per file
(``---``/``...``), empty documents skipped, ``kind: List`` (and any ``*List`` with
``items``) expanded into its items, duplicate keys rejected.

Inputs are read through :mod:`kubegen.safefs` and streamed (:class:`Reading` yields
one document's manifests at a time and keeps only that document's text), so memory
follows the largest document, not the file. Limits (bounded time and memory, never a
hang or a traceback; each is one problem, rule ``yaml``, and the rest of the run goes on):

- only regular files are read: a FIFO, a device, a dangling link or a link loop is a
  problem for that path (see :mod:`kubegen.safefs`);
- input over 64 MiB (``KUBEGEN_MAX_INPUT_MB``) stops at the limit, however the
  file's size looks;
- data nested more than :data:`kubegen.values.MAX_DEPTH` (100) levels is refused, the
  same limit render applies to ``Raw`` objects;
- aliases expanding to more than a million values (an "alias bomb") or recursive
  aliases are refused;
- binary or undecodable input is reported once, with its offset;
- only standard YAML tags are constructed (``!!python/...`` is refused).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

import yaml  # type: ignore[import-untyped]

from kubegen.errors import InputError
from kubegen.finding import Finding
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.reader_kustomize import KUSTOMIZE_FILES, non_resources
from kubegen.reader_lines import FileLines, YamlOrigin
from kubegen.reader_loader import (
    LIBYAML_BOUNDS_NESTING,
    KubeLoader,
    check_aliases,
    may_have_aliases,
    might_nest_too_deeply,
    nesting_problem,
)
from kubegen.reader_scalars import json_float, json_int
from kubegen.reader_source import BadText, TextSource
from kubegen.safefs import STDIN_NAME, LimitedReader, NotRegularFile, UnreadableInput, open_input, stdin_reader
from kubegen.values import MAX_DEPTH, too_deep

YAML_SUFFIXES = (".yaml", ".yml", ".json")

Item = Manifest | Finding
"""What reading yields: a manifest, or a problem (rule ``yaml``) with the input."""


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

    @classmethod
    def collect(cls, items: Iterable[Item], files: int = 1) -> ReadResult:
        result = cls()
        for item in items:
            if isinstance(item, Manifest):
                result.manifests.append(item)
            else:
                result.problems.append(item)
        result.files = getattr(items, "files", files)
        return result


def _problem(file: str, line: int, message: str) -> Finding:
    return Finding(rule="yaml", severity="error", message=message, where=Location(file, line))


_KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"


def _expand(paths: Sequence[str]) -> tuple[list[str], list[Finding], list[str]]:
    """The files to read, the problems met on the way, and the kustomization files of the
    directories walked (sorted)."""
    files: list[str] = []
    problems: list[Finding] = []
    kustomizations: list[str] = []

    def unreadable_dir(exc: OSError) -> None:
        name = exc.filename or "?"
        problems.append(_problem(name, 0, f"cannot read this directory ({exc.strerror or exc}); its "
                                 "manifests were not checked: fix its permissions or leave it out"))

    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            found: list[str] = []
            unreadable_before = len(problems)
            for root, dirs, names in os.walk(path, onerror=unreadable_dir):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(
                    os.path.join(root, n) for n in names
                    if n.lower().endswith(YAML_SUFFIXES) or n in KUSTOMIZE_FILES
                )
            # kustomize's own files (`kubectl apply -k` reads them; they are not objects
            # for the API server): the kustomizations and the patches and inputs they name
            here = [f for f in found if os.path.basename(f) in KUSTOMIZE_FILES]
            kustomizations.extend(here)
            skipped = {p for k in here for p in non_resources(k)}
            found = [f for f in found if f not in here and os.path.abspath(f) not in skipped]
            if not found and len(problems) == unreadable_before:
                raise InputError(f"{path}: no *.yaml, *.yml or *.json files in this directory")
            files.extend(sorted(found))
        elif os.path.lexists(path):  # a dangling link is read (and reported) like any file
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return _once(files), problems, sorted(kustomizations)


def _once(files: list[str]) -> list[str]:
    """Each file once, however often it was named (``k8s/ k8s/a.yaml``, ``./a.yaml a.yaml``):
    read twice, its objects would be reported as defined twice. Paths are compared as
    written, not through symlinks (a link is a file of its own)."""
    seen: set[str] = set()
    out: list[str] = []
    for file in files:
        key = file if file == "-" else os.path.abspath(file)
        if key not in seen:
            seen.add(key)
            out.append(file)
    return out


def expand_paths(paths: Sequence[str]) -> list[str]:
    """FILE stays, DIR becomes its ``*.yaml``, ``*.yml``, ``*.json`` files (recursively, sorted),
    ``-`` means stdin. Raises :class:`InputError` for a path that does not exist or a
    directory without such files (a typo must not pass as "no findings")."""
    return _expand(paths)[0]


class Reading:
    """Every manifest and problem of FILEs, DIRs and ``-`` (stdin), one document at a
    time: iterating reads, and only the current document is held (``files`` counts the
    inputs read so far). Raises :class:`InputError` at once for a path that does not exist."""

    def __init__(self, paths: Sequence[str], stdin: TextIO | None = None) -> None:
        # the files to read (directories walked), and the kustomization files found there
        self.paths, self._problems, self.kustomizations = _expand(paths)
        self._stdin = stdin
        self.files = 0

    def __iter__(self) -> Iterator[Item]:
        yield from self._problems
        for path in self.paths:
            self.files += 1
            if path == "-":
                yield from _read_stdin(self._stdin if self._stdin is not None else sys.stdin)
            else:
                yield from _read_path(path)


def read_paths(paths: Sequence[str], stdin: TextIO | None = None) -> ReadResult:
    """Read every manifest from FILEs, DIRs (recursively) and ``-`` (stdin)."""
    return ReadResult.collect(Reading(paths, stdin))


def read_file(path: str) -> ReadResult:
    """Read one file (a regular file, at most :func:`kubegen.safefs.max_input_bytes`)."""
    return ReadResult.collect(_read_path(path))


def _read_path(path: str) -> Iterator[Item]:
    try:
        handle = open_input(path)
    except NotRegularFile as exc:
        yield _problem(path, 0, f"{exc.problem}: to read it anyway, pass it on stdin (- < {path})")
        return
    except UnreadableInput as exc:
        yield _problem(path, 0, exc.problem)
        return
    with handle:
        yield from read_source(TextSource(handle), path)


def _read_stdin(stream: TextIO | None) -> Iterator[Item]:
    try:
        handle = stdin_reader(stream)
    except UnreadableInput as exc:
        raise InputError(str(exc)) from None  # a closed stdin is the command line's problem
    yield from read_source(TextSource(handle), STDIN_NAME)


def read_bytes(data: bytes, filename: str) -> ReadResult:
    """Decode (UTF-8, or UTF-16 with a BOM) and read; binary input is one clear problem."""
    import io

    reader = LimitedReader(io.BytesIO(data), filename, max(len(data), 1))
    return ReadResult.collect(read_source(TextSource(reader), filename))


def read_text(text: str, filename: str) -> ReadResult:
    """Read every manifest of one YAML (or JSON) text; ``filename`` is used in locations."""
    return ReadResult.collect(read_source(TextSource(text=text), filename))


def read_source(source: TextSource, filename: str) -> Iterator[Item]:
    """Every manifest and problem of one input, document by document."""
    try:
        head = source.peek(4096).lstrip(" \t\r\n\ufeff")
        if head.startswith("{"):
            stream = _read_json_stream(source.read_all(), filename)
            if stream is not None:
                yield from stream
                return
        if not LIBYAML_BOUNDS_NESTING:  # an old libyaml: guard its recursion by the raw text
            too_deep_text = nesting_problem(source.read_all())
            if too_deep_text is not None:
                yield _problem(filename, 0, f"{_TOO_DEEP}: {too_deep_text}; flatten the structure")
                return
        yield from _yaml_documents(source, filename)
    except BadText as exc:
        yield _problem(filename, exc.line, exc.message)
    except UnreadableInput as exc:  # over the size limit, or a read error, while reading
        yield _problem(filename, 0, exc.problem)


_TOO_DEEP = "the YAML nests too deeply to read safely"


def _too_deep_message() -> str:
    return (f"{_TOO_DEEP}: more than {MAX_DEPTH} levels of mappings and lists (kubegen's limit, far "
            "beyond any real manifest); flatten the structure")


def _yaml_documents(source: TextSource, filename: str) -> Iterator[Item]:
    loader = KubeLoader(source)
    doc = -1
    try:
        while loader.check_node():
            node = loader.get_node()
            doc += 1
            start, end = node.start_mark.index, node.end_mark.index
            source.release(source.line_start(start))  # earlier documents are done with
            text = source.text(start, end)
            lines = FileLines(filename, text, node.start_mark.line + 1)
            if node is not None and may_have_aliases(text):
                unsafe = check_aliases(node)
                if unsafe is not None:
                    yield _problem(filename, lines.locate(()).line, unsafe)
                    continue
            try:
                data = loader.construct_document(node)
            except yaml.constructor.ConstructorError as exc:
                # A bad value (a Python tag, .inf) spoils its document only: read on.
                yield _syntax_problem(filename, exc, source)
                loader.reset_construction()
                continue
            if loader.duplicates:
                for dup in loader.duplicates:
                    yield _problem(
                        filename, dup.second_line,
                        f"duplicate key {dup.key!r} (also on line {dup.first_line}); YAML forbids "
                        "duplicate keys and strict Kubernetes validation rejects them, while lenient "
                        "readers silently keep only the last value: remove one",
                    )
                loader.duplicates.clear()
            yield from _document_items(lines, doc, data, might_nest_too_deeply(text))
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, far above ours
            mark = exc.problem_mark
            yield _problem(filename, mark.line + 1 if mark is not None else 0, _too_deep_message())
        else:
            yield _syntax_problem(filename, exc, source)
    except yaml.reader.ReaderError as exc:
        yield _problem(
            filename, source.line_number(exc.position),
            f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason}); remove it",
        )
    except yaml.YAMLError as exc:
        yield _problem(filename, 0, f"invalid YAML: {exc}")
    finally:
        loader.dispose()


def _read_json_stream(text: str, filename: str) -> list[Item] | None:
    """Several concatenated JSON objects (kubectl reads such streams), or None to read
    ``text`` as YAML instead (one object, invalid JSON, or duplicate keys, which the YAML
    reader reports with their lines)."""
    decoder = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_float=json_float,
                               parse_int=json_int, parse_constant=_no_constant)
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
    items: list[Item] = []
    for obj, start, end in spans:
        lines = FileLines(filename, text[start:end], text.count("\n", 0, start) + 1)
        items.extend(_document_items(lines, 0, obj, True))
    return items


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


def _document_items(lines: FileLines, doc: int, data: Any, deep: bool) -> Iterator[Item]:
    """The manifests of one document (a ``List``'s items), or why it holds none; ``deep``:
    the document may nest more than :data:`MAX_DEPTH` levels (each object is measured
    from its own top, so a ``List``'s items may nest as deep as objects on their own)."""
    if data is None:
        return  # an empty document: kubectl skips it too
    if not isinstance(data, dict):
        yield _problem(
            lines.file, lines.locate(()).line,
            f"document {doc + 1} is {_describe(data)}, not a Kubernetes object (a mapping with "
            "apiVersion, kind and metadata)",
        )
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
            too_deep_at = too_deep(item) if deep and isinstance(item, dict) else None
            if too_deep_at is not None:
                yield _problem(lines.file, lines.locate(("items", i, *too_deep_at)).line, _too_deep_message())
            elif isinstance(item, dict):
                yield Manifest(item, YamlOrigin(lines, ("items", i)))
            else:
                yield _problem(
                    lines.file, lines.locate(("items", i)).line,
                    f"items[{i}] of this {kind} is {_describe(item)}, not a Kubernetes object",
                )
        return
    too_deep_at = too_deep(data) if deep else None
    if too_deep_at is not None:
        yield _problem(lines.file, lines.locate(too_deep_at).line, _too_deep_message())
        return
    yield Manifest(data, YamlOrigin(lines))


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"the value {value!r}"


def _syntax_problem(filename: str, exc: yaml.MarkedYAMLError, source: TextSource) -> Finding:
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
    line_text = source.line_at(mark.index) if mark is not None else ""
    if "\t" in line_text and ("token" in problem or "tab" in problem or "indent" in problem):
        hint = "; this line contains a tab: indent YAML with spaces, not tabs"
    elif "could not determine a constructor" in problem:
        hint = "; kubectl reads plain YAML data: remove the tag"
    return _problem(filename, line, f"invalid YAML: {problem}{context}{hint}")


def _python_tag(problem: str) -> str | None:
    marker = "tag:yaml.org,2002:python/"
    start = problem.find(marker)
    if start < 0:
        return None
    end = problem.find("'", start)
    return "!!" + problem[start + len("tag:yaml.org,2002:"):end if end > 0 else None]
