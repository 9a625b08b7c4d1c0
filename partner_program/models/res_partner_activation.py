from odoo import fields, models


class ResPartnerActivation(models.Model):
    _name = "res.partner.activation"
    _description = "Partner Activation"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint("UNIQUE(name)", "An activation with this name already exists.")
