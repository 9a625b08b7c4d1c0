from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    partner_reassign_auto = fields.Boolean(related="company_id.partner_reassign_auto", readonly=False)
    partner_answer_days = fields.Integer(related="company_id.partner_answer_days", readonly=False)
    partner_fund_payout = fields.Selection(related="company_id.partner_fund_payout", readonly=False)
    partner_fund_claim_days = fields.Integer(related="company_id.partner_fund_claim_days", readonly=False)
