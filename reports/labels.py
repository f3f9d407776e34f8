"""Names and one-line formulas of the indicators, shown beside every figure (DESIGN §7)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LABELS = {
    "membership_rate": _("Membership rate"),
    "poor_membership_rate": _("Poor membership rate"),
    "poor_share_of_members": _("Poor share of members"),
    "borrowing_rate": _("Borrowing rate"),
    "poor_borrower_coverage": _("Poor borrower coverage"),
    "fund_usage_rate": _("Fund usage rate"),
    "turnover": _("Turnover"),
    "on_time_repayment_rate": _("On-time repayment rate"),
    "cumulative_repayment_rate": _("Cumulative repayment rate"),
    "par30": _("PAR30"),
    "effective_fee_yield": _("Effective fee yield"),
    "training_coverage": _("Training coverage"),
    "capital": _("Fund capital"),
    "outstanding_principal": _("Outstanding principal"),
    "overdue_principal": _("Overdue principal"),
    "par30_principal": _("Principal at risk (PAR30)"),
    "disbursed": _("Disbursed in the period"),
    "repaid_principal": _("Principal repaid in the period"),
    "written_off": _("Written off in the period"),
    "unmet_demand": _("Unmet demand"),
    "members": pgettext_lazy("count", "Member households"),
    "borrowers": _("Borrowers in the period"),
    "cash": _("Cash on hand and in the bank"),
}

EXPLANATIONS = {
    "membership_rate": _("member households ÷ households in the villages"),
    "poor_membership_rate": _(
        "registered-poor member households ÷ registered-poor households in the villages"
    ),
    "poor_share_of_members": _("registered-poor members ÷ members"),
    "borrowing_rate": _("members who borrowed in the period ÷ members"),
    "poor_borrower_coverage": _(
        "registered-poor members who borrowed in the period ÷ registered-poor members"
    ),
    "fund_usage_rate": _("outstanding principal ÷ total fund capital, on the date"),
    "turnover": _("all disbursements up to the date ÷ total fund capital"),
    "on_time_repayment_rate": _(
        "principal due in the period and repaid by its due date ÷ principal due in the period"
    ),
    "cumulative_repayment_rate": _(
        "principal collected of what has fallen due ÷ principal fallen due"
    ),
    "par30": _("outstanding principal of loans more than 30 days past due ÷ outstanding principal"),
    "effective_fee_yield": _(
        "usage-fee income of the period ÷ average outstanding principal of the period"
    ),
    "training_coverage": _("members at a training from 1 January to the date ÷ members"),
    "capital": _(
        "government capital + donations + member contributions + bank borrowings + "
        "accumulation, on the date"
    ),
    "outstanding_principal": _("disbursed − principal repaid − written off, up to the date"),
    "overdue_principal": _("outstanding principal of loans with an unpaid instalment past due"),
    "unmet_demand": _("amount of the applications waiting for funds"),
    "cash": _("balance of the cash and bank accounts on the date"),
}
