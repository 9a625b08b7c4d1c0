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
    partner_fund_payout = fields.Selection(
        [("vendor_bill", "Vendor bill"), ("credit_note", "Credit note")],
        "Fund Claims Paid By", default="vendor_bill", required=True,
        help="An approved fund claim is paid to the partner with a vendor bill, or with a credit note on its "
        "customer account.",
    )
    partner_fund_claim_days = fields.Integer(
        "Days to Claim", default=30,
        help="An approved fund request must be claimed within this many days after the activity ends; then "
        "it expires and its reserved amount is released. Partners are reminded a week before.",
    )

    _partner_answer_days_positive = models.Constraint(
        "CHECK(partner_answer_days >= 0)", "The days to answer cannot be negative (0 turns the limit off)."
    )
    _partner_fund_claim_days_positive = models.Constraint(
        "CHECK(partner_fund_claim_days >= 0)", "The days to claim fund requests cannot be negative."
    )
