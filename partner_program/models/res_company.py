from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    partner_reassign_auto = fields.Boolean(
        "Re-assign Declined Leads",
        help="When a reseller declines a lead from the portal, assign it at once to the next eligible reseller "
        "(leads marked as spam are kept back).",
    )
    partner_answer_days = fields.Integer(
        "Days to Answer",
        help="Resellers must accept or decline a lead within this many days: they get a reminder half-way, then "
        "the lead is taken back and given to the next reseller. 0 turns it off.",
    )

    _partner_answer_days_positive = models.Constraint(
        "CHECK(partner_answer_days >= 0)", "The days to answer cannot be negative (0 turns the limit off)."
    )
