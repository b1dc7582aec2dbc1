"""The demo's sales events: projects created (migrated or from leads), stages completed, projects lost.
"""

from datetime import timedelta

from crmctl.demo.facts import LAST_DAY, LOST_REASONS, MIGRATION_DAY, MIGRATOR, TYPE_TITLES
from crmctl.engine import records
from crmctl.engine.assignments import assign
from crmctl.workflows import account_requests, leads, projects
from crmctl.workflows.stages import current_stage


class SalesEvents:
    """Part of `Demo`: playing the sales-project plan through crmctl's API."""

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
