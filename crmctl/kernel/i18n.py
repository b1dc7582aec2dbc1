"""Messages people read, in Finnish and English; `t()` picks by language."""

from crmctl.kernel.errors import ConfigError

MESSAGES = {
    "transition_by_command": {"fi": "{id}: siirto {current} → {target} tehdään komennolla `crmctl {command}`",
                              "en": "{id}: {current} → {target} is made with `crmctl {command}`"},
    "required": {"fi": "pakollinen tieto", "en": "required"},
    "recommended": {"fi": "suositeltava tieto puuttuu", "en": "recommended, not filled"},
    "required_when": {"fi": "pakollinen, kun {condition}", "en": "required when {condition}"},
    "recommended_when": {"fi": "suositeltava, kun {condition}", "en": "recommended when {condition}"},
    "unknown_field": {"fi": "tuntematon kenttä", "en": "unknown field"},
    "system_field": {"fi": "järjestelmä asettaa tämän kentän", "en": "set by crmctl, not by hand"},
    "one_line": {"fi": "arvon pitää olla yksi rivi", "en": "must be one line"},
    "too_long": {"fi": "liian pitkä (enintään {max} merkkiä)", "en": "too long (at most {max} characters)"},
    "not_text": {"fi": "pitää olla tekstiä", "en": "must be text"},
    "not_allowed": {"fi": "{value!r} ei ole sallittu arvo; sallitut: {allowed}",
                    "en": "{value!r} is not an allowed value; allowed: {allowed}"},
    "not_integer": {"fi": "pitää olla kokonaisluku", "en": "must be a whole number"},
    "not_number": {"fi": "pitää olla luku", "en": "must be a number"},
    "below_min": {"fi": "pitää olla vähintään {min}", "en": "must be at least {min}"},
    "above_max": {"fi": "saa olla enintään {max}", "en": "must be at most {max}"},
    "not_boolean": {"fi": "pitää olla true tai false", "en": "must be true or false"},
    "not_date": {"fi": "pitää olla päivämäärä VVVV-KK-PP", "en": "must be a date YYYY-MM-DD"},
    "not_timestamp": {"fi": "pitää olla aikaleima (ISO 8601)", "en": "must be a timestamp (ISO 8601)"},
    "in_future": {"fi": "ei voi olla tulevaisuudessa", "en": "cannot be in the future"},
    "before": {"fi": "ei voi olla ennen kenttää {other}", "en": "cannot be before {other}"},
    "not_id": {"fi": "{value!r} ei ole tunniste", "en": "{value!r} is not an id"},
    "wrong_ref": {"fi": "pitää olla {what}-tunniste", "en": "must be an id of a {what}"},
    "missing_ref": {"fi": "tietuetta {value} ei ole", "en": "no record {value}"},
    "unknown_user": {"fi": "tuntematon käyttäjä {value!r}", "en": "unknown user {value!r}"},
    "inactive_user": {"fi": "käyttäjä {value!r} ei ole aktiivinen", "en": "user {value!r} is not active"},
    "unknown_role": {"fi": "tuntematon rooli; roolit: {roles}", "en": "unknown role; roles: {roles}"},
    "unknown_region": {"fi": "tuntematon alue {value!r}", "en": "unknown region {value!r}"},
    "not_object": {"fi": "pitää olla rakenne (kentät)", "en": "must be a mapping of fields"},
    "not_list": {"fi": "pitää olla lista", "en": "must be a list"},
    "duplicate": {"fi": "sama arvo on jo tietueella {other}", "en": "the same value is already on {other}"},
    "invalid": {"fi": "virheellinen arvo: {reason}", "en": "invalid: {reason}"},
    "changed": {"fi": "Muutettu", "en": "Changed"},
    "created": {"fi": "Luotu", "en": "Created"},
    "nothing_changed": {"fi": "ei muutoksia", "en": "nothing changed"},
    "rules_broken": {"fi": "tietue rikkoo näitä sääntöjä:", "en": "the record breaks these rules:"},
    "warning": {"fi": "Varoitus", "en": "Warning"},
    "control_chars": {"fi": "ei saa sisältää ohjausmerkkejä", "en": "must not contain control characters"},
    "use_status": {"fi": "tila muutetaan komennolla `crmctl {command} status`",
                   "en": "use `crmctl {command} status`"},
    # `crmctl check`: one message per finding code.
    "check.general-customer": {"fi": "asiakaspalvelun yleisasiakas {id} puuttuu",
                               "en": "the general customer-service customer {id} is missing"},
    "check.translation": {"fi": "{what}: {lang}-kielinen nimi puuttuu", "en": "{what}: no {lang} label"},
    "check.unknown-key": {"fi": "{what}: tuntematon kenttä {key!r}", "en": "{what}: unknown key {key!r}"},
    "check.filter": {"fi": "{what}: {error}", "en": "{what}: {error}"},
    "check.stray-file": {"fi": "ei tietuetiedosto (.yaml)", "en": "not a record file (.yaml)"},
    "check.not-mapping": {"fi": "tietuetiedostossa pitää olla kenttien rakenne (mapping)",
                          "en": "a record file must hold a mapping"},
    "check.bad-id": {"fi": "ei kelvollinen tunniste: {value!r}", "en": "not a valid id: {value!r}"},
    "check.id-mismatch": {"fi": "tunniste {id} ei vastaa tiedoston nimeä {name}",
                          "en": "id {id} does not match the file name {name}"},
    "check.wrong-type": {"fi": "tunniste {id} ei ole {prefix}-tunniste, mutta tiedosto on kansiossa {dir}/",
                         "en": "id {id} is not a {prefix} id but lies in {dir}/"},
    "check.path-mismatch": {"fi": "tietueen {id} paikka on {path}", "en": "{id} belongs at {path}"},
    "check.duplicate-id": {"fi": "{id} on myös tiedostossa {path}", "en": "{id} also in {path}"},
    "check.not-canonical": {
        "fi": "ei kanonisessa muodossa (`set` kirjoittaa tiedoston uudelleen; avaimet, lainausmerkit tai asettelu poikkeavat)",
        "en": "not in canonical form (a `set` will rewrite it; keys, quoting or layout differ)"},
    "check.history-missing": {"fi": "history: puuttuu (jokaisella tietueella on luontitapahtuma)",
                              "en": "history: missing (every record has a created event)"},
    "check.history-entry": {"fi": "history[{index}]: tarvitsee kentät at, by ja event",
                            "en": "history[{index}]: needs at, by and event"},
    "check.history-user": {"fi": "history[{index}]: tuntematon käyttäjä {user!r}",
                           "en": "history[{index}]: unknown user {user!r}"},
    "check.history-order": {"fi": "history[{index}]: aiempi kuin edeltävä tapahtuma",
                            "en": "history[{index}]: earlier than the event before it"},
    "check.assignment-user": {"fi": "assignments[{index}]: tuntematon käyttäjä",
                              "en": "assignments[{index}]: unknown user"},
    "check.summary": {"fi": "virheitä: {errors}, varoituksia: {warnings}", "en": "{errors} error(s), {warnings} warning(s)"},
    # YAML that cannot be accepted (YamlError codes), as `check` reports it.
    "yaml.tag": {"fi": "YAML-tagit eivät ole sallittuja ({tag})", "en": "YAML tags are not allowed ({tag})"},
    "yaml.anchor": {"fi": "YAML-ankkurit eivät ole sallittuja", "en": "YAML anchors are not allowed"},
    "yaml.alias": {"fi": "YAML-viittaukset (alias) eivät ole sallittuja", "en": "YAML aliases are not allowed"},
    "yaml.conflict": {"fi": "yhdistämisristiriidan merkki (merge conflict)", "en": "merge-conflict marker"},
    "yaml.encoding": {"fi": "virheellinen UTF-8 tavussa {byte}", "en": "invalid UTF-8 at byte {byte}"},
    "yaml.yaml": {"fi": "YAML ei jäsenny: {problem}", "en": "unparsable YAML: {problem}"},
    "yaml.not-mapping": {"fi": "tietuetiedostossa pitää olla kenttien rakenne (mapping)",
                         "en": "a record file must hold a mapping"},
    "skipped": {"fi": "ohitettu; katso `crmctl check`", "en": "skipped; see `crmctl check`"},
}


