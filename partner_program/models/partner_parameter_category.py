from odoo import api, fields, models

OBLIGATION_MEASURES = [
    ("leads_registered", "Leads registered"),
    ("leads_accepted", "Leads accepted"),
    ("won_count", "Won opportunities"),
    ("won_revenue", "Won revenue"),
    ("pipeline_amount", "Opportunity amount in pipeline"),
    ("certified_contacts", "Certified contacts"),
    ("manual", "Manual entry"),
]
BENEFIT_TYPES = [
    ("discount", "Discount %"),
    ("fund_credit", "Fund credit %"),
    ("extra_discount", "Extra discount"),
    ("fund_request_cap", "Yearly fund requests cap"),
    ("text", "Free text"),
]


class PartnerParameterCategory(models.Model):
    _name = "partner.parameter.category"
    _description = "Partnership Parameter Category"
    _order = "kind desc, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [("obligation", "Obligation"), ("benefit", "Benefit")],
        required=True,
        default="obligation",
        help="Obligation: what the partner must achieve to enter a level. Benefit: what the level gives.",
    )
    unit = fields.Char(translate=True, help="Shown after targets and values, e.g. 'leads', '%', 'EUR'.")
    measure = fields.Selection(
        OBLIGATION_MEASURES,
        compute="_compute_measure",
        store=True,
        readonly=False,
        precompute=True,
        help="How the partnership's progress on this obligation is measured over its period:\n"
        "- Leads registered: leads assigned to the partner during the period\n"
        "- Leads accepted: of those, the ones converted into opportunities\n"
        "- Won opportunities: opportunities of the partner won during the period\n"
        "- Won revenue: untaxed amount of the confirmed sale orders of the partner's opportunities, by order date\n"
        "- Opportunity amount in pipeline: expected revenue of its open opportunities assigned during the period\n"
        "- Certified contacts: the partner's contacts holding a valid certification\n"
        "- Manual entry: typed in by the partner manager on the partnership",
    )
    benefit_type = fields.Selection(
        BENEFIT_TYPES,
        compute="_compute_benefit_type",
        store=True,
        readonly=False,
        precompute=True,
        help="Fund credit %: share of each won opportunity credited to the partner's funds that use this "
        "category. Yearly fund requests cap: the most a partner at this level gets approved from its funds "
        "in a calendar year (in the fund's currency).",
    )
    description = fields.Text(translate=True)

    _kind_consistent = models.Constraint(
        "CHECK((kind = 'obligation' AND measure IS NOT NULL AND benefit_type IS NULL)"
        " OR (kind = 'benefit' AND benefit_type IS NOT NULL AND measure IS NULL))",
        "An obligation needs a measure and a benefit needs a benefit type.",
    )

    @api.depends("kind")
    def _compute_measure(self):
        for category in self:
            if category.kind != "obligation":
                category.measure = False
            elif not category.measure:
                category.measure = "manual"

    @api.depends("kind")
    def _compute_benefit_type(self):
        for category in self:
            if category.kind != "benefit":
                category.benefit_type = False
            elif not category.benefit_type:
                category.benefit_type = "text"

    def write(self, vals):
        result = super().write(vals)
        if {"kind", "benefit_type"} & set(vals):
            # a category that becomes (or stops being) a discount changes the price lists of the tiers using it
            parameters = self.env["partner.level.parameter"].sudo().search([("category_id", "in", self.ids)])
            parameters._check_discount_range()
            parameters._sync_pricing(parameters.type_id)
        return result
