"""A record file with conflicts: writing them between git's markers, reading them back, settling them.

The merge driver writes each conflicting field between `<<<<<<< ours` / `=======` / `>>>>>>> theirs` with only
that field's YAML lines inside, at the field's own indentation; the rest of the file is canonical. So a block
names one field, and the file with every block replaced by one side is a valid record.

For `resolve` and `sync` (importable without git or a store):

- `conflicts_in(text)` -> [(field, ours, theirs)]: `field` the dotted path (`priority`, `site.address`,
  `stages.offer.owner`, `assignments.2.due`), `ours`/`theirs` the parsed values (`MISSING` for a side without the
  field). A file whose markers are git's own text merge (not field blocks) raises `CrmError("conflicts.unreadable")`.
- `settle(text, choice, rest=None)` -> text: `choice` is `"ours"`, `"theirs"` (every block, works for any markers)
  or `{field: value}` (parsed values; None removes the field), with `rest` the side taken for the blocks the
  mapping does not name (without it every block must be named).
- `has_markers(text)`, `shown(value, lang)`: a value as people read it in `ID field: ours → theirs`.
"""

import json
import re

from crmctl.kernel import yamlio
from crmctl.kernel.errors import CrmError, YamlError
from crmctl.kernel.i18n import t
from crmctl.team.merge import MISSING, path_text

