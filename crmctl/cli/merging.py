"""Merging records in git: the merge driver (`crmctl git merge-file`, registered by the `git` group) and
`crmctl resolve`."""

import click

from crmctl.cli.base import TEXT_ONLY, formats, parse_pairs, pass_env
from crmctl.kernel.errors import UsageError
from crmctl.kernel.i18n import t
from crmctl.team.merge import path_text


@formats(*TEXT_ONLY)
@click.command("merge-file", short_help="The record merge driver git calls (%O %A %B %P).")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False))
@click.argument("path", required=False)
@pass_env
def merge_file_command(env, base, ours, theirs, path):
    """Merge one record field by field: THEIRS and BASE into OURS, as git's merge driver for record files
    (`crmctl git setup` registers it as `crmctl git merge-file %O %A %B %P`). Exit 0 when clean, 1 when conflicts
    are left in OURS between git's markers, around only the conflicting field; they are listed on stderr as
    `ID field: ours → theirs`. A side that is not a readable record is merged by git's own text merge."""
    from crmctl.team.conflicts import shown
    from crmctl.team.mergefile import merge_file

    lang = env.lang_or_english()
    result = merge_file(base, ours, theirs, path, lang)
    for where, message in result.broken:
        env.say(t("merge.broken", lang, id=result.record_id, field=path_text(where), problem=message))
    for where, mine, yours in result.conflicts:
        env.say(t("merge.conflict", lang, id=result.record_id, field=path_text(where), ours=shown(mine, lang),
                  theirs=shown(yours, lang)))
    click.get_current_context().exit(result.status)


@formats(*TEXT_ONLY)
@click.command("resolve", short_help="Settle one record's merge conflicts.")
@click.argument("record_id", metavar="ID")
@click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--ours", is_flag=True, help="Keep our side of each conflict (or of those KEY=VALUE does not name).")
@click.option("--theirs", is_flag=True, help="Take their side of each conflict (or of those KEY=VALUE does not name).")
@pass_env
def resolve_command(env, record_id, pairs, ours, theirs):
    """Settle the conflicting fields of one record during a merge: --ours, --theirs, or a value for each
    conflicting field as KEY=VALUE (`stages.offer.owner=jussi.myyja`); KEY=VALUE with --ours or --theirs takes
    that side for the rest. The result is validated, written and staged; `crmctl sync` then finishes the merge."""
    from crmctl.team.resolve import resolve

    if ours and theirs:
        raise UsageError(code="resolve.both_sides")
    values = parse_pairs(pairs)
    side = "ours" if ours else "theirs" if theirs else None
    if side is None and not values:
        raise UsageError(code="resolve.how")
    resolved, warnings = resolve(env.store, record_id, side, values, env.actor_if_known(), env.lang)
    env.warn(warnings)
    env.say(t("resolve.done", env.lang, id=resolved))
