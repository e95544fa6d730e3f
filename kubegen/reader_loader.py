"""The YAML loader behind :mod:`kubegen.reader`: kubectl's semantics at libyaml's speed.

- Plain scalars resolved like kubectl (sigs.k8s.io/yaml on go-yaml v2, YAML 1.1):
  unquoted ``yes`` and ``y`` are booleans, ``0755`` an octal int, timestamps stay
  text; see :mod:`kubegen.reader_scalars`.
- Mapping keys become strings the way sigs.k8s.io/yaml converts them to JSON
  (``true`` -> ``"true"``, ``1`` -> ``"1"``).
- Duplicate keys are recorded (kubectl rejects them; PyYAML would keep the last).
- Safe: only the standard YAML tags are constructed; ``!!python/...`` is refused.
- Alias bombs and recursive aliases are refused before anything walks the data.

No line numbers are tracked here (that would cost time on every load);
:mod:`kubegen.reader_lines` recomposes a document only when a finding needs a line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]
from yaml.constructor import ConstructorError  # type: ignore[import-untyped]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode  # type: ignore[import-untyped]

from kubegen.reader_scalars import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    construct_scalar_as_kubectl,
    implicit_resolvers,
    json_key,
    scalar_value,
)
from kubegen.values import MAX_DEPTH

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# An alias expanding to more than this many nodes (and 10x the document's real size)
# is an "alias bomb" (billion laughs); go-yaml refuses those too.
MAX_ALIAS_EXPANSION = 1_000_000

# Nesting. libyaml composes recursively in C, so unbounded nesting would crash the
# process; libyaml 0.2.6 refuses more than 1000 levels by itself. With an older libyaml,
# raw text nested deeper than that is refused before libyaml sees it (counting brackets
# and compact indicators in the raw text, scalars included). Either way the data is
# then held to kubegen's own limit, kubegen.values.MAX_DEPTH, which every entrance shares.
LIBYAML_NESTING_LIMIT = 1000


def _libyaml_bounds_nesting() -> bool:
    deep = "[" * (LIBYAML_NESTING_LIMIT + 10)
    try:
        yaml.compose(deep + "]" * len(deep), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        return "maximum nesting depth" in str(exc)
    return False


LIBYAML_BOUNDS_NESTING = _libyaml_bounds_nesting()
"""Whether this libyaml refuses pathological nesting itself (0.2.6 and later)."""

_BRACKETS = re.compile(r"[\[\]{}]")
_TWO_INDICATORS = re.compile(r"[-?][ \t]+[-?][ \t]")
_COMPACT_NESTING = re.compile(r"(?:[-?][ \t]+){" + str(LIBYAML_NESTING_LIMIT) + "}")

# Without a line indented this far, and without two block indicators in a row (``- -``),
# block nesting is at most 2 * (_INDENT_LIMIT - 1) + 3 levels: every two levels need one
# more column (a list may sit at its key's column, its items one further). Flow nesting
# adds at most one level per bracket. A document within both bounds needs no walk.
_INDENT_LIMIT = 30
_DEEP_LINE = "\n" + " " * _INDENT_LIMIT
_FLOW_BUDGET = MAX_DEPTH - (2 * (_INDENT_LIMIT - 1) + 3)

# Something that could be an anchor definition (``&name``); without one there are no aliases.
_ANCHOR_LIKE = re.compile(r"(?:^|[\s\[{,:])&[^\s\[\]{},]", re.M)


class _Generic(Exception):
    """This document needs PyYAML's generic constructor."""


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_KUBECTL_SCALARS = frozenset({BOOL_TAG, NULL_TAG, INT_TAG, FLOAT_TAG})
_MISSING = object()
# Plain scalars repeat (``80``, ``true``, ``apiVersion``): each distinct text is resolved
# and converted once. Bounded, so a file of unique numbers cannot grow them without end.
_CACHE_LIMIT = 20_000
_RESOLVED: dict[str, str] = {}
_SCALARS: dict[tuple[str, str], Any] = {}


class DuplicateKey:
    """A key written twice in one mapping: the key and both (1-based) lines."""

    __slots__ = ("key", "first_line", "second_line")

    def __init__(self, key: str, first_line: int, second_line: int) -> None:
        self.key = key
        self.first_line = first_line
        self.second_line = second_line


