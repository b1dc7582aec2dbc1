"""The store's configuration as plain objects: record types, fields, vocabularies, views."""

from dataclasses import dataclass, field as dc_field
from pathlib import Path

from crmctl.kernel import yamlio
from crmctl.kernel.errors import ConfigError, YamlError

LANGUAGES = ("fi", "en")
LEVELS = ("required", "recommended", "optional", "system")
FIELD_TYPES = (
    "line", "text", "enum", "integer", "number", "boolean", "date", "timestamp", "ref",
    "user", "region", "phone", "email", "business_id", "personal_id", "postal_code",
    "object", "list",
)
# Keys every record has besides its configured fields, written after them.
SYSTEM_KEYS = ("assignments", "history")


@dataclass
class Value:
    """One allowed value of an enumeration."""

    key: object
    label: dict
    attrs: dict = dc_field(default_factory=dict)


@dataclass
class Field:
    key: str
    label: dict
    type: str = "line"
    level: str = "optional"
    default: object = None
    usage: dict = None
    values: list = None
    vocabulary: str = None
    ref: str = None
    fields: dict = None
    item: "Field" = None
    spec: dict = dc_field(default_factory=dict)

    def value(self, key):
        for value in self.values or ():
            if value.key == key:
                return value
        return None

    def get(self, name, default=None):
        return self.spec.get(name, default)


@dataclass
class View:
    key: str
    label: dict
    filters: list
    sort: list
    columns: list


@dataclass
class RecordType:
    key: str
    prefix: str
    dir: str
    command: str
    label: dict
    plural: dict
    title_field: str
    fields: dict
    rules: list
    views: dict
    status: dict = None

    def field_at(self, path):
        """The field definition for a dotted key (`site.postal_code`), or None."""
        if "." not in path:  # most keys: a table of a big list asks once per cell
            return self.fields.get(path)
        parts = path.split(".")
        current = self.fields.get(parts[0])
        for part in parts[1:]:
            if current is None:
                return None
            if current.type == "list":
                current = current.item
            current = (current.fields or {}).get(part) if current else None
        return current


@dataclass
class Config:
    settings: dict
    vocabularies: dict
    types: dict
    project_types: dict
    stage_labels: dict
    sla: dict
    users: dict
    regions: dict
    root: Path = None

    @property
    def language(self):
        return self.settings.get("language", "fi")

    def type_by_prefix(self, prefix):
        for rtype in self.types.values():
            if rtype.prefix == prefix:
                return rtype
        return None

    def type_by_command(self, command):
        for rtype in self.types.values():
            if command in (rtype.command, rtype.key):
                return rtype
        return None


def read_yaml(path, default=None, files=None):
    """Load one configuration file (from `files`, {path: bytes}, when given); a missing file gives `default`."""
    path = Path(path)
    if not (path in files if files is not None else path.exists()):
        return default
    try:
        raw = files[path] if files is not None else path.read_bytes()
        data = yamlio.load(yamlio.decode(raw, str(path)), str(path))
    except YamlError as err:
        raise ConfigError(code="located", where=path, line=err.line or 1, problem=err.both()) from None
    except OSError as err:
        raise ConfigError(code="config.cannot_read", path=path, reason=err.strerror) from None
    if isinstance(default, dict) and data is not None and not isinstance(data, dict):
        raise ConfigError(code="config.not_mapping", path=path, found=type(data).__name__)
    return default if data is None else data


def load_config(root, files=None, cache_dir=None):
    """Read every configuration file of the store at `root` (or their contents in `files`: {path: bytes}); with
    `cache_dir`, through the parsed configuration kept there (config/cache.py)."""
    if cache_dir is not None and files is None:
        from crmctl.config import cache

        return cache.load(root, cache_dir, load_config)
    root = Path(root)
    settings = read_yaml(root / "crmctl.yaml", {}, files)
    conf_dir = root / "config"
    raw_vocab = read_yaml(conf_dir / "vocabularies.yaml", {}, files)
    projects = read_yaml(conf_dir / "project_types.yaml", {}, files)
    vocabularies = {name: [_value(v, f"vocabularies.yaml: {name}") for v in values]
                    for name, values in raw_vocab.items()}
    for spec in projects.get("types", []):
        if not isinstance(spec, dict) or "key" not in spec:
            raise ConfigError(code="config.value_needs_key", where="project_types.yaml: types")
    project_types = {p["key"]: p for p in projects.get("types", [])}
    vocabularies["project_types"] = [Value(p["key"], p["label"]) for p in project_types.values()]
    types = {}
    type_files = ([path for path in files if path.parent == conf_dir / "types"] if files is not None
                  else (conf_dir / "types").glob("*.yaml"))
    for path in sorted(p for p in type_files if p.suffix == ".yaml"):
        spec = read_yaml(path, {}, files)
        rtype = _record_type(spec, vocabularies, path.name)
        types[rtype.key] = rtype
    return Config(
        settings=settings,
        vocabularies=vocabularies,
        types=types,
        project_types=project_types,
        stage_labels=projects.get("stages", {}),
        sla=read_yaml(conf_dir / "sla.yaml", {}, files),
        users=read_yaml(root / "users.yaml", {}, files),
        regions=read_yaml(root / "regions.yaml", {}, files),
        root=root,
    )


