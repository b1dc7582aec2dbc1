"""The generic record verbs (new/show/list/set/history/edit/views), written once for every type."""

import os
import sys
import subprocess
import tempfile

import click

from crmctl.workflows import record_types
from crmctl.workflows import delegation
from crmctl.present import display
from crmctl.engine import listing
from crmctl.engine import records
from crmctl.engine import transitions
from crmctl.kernel import yamlio
from crmctl.engine.assignments import pending
from crmctl.config.model import label
from crmctl.kernel.errors import CrmError, NotFound, UsageError
from crmctl.kernel.i18n import t
from crmctl.present.words import headings
from crmctl.present.formats import render_data, render_rows, write_records, write_rows
from crmctl.io.export import flatten
from crmctl.engine.query import Evaluator, parse_filters, sort_records, sort_rows
from crmctl.cli import prompting
from crmctl.cli.helptext import FieldsCommand, RecordGroup
from crmctl.cli.base import EVERY_FORMAT, TEXT_ONLY, formats, parse_pairs, pass_env, read_mapping

# Derived keys shown under a record's fields in `show` (when the type has them).
SHOWN_DERIVED = ("due", "overdue", "current_stage", "current_stage_due")


def record_type(env, key):
    rtype = env.store.config.types.get(key)
    if rtype is None:
        raise CrmError(code="cli.no_record_type", key=key)
    return rtype


def default_columns(rtype):
    columns = ["id", rtype.title_field]
    for key in ("customer", "subject", "topic", "type", "kind", "owner"):
        if key in rtype.fields and key not in columns:
            columns.append(key)
    status = (rtype.status or {}).get("field")
    if status:
        columns.append(status)
    return columns


def list_query(env, rtype, view_key=None, filter_texts=()):
    """(filters, sort keys, columns, the evaluator to read them) of a view and filters."""
    evaluator = Evaluator(env.store, rtype, actor=None, lang=env.lang)
    filters = parse_filters(filter_texts)
    probed = display.confidential_keys(rtype, [f.key for f in filters])
    if probed and not env.reveal:  # else the answer (a row or none) tells the masked value a guess at a time
        raise CrmError(code="cli.confidential_filter", keys=", ".join(probed))
    sort, columns = ["id"], default_columns(rtype)
    if isinstance(env.store.config.sla.get(rtype.key), list) and "due" not in columns:
        columns.append("due")  # types with SLA targets show their due date in plain lists too
    if view_key:
        view = rtype.views.get(view_key)
        if view is None:
            known = ", ".join(rtype.views) or t("cli.no_views", env.lang)
            raise NotFound(code="cli.no_view", view=view_key, plural=label(rtype.plural, env.lang).lower(), known=known)
        filters = parse_filters(view.filters) + filters
        sort = view.sort or sort
        columns = view.columns or columns
    if any(f.raw == "me" or "," in f.raw and "me" in f.raw.split(",") for f in filters):
        evaluator.actor = env.actor
        evaluator.engine.actor = env.actor
    evaluator.check_filters(filters)
    return filters, sort, columns, evaluator


def select(env, rtype, view_key=None, filter_texts=(), full=True, ids_only=False):
    """The records of a view and filters, sorted; with the evaluator that read them. `ids_only` (-q): only
    the ids are printed, so the columns are not read (and without filters nor a sort, records may be ids)."""
    filters, sort, columns, evaluator = list_query(env, rtype, view_key, filter_texts)
    found = listing.select(env.store, rtype, evaluator, filters,
                           [k.lstrip("-") for k in sort] + ([] if ids_only else list(columns)),
                           full=full, progress=progress_bar(env, rtype), ids_only=ids_only)
    if found is None:
        found = [r for r in env.store.records(rtype) if evaluator.matches(r, filters)]
    return sort_records(found, sort, evaluator), columns, evaluator


def kept_rows(env, rtype, query, keep, keys, located=False):
    """What `keep(record[, path])` makes of each record of `query` (list_query's answer), in the list's order:
    `keep` gives (sort values, what to print), so a long list holds a few values per row, never its records."""
    filters, sort, _, evaluator = query
    found = listing.select(env.store, rtype, evaluator, filters, keys, progress=progress_bar(env, rtype),
                           each=keep, located=located)
    if found is None:  # no index: the records are read whole anyway
        found = [keep(r, r) if located else keep(r) for r in env.store.records(rtype) if evaluator.matches(r, filters)]
    position = {key: n for n, key in reversed(list(enumerate(k.lstrip("-") for k in sort)))}
    return [shown for _, shown in sort_rows(found, sort, lambda row, key: row[0][position[key]])]


