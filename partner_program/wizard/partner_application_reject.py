from odoo import fields, models


class PartnerApplicationReject(models.TransientModel):
    _name = "partner.application.reject"
    _description = "Reject Partner Applications"

    application_ids = fields.Many2many("partner.application", string="Applications", required=True)
    reason = fields.Text(required=True, help="Sent to the applicant.")
    send_mail = fields.Boolean("Email the Applicant", default=True)

    def action_reject(self):
        self.ensure_one()
        self.application_ids._reject(self.reason, send_mail=self.send_mail)
        return {"type": "ir.actions.act_window_close"}