def t(key, lang, **params):
    """The message `key` in `lang`, with `params` filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        raise ConfigError(f"no message {key!r}")
    return entry.get(lang, entry["en"]).format(**params)


# Finnish for the English reasons the validators (validators.py) give.
REASONS_FI = {
    "must be text": "pitää olla tekstiä",
    "is too long": "on liian pitkä",
    "must not be empty": "ei saa olla tyhjä",
    "must be of the form 1234567-8": "muodon pitää olla 1234567-8",
    "cannot have a valid check digit": "tällaisella tunnuksella ei voi olla kelvollista tarkistusnumeroa",
    "check digit does not match": "tarkistusnumero ei täsmää",
    "must be of the form DDMMYYCZZZQ": "muodon pitää olla PPKKVVXNNNT (esim. 131052-308T)",
    "date of birth is not a real date": "syntymäaika ei ole oikea päivämäärä",
    "individual number must be 002-999": "yksilönumeron pitää olla 002–999",
    "check character does not match": "tarkistusmerkki ei täsmää",
    "may contain only digits, spaces, hyphens, parentheses and a leading +":
        "saa sisältää vain numeroita, välilyöntejä, yhdysmerkkejä, sulkeita ja alussa +-merkin",
    "must start with +, 00 or 0": "pitää alkaa +, 00 tai 0",
    "must have 7-15 digits": "pitää olla 7–15 numeroa",
    "must have 6-12 digits after the 0 or +358": "0:n tai +358:n jälkeen pitää olla 6–12 numeroa",
    "has too many leading zeros": "alussa on liikaa nollia",
    "must contain exactly one @": "pitää sisältää tasan yksi @-merkki",
    "must have a name before the @": "@-merkin edessä pitää olla nimi",
    "has an invalid name before the @": "@-merkin edessä oleva nimi on virheellinen",
    "has an invalid domain after the @": "@-merkin jälkeinen verkkotunnus on virheellinen",
    "must be 5 digits": "pitää olla 5 numeroa",
}


def translate(reason, lang):
    """A validator's English reason in `lang` (English when no translation is known)."""
    if lang == "fi":
        return REASONS_FI.get(reason, reason)
    return reason
