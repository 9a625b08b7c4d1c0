from odoo import fields, models


class PartnerApplicationAnswer(models.Model):
    _name = "partner.application.answer"
    _description = "Partner Application Answer"
    _order = "sequence, id"

    application_id = fields.Many2one("partner.application", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="application_id.company_id", store=True)
    question_id = fields.Many2one("partner.group.question", "Form Question", ondelete="set null")
    # The question's wording when answered: the group's form may change later.
    name = fields.Char("Question", required=True)
    sequence = fields.Integer()
    value = fields.Text("Answer")
