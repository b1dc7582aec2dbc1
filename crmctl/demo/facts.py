"""The demo company's facts: the plan's figures (domain spec §7), its places, names and phrases."""

from datetime import date

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