class KubeLoader(yaml.CSafeLoader):  # type: ignore[misc]
    """CSafeLoader with kubectl's view of the data (see the module docstring)."""

    yaml_implicit_resolvers = implicit_resolvers()
    yaml_constructors = dict(yaml.CSafeLoader.yaml_constructors)

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    # --- the fast path: plain data, built without PyYAML's generic machinery -----------

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """The tag of an untagged node; plain scalars are looked up once per distinct text."""
        if kind is ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _CACHE_LIMIT:
                    _RESOLVED[value] = tag
            return tag
        resolved: str = super().resolve(kind, value, implicit)
        return resolved

    def construct_document(self, node: Any) -> Any:
        """The document's data. Plain mappings, lists and standard scalars (all of a
        Kubernetes manifest) are built here, without recursion and several times faster
        than PyYAML's generic constructor; a document with anything else (a merge key, a
        ``!!set``, ``!!binary``, a custom tag) is built by the generic one."""
        try:
            return self._build(node)
        except _Generic:
            return super().construct_document(node)

    def _build(self, root: Node) -> Any:
        built: dict[int, Any] = {}  # id(node) -> its object: an alias is the same object
        value = self._scalar_or_shell(root, built)
        todo: list[Node] = [root] if root.__class__ is not ScalarNode else []
        while todo:
            node = todo.pop()
            target = built[id(node)]
            if node.__class__ is SequenceNode:
                for item in node.value:
                    known = built.get(id(item))
                    if known is not None:
                        target.append(known)
                        continue
                    target.append(self._scalar_or_shell(item, built))
                    if item.__class__ is not ScalarNode:
                        todo.append(item)
                continue
            pairs = node.value
            for key_node, value_node in pairs:
                if key_node.__class__ is not ScalarNode or key_node.tag == _MERGE_TAG:
                    raise _Generic  # a merge (<<), or a collection as a key: the generic path explains
                key = self._scalar(key_node)
                if key.__class__ is not str:
                    key = _json_key(key, key_node, node)
                known = built.get(id(value_node))
                if known is None and id(value_node) not in built:
                    known = self._scalar_or_shell(value_node, built)
                    if value_node.__class__ is not ScalarNode:
                        todo.append(value_node)
                target[key] = known
            if len(target) != len(pairs):
                self._record_duplicates(pairs, True)
        return value

    def _scalar_or_shell(self, node: Node, built: dict[int, Any]) -> Any:
        """A scalar's value, or a new empty dict or list for a collection (filled later)."""
        cls = node.__class__
        if cls is ScalarNode:
            value = self._scalar(node)
            built[id(node)] = value
            return value
        tag = node.tag
        if cls is MappingNode and tag == _MAP_TAG:
            shell: Any = {}
        elif cls is SequenceNode and tag == _SEQ_TAG:
            shell = []
        else:
            raise _Generic
        built[id(node)] = shell
        return shell

    @staticmethod
    def _scalar(node: Node) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag in _KUBECTL_SCALARS:
            key = (tag, node.value)
            value = _SCALARS.get(key, _MISSING)
            if value is _MISSING:
                try:
                    value = scalar_value(tag, node.value)
                except ValueError as exc:
                    raise ConstructorError(None, None, str(exc), node.start_mark) from None
                if len(_SCALARS) < _CACHE_LIMIT:
                    _SCALARS[key] = value
            return value
        if tag == _TIMESTAMP_TAG:
            return node.value
        raise _Generic

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        own = node.value
        for key_node, _ in own:
            if key_node.tag == _MERGE_TAG:
                self.flatten_mapping(node)
                break
        mapping: dict[Any, Any] = {}
        construct = self.construct_object
        for key_node, value_node in node.value:
            key = construct(key_node, deep=deep)
            if key.__class__ is not str:
                key = _json_key(key, key_node, node)
            mapping[key] = construct(value_node, deep=deep)
        if len(mapping) != len(node.value):
            self._record_duplicates(own, deep)
        return mapping

    def _record_duplicates(self, pairs: list[tuple[Node, Node]], deep: bool) -> None:
        """Slow path, only for a mapping that really lost keys: which ones, where."""
        first: dict[Any, Node] = {}
        for key_node, _ in pairs:
            key = _json_key(self.construct_object(key_node, deep=deep), key_node, None)
            if key in first:
                self.duplicates.append(
                    DuplicateKey(key, first[key].start_mark.line + 1, key_node.start_mark.line + 1)
                )
            else:
                first[key] = key_node

    def reset_construction(self) -> None:
        """Forget a document whose construction failed, so the next one starts clean."""
        self.state_generators: list[Any] = []
        self.constructed_objects: dict[Any, Any] = {}
        self.recursive_objects: dict[Any, Any] = {}
        self.deep_construct = False

    def construct_timestamp_as_str(self, node: Any) -> str:
        return str(self.construct_scalar(node))


    def construct_binary_as_str(self, node: Any) -> str:
        """go-yaml decodes ``!!binary`` into a string of the decoded bytes."""
        data: bytes = self.construct_yaml_binary(node)
        return data.decode("utf-8", "replace")


