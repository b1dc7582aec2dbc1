"""What `--help` shows beyond the docstrings: a record type's fields with their levels, the verbs the type
supports, and examples (gh's "Examples:" block).

Help reads only the configuration (never a record), so it stays as quick as the command tree: the store's when
one is found, else crmctl's default configuration (help outside any store, and the generated docs/cli.md).
"""

import os

import click

from crmctl.cli.base import CrmGroup, Env
from crmctl.config.model import label
from crmctl.kernel.errors import CrmError
from crmctl.kernel.i18n import t

# The levels a person gives (system fields are set by crmctl), with their catalogue keys.
LEVEL_WORDS = {"required": "help.level.required", "recommended": "help.level.recommended",
               "optional": "help.level.optional"}
OWNER_FIELD = "owner"  # the field `delegate` changes (workflows.delegation refuses types without it)


def help_config(ctx):
    """The configuration help describes (see the module's docstring)."""
    env = ctx.find_object(Env) if ctx is not None else None
    try:
        if env is None:
            raise CrmError(code="store.none_found")
        return env.store.config
    except (CrmError, OSError):
        return default_config()


def default_config():
    from crmctl.config.model import load_config
    from crmctl.kernel.resources import defaults_dir

    return load_config(defaults_dir())


def help_lang(ctx):
    """Help is English like the docstrings, unless a language is chosen explicitly (--lang, $CRMCTL_LANG)."""
    env = ctx.find_object(Env) if ctx is not None else None
    chosen = (env.lang_option if env is not None else None) or os.environ.get("CRMCTL_LANG")
    return chosen if chosen in ("fi", "en") else "en"


def supports(rtype, verb):
    """Whether the generic `verb` can ever succeed for the type (help and the group offer no others)."""
    if verb == "status":
        return bool(rtype.status)
    if verb == "delegate":
        return OWNER_FIELD in rtype.fields
    return True


class RecordGroup(CrmGroup):
    """A record type's verbs: only those the type supports are listed or found (no `customer status`)."""

    def __init__(self, *args, type_key=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_key = type_key

    def _rtype(self, ctx):
        config = help_config(ctx)
        return config.types.get(self.type_key) or default_config().types.get(self.type_key)

    def list_commands(self, ctx):
        rtype = self._rtype(ctx)
        return [name for name in super().list_commands(ctx) if rtype is None or supports(rtype, name)]

    def get_command(self, ctx, name):
        rtype = self._rtype(ctx)
        if rtype is not None and not supports(rtype, name):
            return None
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name in self.commands and not ctx.resilient_parsing and self.get_command(ctx, name) is None:
            # click would suggest the very verb it refuses ("Did you mean 'status'?"): suggest only offered ones
            raise click.exceptions.NoSuchCommand(name, possibilities=self.list_commands(ctx), ctx=ctx)
        return super().resolve_command(ctx, args)


class FieldsCommand(click.Command):
    """`new`/`set`: the help lists the type's fields with their levels and the rules that require more."""

    def __init__(self, *args, type_key=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_key = type_key

    def format_epilog(self, ctx, formatter):
        config = help_config(ctx)
        rtype = config.types.get(self.type_key)
        if rtype is not None:
            write_fields(formatter, rtype, help_lang(ctx))
        super().format_epilog(ctx, formatter)


def field_rows(rtype, lang):
    """(key, description) per field a person may give, nested object fields by dotted key."""
    rows = []

    def add(field, key):
        if field.level not in LEVEL_WORDS:
            return
        text = f"{label(field.label, lang)} ({t(LEVEL_WORDS[field.level], lang)})"
        if field.type == "enum" and field.values:
            text += "; " + t("help.allowed", lang, values=", ".join(str(v.key) for v in field.values))
        elif field.type == "ref" and field.ref:
            text += "; " + t("help.ref", lang, what=field.ref)
        if field.default is not None:
            text += "; " + t("help.default", lang, value=field.default)
        rows.append((key, text))
        if field.type == "object":
            for sub in (field.fields or {}).values():
                add(sub, f"{key}.{sub.key}")

    for field in rtype.fields.values():
        add(field, field.key)
    return rows


def rule_rows(rtype, lang):
    """(key, condition) per `when:` rule of the type: what the given values make required or recommended."""
    rows = []
    for rule in rtype.rules:
        condition = t("help.and", lang).join(rule.get("when") or [])
        for verb, key in (("require", "required_when"), ("recommend", "recommended_when")):
            for field_key in rule.get(verb) or []:
                rows.append((field_key, t(key, lang, condition=condition)))
    return rows


def write_fields(formatter, rtype, lang):
    with formatter.section(t("help.fields", lang)):
        formatter.write_dl(field_rows(rtype, lang))
    rules = rule_rows(rtype, lang)
    if rules:
        with formatter.section(t("help.rules", lang)):
            formatter.write_dl(rules)
