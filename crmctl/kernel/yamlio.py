"""Canonical YAML: safe loading that refuses tags and aliases, byte-stable dumping."""

import re
from datetime import datetime

import yaml

from crmctl.kernel.errors import YamlError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.M)


_TAGS = {}  # (scalar text, implicit) -> tag: resolving is pure and repeats for every key and value


def _memo_resolve(resolve):
    """The safe resolver's `resolve`, remembered (the safe schema has no path resolvers, so it is pure)."""
    def cached(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return resolve(self, kind, value, implicit)
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) > 200_000:
                _TAGS.clear()
            tag = _TAGS[key] = resolve(self, kind, value, implicit)
        return tag
    return cached


class Loader(_BaseLoader):
    """The safe loader; tags and aliases are refused before it runs (see `load`)."""

    resolve = _memo_resolve(_BaseLoader.resolve)


class _BadValue(yaml.constructor.ConstructorError):
    """A value the YAML grammar allows but no record can hold; carries the catalogue code `yaml.<code>`."""

    def __init__(self, node, message, code, params):
        super().__init__(None, None, message, node.start_mark)
        self.code = code
        self.params = params


def _construct_checked(construct, code, message):
    """`construct`, with the ValueError of an impossible value (2011-02-30, hour 25, 5,000 digits) made a
    parse error at the value's line: one damaged file must not take every reader down."""
    def checked(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, OverflowError):
            value = str(node.value)
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise _BadValue(node, message.format(value=shown), code, {"value": shown}) from None
    return checked


def _construct_mapping(loader, node, deep=False):
    """A mapping whose keys are unique: a key written twice would silently lose one of its values."""
    seen = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                raise _BadValue(key_node, f"duplicate key {key_node.value!r}", "duplicate-key",
                                {"key": key_node.value})
            seen.add(key_node.value)
    return _BaseLoader.construct_mapping(loader, node, deep=deep)


Loader.construct_mapping = _construct_mapping
Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_checked(
    _BaseLoader.construct_yaml_timestamp, "impossible-value", "impossible date or time {value!r}"))
Loader.add_constructor("tag:yaml.org,2002:int", _construct_checked(
    _BaseLoader.construct_yaml_int, "number-too-long", "number too long ({value})"))


class CanonicalDumper(_BaseDumper):
    """Block style, no aliases, ISO timestamps with `T`, multi-line text as literal blocks."""

    resolve = _memo_resolve(_BaseDumper.resolve)

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_datetime(dumper, moment):
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", moment.isoformat())


CanonicalDumper.add_representer(str, _represent_str)
CanonicalDumper.add_representer(datetime, _represent_datetime)


def dump(data):
    """The one serialisation of `data`: loading and dumping it again gives the same text."""
    return yaml.dump(
        data,
        Dumper=CanonicalDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100000,
        indent=2,
    )


