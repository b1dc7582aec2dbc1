"""`new` on a terminal asks for each required field that is missing (issue 15, item 7).

The engine decides what is missing: the values are tried without writing (`create(dry_run=True)`), and each
field the rules report as required is asked for, in the type's field order. Conditional rules follow from the
answers on the next try (`customer=CUST-GENERAL` makes `person_name` required). An answer the field refuses is
asked again with the reason. Questions and reasons go to stderr, so stdout still carries only the new id.
"""

import sys

import click

from crmctl.config.model import label
from crmctl.engine import records
from crmctl.kernel.errors import ValidationError
from crmctl.kernel.i18n import t

ROUNDS = 50  # answers that keep making new fields required end somewhere (a configuration loop)


def can_ask(no_input, from_file):
    """Questions only to a person: not with --no-input, not when stdin is a file, a pipe or the values."""
    return not no_input and from_file != "-" and sys.stdin.isatty()


def complete_on_terminal(env, rtype, values):
    """`values` with an answer for every required field the rules find missing (or today's error for values
    given wrongly on the command line)."""
    values = dict(values)
    asked = set()
    for _ in range(ROUNDS):
        try:
            records.create(env.store, rtype, values, env.actor, env.lang, dry_run=True)
            return values
        except ValidationError as err:
            errors = [p for p in err.problems if p.level == "error"]
            wanted = [p for p in errors if p.code == "required" and p.key not in values or p.key in asked]
            if not wanted or len(wanted) < len(errors):
                raise  # a value given on the command line is wrong: the plain error, nothing asked
            for problem in _by_field_order(rtype, wanted):
                if problem.key in values:  # an answer the field refused: say why, ask again
                    env.say(f"{t('error', env.lang)}: {problem.text}")
                values[problem.key] = _ask(env, rtype, problem)
                asked.add(problem.key)
    return values


def _by_field_order(rtype, problems):
    order = {key: n for n, key in enumerate(rtype.fields)}
    seen, unique = set(), []
    for problem in sorted(problems, key=lambda p: order.get(p.key.split(".")[0], len(order))):
        if problem.key not in seen:
            seen.add(problem.key)
            unique.append(problem)
    return unique


def _ask(env, rtype, problem):
    """Ask for one field until the answer is a value the field takes (its conversion's reason said if not)."""
    from crmctl.engine.rules import Engine, FieldError

    field = rtype.field_at(problem.key)
    env.say(problem.text)
    if field is not None and field.type == "enum" and field.values:
        allowed = ", ".join(f"{v.key} ({label(v.label, env.lang)})" for v in field.values)
        env.say("  " + t("help.allowed", env.lang, values=allowed))
    engine = Engine(env.store, env.lang, env.actor_if_known())
    while True:
        answer = click.prompt(problem.key, default="", show_default=False, err=True)
        if not answer.strip():
            continue
        try:
            if field is not None:
                engine.convert(field, answer)
        except FieldError as err:
            env.say(f"{t('error', env.lang)}: {problem.key} ({problem.label}): {err}")
            continue
        return answer
