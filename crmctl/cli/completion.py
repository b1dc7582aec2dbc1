"""Shell completion that knows the data (bash, zsh, fish through Click's protocol): record ids by prefix, user
handles, view names, region keys, statuses, field keys in KEY=VALUE and enumerated values after KEY=.

Completers are given to parameters by name (`record_id`, `user`, `pairs`, ...) when a group hands out a command,
so the commands declare nothing. They read the configuration and file names only, never a record's YAML, and a
store that cannot be read completes nothing rather than failing the shell.
"""

import re

from click.shell_completion import CompletionItem

from crmctl.cli.base import Env, command_words
from crmctl.kernel.errors import CrmError

ID_PARAMS = ("record_id", "project_id", "lead_id", "request_id")
USER_PARAMS = ("user", "next_owner", "actor")
PAIR_PARAMS = ("pairs", "filters")
DATE_PART = re.compile(r"^[A-Z]+-(\d{4})(\d{2})?")
FLAGS = ("true", "false")


def _config(ctx):
    env = ctx.find_object(Env) or Env()
    try:
        return env.store, env.store.config
    except (CrmError, OSError):
        return None, None


def _type_of_command(ctx, config):
    """The record type whose verbs `ctx` is in (`sr set` -> service_request), or None."""
    first = command_words(ctx).split(" ")[0]
    return config.type_by_command(first) if first else None


def _starting(candidates, incomplete, help_of=None):
    return [CompletionItem(c, help=help_of(c) if help_of else None) for c in candidates if c.startswith(incomplete)]


def id_stems(store, rtype, typed):
    """The ids of a type's record files (file names, no YAML), only in the month folders `typed` can reach."""
    base = store.root / rtype.dir
    if not base.is_dir():
        return []
    found = [p.stem for p in base.glob("*.yaml")]  # fixed system ids (CUST-GENERAL) sit in the type's folder
    folder = base
    date = DATE_PART.match(typed)
    if date and date.group(0).startswith(rtype.prefix + "-"):
        folder = base / date.group(1) / (date.group(2) or "")
    if folder.is_dir():
        found += [p.stem for p in folder.rglob("*.yaml")]
    return sorted(set(found))


def complete_ids(ctx, param, incomplete):
    store, config = _config(ctx)
    if config is None:
        return []
    rtype = _type_of_command(ctx, config)
    typed = incomplete.upper()
    types = [rtype] if rtype is not None else list(config.types.values())
    return [CompletionItem(stem) for t in types for stem in id_stems(store, t, typed) if stem.startswith(typed)]


def complete_users(ctx, param, incomplete):
    _, config = _config(ctx)
    if config is None:
        return []
    return _starting(sorted(config.users), incomplete, lambda h: config.users[h].get("name"))


def complete_regions(ctx, param, incomplete):
    _, config = _config(ctx)
    if config is None:
        return []
    return _starting(sorted(config.regions), incomplete, lambda k: (config.regions[k] or {}).get("name"))


def complete_views(ctx, param, incomplete):
    _, config = _config(ctx)
    rtype = _type_of_command(ctx, config) if config else None
    return _starting(list(rtype.views), incomplete) if rtype else []


def complete_statuses(ctx, param, incomplete):
    _, config = _config(ctx)
    rtype = _type_of_command(ctx, config) if config else None
    field = rtype.fields.get((rtype.status or {}).get("field", "")) if rtype else None
    return _starting([str(v.key) for v in field.values or ()], incomplete) if field else []


def complete_types(ctx, param, incomplete):
    _, config = _config(ctx)
    return _starting(sorted(t.command for t in config.types.values()), incomplete) if config else []


def field_keys(rtype):
    """Every key a person may give (`site.meter_number` for a field of an object)."""
    keys = []

    def add(field, key):
        if field.level == "system":
            return
        keys.append(key)
        for sub in (field.fields or {}).values() if field.type == "object" else ():
            add(sub, f"{key}.{sub.key}")

    for field in rtype.fields.values():
        add(field, field.key)
    return keys


def field_values(ctx, store, config, field):
    """The values a field can take, when they are few enough to offer: enumerations, users, regions, ids."""
    if field.type == "enum":
        return [str(v.key) for v in field.values or ()]
    if field.type == "user":
        return sorted(config.users)
    if field.type == "region":
        return sorted(config.regions)
    if field.type == "boolean":
        return list(FLAGS)
    if field.type == "ref" and field.ref in config.types:
        return id_stems(store, config.types[field.ref], "")
    return []


def complete_pairs(ctx, param, incomplete):
    """KEY=VALUE: keys (with their `=`), then the values after `KEY=`. Bash splits words at `=`, so there the
    key and `=` arrive as the two arguments before the word being completed."""
    store, config = _config(ctx)
    rtype = _type_of_command(ctx, config) if config else None
    if rtype is None:
        return []
    before = list(ctx.params.get(param.name) or ())
    if len(before) >= 2 and before[-1] == "=":  # bash: `priority` `=` `hi`
        key, typed, prefix = before[-2], incomplete, ""
    elif "=" in incomplete:
        key, typed = incomplete.split("=", 1)
        prefix = key + "="
    else:
        return [CompletionItem(k + "=") for k in field_keys(rtype) if k.startswith(incomplete)]
    field = rtype.field_at(key)
    if field is None:
        return []
    return [CompletionItem(prefix + v) for v in field_values(ctx, store, config, field) if v.startswith(typed)]


def _completer(words, param):
    name = param.name
    if name in ID_PARAMS:
        return complete_ids
    if name in USER_PARAMS or (name == "handle" and words == "user set"):
        return complete_users
    if name == "key" and words == "region set":
        return complete_regions
    if name == "view_key":
        return complete_views
    if name == "status":
        return complete_statuses
    if name == "type_name":
        return complete_types
    if name in PAIR_PARAMS:
        return complete_pairs
    return None


def attach_completion(command, words):
    """Give `command`'s parameters the completer their names call for (one it declares itself is kept)."""
    for param in command.params:
        # Click's own slot for a `shell_complete=` given to the parameter; filled as if the command had given it.
        if getattr(param, "_custom_shell_complete", None) is None:
            found = _completer(words, param)
            if found is not None:
                param._custom_shell_complete = found
    return command
