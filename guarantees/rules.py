"""Group composition: the one place its limits and checks live.

The defaults follow DESIGN §5. The loan policy in force for a village may set its own limits;
the loans app answers "which limits hold here?" through `policy_readers` (filled in its
`AppConfig.ready()`, as guarantees may not import loans), so a group is formed and changed
under the same limits a loan will check it against: a group that could never borrow is
never formed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from associations.models import Association, Member, MemberStatus
from guarantees.exceptions import GuaranteeRuleError


@dataclass(frozen=True)
class GroupRules:
    min_leaders: int = 1
    max_leaders: int = 2
    min_households: int = 3
    max_households: int = 5


DEFAULT_GROUP_RULES = GroupRules()

# Each takes an association and returns the group limits of the loan policy in force there.
# At most one is registered (loans); without one, the defaults of DESIGN §5 hold.
policy_readers: list[Callable[[Association], GroupRules]] = []


def group_rules_for(association: Association) -> GroupRules:
    """The composition limits in force for this association's groups."""
    for read in policy_readers:
        return read(association)
    return DEFAULT_GROUP_RULES


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


def composition_gaps(*, leaders: int, households: int, rules: GroupRules) -> list[str]:
    """What the chosen counts still lack or exceed, in words, before the group is submitted
    (empty: the counts are right). The service still runs `composition_check` on submit."""
    gaps = []
    if leaders < rules.min_leaders:
        gaps.append(
            _("Add %(n)s more leader(s): a group needs %(min)s to %(max)s.")
            % {"n": rules.min_leaders - leaders, "min": rules.min_leaders, "max": rules.max_leaders}
        )
    elif leaders > rules.max_leaders:
        gaps.append(
            _("Remove %(n)s leader(s): a group has at most %(max)s.")
            % {"n": leaders - rules.max_leaders, "max": rules.max_leaders}
        )
    if households < rules.min_households:
        gaps.append(
            _("Add %(n)s more household(s): a group needs %(min)s to %(max)s besides its leaders.")
            % {
                "n": rules.min_households - households,
                "min": rules.min_households,
                "max": rules.max_households,
            }
        )
    elif households > rules.max_households:
        gaps.append(
            _("Remove %(n)s household(s): a group has at most %(max)s besides its leaders.")
            % {"n": households - rules.max_households, "max": rules.max_households}
        )
    return gaps