KubeLoader.add_constructor(_TIMESTAMP_TAG, KubeLoader.construct_timestamp_as_str)
for _tag in (BOOL_TAG, NULL_TAG, INT_TAG, FLOAT_TAG):
    KubeLoader.add_constructor(_tag, construct_scalar_as_kubectl)
KubeLoader.add_constructor("tag:yaml.org,2002:binary", KubeLoader.construct_binary_as_str)
# "<<" is a merge only as a key (flatten_mapping handles that); as a value it is text.
KubeLoader.add_constructor(_MERGE_TAG, KubeLoader.construct_scalar)
# go-yaml has no sets: ``!!set {a, b}`` is the mapping {a: null, b: null}.
KubeLoader.add_constructor("tag:yaml.org,2002:set", yaml.constructor.SafeConstructor.construct_yaml_map)


def _json_key(key: Any, key_node: Node, node: Node | None) -> str:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON."""
    text = json_key(key)
    if text is None and key is None:
        raise ConstructorError(
            "while constructing a mapping", node.start_mark if node is not None else None,
            "found a null key (~, null or nothing); kubectl refuses it: quote it if it is text",
            key_node.start_mark,
        )
    if text is None:
        raise ConstructorError(
            "while constructing a mapping", node.start_mark if node is not None else None,
            f"found a {type(key).__name__} used as a mapping key; keys must be plain scalars",
            key_node.start_mark,
        )
    return text


def nesting_problem(text: str) -> str | None:
    """Why ``text`` nests too deeply for a libyaml without a nesting limit, or None (cheap:
    C-speed scans of the raw text)."""
    limit = LIBYAML_NESTING_LIMIT
    if text.count("[") + text.count("{") > limit:
        depth = 0
        for bracket in _BRACKETS.findall(text):
            if bracket in "[{":
                depth += 1
                if depth > limit:
                    return f"brackets ([ or {{) are nested more than {limit} levels deep"
            elif depth:
                depth -= 1
    if _TWO_INDICATORS.search(text) and _COMPACT_NESTING.search(text):
        return f"lists or keys (- - ... or ? ? ...) are nested more than {limit} levels deep on one line"
    return None


def might_nest_too_deeply(text: str) -> bool:
    """False when the document ``text`` surely nests at most :data:`MAX_DEPTH` levels
    (cheap: C-speed scans); True means: walk its data to know."""
    return (
        _DEEP_LINE in text
        or text.startswith(" " * _INDENT_LIMIT)
        or text.count("[") + text.count("{") > _FLOW_BUDGET
        or _TWO_INDICATORS.search(text) is not None
    )


def may_have_aliases(text: str) -> bool:
    """False when ``text`` surely defines no anchor (so no alias can expand)."""
    return "&" in text and _ANCHOR_LIKE.search(text) is not None


def check_aliases(root: Node) -> str | None:
    """Why the document's aliases are unsafe to expand (recursion, a bomb), or None."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    distinct = 0
    # Iterative post-order walk: (node, children visited?)
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(sizes[id(child)] for child in node.value)
            elif isinstance(node, MappingNode):
                total += sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            sizes[key] = total
            if total > MAX_ALIAS_EXPANSION and total > 10 * max(distinct, 1):
                return (
                    f"the aliases (*name) expand to more than {MAX_ALIAS_EXPANSION:,} values from "
                    f"{distinct:,} written ones (an \"alias bomb\"); kubectl refuses such input too: "
                    "write the values out or use fewer nested aliases"
                )
            continue
        if key in sizes:
            continue
        if key in active:
            return (
                f"an alias refers to the collection that contains it (line {node.start_mark.line + 1}); "
                "recursive data cannot be a Kubernetes object"
            )
        active.add(key)
        distinct += 1
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((child, False) for child in node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((k, False))
                stack.append((v, False))
        elif not isinstance(node, ScalarNode):  # pragma: no cover - composer yields only these
            return f"unexpected YAML node {type(node).__name__}"
    return None