def _value(spec, where):
    if not isinstance(spec, dict) or "key" not in spec:
        raise ConfigError(code="config.value_needs_key", where=where)
    attrs = {k: v for k, v in spec.items() if k not in ("key",) + LANGUAGES}
    return Value(spec["key"], {lang: spec.get(lang) for lang in LANGUAGES}, attrs)


def _field(spec, vocabularies, where):
    if not isinstance(spec, dict) or "key" not in spec:
        raise ConfigError(code="config.field_needs_key", where=where)
    where = f"{where}: {spec['key']}"
    ftype = spec.get("type", "line")
    if ftype not in FIELD_TYPES:
        raise ConfigError(code="config.unknown_type", where=where, type=ftype)
    level = spec.get("level", "optional")
    if level not in LEVELS:
        raise ConfigError(code="config.unknown_level", where=where, level=level)
    made = Field(
        key=spec["key"],
        label=spec.get("label") or {lang: spec["key"] for lang in LANGUAGES},
        type=ftype,
        level=level,
        default=spec.get("default"),
        usage=spec.get("usage"),
        ref=spec.get("ref"),
        spec=spec,
    )
    if ftype == "enum":
        values = spec.get("values")
        if isinstance(values, str):
            if values not in vocabularies:
                raise ConfigError(code="config.unknown_vocabulary", where=where, name=values)
            made.vocabulary = values
            made.values = vocabularies[values]
        elif isinstance(values, list):
            made.values = [_value(v, where) for v in values]
        else:
            raise ConfigError(code="config.enum_needs_values", where=where)
    if ftype == "object":
        made.fields = {f["key"]: _field(f, vocabularies, where) for f in spec.get("fields", [])}
    if ftype == "list":
        item = dict(spec.get("item") or {"type": "line"})
        item.setdefault("key", spec["key"])
        item.setdefault("label", made.label)
        made.item = _field(item, vocabularies, where)
    return made


def _record_type(spec, vocabularies, where):
    for key in ("key", "prefix", "dir"):
        if key not in spec:
            raise ConfigError(code="config.missing_key", where=where, key=key)
    fields = {}
    for fspec in spec.get("fields", []):
        made = _field(fspec, vocabularies, where)
        fields[made.key] = made
    views = {}
    raw_views = spec.get("views") or {}
    for key, vspec in raw_views.items():
        views[key] = View(
            key=key,
            label=vspec.get("label") or {lang: key for lang in LANGUAGES},
            filters=_view_filters(key, raw_views, where),
            sort=list(vspec.get("sort") or []),
            columns=list(vspec.get("columns") or []),
        )
    label = spec.get("label") or {lang: spec["key"] for lang in LANGUAGES}
    return RecordType(
        key=spec["key"],
        prefix=spec["prefix"],
        dir=spec["dir"],
        command=spec.get("command", spec["key"]),
        label=label,
        plural=spec.get("plural") or label,
        title_field=spec.get("title_field") or next(iter(fields), "id"),
        fields=fields,
        rules=list(spec.get("rules") or []),
        views=views,
        status=spec.get("status"),
    )


def _view_filters(key, raw_views, where, seen=()):
    if key in seen:
        raise ConfigError(code="config.view_extends_itself", where=where, key=key)
    vspec = raw_views.get(key)
    if vspec is None:
        raise ConfigError(code="config.unknown_view", where=where, key=key)
    filters = []
    if vspec.get("extends"):
        filters += _view_filters(vspec["extends"], raw_views, where, seen + (key,))
    return filters + list(vspec.get("filter") or [])


def label(labels, lang):
    """The label in `lang`; a missing translation is a configuration error."""
    if not isinstance(labels, dict):
        return str(labels)
    text = labels.get(lang)
    if text is None:
        raise ConfigError(code="config.missing_translation", lang=lang, labels=repr(labels))
    return text
