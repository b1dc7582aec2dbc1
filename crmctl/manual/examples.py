"""Running the manual's examples: each step's command on one scratch store, its output kept for the page.

Ids come from a seeded generator and time from CRMCTL_NOW, so every build
prints the same bytes.
"""

import random
import re
import shlex
import tempfile
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from crmctl.kernel import ids
from crmctl.manual.errors import ManualError
from crmctl.manual.scratch import EXAMPLE_NOW, example_store

EXAMPLE_ACTOR = "mette.murto"
EXAMPLE_SEED = "crmctl manual examples"
VARIABLE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass
class Step:
    text: str
    command: str = None
    output: str = None


@dataclass
class Example:
    id: str
    place: str
    title: str
    steps: list = dc_field(default_factory=list)


def _fill(text, variables, where):
    def replace(match):
        if match.group(1) not in variables:
            raise ManualError([f"{where}: unknown variable {{{match.group(1)}}}"])
        return variables[match.group(1)]

    return VARIABLE.sub(replace, text)


def run_examples(source, examples, lang, run_command):
    """Run every example's commands on a fresh scratch store; returns Examples in `lang`.

    `run_command(root, args, now)` runs crmctl in-process and returns
    (exit_code, stdout, terminal_output). Ids come from a seeded generator and
    time from CRMCTL_NOW, so every build prints the same bytes.
    """
    made = []
    with tempfile.TemporaryDirectory(prefix="crmctl-manual-") as scratch, ids.seeded(random.Random(EXAMPLE_SEED)):
        store = example_store(source, Path(scratch) / "store")
        variables = {}
        for example in examples:
            done = Example(example["id"], example["place"], example["title"][lang])
            for number, spec in enumerate(example["steps"], 1):
                where = f"example {example['id']}, step {number}"
                step = Step(_fill(spec["say"][lang], variables, where))
                if spec.get("run"):
                    args = [_fill(str(arg), variables, where) for arg in spec["run"]]
                    global_args = ["--root", str(store.root), "--lang", lang, "--as", spec.get("as", EXAMPLE_ACTOR)]
                    code, stdout, output = run_command(global_args + args, spec.get("now", EXAMPLE_NOW))
                    if code != spec.get("exit", 0):
                        raise ManualError([f"{where}: crmctl {shlex.join(args)} exited {code}:",
                                           *output.splitlines()])
                    if spec.get("save"):
                        variables[spec["save"]] = stdout.strip()
                    step.command = "$ crmctl " + shlex.join(args)
                    step.output = "\n".join(line.rstrip() for line in output.rstrip("\n").splitlines())
                done.steps.append(step)
            made.append(done)
    return made
