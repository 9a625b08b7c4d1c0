from odoo import fields, models

PERFORMANCE_SETTINGS = {
    "partner_performance_routing", "partner_performance_days", "partner_performance_min",
    "partner_performance_max", "partner_performance_prior",
}


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
    # Routing by performance (see res_partner_performance.py): off by default, pure level weights.
    partner_performance_routing = fields.Boolean(
        "Route by Performance",
        help="Scale each reseller's level weight by its performance factor: how often it accepts leads, how "
        "fast it answers, how often it wins them and how many it lets expire.",
    )
    partner_performance_days = fields.Integer(
        "Performance Period (days)", default=90, help="The factor looks at the leads answered in these last days.")
    partner_performance_min = fields.Float("Lowest Factor", default=0.5, digits=(16, 2))
    partner_performance_max = fields.Float("Highest Factor", default=1.5, digits=(16, 2))
    partner_performance_prior = fields.Integer(
        "Minimum History (leads)", default=10,
        help="A reseller's figures are blended with its level's average as if it had this many average leads "
        "more: a new reseller starts at 1.0 and one lucky win does not swing its factor.",
    )
    partner_performance_floor = fields.Float(
        "Fair Share Floor", default=0.5, digits=(16, 2),
        help="Within a distance ring, a reseller with capacity and a weight gets at least this fraction of the "
        "share its level weight alone would give it, whatever its factor.",
    )

    _partner_answer_days_positive = models.Constraint(
        "CHECK(partner_answer_days >= 0)", "The days to answer cannot be negative (0 turns the limit off)."
    )
    _partner_fund_claim_days_positive = models.Constraint(
        "CHECK(partner_fund_claim_days >= 0)", "The days to claim fund requests cannot be negative."
    )
    _partner_performance_bounds = models.Constraint(
        "CHECK(partner_performance_min > 0 AND partner_performance_min <= 1 AND partner_performance_max >= 1"
        " AND partner_performance_max <= 10)",
        "The lowest performance factor must be above 0 and at most 1, the highest at least 1 and at most 10.",
    )
    _partner_performance_days_positive = models.Constraint(
        "CHECK(partner_performance_days > 0 AND partner_performance_prior >= 0)",
        "The performance period must be at least one day and the minimum history cannot be negative.",
    )
    _partner_performance_floor_range = models.Constraint(
        "CHECK(partner_performance_floor >= 0 AND partner_performance_floor <= 1)",
        "The fair share floor is a fraction between 0 and 1.",
    )

    def write(self, vals):
        # Turning routing by performance on, or changing its period, bounds or prior: the factors are recomputed
        # at once, not at the next scheduled run. Turning it off needs nothing: the assignment then ignores the
        # factors, which stay computed for the routing simulation and the reseller's form.
        watched = PERFORMANCE_SETTINGS & set(vals)
        before = {company: {name: company[name] for name in watched} for company in self} if watched else {}
        result = super().write(vals)
        if any(company[name] != values[name] and (name != "partner_performance_routing" or company[name])
               for company, values in before.items() for name in watched):
            self.env["res.partner"].sudo()._performance_recompute()
        return result
