"""Who may see and change what: staff roles scoped to a district, street or community.

A role grants model permissions by its level (``ROLE_PERMISSIONS``, through
``StaffRoleBackend``) and limits rows to its part of the geography (``scoped``). Later
roles (station officer, department, observer) add a level and its permissions here.
"""

from django.contrib.auth.backends import BaseBackend
from django.db.models import Q

from .models import Community, Compound, District, StaffRole, Street

Level = StaffRole.Level


def _perms(app_model_actions):
    """Expand {"app.model": "view add change"} into Django permission names."""
    return frozenset(
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in app_model_actions.items()
        for action in actions.split()
    )


_COMMUNITY_STAFF = _perms(
    {
        "rounds.community": "view",
        "rounds.compound": "view add change",
        "rounds.round": "view add change",
        "rounds.plannedstage": "view add change delete",
        "rounds.roundevent": "view",
        "rounds.plancomment": "view change",
        "rounds.department": "view",
        "proposals.proposal": "view add change",
        "proposals.screeningdecision": "view add",
        "proposals.sitesurvey": "view add change",
        "proposals.roundtable": "view add change",
        "proposals.roundtableoutcome": "view add change delete",
        "proposals.costestimate": "view",
        "proposals.ballotitem": "view add change delete",
        "proposals.photo": "view add delete",
        "voting.ballotstation": "view add change",
        "voting.stationofficer": "view add change delete",
        "voting.stationclosure": "view",
        "voting.lot": "view add",
        "voting.certifiedtally": "view add",
        "notices.publicitynotice": "view change",
    }
)
_STREET_STAFF = _COMMUNITY_STAFF | _perms(
    {"rounds.street": "view", "rounds.community": "add change", "rounds.department": "add change"}
)
_DISTRICT_STAFF = _STREET_STAFF | _perms({"rounds.district": "view", "rounds.street": "add change"})
_DEPARTMENT_STAFF = _perms({"proposals.proposal": "view", "proposals.costestimate": "view add"})
ROLE_PERMISSIONS = {
    Level.COMMUNITY: _COMMUNITY_STAFF,
    Level.STREET: _STREET_STAFF,
    Level.DISTRICT: _DISTRICT_STAFF,
    Level.DEPARTMENT: _DEPARTMENT_STAFF,
}

# From each level, the lookup that climbs one level up the geography.
_UP = {Level.COMMUNITY: "street", Level.STREET: "district"}
_ORDER = [Level.COMMUNITY, Level.STREET, Level.DISTRICT]

# Where each geography model sits: (path from the model to its own level, that level).
GEOGRAPHY = {
    District: ("", Level.DISTRICT),
    Street: ("", Level.STREET),
    Community: ("", Level.COMMUNITY),
    Compound: ("community", Level.COMMUNITY),
}


class StaffRoleBackend(BaseBackend):
    """Grant active staff the model permissions of their roles' levels."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or not user_obj.is_staff or obj is not None:
            return set()
        if not hasattr(user_obj, "_staff_role_perm_cache"):
            levels = user_obj.staff_roles.values_list("level", flat=True)
            user_obj._staff_role_perm_cache = set().union(
                *(ROLE_PERMISSIONS[level] for level in levels)
            )
        return user_obj._staff_role_perm_cache

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))


def _path_to(root, root_level, level):
    """Return the lookup from a model whose ``root`` is at ``root_level`` to ``level``."""
    hops = [root] if root else []
    for step in _ORDER[_ORDER.index(root_level) : _ORDER.index(level)]:
        hops.append(_UP[step])
    return "__".join(hops) or "pk"


def scope_q(user, root, root_level, department=None):
    """Return a Q selecting rows under ``user``'s roles; ``root`` leads to ``root_level``.

    A role below the model's level (community staff looking at streets) selects nothing. A
    department role selects the rows whose ``department`` lookup names its department.
    """
    q = Q(pk__in=[])
    for role in user.staff_roles.all():
        if role.level == Level.DEPARTMENT:
            if department:
                q |= Q(**{department: role.department_id})
        elif _ORDER.index(role.level) >= _ORDER.index(root_level):
            q |= Q(**{_path_to(root, root_level, role.level): getattr(role, f"{role.level}_id")})
    return q


def scoped(user, queryset, root, root_level, department=None):
    """Return the rows of ``queryset`` that ``user`` may see."""
    if user.is_superuser:
        return queryset
    return queryset.filter(scope_q(user, root, root_level, department)).distinct()


def scoped_geography(user, model):
    """Return the districts, streets, communities or compounds ``user`` may see."""
    root, level = GEOGRAPHY[model]
    return scoped(user, model._default_manager.all(), root, level)


def can_manage_round(user, round):
    """Return whether ``user`` may run ``round``: a superuser or staff covering its community."""
    if not user.has_perm("rounds.change_round"):
        return False
    return scoped_geography(user, Community).filter(pk=round.community_id).exists()
