from odoo import fields, models, tools
from odoo.tools import SQL

ORIGINS = [("registered", "Registered Deal"), ("other", "Other Partner Lead")]


class PartnerLeadOriginReport(models.Model):
    """Registered deals against the other leads of the resellers: one row per lead assigned to a reseller,
    with where it came from. A registered deal is the opportunity of a deal registration that was approved
    (approved, or expired since); every other assigned lead is an "other partner lead"."""

    _name = "partner.lead.origin.report"
    _description = "Registered Deals vs Other Partner Leads"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"

    lead_id = fields.Many2one("crm.lead", readonly=True)
    origin = fields.Selection(ORIGINS, readonly=True)
    deal_registration_id = fields.Many2one("partner.deal.registration", readonly=True)
    partner_id = fields.Many2one("res.partner", "Reseller", readonly=True)
    grade_id = fields.Many2one("res.partner.grade", "Level", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True, help="When the lead was assigned to the reseller (else created).")
    won_status = fields.Selection([("won", "Won"), ("lost", "Lost"), ("pending", "Pending")], "Won/Lost",
                                  readonly=True)
    nbr_leads = fields.Integer("# Leads", readonly=True)
    won = fields.Integer("# Won", readonly=True, help="1 for a won lead, else 0: its sum counts the won leads.")
    lost = fields.Integer("# Lost", readonly=True)
    win_rate = fields.Float("Win Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
                            help="Share of the closed leads (won or lost) that are won; leads still pending are "
                                 "counted in # Leads but not in the rate.")
    won_revenue = fields.Monetary(readonly=True, help="Expected revenue of the won leads.")

    _depends = {
        "crm.lead": ["active", "company_id", "create_date", "date_partner_assign", "deal_registration_id",
                     "expected_revenue", "partner_assigned_id", "team_id", "user_id", "won_status"],
        "partner.deal.registration": ["state"],
        "res.partner": ["grade_id"],
    }

    def _query(self):
        # Lost leads are archived: count them too, they were the reseller's. A registration rejected after its
        # approval does not make its opportunity a registered deal any more.
        return SQL(
            """
            SELECT l.id AS id,
                   l.id AS lead_id,
                   CASE WHEN r.id IS NOT NULL THEN 'registered' ELSE 'other' END AS origin,
                   r.id AS deal_registration_id,
                   l.partner_assigned_id AS partner_id,
                   p.grade_id,
                   l.user_id,
                   l.team_id,
                   l.company_id,
                   c.currency_id,
                   coalesce(l.date_partner_assign, l.create_date::date) AS date,
                   l.won_status,
                   1 AS nbr_leads,
                   CASE WHEN l.won_status = 'won' THEN 1 ELSE 0 END AS won,
                   CASE WHEN l.won_status = 'lost' THEN 1 ELSE 0 END AS lost,
                   CASE l.won_status WHEN 'won' THEN 100.0 WHEN 'lost' THEN 0.0 END AS win_rate,
                   CASE WHEN l.won_status = 'won' THEN coalesce(l.expected_revenue, 0) ELSE 0 END AS won_revenue
              FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_assigned_id
              LEFT JOIN res_company c ON c.id = l.company_id
              LEFT JOIN partner_deal_registration r
                     ON r.id = l.deal_registration_id AND r.state IN ('approved', 'expired')
             WHERE l.active OR l.won_status = 'lost'
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
