"""A strict parser for Prometheus' text exposition format (version 0.0.4).

Strict on purpose: a scrape that Prometheus itself would reject must fail the test. Checks
the line grammar, label escaping, that each sample belongs to a family declared by `# TYPE`
before it, that a family's lines are contiguous, and that histograms are well formed
(cumulative buckets, `le="+Inf"` equal to `_count`).
"""

from __future__ import annotations

import math
import re
import urllib.request
from dataclasses import dataclass, field

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


@dataclass
class Family:
    name: str
    type: str
    help: str = ""
    # (sample name, frozenset of label pairs) -> value
    samples: dict = field(default_factory=dict)

    def value(self, suffix: str = "", **labels) -> float:
        key = (self.name + suffix, frozenset(labels.items()))
        return self.samples[key]

    def get(self, suffix: str = "", default: float = 0.0, **labels) -> float:
        return self.samples.get((self.name + suffix, frozenset(labels.items())), default)

    def label_sets(self, suffix: str = "") -> list[dict]:
        return [dict(labels) for (name, labels) in self.samples if name == self.name + suffix]


class ParseError(AssertionError):
    pass


def _parse_value(text: str) -> float:
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)", text):
        raise ParseError(f"bad sample value {text!r}")
    return float(text)


def _parse_labels(text: str, line: str) -> frozenset:
    labels = {}
    i = 0
    while i < len(text):
        m = re.match(LABEL_NAME + r'="', text[i:])
        if not m:
            raise ParseError(f"bad label at {text[i:]!r} in {line!r}")
        name = m.group(0)[:-2]
        i += m.end()
        value = []
        while True:
            if i >= len(text):
                raise ParseError(f"unterminated label value in {line!r}")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ('"', "\\", "n"):
                    raise ParseError(f"bad escape in {line!r}")
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise ParseError(f"duplicate label {name} in {line!r}")
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                raise ParseError(f"expected ',' in {line!r}")
            i += 1
    return frozenset(labels.items())


def _family_of(sample: str, families: dict) -> Family | None:
    if sample in families:
        return families[sample]
    for suffix in ("_bucket", "_sum", "_count"):
        if sample.endswith(suffix):
            base = families.get(sample[: -len(suffix)])
            if base and base.type in ("histogram", "summary"):
                return base
    return None


def parse(text: str) -> dict[str, Family]:
    if text and not text.endswith("\n"):
        raise ParseError("exposition must end with a newline")
    families: dict[str, Family] = {}
    finished: set[str] = set()
    current: str | None = None
    for line in text.split("\n")[:-1]:
        if not line.strip():
            continue
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (" + NAME + r") ?(.*)", line)
            if not m:
                continue  # a plain comment
            kind, name, rest = m.groups()
            if name != current and name in finished | set(families):
                if kind == "TYPE" and name in families:
                    raise ParseError(f"second TYPE for {name}")
            if kind == "TYPE":
                if rest not in TYPES:
                    raise ParseError(f"bad type {rest!r} for {name}")
                if name in families and families[name].samples:
                    raise ParseError(f"TYPE for {name} after its samples")
                families.setdefault(name, Family(name, rest)).type = rest
            else:
                families.setdefault(name, Family(name, "untyped")).help = rest
            if current and current != name:
                finished.add(current)
            current = name
            continue
        m = re.fullmatch(r"(" + NAME + r")(\{(.*)\})? (\S+)( -?\d+)?", line)
        if not m:
            raise ParseError(f"bad sample line {line!r}")
        sample, _, label_text, value, _ = m.groups()
        family = _family_of(sample, families)
        if family is None:
            raise ParseError(f"sample {sample} has no # TYPE before it")
        if family.name in finished:
            raise ParseError(f"family {family.name} is not contiguous")
        if current != family.name:
            if current:
                finished.add(current)
            current = family.name
        labels = _parse_labels(label_text or "", line)
        key = (sample, labels)
        if key in family.samples:
            raise ParseError(f"duplicate sample {line!r}")
        family.samples[key] = _parse_value(value)
    for family in families.values():
        if family.type == "histogram":
            _check_histogram(family)
    return families


def _check_histogram(family: Family) -> None:
    series: dict[frozenset, list] = {}
    for (name, labels), value in family.samples.items():
        if name == family.name + "_bucket":
            pairs = dict(labels)
            if "le" not in pairs:
                raise ParseError(f"{name} bucket without le")
            le = _parse_value(pairs.pop("le"))
            series.setdefault(frozenset(pairs.items()), []).append((le, value))
    for labels, buckets in series.items():
        buckets.sort()
        counts = [count for _, count in buckets]
        if counts != sorted(counts):
            raise ParseError(f"{family.name}{dict(labels)} buckets are not cumulative")
        if buckets[-1][0] != math.inf:
            raise ParseError(f"{family.name}{dict(labels)} has no +Inf bucket")
        count = family.samples.get((family.name + "_count", labels))
        if count is None or count != buckets[-1][1]:
            raise ParseError(f"{family.name}{dict(labels)} _count {count} != +Inf bucket {buckets[-1][1]}")
        if (family.name + "_sum", labels) not in family.samples:
            raise ParseError(f"{family.name}{dict(labels)} has no _sum")


def scrape(admin_url: str) -> dict[str, Family]:
    """GET /metrics from a running server, checked for Prometheus' content type, then parsed."""
    with urllib.request.urlopen(admin_url + "/metrics", timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(r.read().decode())
