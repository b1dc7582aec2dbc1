"""The examples `--help` shows under each command (as gh does): command words -> example command lines.

A record type's generic verbs share the `TYPE ...` entries; `{cmd}` is the type's command word and `{id}` an id
prefix of the type. A type's own entry (`sr new`) replaces the generic one. Ids are from the demo store.
"""

# An id prefix per command word for the generic examples (a type an administrator adds gets `{PREFIX}-2011`).
EXAMPLE_IDS = {"sr": "SR-20110104-NPRD1", "customer": "CUST-20110103-4X9YN", "lead": "LEAD-20110107-YZENN",
               "request": "ACR-20110310-496GN", "project": "PRJ-20110103-8254Z"}

GENERIC = {
    "new": ["crmctl {cmd} new KEY=VALUE ...", "crmctl {cmd} new --from-file values.yaml"],
    "show": ["crmctl {cmd} show {id}", "crmctl {cmd} show {id} --format json"],
    "list": ["crmctl {cmd} list", "crmctl {cmd} list owner=me", "crmctl -q {cmd} list created>=2011-03-01"],
    "set": ["crmctl {cmd} set {id} KEY=VALUE", "crmctl {cmd} set {id} KEY=        # clears an optional field"],
    "history": ["crmctl {cmd} history {id}", "crmctl {cmd} history {id} --format yaml"],
    "status": ["crmctl {cmd} status {id} STATUS", "crmctl {cmd} status {id} STATUS reason=\"...\""],
    "delegate": ["crmctl {cmd} delegate {id} taija.halme", "crmctl {cmd} delegate {id} taija.halme note=\"soita\""],
    "views": ["crmctl {cmd} views", "crmctl -q {cmd} views"],
    "edit": ["crmctl {cmd} edit {id}", "EDITOR=nano crmctl {cmd} edit {id}"],
    "erase": ["crmctl --as admin {cmd} erase {id} phone", "crmctl --as admin {cmd} erase {id} phone email"],
}

