from odoo import api, fields, models
from odoo.exceptions import UserError


class PartnerMarketingActivity(models.Model):
    _name = "partner.marketing.activity"
    _description = "Partner Marketing Activity"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    partnership_id = fields.Many2one(
        "partner.partnership", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="partnership_id.partner_id", store=True)
    company_id = fields.Many2one(related="partnership_id.company_id", store=True)
    currency_id = fields.Many2one(related="partnership_id.currency_id")
    date_start = fields.Date("Start Date", required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date("End Date", tracking=True)
    budget = fields.Monetary(tracking=True)
    description = fields.Text()
    fund_id = fields.Many2one(
        "partner.fund", "Paid From", domain="[('partnership_id', '=', partnership_id)]", tracking=True,
        help="Fund the budget is debited from.",
    )
    operation_id = fields.Many2one("partner.fund.operation", "Fund Debit", readonly=True, copy=False)
    fund_request_id = fields.Many2one(
        "partner.fund.request", readonly=True, copy=False, index="btree_not_null",
        help="The partner's fund request this activity was approved from: its approved claim debits the fund.",
    )

    _dates_ordered = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "A marketing activity cannot end before it starts."
    )
    _budget_positive = models.Constraint("CHECK(budget >= 0)", "A budget cannot be negative.")

    @api.constrains("fund_id", "partnership_id")
    def _check_fund_of_partnership(self):
        for activity in self:
            if activity.fund_id and activity.fund_id.partnership_id != activity.partnership_id:
                raise UserError(self.env._("An activity is paid from a fund of its own partnership."))

    def action_debit_fund(self):
        """Debit each activity's budget from its fund, once; the debit is linked to the activity."""
        for activity in self:
            if activity.fund_request_id:
                raise UserError(self.env._(
                    "%(name)s is paid by its fund request's approved claim.", name=activity.name
                ))
            if activity.operation_id:
                raise UserError(self.env._("%(name)s has already been debited.", name=activity.name))
            if not activity.fund_id or activity.budget <= 0:
                raise UserError(self.env._("%(name)s needs a fund and a budget to be debited.", name=activity.name))
        operations = self.env["partner.fund.operation"].create([{
            "fund_id": activity.fund_id.id,
            "operation_type": "debit",
            "amount": activity.budget,
            "date": activity.date_start,
            "source": "activity",
            "marketing_activity_id": activity.id,
            "name": activity.name,
        } for activity in self])
        for activity, operation in zip(self, operations, strict=True):
            activity.operation_id = operation
        return True
