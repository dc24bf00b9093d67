"""One rule for every write: which fields of a row may change at the stage its round is in.

Each model lists its fields in ``editable_in`` with the stages in which they may change
(``rounds.models.PLAN_ONLY``, ``BEFORE_VOTING``, ``THROUGH_VOTING``, ``NEVER``). The
``<entity>_create``/``_update``/``_delete`` services refuse anything else, and the admin shows
only the fields that may change now as editable (``editable_fields``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Round
from .wording import listing


def lock_round(round_id):
    """Lock and return the round, so that an edit and a move of the round never interleave."""
    return Round.objects.select_for_update().get(pk=round_id)


def editable_fields(model, round):
    """Return the names of ``model``'s fields that may change while ``round`` is at its stage."""
    return {name for name, stages in model.editable_in.items() if round.stage in stages}


def is_removable(model, round):
    """Return whether a row of ``model`` may be added or deleted at ``round``'s stage.

    That is when every field that may ever change may change now.
    """
    return all(round.stage in stages for stages in model.editable_in.values() if stages)


def check_changes(model, round, changes, error):
    """Raise ``error`` unless every field named in ``changes`` may change at ``round``'s stage."""
    frozen = [name for name in changes if name not in editable_fields(model, round)]
    if frozen:
        raise error(
            _("「%(round)s」处于「%(stage)s」阶段，以下内容不能再修改：%(fields)s。")
            % {
                "round": round,
                "stage": round.get_stage_display(),
                "fields": listing(str(model._meta.get_field(name).verbose_name) for name in frozen),
            }
        )


def check_removable(model, round, error):
    """Raise ``error`` unless rows of ``model`` may be added or deleted at ``round``'s stage."""
    if not is_removable(model, round):
        raise error(
            _("「%(round)s」处于「%(stage)s」阶段，不能再增删%(model)s。")
            % {
                "round": round,
                "stage": round.get_stage_display(),
                "model": model._meta.verbose_name,
            }
        )


def apply_changes(instance, changes, error):
    """Set ``changes`` on ``instance``, validate it as a form would, save it; return it.

    A failed validation (a database constraint's message, say) raises ``error`` with the
    messages. Many-to-many fields are set after the row is saved.
    """
    many = {}
    for name, value in changes.items():
        if instance._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as invalid:
        raise error("".join(invalid.messages)) from None
    with transaction.atomic():
        instance.save()
        for name, value in many.items():
            getattr(instance, name).set(value)
    return instance


def edit(instance, round, changes, error):
    """Apply ``changes`` to ``instance`` if the rule allows them at ``round``'s stage; return it."""
    check_changes(type(instance), round, changes, error)
    return apply_changes(instance, changes, error)


def create(model, round, fields, error):
    """Create a row of ``model`` under ``round`` if rows may be added at its stage; return it."""
    check_removable(model, round, error)
    return apply_changes(model(), fields, error)


def delete(instance, round, error):
    """Delete ``instance`` if rows of its model may be deleted at ``round``'s stage."""
    check_removable(type(instance), round, error)
    instance.delete()
