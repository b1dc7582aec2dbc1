"""Messages people read, in Finnish and English; `t()` picks by language."""

from .errors import ConfigError

MESSAGES = {
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
    "skipped": {"fi": "ohitettu; katso `crmctl check`", "en": "skipped; see `crmctl check`"},
}


def t(key, lang, **params):
    """The message `key` in `lang`, with `params` filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        raise ConfigError(f"no message {key!r}")
    return entry.get(lang, entry["en"]).format(**params)


# Finnish for the English reasons the validators give.
REASONS_FI = {}


def translate(reason, lang):
    """A validator's English reason in `lang` (English when no translation is known)."""
    if lang == "fi":
        return REASONS_FI.get(reason, reason)
    return reason