def decode(raw, name="<input>"):
    """UTF-8 bytes to text; invalid bytes are an error naming the line (`err.located(name)`)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise YamlError(f"invalid UTF-8 at byte {err.start}", line, "encoding", {"byte": err.start}) from None


def parse(raw, name="<input>"):
    """Bytes of one YAML document to data; errors say `NAME:LINE: problem`."""
    try:
        return load(decode(raw, name), name)
    except YamlError as err:
        raise YamlError(err.located(name), err.line, err.code, err.params, where=name) from None


def load(text, name="<input>"):
    """Parse one YAML document; refuse conflict markers, tags, anchors and aliases."""
    # the multi-line search cost an eighth of reading a record: run it only where a marker's characters are
    marker = ("<<<<<<<" in text or "=======" in text or ">>>>>>>" in text) and _CONFLICT.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise YamlError("merge-conflict marker", line, "conflict")
    if "&" in text or "*" in text or "!" in text:
        _refuse_tags_and_aliases(text)
    for fast in (_read_canonical, _construct_plain):
        try:
            return fast(text)
        except Exception:  # anything unusual, or an error: the next reader decides, the last with its own error
            continue
    try:
        return yaml.load(text, Loader=Loader)
    except _BadValue as err:
        raise YamlError(err.problem, err.problem_mark.line + 1, err.code, err.params) from None
    except yaml.YAMLError as err:
        problem = _problem(err)
        raise YamlError(f"unparsable YAML: {problem}", _error_line(err, text), "yaml", {"problem": problem}) from None


# -- the canonical form, read line by line ----------------------------------------------------------------------

# What `dump` writes for a record: `key: value` lines, `- ` items at their key's indentation, nested mappings two
# spaces in, plain or single-quoted one-line scalars, `[]` and `{}`. Anything else (comments, blank lines, blocks,
# flow collections, double quotes, tabs, line breaks other than \n, a BOM) is left to libyaml.
_NOT_CANONICAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_SCALARS = {}  # plain scalar text -> its value (all immutable: str, int, float, bool, None, date, datetime)
_UNSEEN = object()
_TEXT_KEYS = set()  # mapping keys known to be plain identifiers that read as text
_ZONES = {}  # utcoffset -> the one timezone object of plain timestamps read with it
_scalar_loader = []


def _read_canonical(text):
    """`yaml.load(text, Loader=Loader)` for text in the canonical form, in Python line by line: three times as fast
    as libyaml's composer, whose per-node callbacks into Python were most of a fresh clone's first list. Plain
    scalars are resolved and constructed by the same Loader (once per distinct text). Raises on anything else."""
    if _NOT_CANONICAL.search(text):
        raise _Unusual
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines:
        raise _Unusual
    mapping, end = _mapping(lines, 0, 0)
    if end != len(lines):
        raise _Unusual
    return mapping


def _mapping(lines, at, indent):
    """The block mapping whose keys start at column `indent` from line `at`: (mapping, next line)."""
    mapping = {}
    count = len(lines)
    while at < count:
        line = lines[at]
        text = line.lstrip(" ")
        spaces = len(line) - len(text)
        if spaces != indent:
            if spaces < indent:
                break
            raise _Unusual
        key, colon, rest = text.partition(":")
        # a key is a plain identifier, once, that reads as text (`yes:` is a bool key, `null:` None); the few
        # keys of a store are checked once each (checking every line was a tenth of reading a record)
        if key not in _TEXT_KEYS:
            if not colon or not key.isidentifier() or type(_scalar(key)) is not str:
                raise _Unusual
            if len(_TEXT_KEYS) > 10_000:  # a bound against a store of made-up keys
                _TEXT_KEYS.clear()
            _TEXT_KEYS.add(key)
        if not colon or key in mapping:
            raise _Unusual
        at += 1
        if rest:
            if rest[0] != " ":
                raise _Unusual
            raw = rest[1:]
            value = _SCALARS.get(raw, _UNSEEN)  # the scalar seen before, without a call
            mapping[key] = _scalar(raw) if value is _UNSEEN else value
            continue
        below = lines[at] if at < count else ""
        deeper = len(below) - len(below.lstrip(" "))
        if below[deeper:deeper + 2] == "- " and deeper >= indent:
            mapping[key], at = _sequence(lines, at, deeper)
        elif deeper > indent:
            mapping[key], at = _mapping(lines, at, deeper)
        else:
            mapping[key] = None  # `key:` alone
    return mapping, at


def _sequence(lines, at, indent):
    """The block sequence whose `- ` items start at column `indent` from line `at`: (list, next line)."""
    items = []
    count = len(lines)
    opening = " " * indent + "- "
    while at < count:
        line = lines[at]
        if not line.startswith(opening):
            break
        content = line[indent + 2:]
        key, colon, rest = content.partition(":")
        if colon and key.isidentifier() and (not rest or rest[0] == " "):
            # `- key: ...` opens a mapping whose keys stand two columns in: read its first line as the key line
            lines[at] = " " * (indent + 2) + content
            item, at = _mapping(lines, at, indent + 2)
            items.append(item)
        else:
            value = _SCALARS.get(content, _UNSEEN)
            items.append(_scalar(content) if value is _UNSEEN else value)
            at += 1
    return items, at


def _scalar(raw):
    value = _SCALARS.get(raw, _UNSEEN)
    if value is not _UNSEEN:
        return value
    if raw == "[]":
        return []
    if raw == "{}":
        return {}
    if raw[0] == "'":
        if len(raw) < 2 or raw[-1] != "'" or "'" in raw[1:-1].replace("''", ""):
            raise _Unusual
        return raw[1:-1].replace("''", "'")
    if raw[0] in _PLAIN_START or raw[-1] in " :" or ": " in raw or " #" in raw:
        raise _Unusual
    if not _scalar_loader:
        _scalar_loader.append(Loader(""))
    loader = _scalar_loader[0]
    tag = loader.resolve(yaml.ScalarNode, raw, (True, False))
    if tag == _STR:
        value = raw
    elif tag in _PLAIN_SCALARS:
        value = loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, raw))
        if isinstance(value, datetime) and value.tzinfo is not None:
            # one zone object per offset (the constructor makes one per value): a pickle of a record then holds
            # its zone once, which the column index's projections are read from on every list
            value = value.replace(tzinfo=_ZONES.setdefault(value.utcoffset(), value.tzinfo))
    else:
        raise _Unusual
    if len(_SCALARS) > 200_000:
        _SCALARS.clear()
    _SCALARS[raw] = value
    return value


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """A node `_construct_plain` leaves to the full constructor."""


def _construct_plain(text):
    """`yaml.load(text, Loader=Loader)` for the documents crmctl writes (plain mappings, sequences and scalars
    with unique text keys), built straight from libyaml's node tree: twice as fast as the constructor's generic
    machinery (state per node, merge keys, deep construction), which was most of the time a first list after a
    clone spends reading 20,000 files. Anything else raises, and the caller runs the full constructor."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, loader, loader.yaml_constructors)
    finally:
        loader.dispose()


