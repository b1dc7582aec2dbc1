"""The demo's sales inquiries: a call logged as a service request and a lead for the region's seller.
"""

from datetime import date

from crmctl.demo.facts import CUSTOMER_SERVICE, LAST_DAY, NO_ACTION_REASONS
from crmctl.engine import records, transitions
from crmctl.workflows import leads


class Inquiries:
    """Part of `Demo`: inquiry calls and their leads, handled, handled without action or left open."""

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
