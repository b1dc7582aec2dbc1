"""Users and regions, and who is acting."""

import os
import re
import subprocess

from crmctl.config.model import Field, Value, label
from crmctl.kernel.errors import AlreadyHolds, CrmError, NotFound, ValidationError
from crmctl.kernel.i18n import LANGUAGES, both, t
from crmctl.engine.rules import Engine, FieldError, Problem, is_empty

HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
REGION_KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
ROLES = ("customer_service", "sales", "technical", "admin")
INITIALS = re.compile(r"^[^\W\d_]{1,5}$")  # 1-5 letters (ä, ö and å included)


def _region_name_field():
    return Field("name", both("directory.name"), "line", "required")


def _user_fields(config):
    roles = ([v for v in config.vocabularies.get("roles", [])]
             or [Value(r, {lang: r for lang in LANGUAGES}) for r in ROLES])
    return {
        "name": Field("name", both("directory.name"), "line", "required"),
        # Signature in delegation's actions line; derived from the name when not set.
        "initials": Field("initials", both("directory.initials"), "line"),
        "email": Field("email", both("directory.email"), "email", "required"),
        "roles": Field("roles", both("directory.roles"), "list", "required",
                       item=Field("roles", both("directory.role"), "enum", values=roles)),
        "region": Field("region", both("directory.region"), "region"),
        "supervisor": Field("supervisor", both("directory.supervisor"), "user"),
        "planned": Field("planned", both("directory.planned"), "boolean", default=False),
        "active": Field("active", both("directory.active"), "boolean", default=True),
    }


def resolve_actor(store, given=None):
    """The acting user's handle: the one `given`, else $CRMCTL_USER, else the store's git user.email."""
    users = store.config.users
    handle = given or os.environ.get("CRMCTL_USER")
    if handle:
        if handle not in users:
            raise CrmError(code="directory.unknown_user", handle=handle)
        return _active(users, handle)
    email = _git_email(store.root)
    if email:
        for key, user in users.items():
            if str(user.get("email", "")).casefold() == email.casefold():
                return _active(users, key)
        raise CrmError(code="directory.email_unknown", email=email)
    raise CrmError(code="directory.who_are_you")


def _active(users, handle):
    """`handle`, when that user is active: someone who has left acts no more (their work was handed over)."""
    if (users.get(handle) or {}).get("active") is False:
        raise CrmError(code="directory.inactive_actor", handle=handle)
    return handle


def _email_taken(users, email, handle):
    """The other user who has `email` already (the git identity must name one user), or None."""
    wanted = str(email or "").strip().casefold()
    for other, user in users.items():
        if other != handle and wanted and str(user.get("email") or "").strip().casefold() == wanted:
            return other
    return None