def print_list(env, rtype, view_key, filter_texts):
    """`list` in table, csv, md, json or yaml, written as it is made: rows of the columns' texts (or values for
    csv) sorted on the sort keys' values alone, or for json/yaml the whole records read again one at a time in
    the list's order. At 100,000 requests holding every projection and then every row's cells as dicts took
    590 MiB."""
    query = filters, sort, columns, evaluator = list_query(env, rtype, view_key, filter_texts)
    sorted_by = [k.lstrip("-") for k in sort]
    read_sorted = [display.value_reader(evaluator, key) for key in sorted_by]
    shown = (lambda record: record) if env.reveal else display.masker(rtype)
    if env.fmt in ("json", "yaml"):
        def keep(record, path):
            return tuple([read(record) for read in read_sorted]), path

        paths = kept_rows(env, rtype, query, keep, sorted_by, located=True)
        whole = (shown(path if isinstance(path, dict) else listing.read_whole(env.store, rtype, path))
                 for path in paths)  # a dict: the records were read whole without the index
        write_records(whole, env.fmt, env.out)
        return
    if env.fmt == "csv":
        read_columns = [display.value_reader(evaluator, column) for column in columns]

        def cells_of(record):
            return tuple([read(record) for read in read_columns])
    else:
        cells_of = display.row_cells(evaluator, columns, env.lang)

    def keep(record):
        return tuple([read(record) for read in read_sorted]), cells_of(shown(record))

    rows = kept_rows(env, rtype, query, keep, sorted_by + list(columns))
    write_rows(rows, columns, [display.column_label(rtype, c, env.lang) for c in columns], env.fmt, env.out)


def progress_bar(env, rtype):
    """Reading a fresh clone's records takes a while: say how far it is, on a terminal only."""
    if not sys.stderr.isatty():
        return None
    plural = label(rtype.plural, env.lang).lower()

    def show(done, total):
        if done is None:
            click.echo("\r\033[K", nl=False, err=True)
            return
        filled = 30 * done // max(total, 1)
        click.echo("\r" + t("cli.indexing", env.lang, what=plural, done=done, total=total,
                             bar="#" * filled + "." * (30 - filled)), nl=False, err=True)

    return show


def field_pairs(args, from_file):
    values = read_mapping(from_file) if from_file else {}
    values.update(parse_pairs(args))
    return values


