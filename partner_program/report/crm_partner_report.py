from odoo import fields, models
from odoo.tools import SQL


class CrmPartnerReport(models.Model):
    """Partnership analysis: one row per lead assigned to a reseller, one row per posted customer
    invoice or refund of a reseller. Invoice rows carry the turnover only and NULL rates, so sums and
    averages stay right whatever the grouping."""

    _name = "crm.partner.report"
    _description = "Partnership Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", "Reseller", readonly=True)
    grade_id = fields.Many2one("res.partner.grade", "Level", readonly=True)
    activation = fields.Many2one("res.partner.activation", readonly=True)
    country_id = fields.Many2one("res.country", "Reseller Country", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True,
                              help="The lead's salesperson; for invoices, the reseller's salesperson.")
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True,
                       help="Assignment date for leads, invoice date for invoices.")
    lead_id = fields.Many2one("crm.lead", readonly=True)
    won_status = fields.Selection([("won", "Won"), ("lost", "Lost"), ("pending", "Pending")], "Won/Lost",
                                  readonly=True)
    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    nbr_leads = fields.Integer("# Leads Assigned", readonly=True)
    nbr_opportunities = fields.Integer("# Opportunities", readonly=True)
    won_revenue = fields.Monetary(readonly=True,
                                  help="Expected revenue of the won opportunities.")
    turnover = fields.Monetary("Invoiced Turnover", readonly=True,
                               help="Untaxed amount of the reseller's posted customer invoices minus refunds, "
                                    "in company currency.")
    acceptance_rate = fields.Float("Acceptance Rate (%)", readonly=True, aggregator="avg",
                                   help="Share of the assigned leads that are opportunities.")
    days_to_accept = fields.Float("Days to Accept", readonly=True, aggregator="avg", digits=(16, 1),
                                  help="Days from the assignment to the reseller's 'I'm interested' in the "
                                       "portal, else to the conversion into an opportunity; empty when not "
                                       "accepted, or accepted before the assignment.")

    _depends = {
        "crm.lead": [
            "active", "company_id", "date_conversion", "date_partner_accept", "date_partner_assign",
            "expected_revenue", "partner_assigned_id", "team_id", "type", "user_id", "won_status",
        ],
        "res.partner": ["activation", "country_id", "grade_id", "user_id"],
        "account.move": ["amount_untaxed_signed", "commercial_partner_id", "company_id", "invoice_date",
                         "move_type", "state", "team_id"],
    }

    @property
    def _table_query(self):
        # Lost leads are archived: count them too, they were assigned. Ids stay unique: even for
        # leads, odd for invoices.
        return SQL(
            """
            SELECT 2 * l.id AS id,
                   l.id AS lead_id,
                   NULL::integer AS move_id,
                   l.partner_assigned_id AS partner_id,
                   p.grade_id,
                   p.activation,
                   p.country_id,
                   l.user_id,
                   l.team_id,
                   l.company_id,
                   c.currency_id,
                   l.date_partner_assign AS date,
                   l.won_status,
                   1 AS nbr_leads,
                   CASE WHEN l.type = 'opportunity' THEN 1 ELSE 0 END AS nbr_opportunities,
                   CASE WHEN l.won_status = 'won' THEN coalesce(l.expected_revenue, 0) ELSE 0 END AS won_revenue,
                   0 AS turnover,
                   CASE WHEN l.type = 'opportunity' THEN 100.0 ELSE 0.0 END AS acceptance_rate,
                   -- the reseller's own "I'm interested" when it answered through the portal, else the conversion
                   CASE WHEN coalesce(l.date_partner_accept, l.date_conversion)::date >= l.date_partner_assign
                        THEN (coalesce(l.date_partner_accept, l.date_conversion)::date - l.date_partner_assign)::float
                   END AS days_to_accept
              FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_assigned_id
              LEFT JOIN res_company c ON c.id = l.company_id
             WHERE l.active OR l.won_status = 'lost'
            UNION ALL
            SELECT 2 * m.id + 1 AS id,
                   NULL::integer AS lead_id,
                   m.id AS move_id,
                   m.commercial_partner_id AS partner_id,
                   p.grade_id,
                   p.activation,
                   p.country_id,
                   p.user_id,
                   m.team_id,
                   m.company_id,
                   c.currency_id,
                   m.invoice_date AS date,
                   NULL AS won_status,
                   0 AS nbr_leads,
                   0 AS nbr_opportunities,
                   0 AS won_revenue,
                   m.amount_untaxed_signed AS turnover,
                   NULL AS acceptance_rate,
                   NULL AS days_to_accept
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              JOIN res_company c ON c.id = m.company_id
             WHERE m.move_type IN ('out_invoice', 'out_refund')
               AND m.state = 'posted'
               AND (p.grade_id IS NOT NULL
                    OR EXISTS (SELECT 1 FROM crm_lead a WHERE a.partner_assigned_id = p.id))
            """
        )
