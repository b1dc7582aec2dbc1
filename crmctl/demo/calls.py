"""The demo's everyday customer-service calls: logged, then resolved or parked.
"""

from crmctl.demo.facts import CUSTOMER_SERVICE, LAST_DAY, RESOLUTIONS, SUBJECTS, TITLES
from crmctl.engine import records, transitions


class Calls:
    """Part of `Demo`: two to five calls a working day, each resolved at once, later or escalated."""

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