def record_group(type_key, name, help_text):
    """A click group with the generic verbs for one record type."""

    @click.group(name=name, help=help_text, cls=RecordGroup, type_key=type_key)
    def group():
        pass

    group.add_command(erase_command(type_key))

    @formats(*TEXT_ONLY)
    @group.command("new", cls=FieldsCommand, type_key=type_key)
    @click.argument("pairs", nargs=-1)
    @click.option("--from-file", metavar="FILE", help="Read fields from a YAML/JSON mapping (- for stdin).")
    @click.option("--no-input", is_flag=True, help="Never ask for missing fields, even on a terminal.")
    @pass_env
    def new(env, pairs, from_file, no_input):
        """Create a record from KEY=VALUE fields; prints the new id.

        On a terminal, each required field that is missing is asked for (on stderr)."""
        rtype = record_type(env, type_key)
        values = field_pairs(pairs, from_file)
        if prompting.can_ask(no_input, from_file):
            values = prompting.complete_on_terminal(env, rtype, values)
        record, warnings = records.create(env.store, rtype, values, env.actor, env.lang)
        env.warn(warnings)
        env.out(record["id"] + "\n")

    @formats(*EVERY_FORMAT)
    @group.command("show")
    @click.argument("record_id")
    @pass_env
    def show(env, record_id):
        """Show one record (any unique prefix of its id)."""
        rtype = record_type(env, type_key)
        record = env.store.get(env.store.resolve(record_id, rtype))
        shown = record if env.reveal else display.mask(rtype, record)
        if env.fmt in ("json", "yaml"):
            env.out(render_data(shown, env.fmt))
            return
        evaluator = Evaluator(env.store, rtype, lang=env.lang)
        keys = ["id"] + [k for k in rtype.fields if k in shown]
        keys += [k for k in SHOWN_DERIVED if k not in rtype.fields and evaluator.value(shown, k) not in (None, "", [])]
        if env.fmt == "csv":  # a machine format: keys and stored values (dotted keys, lists as JSON), as list's CSV
            flat = flatten(shown, rtype)
            rows = [{"field": k, "value": v} for k, v in flat.items() if v is not None]
            rows += [{"field": k, "value": evaluator.value(shown, k)} for k in keys if k in SHOWN_DERIVED]
            env.out(render_rows(rows, ["field", "value"], ["field", "value"], "csv"))
            return
        rows = [{"field": display.column_label(rtype, k, env.lang),
                 "value": display.shown_value(evaluator, shown, k, env.lang)} for k in keys]
        for item in pending(shown):
            what = t("derived.unacknowledged", env.lang)
            rows.append({"field": what, "value": f"{item.get('user')} ({item.get('reason')}, {item.get('at')})"})
        headers = headings(env.lang, "column.field", "column.value")
        env.out(render_rows(rows, ["field", "value"], headers, env.fmt))

    @formats(*EVERY_FORMAT)
    @group.command("list")
    @click.argument("filters", nargs=-1)
    @click.option("--view", "view_key", metavar="NAME", help="A configured view (see `views`).")
    @pass_env
    def list_(env, filters, view_key):
        """List records matching a view and KEY OP VALUE filters (= != < <= > >= ~)."""
        rtype = record_type(env, type_key)
        if env.quiet:
            found, _, _ = select(env, rtype, view_key, filters, full=False, ids_only=True)
            env.listing([r["id"] for r in found], None, None)
        else:
            print_list(env, rtype, view_key, filters)

    @formats(*TEXT_ONLY)
    @group.command("set", cls=FieldsCommand, type_key=type_key)
    @click.argument("record_id")
    @click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
    @click.option("--from-file", metavar="FILE",
                  help="Read fields from a YAML/JSON mapping (- for stdin); KEY=VALUE arguments win over it.")
    @pass_env
    def set_(env, record_id, pairs, from_file):
        """Change fields: KEY=VALUE (an empty value clears an optional field).

        \b
        --from-file FILE|- reads a YAML or JSON mapping instead, for values too
        long or too many lines for an argument (a YAML block scalar keeps the
        lines), nested fields as nested mappings:
          description: |
            Asiakas soitti.
            Kysyi laskusta.
          site:
            address: Gunnarintie 5
        """
        if not pairs and not from_file:
            raise UsageError(code="cli.set_needs_values")
        rtype = record_type(env, type_key)
        full_id = env.store.resolve(record_id, rtype)
        values = field_pairs(pairs, from_file)
        status_key = (rtype.status or {}).get("field")
        if status_key in values:
            raise CrmError(code="cli.status_by_command", field=status_key,
                           command=_status_command(env, rtype, full_id, values[status_key]))
        _, warnings, changed = records.update(env.store, full_id, values, env.actor, env.lang)
        env.warn(warnings)
        if not changed:  # a repeat: what was asked holds already, nothing was written (exit 0)
            env.say(t("set.already_holds", env.lang, id=full_id))

    @formats(*EVERY_FORMAT)
    @group.command("history")
    @click.argument("record_id")
    @pass_env
    def history(env, record_id):
        """The record's history events, oldest first."""
        rtype = record_type(env, type_key)
        record = env.store.get(env.store.resolve(record_id, rtype))
        events = (record if env.reveal else display.mask(rtype, record)).get("history") or []
        if env.fmt in ("json", "yaml"):
            env.out(render_data(events, env.fmt))
            return
        rows = [{"at": e.get("at"), "by": e.get("by"), "event": e.get("event"),
                 "details": _details(rtype, e, env.lang)} for e in events]
        headers = headings(env.lang, "column.at", "column.by", "column.event", "column.details")
        env.out(render_rows(rows, ["at", "by", "event", "details"], headers, env.fmt))

    @formats(*TEXT_ONLY)
    @group.command("status")
    @click.argument("record_id")
    @click.argument("status")
    @click.argument("pairs", nargs=-1)
    @pass_env
    def status(env, record_id, status, pairs):
        """Move the record to STATUS (key or label); add resolution=.., reason=.. as the move needs."""
        rtype = record_type(env, type_key)
        full_id = env.store.resolve(record_id, rtype)
        _, warnings = transitions.transition(env.store, full_id, status, env.actor, env.lang, parse_pairs(pairs),
                                                  generic=True)
        env.warn(warnings)

    @formats(*TEXT_ONLY)
    @group.command("delegate", short_help="Give the record to another user.")
    @click.argument("record_id")
    @click.argument("user")
    @click.argument("pairs", nargs=-1, metavar="[note=TEXT]")
    @pass_env
    def delegate(env, record_id, user, pairs):
        """Give the record to USER: the owner changes, the actions log and the history say so,
        and USER gets an assignment to acknowledge (`crmctl inbox`, `crmctl ack`, `crmctl notify`).
        Resolved or cancelled records cannot be delegated; reopen them first."""
        rtype = record_type(env, type_key)
        full_id = env.store.resolve(record_id, rtype)
        values = parse_pairs(pairs)
        unknown = sorted(set(values) - {"note"})
        if unknown:
            raise UsageError(code="cli.only_note", name=unknown[0])
        _, warnings = delegation.delegate(env.store, full_id, user, env.actor, env.lang, values.get("note") or None)
        env.warn(warnings)

    @formats(*EVERY_FORMAT)
    @group.command("views")
    @pass_env
    def views(env):
        """The configured views with their labels."""
        rtype = record_type(env, type_key)
        rows = [{"key": v.key, "label": label(v.label, env.lang), "filter": " AND ".join(v.filters)}
                for v in rtype.views.values()]
        headers = headings(env.lang, "column.key", "column.name", "column.filter")
        if env.quiet:
            env.out("".join(v.key + "\n" for v in rtype.views.values()))
            return
        env.out(render_rows(rows, ["key", "label", "filter"], headers, env.fmt))

    @formats(*TEXT_ONLY)
    @group.command("edit")
    @click.argument("record_id")
    @pass_env
    def edit(env, record_id):
        """Edit the record in $EDITOR; the result is validated and rejected edits are not saved."""
        rtype = record_type(env, type_key)
        full_id = env.store.resolve(record_id, rtype)
        read_digest = records.file_digest(env.store, full_id)  # before reading: a change in between is caught
        record = env.store.get(full_id)
        editable = {k: v for k, v in record.items() if k not in ("history", "assignments")}
        path = _run_editor(yamlio.dump(editable))
        keep = False
        try:
            edited = _read_edited(path)
            if edited.get("id", full_id) != full_id:
                raise CrmError(code="cli.id_unchangeable")
            try:
                _, warnings, changed = transitions.edit_record(env.store, full_id, edited, env.actor, env.lang,
                                                                read_digest)
            except CrmError as err:
                if err.code != "edit.changed_since_read":
                    raise
                keep = True  # the person's work is not lost: they merge it by hand
                raise CrmError(code="cli.edit_conflict", id=full_id, path=path) from None
        finally:
            if not keep:
                os.unlink(path)
        env.warn(warnings)
        if not changed:
            env.say(t("nothing_changed", env.lang))

    return group


