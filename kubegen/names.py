"""Name and format rules of the Kubernetes API: DNS labels and subdomains, qualified
names (label and annotation keys), label values, port names, config keys, environment
variable names, path segments, IP addresses and CIDRs.

One place for the builders' eager validators and the checks alike. Each
``*_problems`` function returns the reasons a value is invalid (empty = valid), in
the words of ``k8s.io/apimachinery/pkg/util/validation`` where those are clear; each
``fix_*`` function returns the nearest valid value when one is obvious.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import ipaddress

LABEL_MAX = 63
SUBDOMAIN_MAX = 253
PORT_NAME_MAX = 15

def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern)`` on first use: a module's patterns cost a run its start-up
    time only when the run needs them. It stands for the compiled pattern (``.match(...)``)."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


class _LazyPattern:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(*self._source)
        for method in ("match", "fullmatch", "search", "sub", "subn", "finditer", "findall", "split"):
            setattr(self, method, getattr(compiled, method))  # later calls skip __getattr__
        return getattr(compiled, name)


# The patterns of apimachinery's validation, as character sets: these run on every name
# and label of a render, and a set comparison costs no regular-expression compilation
# at start-up (tests/test_names.py holds each to its pattern).
# ASCII only, as Go's character classes are.
DIGITS = frozenset("0123456789")
LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
LETTERS = LOWER | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER_ALNUM = LOWER | DIGITS
ALNUM = LETTERS | DIGITS
_LABEL_CHARS = LOWER_ALNUM | {"-"}  # [-a-z0-9]
_QUALIFIED_CHARS = ALNUM | {"-", "_", "."}  # [-A-Za-z0-9_.]


def is_dns1123_label(value: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?`` (any length)."""
    return bool(value) and value[0] in LOWER_ALNUM and value[-1] in LOWER_ALNUM and set(value) <= _LABEL_CHARS