def _git_email(root):
    try:
        done = subprocess.run(["git", "-C", str(root), "config", "user.email"],
                              capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def has_role(config, handle, role):
    """Whether user `handle` has `role` (roles are listed in users.yaml)."""
    return role in ((config.users.get(handle) or {}).get("roles") or [])


def require_admin(store, actor):
    """User and region changes need an admin, except while the store has no users (bootstrap)."""
    users = store.config.users
    if not users:
        return
    if actor is None:
        raise CrmError(code="directory.who_are_you")
    if not has_role(store.config, actor, "admin"):
        raise CrmError(code="directory.admin_only", actor=actor)


def _convert_all(engine, fields, values, problems, cleared=None):
    """The converted values; an empty value of an optional field goes into `cleared` (`initials=` removes
    them), of a required one is a problem."""
    result = {}
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            problems.append(Problem(key, key, "error", "unknown_field", t("unknown_field", engine.lang)))
            continue
        if is_empty(value.strip() if isinstance(value, str) else value) and cleared is not None:
            if field.level == "required":
                problems.append(Problem(key, label(field.label, engine.lang), "error", "required",
                                        t("required", engine.lang)))
            else:
                cleared.add(key)
            continue
        if field.type == "list" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        try:
            converted = engine.convert(field, value)
        except FieldError as err:
            problems.append(Problem(key, label(field.label, engine.lang), "error", "invalid", str(err)))
            continue
        if key == "initials" and converted is not None and not INITIALS.match(converted):
            problems.append(Problem(key, label(field.label, engine.lang), "error", "invalid",
                                    t("directory.initials_rule", engine.lang)))
            continue
        if converted is not None:
            result[key] = converted
    return result


def add_user(store, handle, values, actor, lang="fi"):
    """Add a user to users.yaml; returns the user's data."""
    if not HANDLE.match(handle or ""):
        raise CrmError(code="directory.bad_handle", handle=handle)
    with store.lock():
        store.reload_config()
        require_admin(store, actor)
        config = store.config
        if handle in config.users:
            raise CrmError(code="directory.user_exists", handle=handle)
        fields = _user_fields(config)
        problems = []
        engine = Engine(store, lang, actor)
        # The supervisor may be the user being added's future colleague, but must exist now.
        user = _convert_all(engine, fields, values, problems)
        _refuse_taken_email(config.users, user, handle, lang, problems)
        for key, field in fields.items():
            if key not in user and field.default is not None:
                user[key] = field.default
            if key not in user and key not in values and field.level == "required":
                problems.append(Problem(key, label(field.label, lang), "error", "required", t("required", lang)))
        if problems:
            raise ValidationError(problems, t("rules_broken", lang))
        users = dict(config.users)
        users[handle] = {key: user[key] for key in fields if key in user}
        store.write_config_file("users.yaml", users)
    return users[handle]


def _refuse_taken_email(users, values, handle, lang, problems):
    other = _email_taken(users, values.get("email"), handle) if values.get("email") else None
    if other:
        problems.append(Problem("email", t("directory.email", lang), "error", "duplicate",
                                t("directory.email_taken", lang, other=other)))


def set_user(store, handle, values, actor, lang="fi"):
    """Change fields of a user (e.g. `active=false`, `supervisor=..`)."""
    with store.lock():
        store.reload_config()
        require_admin(store, actor)
        config = store.config
        if handle not in config.users:
            raise NotFound(code="directory.no_user", handle=handle)
        problems, cleared = [], set()
        changes = _convert_all(Engine(store, lang, actor), _user_fields(config), values, problems, cleared)
        _refuse_taken_email(config.users, changes, handle, lang, problems)
        if problems:
            raise ValidationError(problems, t("rules_broken", lang))
        users = dict(config.users)
        users[handle] = {key: value for key, value in {**users[handle], **changes}.items() if key not in cleared}
        if users[handle] == config.users[handle]:  # a repeat: nothing to write, and the command succeeds
            raise AlreadyHolds(code="directory.user_holds", handle=handle)
        store.write_config_file("users.yaml", users)
    return users[handle]


def add_region(store, key, values, actor, lang="fi"):
    if not REGION_KEY.match(key or ""):
        raise CrmError(code="directory.bad_region_key", key=key)
    values = dict(values)
    name = _region_name(store, values.pop("name", None) or key, actor, lang)
    with store.lock():
        store.reload_config()
        require_admin(store, actor)
        regions = dict(store.config.regions)
        if key in regions:
            raise CrmError(code="directory.region_exists", key=key)
        regions[key] = {"name": name, "owners": {}}
        regions[key]["owners"] = _owners(store, values, actor, lang)
        store.write_config_file("regions.yaml", regions)
    return regions[key]


def set_region(store, key, values, actor, lang="fi"):
    """Set default owners per role (`sales=jussi`); `name=..` renames."""
    values = dict(values)
    with store.lock():
        store.reload_config()
        require_admin(store, actor)
        regions = dict(store.config.regions)
        if key not in regions:
            raise NotFound(code="directory.no_region", key=key)
        region = dict(regions[key])
        if "name" in values:
            region["name"] = _region_name(store, values.pop("name"), actor, lang)
        region["owners"] = {**(region.get("owners") or {}), **_owners(store, values, actor, lang)}
        if region == regions[key]:
            raise AlreadyHolds(code="directory.region_holds", key=key)
        regions[key] = region
        store.write_config_file("regions.yaml", regions)
    return region


def _region_name(store, name, actor, lang):
    """A region's name: one line of text like any name field."""
    name_field = _region_name_field()
    try:
        return Engine(store, lang, actor).convert(name_field, name)
    except FieldError as err:
        raise ValidationError([Problem("name", label(name_field.label, lang), "error", "invalid", str(err))],
                              t("rules_broken", lang)) from None


def _owners(store, values, actor, lang):
    roles = {v.key: v.label for v in store.config.vocabularies.get("roles", [])} or {r: {} for r in ROLES}
    engine = Engine(store, lang, actor)
    user_field = Field("owner", both("directory.user"), "user")
    owners, problems = {}, []
    for role, handle in values.items():
        if role not in roles:
            problems.append(Problem(role, role, "error", "unknown_role",
                                    t("unknown_role", lang, roles=", ".join(roles))))
            continue
        role_label = roles[role].get(lang) or role
        try:
            owners[role] = engine.convert(user_field, handle)
        except FieldError as err:
            problems.append(Problem(role, role_label, "error", "invalid", str(err)))
            continue
        # Leads and requests are routed to the default owner: one who has left or lacks the role never sees them.
        user = store.config.users.get(owners[role]) or {}
        if user.get("active") is False:
            problems.append(Problem(role, role_label, "error", "invalid", t("inactive_user", lang, value=owners[role])))
        elif role not in (user.get("roles") or []):
            problems.append(Problem(role, role_label, "error", "invalid",
                                    t("directory.owner_lacks_role", lang, user=owners[role], role=role)))
    if problems:
        raise ValidationError(problems, t("rules_broken", lang))
    return owners


def region_owner(config, region, role):
    """The default owner of `role` in `region`, or None: also when that user has since left or lost the role, so
    that nothing is routed to someone who will never see it (`check` reports such a region)."""
    owner = ((config.regions.get(region) or {}).get("owners") or {}).get(role)
    user = config.users.get(owner) or {}
    if owner is None or user.get("active") is False or role not in (user.get("roles") or []):
        return None
    return owner


def default_owner(config, record, role="sales"):
    """Give an unowned `record` its region's default owner of `role` (leads and projects go to the seller)."""
    if not record.get("owner") and record.get("region"):
        owner = region_owner(config, record["region"], role)
        if owner:
            record["owner"] = owner


def add_people(store, users, regions):
    """Add `users` ({handle: values}) and `regions` ({key: values}) to a store, in an order that always works.

    Users name regions and supervisors, regions name users as owners: so the
    users come first without region and supervisor (those without a supervisor
    first: the very first is added with no actor, as a store without users
    allows, and is the admin who adds everyone else), then the regions, then
    each user's region and supervisor. Returns the admin's handle.
    """
    later_keys = ("region", "supervisor")
    admin = None
    for handle, values in sorted(users.items(), key=lambda item: item[1].get("supervisor") is not None):
        add_user(store, handle, {k: v for k, v in values.items() if k not in later_keys}, admin)
        admin = admin or handle
    for key, values in regions.items():
        add_region(store, key, values, admin)
    for handle, values in users.items():
        later = {k: values[k] for k in later_keys if values.get(k)}
        if later:
            set_user(store, handle, later, admin)
    return admin