EXAMPLES = {
    "sr new": ['crmctl sr new title="Mittarilukema" customer=CUST-GENERAL person_name="Matti M" '
               'subject=meter_reading meter_reading=48213',
               "crmctl sr new --from-file call.yaml",
               "crmctl sr new title=Katkos customer=CUST-GEN   # asks on a terminal"],
    "sr list": ["crmctl sr list --view unresolved", "crmctl sr list owner=me status_reason=in_progress",
                "crmctl sr list --view overdue --format csv"],
    "sr set": ["crmctl sr set SR-20110104-NPRD1 satisfaction=5", "crmctl sr set SR-20110104 priority=high"],
    "sr status": ['crmctl sr status SR-20110104-NPRD1 done resolution="Hyvityslasku lähetetty"',
                  'crmctl sr status SR-20110104-NPRD1 cancelled reason="Tuplakirjaus"'],
    "customer new": ['crmctl customer new name="Kaasu Oy" kind=business business_id=1234567-1',
                     "crmctl customer new --from-file customer.yaml"],
    "customer list": ["crmctl customer list kind=business", "crmctl customer list name~kaasu"],
    "lead new": ['crmctl lead new topic=gas_connection region=kotka person_name="Liisa Lahti" phone=0401234567',
                 "crmctl lead new --from-file lead.yaml"],
    "lead handle": ["crmctl lead handle LEAD-20110107-YZENN",
                    "crmctl lead handle LEAD-20110107-YZENN type=gas_connection",
                    'crmctl lead handle LEAD-20110107-YZENN --no-action reason="Ei kaasuverkkoa"'],
    "lead status": ["crmctl lead status LEAD-20110107-YZENN STATUS",
                    "crmctl lead status LEAD-20110107 STATUS reason=\"...\""],
    "request send": ["crmctl request send ACR-20110310-496GN", "crmctl request send ACR-20110310"],
    "request process": ["crmctl request process ACR-20110310-496GN customer_number=100234",
                        "CUST=$(crmctl request process ACR-20110310 customer_number=100234)"],
    "request reject": ['crmctl request reject ACR-20110310-496GN reason="Y-tunnus puuttuu"',
                       'crmctl request reject ACR-20110310 reason="Osoite puuttuu"'],
    "project list": ["crmctl project list --view open", "crmctl project list --view cs_not_started"],
    "project status": ['crmctl --as admin project status PRJ-20110103-8254Z open reason="Asiakas palasi"',
                       "crmctl project close PRJ-20110103-8254Z --completed   # open -> completed, lost: `close`"],
    "project close": ["crmctl project close PRJ-20110103-8254Z --completed",
                      'crmctl project close PRJ-20110103-8254Z --lost reason="Ei kaasuverkkoa"',
                      'crmctl project close PRJ-20110103-8254Z --completed --force reason="Tehty paperilla"'],
    "project stage list": ["crmctl project stage list PRJ-20110103-8254Z",
                           "crmctl project stage list PRJ-20110103-8254Z --format json"],
    "project stage start": ["crmctl project stage start PRJ-20110103-8254Z",
                            "crmctl project stage start PRJ-20110103-8254Z offer"],
    "project stage complete": ["crmctl project stage complete PRJ-20110103-8254Z",
                               "crmctl project stage complete PRJ-20110103-8254Z --next-owner mette.murto",
                               "crmctl project stage complete PRJ-20110103-8254Z --date 2011-03-01"],
    "project stage assign": ["crmctl project stage assign PRJ-20110103-8254Z offer jussi.myyja",
                             "crmctl project stage assign PRJ-20110103-8254Z contract_sent taija.halme"],
    "project stage skip": ['crmctl project stage skip PRJ-20110103-8254Z offer reason="Ei tarvita"',
                           'crmctl project stage skip PRJ-20110103-8254Z offer reason="Ei tarvita" '
                           '--next-owner taija.halme'],
    "init": ["crmctl init shop", "crmctl init shop --git", "crmctl init records --demo"],
    "check": ["crmctl check", "crmctl check --strict", "crmctl check --staged --changed"],
    "user add": ["crmctl --as admin user add liisa.lahti name=\"Liisa Lahti\" email=liisa@example.fi "
                 "roles=sales region=kotka",
                 "crmctl --as admin user add uusi.myyja name=\"Uusi Myyjä\" email=uusi@example.fi roles=sales "
                 "region=kotka planned=true"],
    "user set": ["crmctl --as admin user set liisa.lahti supervisor=mette.murto",
                 "crmctl --as admin user set liisa.lahti active=false"],
    "user list": ["crmctl user list", "crmctl user list --format json"],
    "region add": ["crmctl --as admin region add hamina name=Hamina",
                   "crmctl --as admin region add hamina name=Hamina sales=liisa.lahti customer_service=taija.halme"],
    "region set": ["crmctl --as admin region set kotka sales=liisa.lahti",
                   "crmctl --as admin region set kotka customer_service=taija.halme technical=teemu.tekninen"],
    "region list": ["crmctl region list", "crmctl region list --format csv"],
    "import": ["crmctl import customer asiakkaat.csv --key customer_number --rejects hylatyt.csv",
               "crmctl import project projektit.csv --dry-run", "crmctl --root other import sr sr.jsonl"],
    "export": ["crmctl --reveal export sr --format jsonl > sr.jsonl",
               "crmctl export customer kind=business --format csv"],
    "inbox": ["crmctl inbox", "crmctl inbox --user taija.halme", "crmctl -q inbox"],
    "ack": ["crmctl ack SR-20110104-NPRD1", "crmctl ack SR-20110104-NPRD1 --as taija.halme"],
    "escalate": ["crmctl escalate --dry-run", "crmctl escalate"],
    "notify": ["crmctl notify --dry-run", "crmctl notify --smtp localhost:25 --from crm@example.fi"],
    "report monthly": ["crmctl report monthly --from 2011-01 --to 2011-03",
                       "crmctl report monthly --out tracking.md", "crmctl report monthly --format csv"],
    "report calls": ["crmctl report calls --from 2011-01 --to 2011-03", "crmctl report calls --format json"],
    "report leads": ["crmctl report leads --from 2011-01 --to 2011-03", "crmctl report leads --out leads.md"],
    "report adoption": ["crmctl report adoption", "crmctl report adoption --format md"],
    "report quality": ["crmctl report quality", "crmctl report quality --format json"],
    "manual build": ["crmctl manual build --defaults", "crmctl manual build --lang en --out /tmp/manual"],
    "manual check": ["crmctl manual check --defaults", "crmctl manual check --out /tmp/manual"],
    "manual cli": ["crmctl manual cli", "crmctl manual cli --check"],
    "git setup": ["crmctl git setup", "git clone server:shop.git && cd shop && crmctl git setup"],
    "git merge-file": ["git merge origin/main   # git calls it for record files after `crmctl git setup`",
                       "crmctl git merge-file base.yaml ours.yaml theirs.yaml SR-20110104-NPRD1.yaml"],
    "diff": ["crmctl diff", "crmctl diff origin/main --format md", "crmctl diff HEAD~3 HEAD"],
    "log": ["crmctl log", "crmctl log --since 2011-01-01", "crmctl log SR-20110104-NPRD1"],
    "resolve": ["crmctl resolve SR-20110104-NPRD1 --theirs", "crmctl resolve SR-20110104-NPRD1 --ours priority=high"],
    "sync": ["crmctl sync", "crmctl sync origin"],
}


def examples(words):
    """The example lines for the command `words` (`sr new`), or [] when there are none."""
    if words in EXAMPLES:
        return EXAMPLES[words]
    parts = words.split(" ")
    if len(parts) == 2 and parts[1] in GENERIC:
        shown_id = EXAMPLE_IDS.get(parts[0], parts[0].upper() + "-2011")
        return [line.format(cmd=parts[0], id=shown_id) for line in GENERIC[parts[1]]]
    return []


def attach_examples(command, words):
    """Give `command` (`words`: `sr new`) its examples as Click's epilog (\b keeps each line as written)."""
    if hasattr(command, "commands") or (command.epilog is not None and not hasattr(command, "examples_of")):
        return command  # a group, or an epilog of the command's own
    lines = examples(words)
    # Set again each time: one command object may be reached under other words first (a walk of the tree
    # that reuses the root's context for every group).
    command.examples_of = words
    command.epilog = "Examples:\n\n\b\n" + "\n".join(f"  $ {line}" for line in lines) if lines else None
    return command
