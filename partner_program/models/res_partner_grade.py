from odoo import fields, models


class ResPartnerGrade(models.Model):
    _name = "res.partner.grade"
    _inherit = ["res.partner.grade", "website.published.mixin"]

    partner_weight = fields.Integer(
        "Level Weight",
        default=1,
        help="Share of automatically assigned leads a reseller of this level gets, relative to the other "
        "levels. 0 means resellers of this level never get leads automatically.",
    )

    _partner_weight_positive = models.Constraint(
        "CHECK(partner_weight >= 0)",
        "A level weight cannot be negative: use 0 for a level that never gets leads.",
    )

    def _default_is_published(self):
        return True

    def _compute_website_url(self):
        res = super()._compute_website_url()
        for grade in self:
            grade.website_url = "/partners/grade/%s" % self.env["ir.http"]._slug(grade)
        return res