def customer_group():
    return record_group(record_types.CUSTOMER, "customer", "Customers (asiakkuudet).")


def service_request_group():
    return record_group(record_types.SERVICE_REQUEST, "sr", "Service requests (palvelupyynnöt): every customer-service call.")


def _status_command(env, rtype, full_id, wanted):
    """The command that makes the move `set STATUS=wanted` asked for: the configured one (`project close
    --lost`), else the type's `status` verb."""
    from crmctl.engine.rules import Engine, FieldError

    field = transitions.status_field(rtype)
    try:
        target = Engine(env.store, env.lang).convert(field, wanted)
    except FieldError:
        target = wanted
    rule = transitions.find_transition(rtype, env.store.get(full_id).get(field.key), target)
    if rule and rule.get("command"):
        return f"{rule['command']} {full_id}"
    return f"{rtype.command} status {full_id} {target}"


def _details(rtype, event, lang):
    skip = ("at", "by", "event")
    parts = []
    for key, value in event.items():
        if key in skip:
            continue
        if key == "changes" and isinstance(value, dict):
            for field, (old, new) in value.items():
                field_def = rtype.field_at(field)
                parts.append(f"{field}: {display.display(field_def, old, lang) or '-'} → "
                             f"{display.display(field_def, new, lang) or '-'}")
        else:
            parts.append(f"{key}: {display.display(None, value, lang)}")
    return "; ".join(parts)


def _run_editor(text):
    """Open `text` in the person's editor; returns the path of the edited file (the caller removes it)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        handle.write(text)
        path = handle.name
    done = subprocess.run(f'{editor} "{path}"', shell=True)
    if done.returncode != 0:
        os.unlink(path)
        raise CrmError(code="cli.editor_failed", status=done.returncode)
    return path


def _read_edited(path):
    with open(path, "rb") as handle:
        data = yamlio.parse(handle.read(), "<edited record>")
    if not isinstance(data, dict):
        raise UsageError(code="cli.edited_not_mapping")
    return data


# -- erase (issue 11: personal values can be forgotten) ----------------------------------------------------------

def erase_command(type_key):
    """`<type> erase ID FIELD...`: an admin removes personal values from a record and its whole history."""

    @formats(*TEXT_ONLY)
    @click.command("erase")
    @click.argument("record_id")
    @click.argument("fields", nargs=-1, required=True)
    @pass_env
    def erase_(env, record_id, fields):
        """Remove the values of personal FIELDs from the record and every event of its history (admin only)."""
        from crmctl.workflows.erase import erase

        rtype = record_type(env, type_key)
        full_id = env.store.resolve(record_id, rtype)
        _, erased = erase(env.store, full_id, list(fields), env.actor, env.lang)
        if not erased:
            env.say(t("nothing_changed", env.lang))

    return erase_