def is_dns1123_subdomain(value: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`` (any length): labels joined by '.'."""
    return all(is_dns1123_label(part) for part in value.split("."))


def is_dns1035_label(value: str) -> bool:
    """``[a-z]([-a-z0-9]*[a-z0-9])?`` (any length)."""
    return is_dns1123_label(value) and "a" <= value[0] <= "z"


def is_qualified_name_part(value: str) -> bool:
    """``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`` (any length): a label value or the name of a key."""
    return bool(value) and value[0] in ALNUM and value[-1] in ALNUM and set(value) <= _QUALIFIED_CHARS


_ENV_VAR_NAME = lazy_pattern(r"[-._a-zA-Z][-._a-zA-Z0-9]*\Z")
_HTTP_HEADER_NAME = lazy_pattern(r"[-A-Za-z0-9]+\Z")
_SYSCTL_NAME = lazy_pattern(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?\Z")
_PERCENT = lazy_pattern(r"[0-9]+%\Z")
_SLOPPY_IPV4 = lazy_pattern(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\Z")

_LABEL_RULE = (
    "must consist of lower case alphanumeric characters or '-', and start and end with an alphanumeric character"
)
_SUBDOMAIN_RULE = (
    "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character"
)
_QUALIFIED_RULE = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)


def _remember_valid(check: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """Remember the values ``check`` passed: a stack repeats its names and labels
    thousands of times, and a set lookup is cheaper than the regular expressions."""
    valid: set[str] = set()

    @functools.wraps(check)
    def remembering(value: str) -> list[str]:
        if value in valid:
            return []
        problems = check(value)
        if not problems and len(valid) < 100_000:
            valid.add(value)
        return problems

    return remembering


def _too_long(value: str, limit: int) -> list[str]:
    return [f"must be no more than {limit} characters (has {len(value)})"] if len(value) > limit else []


# --- DNS names -------------------------------------------------------------------


def fix_dns_label(value: str) -> str:
    """The nearest RFC 1123 label: lower case, anything else turned into '-'."""
    fixed = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")
    return fixed[:LABEL_MAX].rstrip("-") or "name"


def fix_dns_subdomain(value: str) -> str:
    """The nearest RFC 1123 subdomain: lower case, anything else turned into '-'."""
    fixed = re.sub(r"[^a-z0-9.-]+", "-", value.lower()).strip("-.")
    fixed = re.sub(r"\.[-.]*", ".", fixed)
    return fixed[:SUBDOMAIN_MAX].rstrip("-.") or "name"


def fix_dns1035_label(value: str) -> str:
    fixed = fix_dns_label(value)
    return fixed if fixed[:1].isalpha() else ("svc-" + fixed)[:LABEL_MAX].rstrip("-")


@_remember_valid
def dns1123_label_problems(value: str) -> list[str]:
    """RFC 1123 label: namespaces, container/volume/port names, StatefulSet names."""
    problems = _too_long(value, LABEL_MAX)
    if not is_dns1123_label(value):
        problems.append(f"must be a lowercase RFC 1123 label: it {_LABEL_RULE} (try {fix_dns_label(value)!r})")
    return problems


@_remember_valid
def dns1123_subdomain_problems(value: str) -> list[str]:
    """RFC 1123 subdomain: names of most objects (Pod, Deployment, ConfigMap, ...)."""
    problems = _too_long(value, SUBDOMAIN_MAX)
    if not is_dns1123_subdomain(value):
        fix = fix_dns_subdomain(value)
        problems.append(f"must be a lowercase RFC 1123 subdomain: it {_SUBDOMAIN_RULE} (try {fix!r})")
    return problems


@_remember_valid
def dns1035_label_problems(value: str) -> list[str]:
    """RFC 1035 label: Service names before Kubernetes 1.36 (they become DNS names)."""
    problems = _too_long(value, LABEL_MAX)
    if not is_dns1035_label(value):
        problems.append(
            "must be an RFC 1035 label: it must consist of lower case alphanumeric characters or '-', start with a "
            f"letter and end with an alphanumeric character (try {fix_dns1035_label(value)!r})"
        )
    return problems


@_remember_valid
def wildcard_subdomain_problems(value: str) -> list[str]:
    """``*.example.com``: a wildcard then a subdomain (Ingress hosts)."""
    problems = _too_long(value, SUBDOMAIN_MAX)
    if not value.startswith("*.") or not is_dns1123_subdomain(value[2:]):
        problems.append("must be a wildcard DNS name: '*.' followed by a lowercase RFC 1123 subdomain (e.g. "
                        "'*.example.com'); a wildcard may only be the whole first label")
    return problems


def path_segment_problems(value: str, prefix: bool = False) -> list[str]:
    """What every object name must be (it becomes part of the REST path): no '/' or '%',
    not '.' or '..' (RBAC objects need nothing more)."""
    if not prefix and value in (".", ".."):
        return [f"may not be {value!r}"]
    return [f"may not contain {c!r}" for c in ("/", "%") if c in value]


# --- qualified names, labels ------------------------------------------------------


@_remember_valid
def qualified_name_problems(value: str) -> list[str]:
    """``[prefix/]name``: label keys, annotation keys, finalizers, topology keys, ..."""
    parts = value.split("/")
    problems: list[str] = []
    if len(parts) > 2:
        return ["must be a qualified name: an optional DNS subdomain prefix and '/', then a name (e.g. "
                "'example.com/MyName'); it has more than one '/'"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            problems.append("prefix part must be non-empty")
        else:
            problems.extend("prefix part " + p for p in dns1123_subdomain_problems(prefix))
    if not name:
        problems.append("name part must be non-empty")
    else:
        if len(name) > LABEL_MAX:
            problems.append(f"name part must be no more than {LABEL_MAX} characters (has {len(name)})")
        if not is_qualified_name_part(name):
            problems.append("name part " + _QUALIFIED_RULE)
    return problems


label_key_problems = qualified_name_problems


@_remember_valid
def label_value_problems(value: str) -> list[str]:
    """A label value: empty, or up to 63 of ``[A-Za-z0-9_.-]`` starting/ending alphanumeric."""
    problems = _too_long(value, LABEL_MAX)
    if value and not is_qualified_name_part(value):
        problems.append(
            "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return problems


def fix_label_value(value: str) -> str:
    fixed = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-_.")
    return fixed[:LABEL_MAX].rstrip("-_.")


# --- ports, keys, variables ----------------------------------------------------------


@_remember_valid
def port_name_problems(value: str) -> list[str]:
    """IANA_SVC_NAME: container port names (what a named targetPort refers to)."""
    problems = _too_long(value, PORT_NAME_MAX)
    if not value or not set(value) <= _LABEL_CHARS:  # [-a-z0-9]+
        problems.append("must contain only lower case alphanumeric characters or '-'")
    if "--" in value:
        problems.append("must not contain consecutive hyphens")
    if value[:1] == "-" or value[-1:] == "-":
        problems.append("must not begin or end with a hyphen")
    if not any("a" <= c <= "z" for c in value):
        problems.append("must contain at least one letter (a-z)")
    return problems


def port_number_problems(value: int) -> list[str]:
    if not 1 <= value <= 65535:
        return ["must be between 1 and 65535, inclusive"]
    return []


@_remember_valid
def config_key_problems(key: str) -> list[str]:
    """A ConfigMap/Secret data key (also the key of a configMapKeyRef/secretKeyRef)."""
    problems = []
    if len(key) > SUBDOMAIN_MAX:
        problems.append(f"must be no more than {SUBDOMAIN_MAX} characters")
    if not key or not set(key) <= _QUALIFIED_CHARS:  # [-._a-zA-Z0-9]+
        problems.append("must consist of alphanumeric characters, '-', '_' or '.'")
    if key in (".", ".."):
        problems.append(f"must not be {key!r}")
    elif key.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def env_var_name_problems(value: str, relaxed: bool = True) -> list[str]:
    """An environment variable name. ``relaxed`` (Kubernetes 1.32 and later): printable
    ASCII other than '='; before: letters, digits, '-', '.', '_', not starting with a digit."""
    if relaxed:
        if any(not " " <= c <= "~" or c == "=" for c in value):
            return ["must consist only of printable ASCII characters other than '='"]
        return []
    problems = []
    if not _ENV_VAR_NAME.match(value):
        problems.append(
            "must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
        )
    if value in (".", ".."):
        problems.append(f"must not be {value!r}")
    elif value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def http_header_name_problems(value: str) -> list[str]:
    return [] if _HTTP_HEADER_NAME.match(value) else ["must consist of alphanumeric characters or '-'"]


def sysctl_name_problems(value: str) -> list[str]:
    if len(value) <= SUBDOMAIN_MAX and _SYSCTL_NAME.match(value):
        return []
    return ["must have at most 253 characters and be a sysctl name such as 'net.ipv4.ip_local_port_range' (lower "
            "case segments of letters, digits, '-' and '_', separated by '.' or '/')"]


_HTTP_PATH = lazy_pattern(r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+\Z")


def domain_prefixed_path_problems(value: str) -> list[str]:
    """IsDomainPrefixedPath: ``example.com/some/path`` (IngressClass controllers, Job
    managedBy): a DNS subdomain, '/', then URL path characters."""
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        return ["must be a domain-prefixed path such as 'example.com/my-controller'"]
    problems = [f"domain {host!r} " + p for p in dns1123_subdomain_problems(host)]
    if not _HTTP_PATH.match(rest):
        problems.append(f"path {rest!r} may contain only letters, digits and /-._~%!$&'()*+,;=:")
    return problems


_RFC3339 = lazy_pattern(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))\Z")


def is_rfc3339(text: str) -> bool:
    """A time as metav1.Time decodes it (Go's time.RFC3339, fractional seconds allowed)."""
    match = _RFC3339.match(text)
    if match is None:
        return False
    import datetime  # only for a timestamp to check: keeps start-up fast

    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return int(match.group(9) or 0) < 24 and int(match.group(10) or 0) < 60


def is_percent(value: str) -> bool:
    return bool(_PERCENT.match(value))


# --- IP addresses ----------------------------------------------------------------------


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    import ipaddress  # only when a value must be an IP address
    """The address as the API server's lenient parser reads it (IPv4 octets may carry
    leading zeros), or None when it is no IP address at all."""
    if "%" in value:
        return None  # zone indexes are not accepted
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        match = _SLOPPY_IPV4.match(value)
        if match and all(int(o) <= 255 for o in match.groups()):
            return ipaddress.IPv4Address(".".join(str(int(o)) for o in match.groups()))
        return None


def ip_problems(value: str) -> list[str]:
    if parse_ip(value) is None:
        return ["must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


def parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    import ipaddress
    """The network of a CIDR (host bits allowed, as the lenient parser does), or None."""
    address, slash, bits = value.partition("/")
    if not slash or not bits.isdigit() or parse_ip(address) is None:
        return None
    ip = parse_ip(address)
    assert ip is not None
    if int(bits) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)


def cidr_problems(value: str) -> list[str]:
    if parse_cidr(value) is None:
        return ["must be a valid CIDR value (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
    return []
