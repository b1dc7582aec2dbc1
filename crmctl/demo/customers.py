"""The demo's customers: the billing system's customers, moved in on the first day.
"""

from crmctl.demo.facts import COMPANY_WORDS, GENITIVES, LAST_NAMES, MIGRATION_DAY, MIGRATOR
from crmctl.engine import records


class Customers:
    """Part of `Demo`: making customers and picking one for a call."""

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
