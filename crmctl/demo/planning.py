"""The sales-project plan: which project progresses, completes or is lost in which month, and on which days.

Shaped so that the monthly tracking report reproduces the roll-out's own figures (domain spec §7).
"""

from dataclasses import dataclass, field as dc_field
from datetime import date, timedelta

from crmctl.demo.facts import COHORTS, COMPLETED, LOST, MIGRATED_IN_TAMPERE


@dataclass
class Plan:
    """One sales project's life: when it was created, when its stages were done, how it ended."""

    key: str
    cohort: object
    type: str
    region: str
    created: date = None
    progress: set = dc_field(default_factory=set)      # months (1..3) with a completed stage
    completions: list = dc_field(default_factory=list)
    closure: tuple = None                               # ("completed"|"lost", date)
    customer: str = None
    lead: dict = None
    id: str = None
    new_customer: dict = None      # the caller was not yet a customer: an account-creation request makes one


class ProjectPlanning:
    """Part of `Demo`: the plan of every sales project and its stages as of a day."""

    def plan_projects(self):
        rng = self.rng
        plans = []
        for cohort, spec in COHORTS.items():
            members = []
            for index in range(spec["count"]):
                if cohort == "migrated":
                    kind = "gas_connection"   # the old system tracked gas connections only
                else:
                    kind = rng.choice(["gas_connection"] * 4 + ["heat_connection"] * 2 + ["solution_sales",
                                                                                            "parent_company"])
                region = rng.choice(["kotka", "kotka", "helsinki"] if cohort in ("migrated", 1)
                                    else ["kotka", "kotka", "helsinki", "tampere"])
                members.append(Plan(f"{cohort}-{index}", cohort, kind, region))
            if cohort == "migrated":
                for plan in members[:MIGRATED_IN_TAMPERE]:
                    plan.region = "tampere"
            self.choose_progress(cohort, members, spec["progress"])
            plans += members
        for plan in plans:
            self.schedule_dates(plan)
        return plans

    def choose_progress(self, cohort, members, progress):
        """Who progresses in which month, and who closes, so the counts are exactly the plan's."""
        rng = self.rng
        completed = COMPLETED.get(cohort, {})
        lost = LOST.get(cohort, 0)
        open_now = list(members)
        # The lost ones are the "eternity projects": they never move in 2011.
        resting = [p for p in open_now if p.region == "tampere"]
        lost_plans = [p for p in open_now if p not in resting][-lost:] if lost else []
        for plan in lost_plans:
            plan.closure = ("lost", None)
        for month in (1, 2, 3):
            if month not in progress:
                continue
            active = [p for p in open_now if p.closure is None or p.closure[1] is None or p.closure[1] >= month]
            still = [p for p in active if p not in lost_plans or (month < 3 and cohort != "migrated")]
            eligible = [p for p in still if not (month == 1 and p in resting)]
            closing = [p for p in eligible if p.closure is None][:completed.get(month, 0)]
            for plan in closing:
                plan.closure = ("completed", month)
            others = [p for p in eligible if p not in closing]
            chosen = closing + rng.sample(others, progress[month] - len(closing))
            for plan in chosen:
                plan.progress.add(month)
            open_now = [p for p in open_now if not (p.closure and p.closure[0] == "completed" and p.closure[1] == month)]

    def schedule_dates(self, plan):
        rng = self.rng
        stages = self.stage_specs(plan.type)
        months = sorted(plan.progress)
        if plan.cohort == "migrated":
            plan.created = date(2008, 3, 1) + timedelta(days=rng.randint(0, 1000))
        else:
            days = self.working_days(plan.cohort)
            if plan.cohort in plan.progress:
                days = days[:max(1, int(len(days) * 0.6))]
            plan.created = rng.choice(days)
        per_month = {m: 1 for m in months}
        finishing = plan.closure and plan.closure[0] == "completed"
        if finishing:
            per_month[months[-1]] = rng.randint(1, 2)
        room = len(stages) - sum(per_month.values()) - (0 if finishing else 1)
        if plan.cohort == "migrated":
            before = room if finishing else rng.randint(0, max(room, 0))
            window = (date(2010, 12, 31) - plan.created).days
            plan.completions = sorted(plan.created + timedelta(days=rng.randint(1, window)) for _ in range(before))
            room -= before
        for month in months:
            if room > 0 and not finishing and rng.random() < 0.25:
                per_month[month] += 1
                room -= 1
            start = max(plan.completions[-1] if plan.completions else plan.created, plan.created)
            days = [d for d in self.working_days(month) if d > start]
            plan.completions += sorted(rng.sample(days, per_month[month]))
        if finishing:
            plan.closure = ("completed", plan.completions[-1])
        elif plan.closure:
            start = plan.completions[-1] if plan.completions else plan.created
            plan.closure = ("lost", rng.choice([d for d in self.working_days(3) if d > start]))

    def stage_specs(self, type_key):
        return self.store.config.project_types[type_key]["stages"]

    def stage_owner(self, plan, spec):
        return self.owner_for(plan.region, spec["role"]) if spec["role"] != "sales" else \
            self.owner_for(plan.region, "sales")

    def stages_as_of(self, plan, day):
        """The stage list as it stood at the end of `day`."""
        result, previous = [], plan.created
        done = [d for d in plan.completions if d <= day]
        for index, spec in enumerate(self.stage_specs(plan.type)):
            stage = {"key": spec["key"]}
            if index < len(done):
                stage.update(status="done", owner=self.stage_owner(plan, spec), started=previous,
                             due=self.calendar.add_working_days(previous, int(spec["days"])), completed=done[index])
                previous = done[index]
            elif index == len(done):
                waiting = spec["role"] == "customer_service"
                stage.update(status="not_started" if waiting else "in_progress", owner=self.stage_owner(plan, spec),
                             started=previous, due=self.calendar.add_working_days(previous, int(spec["days"])))
            else:
                stage["status"] = "not_started"
            result.append(stage)
        return result
