from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    partner_reassign_auto = fields.Boolean(related="company_id.partner_reassign_auto", readonly=False)
    partner_answer_days = fields.Integer(related="company_id.partner_answer_days", readonly=False)
    partner_fund_payout = fields.Selection(related="company_id.partner_fund_payout", readonly=False)
    partner_fund_claim_days = fields.Integer(related="company_id.partner_fund_claim_days", readonly=False)
    partner_performance_routing = fields.Boolean(related="company_id.partner_performance_routing", readonly=False)
    partner_performance_days = fields.Integer(related="company_id.partner_performance_days", readonly=False)
    partner_performance_min = fields.Float(related="company_id.partner_performance_min", readonly=False)
    partner_performance_max = fields.Float(related="company_id.partner_performance_max", readonly=False)
    partner_performance_prior = fields.Integer(related="company_id.partner_performance_prior", readonly=False)
    partner_performance_floor = fields.Float(related="company_id.partner_performance_floor", readonly=False)

    def action_partner_performance_recompute(self):
        """Settings button: recompute the resellers' performance factors now (managers only)."""
        return self.env["res.partner"].action_performance_recompute()