def _build(node, loader, constructors):
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _PLAIN_SCALARS:  # merge `<<` and value `=` keys mean more than a scalar
            raise _Unusual
        return constructors[tag](loader, node)  # the checked int and timestamp constructors among them
    if kind is yaml.MappingNode and tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Unusual
            key = _build(key_node, loader, constructors)
            if key in mapping:  # the full constructor words the duplicate key's error
                raise _Unusual
            mapping[key] = _build(value_node, loader, constructors)
        return mapping
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(item, loader, constructors) for item in node.value]
    raise _Unusual


_PLAIN_SCALARS = frozenset("tag:yaml.org,2002:" + name for name in ("null", "bool", "int", "float", "timestamp"))


def _refuse_tags_and_aliases(text):
    try:
        for event in yaml.parse(text, Loader=Loader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                raise YamlError("YAML aliases are not allowed", line, "alias")
            if getattr(event, "anchor", None):
                raise YamlError("YAML anchors are not allowed", line, "anchor")
            if getattr(event, "tag", None) and not _implicit(event):
                raise YamlError(f"YAML tags are not allowed ({event.tag})", line, "tag", {"tag": event.tag})
    except yaml.YAMLError as err:
        problem = _problem(err)
        raise YamlError(f"unparsable YAML: {problem}", _error_line(err, text), "yaml", {"problem": problem}) from None


def _problem(err):
    if isinstance(err, yaml.reader.ReaderError):
        code = ord(err.character) if isinstance(err.character, str) else err.character
        return f"control character #x{code:04x} is not allowed"
    return getattr(err, "problem", None) or str(err).splitlines()[0]


def _error_line(err, text):
    """1-based line of a parser error (reader errors give a character position instead)."""
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(err, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return None


def _implicit(event):
    implicit = getattr(event, "implicit", None)
    if isinstance(implicit, tuple):
        return any(implicit)
    return bool(implicit)
