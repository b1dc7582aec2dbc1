"""The demo store's history: a fictional gas utility's first quarter with crmctl, Jan–Mar 2011.

Deterministic: one seeded random generator draws names, dates and ids, and
every record is made through the core API (`records.create`, `records.change`,
`workflow.transition`) at the moment it happened (CRMCTL_NOW frozen), so the
rules validate it and its history reads like the real thing. The sales-project
plan is shaped so that the monthly tracking report reproduces the roll-out's
own figures (domain spec §7): the counts below are those figures.
"""

import heapq
import random
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timedelta

from crmctl.workflows import account_requests
from crmctl.kernel import ids
from crmctl.kernel.clock import frozen_time
from crmctl.workflows import leads
from crmctl.workflows import projects
from crmctl.engine import records
from crmctl.engine import transitions
from crmctl.engine.assignments import assign
from crmctl.engine.directory import add_user, region_owner, set_region
from crmctl.workflows.stages import current_stage

SEED = 2011
MIGRATION_DAY = date(2011, 1, 3)     # crmctl taken into use; the old system's projects moved in
LAST_DAY = date(2011, 3, 31)
MIGRATOR = "sanna.salo"
CUSTOMER_SERVICE = ["mette.murto", "mette.murto", "taija.halme", "taija.halme", "sanna.salo"]
# A seller who started using crmctl only in February (adoption: January falls short of 80 %).
LATE_STARTER = ("pekka.perala", "Pekka Perälä", ["sales"], "tampere", "sanna.salo", True)

# Sales projects per cohort (migrated = moved from the old system, else the month created) and how many
# of them progress (≥ 1 stage completed) in each month; with the closures below this gives §7's table.
COHORTS = {
    "migrated": {"count": 25, "progress": {1: 21, 2: 14, 3: 11}},
    1: {"count": 10, "progress": {1: 10, 2: 8, 3: 6}},
    2: {"count": 16, "progress": {2: 11, 3: 10}},
    3: {"count": 28, "progress": {3: 17}},
}
COMPLETED = {"migrated": {2: 2, 3: 1}}                  # cohort -> {month: projects completed}
LOST = {"migrated": 1, 1: 1, 2: 1}                      # cohort -> projects lost in March
MIGRATED_IN_TAMPERE = 3                                  # they wait for Tampere's seller: no progress in January

FIRST_NAMES = ["Matti", "Liisa", "Juha", "Anneli", "Timo", "Sari", "Kari", "Päivi", "Jari", "Tuula", "Mikko",
               "Riitta", "Antti", "Hannele", "Pekka", "Marjatta", "Janne", "Eija", "Heikki", "Tiina", "Ville",
               "Kirsi", "Esa", "Outi", "Seppo", "Minna", "Arto", "Satu", "Jukka", "Helena"]
LAST_NAMES = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
              "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
              "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
              "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen"]
COMPANY_WORDS = ["Kiinteistö", "Lämpö", "Konepaja", "Leipomo", "Puutarha", "Kasvihuone", "Metalli", "Rakennus",
                 "Pesula", "Kuljetus", "Elintarvike", "Valimo", "Maalaamo", "Sahaamo", "Betoni", "Kemia"]
REGION_PLACES = {
    "kotka": ("Kotka", "48", ["Kotkankatu", "Keskuskatu", "Kirkkokatu", "Satamatie", "Hovinsaarentie",
                              "Gunnarintie", "Karhulantie", "Jylppyläntie"]),
    "helsinki": ("Helsinki", "00", ["Mannerheimintie", "Hämeentie", "Mäkelänkatu", "Tuusulantie",
                                    "Itäväylä", "Vihdintie", "Konalantie", "Sörnäisten rantatie"]),
    "tampere": ("Tampere", "33", ["Hämeenkatu", "Satakunnankatu", "Pirkankatu", "Lempääläntie",
                                  "Nekalantie", "Hervannan valtaväylä"]),
}
GENITIVES = {"kotka": "Kotkan", "helsinki": "Helsingin", "tampere": "Tampereen"}
SUBJECTS = [("meter_reading", 30), ("billing", 20), ("gas_contract", 16), ("callback", 8), ("fault", 8),
            ("feedback", 6), ("other", 12)]
