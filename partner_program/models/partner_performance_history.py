"""partner.performance.history: the reseller's performance factor and its inputs, one row per change."""
from odoo import fields, models

from .res_partner_performance import PERFORMANCE_CAUSES


class PartnerPerformanceHistory(models.Model):
    _name = "partner.performance.history"
    _inherit = ["partner.append.only.mixin"]
    _description = "Reseller Performance History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", "Reseller", required=True, ondelete="cascade", index=True,
                                 readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    grade_id = fields.Many2one("res.partner.grade", "Level", readonly=True)
    date = fields.Datetime("Computed On", required=True, readonly=True)
    factor = fields.Float("Performance Factor", digits=(16, 2), readonly=True, aggregator="avg")
    acceptance = fields.Float("Acceptance Rate", readonly=True, aggregator="avg")
    answer_hours = fields.Float("Median Time to Answer (h)", digits=(16, 2), readonly=True, aggregator="avg")
    win_rate = fields.Float(readonly=True, aggregator="avg")
    timeouts = fields.Integer("Expired Leads", readonly=True)
    sample = fields.Integer("Leads Counted", readonly=True)
    cause = fields.Selection(PERFORMANCE_CAUSES, "Main Cause", readonly=True)

    def _append_only_messages(self):
        return (self.env._("The performance history cannot be changed."),
                self.env._("The performance history cannot be deleted."))
