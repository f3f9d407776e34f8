"""Group composition: the one place its limits and checks live.

The defaults follow DESIGN §5. The loan policy will later build a `GroupRules` from its own
settings and pass it to the services; nothing else needs to change.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from associations.models import Member, MemberStatus
from guarantees.exceptions import GuaranteeRuleError


@dataclass(frozen=True)
class GroupRules:
    min_leaders: int = 1
    max_leaders: int = 2
    min_households: int = 3
    max_households: int = 5


DEFAULT_GROUP_RULES = GroupRules()


def composition_check(
    *, leaders: Sequence[Member], households: Sequence[Member], rules: GroupRules
) -> None:
    """Raise GuaranteeRuleError when the leaders and households do not make a valid group."""
    if not rules.min_leaders <= len(leaders) <= rules.max_leaders:
        raise GuaranteeRuleError(
            _("A group has %(min)s to %(max)s leaders, not %(n)s.")
            % {"min": rules.min_leaders, "max": rules.max_leaders, "n": len(leaders)},
            "leader_count",
        )
    if not rules.min_households <= len(households) <= rules.max_households:
        raise GuaranteeRuleError(
            _("A group has %(min)s to %(max)s households besides its leaders, not %(n)s.")
            % {"min": rules.min_households, "max": rules.max_households, "n": len(households)},
            "household_count",
        )
    for leader in leaders:
        if not leader.can_lead_group:
            raise GuaranteeRuleError(
                _("%(name)s is neither a party member nor a wealth leader and cannot lead a group.")
                % {"name": leader.name},
                "leader_not_eligible",
            )
    everyone = [*leaders, *households]
    seen: set[int] = set()
    for member in everyone:
        if member.pk in seen:
            raise GuaranteeRuleError(
                _("%(name)s appears twice in the group.") % {"name": member.name}, "repeated"
            )
        seen.add(member.pk)
        if member.status != MemberStatus.ACTIVE:
            raise GuaranteeRuleError(
                _("%(name)s has exited the association.") % {"name": member.name}, "not_active"
            )
    associations = {member.association_id for member in everyone}
    if len(associations) > 1:
        raise GuaranteeRuleError(
            _("All members of a group belong to the group's association."),
            "other_association",
        )
