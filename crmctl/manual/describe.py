"""Configuration described in words: the table rows, sentences and diagrams the manual templates show."""

from crmctl.config.model import ConfigError, label
from crmctl.engine.query import parse_filter
from crmctl.manual.errors import ManualError
from crmctl.kernel.i18n import t
from crmctl.present.display import DERIVED_LABELS

OPERATORS = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "~": "contains"}
# Derived keys whose values come from a configured list: shown by label, not by key.
DERIVED_VOCABULARIES = {"current_stage_role": "roles", "current_stage_status": "stage_statuses"}


class Describer:
    """Configuration turned into table rows and sentences in one language (no fallbacks)."""

    def __init__(self, config, catalog, lang):
        self.config = config
        self.catalog = catalog
        self.lang = lang

    def text(self, name, /, **params):
        """The catalog sentence `name` in this language, placeholders filled."""
        entry = self.catalog.get(name)
        if entry is None:
            raise ManualError([f"messages.yaml: no entry {name!r}"])
        try:
            return entry[self.lang].format(**params)
        except (KeyError, IndexError) as err:
            raise ManualError([f"messages.yaml: {name}: unknown placeholder {err}"]) from None

    def label(self, labels):
        try:
            return label(labels, self.lang)
        except ConfigError as err:
            raise ManualError([str(err)]) from None

    # keys, values and filters

    def key_label(self, rtype, key):
        """The label of a field (dotted keys too) or of a derived key."""
        found = rtype.field_at(key)
        if found is not None:
            return self.label(found.label)
        if key in DERIVED_LABELS:
            return t(DERIVED_LABELS[key], self.lang)
        return self.text(f"derived.{key}")

    def value_label(self, rtype, key, value):
        found = rtype.field_at(key)
        if value == "me":
            return self.text("value.me")
        if value in ("true", "false"):
            return self.text(f"value.{value}")
        values = None
        if found is not None and found.type == "enum":
            values = found.values
        elif key in DERIVED_VOCABULARIES:
            values = self.config.vocabularies.get(DERIVED_VOCABULARIES[key])
        elif key == "current_stage":
            labels = self.config.stage_labels.get(value)
            return self.label(labels) if labels else value
        for candidate in values or ():
            if str(candidate.key) == value:
                return self.label(candidate.label)
        return value

    def condition(self, rtype, text):
        """`status_reason = resolved,done` → `Tilan syy on Selvitetty tai Valmis`."""
        flt = parse_filter(text)
        name = self.key_label(rtype, flt.key)
        if flt.raw == "" and flt.op in ("=", "!="):
            return self.text("op.empty" if flt.op == "=" else "op.not_empty", key=name)
        raw_values = flt.raw.split(",") if flt.op in ("=", "!=") else [flt.raw]
        shown = [self.value_label(rtype, flt.key, v.strip()) for v in raw_values]
        return self.text(f"op.{OPERATORS[flt.op]}", key=name, value=self._either(shown))

    def conditions(self, rtype, texts):
        if not texts:
            return self.text("condition.always")
        return f" {self.text('word.and')} ".join(self.condition(rtype, text) for text in texts)

    # fields

    def level(self, field):
        return self.text(f"level.{field.level}")

    def conditional_levels(self, rtype, key):
        """Rules that make `key` required or recommended: `pakollinen, kun Aihe on Kaasusopimus`."""
        texts = []
        for rule in rtype.rules:
            for verb in ("require", "recommend"):
                if key in (rule.get(verb) or []):
                    texts.append(self.text(f"rule.{verb}_when", condition=self.conditions(rtype, rule.get("when"))))
        return texts

    def default(self, field):
        if field.default is None:
            return ""
        if field.default in ("actor", "today"):
            return self.text(f"default.{field.default}")
        if field.type == "enum" and field.value(field.default):
            return self.label(field.value(field.default).label)
        return str(field.default)

    def allowed(self, field):
        if field.type != "enum":
            return ""
        return ", ".join(self.label(v.label) for v in field.values)

    def usage_rows(self, type_key):
        """The field-usage table (Table 1 of the roll-out): field, usage, notes."""
        rtype = self.config.types[type_key]
        rows = []
        for field in rtype.fields.values():
            if field.level == "system":
                continue
            usage = [self.level(field)] + self.conditional_levels(rtype, field.key)
            notes = []
            if field.usage:
                if not field.usage.get(self.lang):
                    raise ManualError([f"{type_key}.{field.key}: usage has no {self.lang} text"])
                notes.append(field.usage[self.lang])
            if self.default(field):
                notes.append(self.text("note.default", value=self.default(field)))
            if self.allowed(field):
                notes.append(self.text("note.values", values=self.allowed(field)))
            rows.append({"key": field.key, "label": self.label(field.label), "level": field.level,
                         "usage": "; ".join(usage), "notes": " ".join(notes)})
        return rows

    def system_fields(self, type_key):
        rtype = self.config.types[type_key]
        return [self.label(f.label) for f in rtype.fields.values() if f.level == "system"]

    def field_reference(self, type_key):
        """Every field, nested ones as `site.address`, with type, level, default, values and checks."""
        rtype = self.config.types[type_key]
        rows = []

        def walk(fields, prefix):
            for field in fields.values():
                rows.append(self._reference_row(rtype, prefix + field.key, field))
                if field.type == "object":
                    walk(field.fields or {}, prefix + field.key + ".")
                if field.type == "list" and field.item is not None and field.item.type == "object":
                    walk(field.item.fields or {}, prefix + field.key + "[].")

        walk(rtype.fields, "")
        return rows

    def _reference_row(self, rtype, key, field):
        checks = []
        if field.type == "ref" and field.ref:
            checks.append(self.text("check.ref", type=self.label(self.config.types[field.ref].label)))
        for name, value in field.spec.items():
            if name in ("key", "label", "type", "level", "default", "usage", "values", "ref", "fields", "item"):
                continue
            if value is False or value is None:
                continue
            if name == "not_before":
                value = self.key_label(rtype, value)
            checks.append(self.text(f"check.{name}", value=value))
        checks += self.conditional_levels(rtype, key)
        if field.type == "list" and field.item is not None:
            checks.append(self.text("check.items", type=self.text(f"type.{field.item.type}")))
        values = ""
        if field.type == "enum":
            values = ", ".join(f"`{v.key}` {self.label(v.label)}" for v in field.values)
        return {"key": key, "label": self.label(field.label), "type": self.text(f"type.{field.type}"),
                "level": self.level(field), "default": self.default(field), "allowed": values,
                "checks": "; ".join(checks)}

    def rules(self, type_key):
        """Conditional rules: when …, these fields are required / recommended."""
        rtype = self.config.types[type_key]
        return [{"when": self.conditions(rtype, rule.get("when")),
                 "require": ", ".join(self.key_label(rtype, k) for k in rule.get("require") or []),
                 "recommend": ", ".join(self.key_label(rtype, k) for k in rule.get("recommend") or [])}
                for rule in rtype.rules]

    def must_find_out(self, type_key):
        """Fields a record cannot be saved without and nobody fills in for you (also conditionally,
        except on the status, which is not known during a call): the checklist for a call."""
        rtype = self.config.types[type_key]
        status_key = (rtype.status or {}).get("field")
        made = []
        for field in rtype.fields.values():
            if field.level == "required" and field.default is None:
                made.append(self.label(field.label))
                continue
            rules = [r for r in rtype.rules if field.key in (r.get("require") or [])
                     and not any(parse_filter(w).key == status_key for w in r.get("when") or [])]
            if rules:
                made.append(self.label(field.label) + " (" + "; ".join(
                    self.text("rule.require_when", condition=self.conditions(rtype, r.get("when"))) for r in rules) + ")")
        return made

    # statuses and transitions

    def statuses(self, type_key):
        rtype = self.config.types[type_key]
        field = rtype.fields[rtype.status["field"]]
        return [{"key": v.key, "label": self.label(v.label),
                 "state": self.text(f"state.{v.attrs['state']}") if v.attrs.get("state") else ""}
                for v in field.values]

    def _matching(self, field, end):
        """The statuses a transition end names: by key or by state, as workflow.find_transition matches."""
        names = end if isinstance(end, list) else [end]
        return [v for v in field.values if v.key in names or v.attrs.get("state") in names]

    def _end(self, rtype, end):
        field = rtype.fields[rtype.status["field"]]
        shown = [self.label(v.label) for v in self._matching(field, end)]
        if not shown:
            raise ManualError([f"{rtype.key}: transition end {end!r} names no status"])
        return self._either(shown)

    def _either(self, shown):
        """`a`, `a or b`, `a, b or c` in the manual's language."""
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {self.text('word.or')} " + shown[-1]

    def transitions(self, type_key):
        rtype = self.config.types[type_key]
        rows = []
        for rule in rtype.status.get("transitions") or []:
            needs = []
            if rule.get("require"):
                needs.append(self.text("needs.fields", fields=", ".join(self.key_label(rtype, k) for k in rule["require"])))
            if rule.get("require_reason"):
                needs.append(self.text("needs.reason"))
            if rule.get("reason_field"):
                needs.append(self.text("needs.reason_field", field=self.key_label(rtype, rule["reason_field"])))
            if rule.get("set_today"):
                needs.append(self.text("needs.set_today", fields=", ".join(self.key_label(rtype, k) for k in rule["set_today"])))
            if rule.get("clear"):
                needs.append(self.text("needs.clear", fields=", ".join(self.key_label(rtype, k) for k in rule["clear"])))
            if rule.get("role"):
                needs.append(self.text("needs.role", role=self.role(rule["role"])))
            if rule.get("command"):
                needs.append(self.text("needs.command", command=rule["command"]))
            rows.append({"from": self._end(rtype, rule.get("from")), "to": self._end(rtype, rule.get("to")),
                         "needs": "; ".join(needs) or "–"})
        return rows

    def status_diagram(self, type_key):
        """A Mermaid flowchart: one box per state holding its statuses, one arrow per transition rule."""
        rtype = self.config.types[type_key]
        field = rtype.fields[rtype.status["field"]]
        lines = ["flowchart LR"]
        states = []
        for value in field.values:
            state = value.attrs.get("state", "")
            if state not in states:
                states.append(state)
        def nodes(end):
            """A named state with several statuses is its box; anything else its statuses' boxes."""
            made = []
            for name in end if isinstance(end, list) else [end]:
                matched = self._matching(field, name)
                members = [v for v in field.values if v.attrs.get("state") == name]
                found = [f"state_{name}"] if len(members) > 1 and matched == members else \
                    [f"v_{v.key}" for v in matched]
                made += [n for n in found if n not in made]
            return made

        edges, free = [], set()
        for rule in rtype.status.get("transitions") or []:
            needs = [self.key_label(rtype, k) for k in rule.get("require") or []]
            if rule.get("require_reason"):
                needs.append(self.text("needs.reason"))
            if rule.get("role"):
                needs.append(self.role(rule["role"]))
            arrow = f' -- "{_mermaid(", ".join(needs))}" --> ' if needs else " --> "
            for start in nodes(rule.get("from")):
                for end in nodes(rule.get("to")):
                    if start == end and start.startswith("state_") and not needs:
                        free.add(start)  # a box looping to itself renders badly: say it in its title
                    else:
                        edges.append(f"  {start}{arrow}{end}")
        for state in states:
            members = [v for v in field.values if v.attrs.get("state", "") == state]
            if state:
                title = self.text("state." + state)
                if f"state_{state}" in free:
                    title = self.text("diagram.free", state=title)
                lines.append(f'  subgraph state_{state} ["{_mermaid(title)}"]')
            for value in members:
                lines.append(f'    v_{value.key}["{_mermaid(self.label(value.label))}"]')
            if state:
                lines.append("  end")
        lines += edges
        return "\n".join(lines)

    # roles, stages, projects, views, SLA

    def role(self, key):
        for value in self.config.vocabularies.get("roles", []):
            if value.key == key:
                return self.label(value.label)
        raise ManualError([f"vocabularies.yaml: roles: no role {key!r}"])

    def project_types(self):
        made = []
        for key, spec in self.config.project_types.items():
            stages = []
            for number, stage in enumerate(spec.get("stages") or [], 1):
                labels = self.config.stage_labels.get(stage["key"])
                if labels is None:
                    raise ManualError([f"project_types.yaml: stage {stage['key']!r} has no label"])
                stages.append({"number": number, "key": stage["key"], "label": self.label(labels),
                               "role_key": stage["role"], "role": self.role(stage["role"]),
                               "days": stage["days"], "customer_service": stage["role"] == "customer_service"})
            made.append({"key": key, "label": self.label(spec["label"]), "stages": stages,
                         "diagram": self._stage_diagram(stages)})
        return made

    def _stage_diagram(self, stages):
        lines = ["flowchart LR"]
        for stage in stages:
            text = f"{stage['number']}. {stage['label']}<br/>{stage['role']}, " + \
                self.text("days.short", days=stage["days"])
            lines.append(f'  s{stage["number"]}["{_mermaid(text)}"]')
        for before, after in zip(stages, stages[1:]):
            lines.append(f"  s{before['number']} --> s{after['number']}")
        highlighted = [f"s{s['number']}" for s in stages if s["customer_service"]]
        if highlighted:
            lines.append("  classDef customer_service fill:#ffe8a3,stroke:#b8860b,stroke-width:2px")
            lines.append(f"  class {','.join(highlighted)} customer_service")
        return "\n".join(lines)

    def customer_service_stages(self):
        """Stage labels customer service is responsible for, in first-seen order."""
        seen = []
        for project in self.project_types():
            for stage in project["stages"]:
                if stage["customer_service"] and stage["label"] not in seen:
                    seen.append(stage["label"])
        return seen

    def views(self, type_key):
        rtype = self.config.types[type_key]
        made = []
        for view in rtype.views.values():
            sort = []
            for key in view.sort:
                descending = key.startswith("-")
                name = self.key_label(rtype, key.lstrip("-"))
                sort.append(self.text("sort.descending", key=name) if descending else name)
            made.append({"key": view.key, "label": self.label(view.label), "command": rtype.command,
                         "definition": self.conditions(rtype, view.filters),
                         "sort": ", ".join(sort), "columns": ", ".join(self.key_label(rtype, c) for c in view.columns)})
        return made

    def sla_targets(self):
        """Per record type, its targets in working days; and the other SLA settings."""
        targets, settings = [], []
        for key, value in self.config.sla.items():
            if isinstance(value, list):
                rtype = self.config.types.get(key)
                if rtype is None:
                    raise ManualError([f"sla.yaml: unknown record type {key!r}"])
                rows = [{"when": self.conditions(rtype, rule.get("when")) if rule.get("when") else
                         self.text("condition.otherwise"), "days": rule["working_days"]} for rule in value]
                targets.append({"type": self.label(rtype.label), "key": key, "rows": rows})
            else:
                settings.append(self.text(f"sla.{key}", value=value))
        return {"targets": targets, "settings": settings}

    def sla_days(self, type_key):
        """The fallback target (the rule without conditions) of a type, for prose like '2 working days'."""
        for rule in self.config.sla.get(type_key) or []:
            if not rule.get("when"):
                return rule["working_days"]
        raise ManualError([f"sla.yaml: {type_key} has no target without conditions"])

    def record_types(self):
        return [{"key": r.key, "label": self.label(r.label), "plural": self.label(r.plural), "prefix": r.prefix,
                 "dir": r.dir, "command": r.command, "has_status": bool(r.status)}
                for r in self.config.types.values()]


def _mermaid(text):
    """Mermaid labels sit in double quotes: escape the quote."""
    return str(text).replace('"', "#quot;")
