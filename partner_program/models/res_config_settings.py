from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    partner_reassign_auto = fields.Boolean(related="company_id.partner_reassign_auto", readonly=False)
    partner_answer_days = fields.Integer(related="company_id.partner_answer_days", readonly=False)