TITLES = {
    "meter_reading": ["Mittarilukeman ilmoitus", "Lukema puhelimitse", "Mittarilukema vuodenvaihteesta"],
    "billing": ["Laskun erittely", "Eräpäivän siirto", "Laskutusosoitteen tarkistus", "Arviolaskutus"],
    "gas_contract": ["Sopimusmuutos", "Uusi kaasusopimus", "Muutto, sopimuksen siirto"],
    "callback": ["Soittopyyntö myyjälle", "Soittopyyntö laskutukseen"],
    "fault": ["Kaasun haju", "Mittari ei toimi", "Paineongelma"],
    "feedback": ["Palaute asiakaspalvelusta", "Palaute laskun selkeydestä"],
    "other": ["Yleinen kysely", "Kaasun saatavuus", "Hintatiedustelu"],
}
RESOLUTIONS = {
    "meter_reading": "Lukema kirjattu laskutusjärjestelmään.",
    "billing": "Lasku selvitetty asiakkaalle.",
    "gas_contract": "Sopimusmuutos kirjattu laskutusjärjestelmään.",
    "callback": "Soitettu asiakkaalle takaisin.",
    "fault": "Asentaja kävi paikalla, vika korjattu.",
    "feedback": "Palaute käsitelty ja vastattu asiakkaalle.",
    "other": "Asiakkaalle vastattu.",
}
NO_ACTION_REASONS = ["Kaasua ei saatavilla alueella", "Asiakas ei ollut kiinnostunut tarjouksesta",
                     "Kohde liian pieni liittymälle", "Asiakas valitsi maalämmön"]
LOST_REASONS = ["Asiakas valitsi kilpailijan tarjouksen", "Hanke peruttiin asiakkaan päätöksellä",
                "Investointi siirtyi, asiakas ei sitoudu"]
TYPE_TITLES = {"gas_connection": "Maakaasuliittymä {street}", "heat_connection": "Lämpöliittymä {street}",
               "solution_sales": "Energiaratkaisu, {name}", "parent_company": "Gasum Oy: kaasutoimitus, {name}"}


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