OURS, THEIRS = "ours", "theirs"
START, MIDDLE, END = "<<<<<<< ", "=======", ">>>>>>> "
_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.M)
_TOKEN = "__crmctl_conflict_{}__"
_TOKEN_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?:(?P<key>[^\s:#][^:]*): )?__crmctl_conflict_(?P<n>\d+)__$")
_FIELD_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?:(?P<key>[^\s:#-][^:]*):(?: |$))?")


def has_markers(text):
    return bool(_MARKER.search(text))


# -- writing ---------------------------------------------------------------------------------------------------


def render(record, conflicts, arrange=None):
    """The record (dict, holding our value at each conflict) as canonical YAML with each conflict's field between
    git's markers; `conflicts` as merge_records gives them: [(path tuple, ours, theirs)]. `arrange(record)` puts
    the keys in order (a field only theirs has is added at the end before it)."""
    marked = _with_tokens(record, [path for path, _, _ in conflicts])
    if arrange is not None:
        marked = arrange(marked)
    lines = []
    for line in yamlio.dump(marked).splitlines():
        match = _TOKEN_LINE.match(line)
        if not match:
            lines.append(line)
            continue
        _, ours, theirs = conflicts[int(match["n"])]
        lines.append(START + OURS)
        lines += _snippet(match, ours)
        lines.append(MIDDLE)
        lines += _snippet(match, theirs)
        lines.append(END + THEIRS)
    return "\n".join(lines) + "\n"


def _snippet(match, value):
    """The YAML lines of one side of a block: the field alone, at the indentation where the token stood."""
    if value is MISSING:
        return []
    data = {match["key"]: value} if match["key"] is not None else value
    if match["dash"]:
        data = [data]
    return [match["indent"] + line for line in yamlio.dump(data).splitlines()]


def _with_tokens(record, paths):
    """A deep copy of `record` with a placeholder at each path (added where the record lacks it)."""
    copied = _copy(record)
    for number, path in enumerate(paths):
        _put(copied, path, _TOKEN.format(number), make_parents=True)
    return copied


def _copy(value):
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _put(container, path, value, make_parents=False):
    """Set (or, for None, remove) the value at `path`; a list item is found by its `key`, else its position.
    With `make_parents`, a missing mapping on the way is added (a conflict inside an object one side lacks)."""
    *parents, last = path
    for part in parents:
        index = _index(container, part)
        if index is None and make_parents and isinstance(container, dict):
            container[part] = {}
            index = part
        if index is None:
            raise CrmError(code="conflicts.no_field", field=path_text(path))
        container = container[index]
    index = _index(container, last)
    if isinstance(container, dict):
        if value is None:
            container.pop(last, None)
        else:
            container[last] = value
    elif isinstance(container, list):
        if index is None:
            if value is not None:
                container.append(value)
        elif value is None:
            del container[index]
        else:
            container[index] = value
    else:
        raise CrmError(code="conflicts.no_field", field=path_text(path))


def _index(container, part):
    if isinstance(container, dict):
        return part if part in container else None
    if isinstance(container, list):
        for position, item in enumerate(container):
            if isinstance(item, dict) and item.get("key") == part:
                return position
        if isinstance(part, int) and 0 <= part < len(container):
            return part
    return None


# -- reading -----------------------------------------------------------------------------------------------------


def _blocks(text):
    """The file as a list of plain lines and blocks ({"ours": [...], "theirs": [...]})."""
    parts, block, side = [], None, None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(START[:-1]) and block is None:
            block, side = {OURS: [], THEIRS: [], "line": number}, OURS
        elif line == MIDDLE and block is not None and side == OURS:
            side = THEIRS
        elif line.startswith(END[:-1]) and block is not None and side == THEIRS:
            parts.append(block)
            block = None
        elif block is not None:
            block[side].append(line)
        else:
            parts.append(line)
    if block is not None:
        raise CrmError(code="conflicts.unreadable", line=block["line"])
    return parts


def _side(parts, chosen):
    """The text with each block replaced by `chosen(number, block)` (a list of lines)."""
    lines, number = [], 0
    for part in parts:
        if isinstance(part, dict):
            lines += chosen(number, part)
            number += 1
        else:
            lines.append(part)
    return "\n".join(lines) + "\n"


def _token_line(number, block):
    """One placeholder line standing where the block's field stands."""
    first = (block[OURS] or block[THEIRS] or [""])[0]
    match = _FIELD_LINE.match(first)
    if not match or not (match["key"] or match["dash"]) or not _one_field(block, match):
        raise CrmError(code="conflicts.unreadable", line=block["line"])
    prefix = match["indent"] + (match["dash"] or "") + (f"{match['key']}: " if match["key"] else "")
    return [prefix + _TOKEN.format(number)]


def _one_field(block, match):
    """Each side holds the same one field (or nothing): its first line names it, the others belong to it (indented
    deeper, or the items of a list, which canonical YAML writes at the key's own indentation)."""
    indent = match["indent"]
    for lines in (block[OURS], block[THEIRS]):
        if not lines:
            continue
        head = _FIELD_LINE.match(lines[0])
        if (head["indent"], head["dash"], head["key"]) != (indent, match["dash"], match["key"]):
            return False
        for line in lines[1:]:
            inside = line.startswith(indent + " ") or (match["key"] and line.startswith(indent + "- "))
            if line.strip() and not inside:
                return False
    return True


def _parse(text, line=1):
    try:
        return yamlio.load(text)
    except YamlError:
        raise CrmError(code="conflicts.unreadable", line=line) from None


def _token_paths(data, found=None, path=()):
    """Where each placeholder stands: {number: path tuple}."""
    found = {} if found is None else found
    if isinstance(data, dict):
        for key, value in data.items():
            _token_paths(value, found, path + (key,))
    elif isinstance(data, list):
        for position, item in enumerate(data):
            name = item["key"] if isinstance(item, dict) and "key" in item else position
            _token_paths(item, found, path + (name,))
    elif isinstance(data, str):
        match = re.fullmatch(r"__crmctl_conflict_(\d+)__", data)
        if match:
            found[int(match[1])] = path
    return found


def _located(parts):
    """The path of every block, in order; CrmError when the markers are not field blocks."""
    blocks = [part for part in parts if isinstance(part, dict)]
    skeleton = _side(parts, _token_line)
    paths = _token_paths(_parse(skeleton, blocks[0]["line"] if blocks else 1))
    if sorted(paths) != list(range(len(blocks))):
        raise CrmError(code="conflicts.unreadable", line=blocks[0]["line"] if blocks else 1)
    return [paths[number] for number in range(len(blocks))]


def _value_at(data, path):
    for part in path:
        index = _index(data, part)
        if index is None:
            return MISSING
        data = data[index]
    return data


def conflicts_in(text):
    """[(field, ours, theirs)] of a record file's conflict blocks (empty for a file without markers)."""
    parts = _blocks(text)
    if not any(isinstance(part, dict) for part in parts):
        return []
    paths = _located(parts)
    ours = _parse(_side(parts, lambda n, block: block[OURS]))
    theirs = _parse(_side(parts, lambda n, block: block[THEIRS]))
    return [(path_text(path), _value_at(ours, path), _value_at(theirs, path)) for path in paths]


def settle(text, choice, rest=None):
    """The text with its conflicts settled by `choice` (see the module's docstring)."""
    parts = _blocks(text)
    if choice in (OURS, THEIRS):
        return _side(parts, lambda n, block: block[choice])
    paths = _located(parts)
    names = [path_text(path) for path in paths]
    unknown = [name for name in choice if name not in names]
    if unknown:
        raise CrmError(code="conflicts.not_conflicting", field=unknown[0], fields=", ".join(names))
    left = [name for name in names if name not in choice]
    if left and rest not in (OURS, THEIRS):
        raise CrmError(code="conflicts.unsettled", fields=", ".join(left))

    def chosen(number, block):
        return _token_line(number, block) if names[number] in choice else block[rest]

    data = _parse(_side(parts, chosen))
    for number, path in enumerate(paths):
        if names[number] in choice:
            _put(data, path, choice[names[number]])
    return yamlio.dump(data)


def shown(value, lang):
    """A conflicting value as one line for people: text as it is, a structure as compact JSON, none as a word."""
    if value is MISSING or value is None:
        return t("conflicts.absent", lang)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).replace("\n", " ⏎ ")