class Demo:
    """Builds the history into a store; `run()` plays every event in time order."""

    def __init__(self, store):
        self.store = store
        self.rng = random.Random(SEED)
        self.calendar = store.calendar
        self.events = []
        self.customers = []          # (id, data) of customers in the billing system
        self.sequence = 0
        self.new_customers = 0

    # -- helpers -----------------------------------------------------------

    def at(self, day, minutes, action):
        """Schedule `action()` at `day` + `minutes` after midnight (local time)."""
        self.sequence += 1
        heapq.heappush(self.events, (datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes),
                                     self.sequence, action))

    def working_days(self, month):
        day, days = date(2011, month, 1), []
        while day.month == month and day <= LAST_DAY:
            if day >= MIGRATION_DAY and self.calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def person(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def phone(self):
        prefix = self.rng.choice(["040", "050", "044", "045"])
        return f"{prefix} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"

    def address(self, region):
        city, postal, streets = REGION_PLACES[region]
        return {"street": f"{self.rng.choice(streets)} {self.rng.randint(1, 60)}",
                "postal_code": f"{postal}{self.rng.randint(100, 999)}", "city": city}

    def business_id(self):
        while True:
            digits = f"{self.rng.randint(1000000, 2999999)}"
            remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2))) % 11
            if remainder != 1:
                return f"{digits}-{0 if remainder == 0 else 11 - remainder}"

    def owner_for(self, region, role):
        return region_owner(self.store.config, region, role)

    # -- the plan ----------------------------------------------------------

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

    # -- events ------------------------------------------------------------

    def schedule(self):
        self.schedule_customers()
        plans = self.plan_projects()
        self.schedule_projects(plans)
        self.schedule_calls()
        self.schedule_spare_leads()

    def schedule_customers(self):
        rng = self.rng
        for index in range(40):
            region = "tampere" if index % 8 == 7 else rng.choice(["kotka", "kotka", "helsinki"])
            self.customers.append(self.customer_values(region, business=index % 5 != 4, number=1000100 + index * 7))
        duplicate = dict(self.customers[3][1])      # the billing system knew one company twice
        duplicate["name"] = duplicate["name"].upper()
        duplicate["customer_number"] = "1009990"
        self.customers.append((None, duplicate))
        for index, (_, values) in enumerate(self.customers):
            self.at(MIGRATION_DAY, 7 * 60 + index, self.create_customer(index, values, MIGRATOR))

    def customer_values(self, region, business, number):
        rng = self.rng
        contact = self.person()
        values = {"kind": "business" if business else "person", "customer_number": str(number),
                  "phone": self.phone(), "billing_address": self.address(region), "region": region,
                  "segment": rng.choice(["most_valuable", "potential", "potential", "basic", "basic",
                                         "improve_or_drop"])}
        if business:
            place = GENITIVES[region]
            values.update(name=f"{rng.choice([place, ''])} {rng.choice(COMPANY_WORDS)} "
                               f"{rng.choice(LAST_NAMES)} Oy".strip(),
                          business_id=self.business_id(), contact_person=contact,
                          email=f"{contact.split()[0].lower()}@{rng.choice(COMPANY_WORDS).lower()}.example.fi"
                          .replace("ä", "a").replace("ö", "o"))
        else:
            values["name"] = contact      # a person is their own contact: contact_person often left empty
            if rng.random() < 0.4:
                values["contact_person"] = contact
        if rng.random() < 0.15:
            del values["segment"]         # not yet segmented: the quality report shows it
        if rng.random() < 0.8:
            address = values["billing_address"]
            values["sites"] = [{"address": address["street"], "postal_code": address["postal_code"],
                                "site_number": f"KP{number}", "meter_number": f"M{number * 3}"}]
        values["seller"] = self.owner_for(region, "sales") if region != "tampere" else "kaisa.kauppinen"
        return (None, values)

    def create_customer(self, index, values, actor):
        def action():
            record, _ = records.create(self.store, self.store.config.types["customer"], values, actor)
            self.customers[index] = (record["id"], values)
        return action

    def pick_customer(self, region, business=True):
        """The index of a customer from the billing system (its id is known once it is created)."""
        wanted = [i for i, c in enumerate(self.customers[:40]) if c[1]["region"] == region
                  and (c[1]["kind"] == "business") == business]
        return self.rng.choice(wanted or list(range(40)))

    def schedule_projects(self, plans):
        rng = self.rng
        for index, plan in enumerate(plans):
            if plan.cohort == "migrated":
                self.at(MIGRATION_DAY, 7 * 60 + 50 + index, self.create_project(plan, MIGRATOR, migrated=True))
            else:
                owner = self.owner_for(plan.region, "sales")
                minutes = rng.randint(10 * 60, 11 * 60 + 50)
                topic = self.topic_of(plan.type)
                if topic and rng.random() < 0.7:
                    if plan.cohort in (2, 3) and rng.random() < 0.35:
                        self.new_customers += 1
                        plan.new_customer = self.customer_values(plan.region, business=rng.random() < 0.5,
                                                                 number=2000000 + 13 * self.new_customers)[1]
                    plan.lead = self.plan_lead(plan.region, topic, plan.created, handled=plan,
                                               new_customer=plan.new_customer)
                self.at(plan.created, minutes, self.create_project(plan, owner))
            for day in sorted(set(d for d in plan.completions if d >= MIGRATION_DAY)):
                self.at(day, rng.randint(12 * 60, 15 * 60 + 50), self.complete_stages(plan, day))
            if plan.closure and plan.closure[0] == "lost":
                self.at(plan.closure[1], 16 * 60 + 10, self.close_project(plan))

    def topic_of(self, type_key):
        for spec in self.store.config.project_types.values():
            if spec.get("key") == type_key:
                return spec.get("topic")
        return None

    def create_project(self, plan, actor, migrated=False):
        rng = self.rng

        def action():
            business = plan.type in ("solution_sales", "parent_company") or rng.random() < 0.6
            if plan.new_customer:
                customer, data = "CUST-GENERAL", plan.new_customer
            else:
                if plan.lead and plan.lead.get("customer"):
                    customer = plan.lead["customer"]
                else:
                    customer = self.customers[self.pick_customer(plan.region, business)][0]
                data = dict(c for c in self.customers if c[0] == customer)[customer]
            street = (data.get("billing_address") or {}).get("street", "")
            values = {"title": TYPE_TITLES[plan.type].format(street=street, name=data["name"]), "type": plan.type,
                      "customer": customer, "region": plan.region, "owner": self.owner_for(plan.region, "sales"),
                      "value": rng.randrange(4000, 60000 if plan.type != "parent_company" else 400000, 500),
                      "created": plan.created}
            if plan.lead:    # the seller handles the lead: `crmctl lead handle` makes the project
                del values["created"]
                project = leads.handle(self.store, plan.lead["id"], actor, values=values)
                plan.id = project["id"]
                if plan.new_customer:
                    self.at(plan.created, 12 * 60 - 5, self.request_account(plan, actor))
                return
            if migrated:
                values["description"] = "Siirretty edellisestä järjestelmästä (perustettu " \
                                        f"{plan.created:%d.%m.%Y})."
                # Moved in with the stages it had reached in the old system.
                # Moved in with the stages it had reached in the old system; the current stage's owner gets the task.
                system = {"stages": self.stages_as_of(plan, MIGRATION_DAY - timedelta(days=1))}
                prepare = self.assign_current_stage
            else:
                system, prepare = None, None
            record, _ = records.create(self.store, self.store.config.types["sales_project"], values, actor,
                                       system_values=system, prepare=prepare)
            plan.id = record["id"]
        return action

    def request_account(self, plan, seller):
        """The seller fills the account-creation form and sends it; customer service processes it later."""
        def action():
            values = {k: v for k, v in plan.new_customer.items() if k != "customer_number"}
            form, _ = records.create(self.store, self.store.config.types["account_request"],
                                     {**values, "seller": seller, "project": plan.id}, seller)
            account_requests.send(self.store, form["id"], seller)
            handler = self.owner_for(plan.region, "customer_service")
            day = self.calendar.add_working_days(plan.created, self.rng.choice([1, 1, 2]))
            if day <= LAST_DAY:
                self.at(day, 10 * 60 + self.rng.randint(0, 60), lambda: account_requests.process(
                    self.store, form["id"], plan.new_customer["customer_number"], handler))
        return action

    def assign_current_stage(self, record, engine):
        stage = current_stage(record)
        if stage and stage.get("owner"):
            assign(record, stage["owner"], projects.STAGE_REASON, engine.actor, self.store.now(), stage=stage["key"])

    def complete_stages(self, plan, day):
        """The current stages' owners mark them done (`crmctl project stage complete --date`)."""
        def action():
            for _ in range(sum(1 for d in plan.completions if d == day)):
                current = current_stage(self.store.get(plan.id))
                projects.complete_stage(self.store, plan.id, current["owner"], on=day.isoformat())
        return action

    def close_project(self, plan):
        """Lost projects are closed by their seller (completed ones close with their last stage)."""
        def action():
            owner = self.store.get(plan.id)["owner"]
            projects.close_project(self.store, plan.id, "lost", owner, reason=self.rng.choice(LOST_REASONS))
        return action

    # -- calls and leads -----------------------------------------------------

    def plan_lead(self, region, topic, handled_on, handled=None, no_action=None, new_customer=None):
        """A sales inquiry call: a service request and a lead; handled on `handled_on` (or left open).

        The caller is a customer of the billing system, or (`new_customer`) not yet one.
        """
        rng = self.rng
        days = [d for m in (1, 2, 3) for d in self.working_days(m) if d <= (handled_on or LAST_DAY)]
        day = days[-rng.randint(1, min(3, len(days)))] if handled_on else handled_on
        lead = {"region": region, "topic": topic, "day": day}
        index = self.pick_customer(region, business=rng.random() < 0.5) if new_customer is None else new_customer
        self.at(day, rng.randint(8 * 60, 9 * 60 + 45), self.create_inquiry(lead, index, no_action))
        return lead

    def create_inquiry(self, lead, index, no_action):
        rng = self.rng

        def action():
            customer_id, customer = self.customers[index] if isinstance(index, int) else ("CUST-GENERAL", index)
            lead["customer"] = customer_id
            taker = rng.choice(CUSTOMER_SERVICE)
            business = customer["kind"] == "business"
            person = customer.get("contact_person") or customer["name"]
            store = self.store
            topic_label = {"gas_connection": "kaasuliittymästä", "heat_connection": "lämpöliittymästä",
                           "solution": "energiaratkaisusta"}.get(lead["topic"], "palveluista")
            sr, _ = records.create(store, store.config.types["service_request"], {
                "title": f"Myyntikysely: {lead['topic'].replace('_', ' ')}", "customer": customer_id,
                "phone": customer["phone"], "subject": "sales_inquiry", "case_type": "request",
                "unit": "energiapalvelut" if lead["topic"] == "solution" else "paikallisjakelu",
                "origin": "phone", "service_method": "transferred", "received": lead["day"],
                "description": f"Asiakas kysyi {topic_label}. Liidi myyjälle.",
                **({"person_name": person} if customer_id == "CUST-GENERAL" else {}),
            }, taker)
            values = {"topic": lead["topic"], "person_name": person, "phone": customer["phone"],
                      "customer_kind": customer["kind"], "region": lead["region"],
                      "owner": self.owner_for(lead["region"], "sales"), "source": "phone", "given_by": taker,
                      "service_request": sr["id"], "status": "open",
                      "description": f"Soitti asiakaspalveluun ja kysyi {topic_label}."}
            if business:
                values["company"] = customer["name"]
            if customer.get("email"):
                values["email"] = customer["email"]
            due = self.calendar.add_working_days(lead["day"], 2)

            def prepare(record, engine):
                record.setdefault("due", due)

            record, _ = records.create(store, store.config.types["lead"], values, taker, prepare=prepare)
            lead["id"] = record["id"]
            transitions.transition(store, sr["id"], "done", taker,
                                values={"resolution": "Liidi kirjattu myyjälle.",
                                        "actions": f"Liidi {record['id']} myyjälle."})
            if no_action:
                handled_day, reason = no_action
                self.at(handled_day, 15 * 60 + self.rng.randint(0, 50), self.handle_without_action(lead, reason))
        return action

    def handle_without_action(self, lead, reason):
        def action():
            leads.handle_no_action(self.store, lead["id"], reason, self.owner_for(lead["region"], "sales"))
        return action

    def schedule_spare_leads(self):
        """Leads that led to no project: some handled without action, a few still open at the end."""
        rng = self.rng
        for month, count in ((1, 3), (2, 4), (3, 4)):
            for _ in range(count):
                region = rng.choice(["kotka", "helsinki"] + (["tampere"] if month > 1 else []))
                day = rng.choice(self.working_days(month)[:-3])
                handled_day = self.calendar.add_working_days(day, rng.choice([1, 1, 2, 3]))
                lead = {"region": region, "topic": rng.choice(["gas_connection", "heat_connection", "other"]),
                        "day": day}
                index = self.pick_customer(region, business=rng.random() < 0.5)
                self.at(day, rng.randint(8 * 60, 15 * 60), self.create_inquiry(
                    lead, index, (handled_day, rng.choice(NO_ACTION_REASONS))))
        for day in (date(2011, 3, 25), date(2011, 3, 30), date(2011, 3, 31)):
            region = rng.choice(["kotka", "helsinki"])
            index = self.pick_customer(region, business=True)
            lead = {"region": region, "topic": "gas_connection", "day": day}
            self.at(day, rng.randint(8 * 60, 15 * 60), self.create_inquiry(lead, index, None))

    def schedule_calls(self):
        rng = self.rng
        subjects = [s for s, weight in SUBJECTS for _ in range(weight)]
        for month in (1, 2, 3):
            for day in self.working_days(month):
                for _ in range(rng.randint(2, 5)):
                    self.schedule_call(day, rng.choice(subjects))

    def schedule_call(self, day, subject):
        rng = self.rng
        minutes = rng.randint(8 * 60, 15 * 60 + 45)
        taker = rng.choice(CUSTOMER_SERVICE)
        general = rng.random() < 0.25 and subject not in ("gas_contract",)
        outcome = rng.random()
        if outcome < 0.65:
            resolved = (day, minutes + rng.randint(3, 40), "first_contact")
        elif outcome < 0.92:
            resolved = (self.calendar.add_working_days(day, rng.randint(1, 4)), rng.randint(9 * 60, 15 * 60),
                        "transferred")
        else:
            resolved = (self.calendar.add_working_days(day, rng.randint(3, 9)), rng.randint(9 * 60, 15 * 60),
                        "escalated")
        call = {"subject": subject, "day": day, "taker": taker, "general": general, "resolved": resolved,
                "title": rng.choice(TITLES[subject]), "satisfaction": rng.choice([None, None, 3, 4, 4, 5, 5, 2]),
                "origin": rng.choice(["phone"] * 8 + ["email", "web"]), "person": self.person(),
                "phone": self.phone(), "reading": rng.randint(1000, 90000),
                "contract": rng.choice(["purchase", "termination", "address_change", "name_change", "fixed_price"]),
                "recorded": rng.random() < 0.9, "severity": rng.choice([2, 3, 4, 4])}
        self.at(day, minutes, self.create_call(call))

    def create_call(self, call):
        def action():
            store = self.store
            subject = call["subject"]
            values = {"title": call["title"], "subject": subject, "origin": call["origin"], "received": call["day"],
                      "case_type": {"fault": "problem", "feedback": "question", "billing": "question"}
                      .get(subject, "request"),
                      "unit": "paikallisjakelu" if subject != "other" else "gasum_oy"}
            if call["general"]:
                values.update(customer="CUST-GENERAL", person_name=call["person"], phone=call["phone"])
            else:
                customer_id, customer = self.rng.choice(self.customers[:40])
                values.update(customer=customer_id, phone=customer["phone"])
                if customer.get("sites"):
                    site = customer["sites"][0]
                    values.update({f"site.{k}": v for k, v in site.items()})
            if subject == "meter_reading":
                values["meter_reading"] = str(call["reading"])
            if subject == "gas_contract":
                values["contract_change"] = call["contract"]
            if subject == "fault":
                values["severity"] = str(call["severity"])
                values["priority"] = "high" if call["severity"] <= 2 else "normal"
            if call["satisfaction"]:
                values["satisfaction"] = str(call["satisfaction"])
            record, _ = records.create(store, store.config.types["service_request"], values, call["taker"])
            day, minutes, method = call["resolved"]
            if day <= LAST_DAY:
                self.at(day, minutes, self.resolve_call(record["id"], call, method, day))
            else:
                self.at(call["day"], 16 * 60 + 30, self.park_call(record["id"], call))
        return action

    def resolve_call(self, record_id, call, method, day):
        def action():
            values = {"resolution": RESOLUTIONS[call["subject"]], "service_method": method}
            if call["subject"] in ("meter_reading", "gas_contract") and call["recorded"]:
                values["billing_recorded"] = day.isoformat()
            transitions.transition(self.store, record_id, "done", call["taker"], values=values)
        return action

    def park_call(self, record_id, call):
        def action():
            target = "waiting_for_details" if call["subject"] in ("billing", "gas_contract") else "researching"
            transitions.transition(self.store, record_id, target, call["taker"])
        return action

    # -- running -------------------------------------------------------------

    def run(self):
        self.schedule()
        while self.events:
            moment, _seq, action = heapq.heappop(self.events)
            with frozen_time(moment.isoformat(timespec="seconds")):
                action()


def add_late_starter(store, admin):
    """Tampere's own seller, who started using crmctl in February."""
    handle, name, roles, region, supervisor, planned = LATE_STARTER
    add_user(store, handle, {"name": name, "email": f"{handle}@example.fi", "roles": roles, "planned": planned,
                             "region": region, "supervisor": supervisor}, admin)
    set_region(store, region, {"sales": handle}, admin)


def build_history(store):
    """Play the demo quarter into `store` (ids drawn from the seeded generator)."""
    demo = Demo(store)
    with ids.seeded(demo.rng):
        demo.run()
    return demo
