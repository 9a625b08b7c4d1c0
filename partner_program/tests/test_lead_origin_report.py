from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PartnerProgramCase

MEASURES = ["__count", "won:sum", "lost:sum", "win_rate:avg"]


@tagged("post_install", "-at_install")
class TestLeadOriginReport(PartnerProgramCase):
    """Registered deals vs other partner leads: per reseller and period, how many leads, how many won, the win
    rate (won among the closed ones)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(cls.env, "pp_origin_manager",
                                    groups="partner_program.group_partner_program_manager")
        cls.own_salesperson = new_test_user(cls.env, "pp_origin_own", groups="sales_team.group_sale_salesman")
        cls.reseller_a = cls._reseller("Origin Reseller A")
        cls.reseller_b = cls._reseller("Origin Reseller B")

        # Reseller A's registered deals: won, lost, pending, and one won after its protection expired.
        won, lost, _pending, expired = cls._approved_registrations(cls.reseller_a, "won", "lost", "pending", "expired")
        won.lead_id.action_set_won()
        lost.lead_id.action_set_lost()
        expired.lead_id.action_set_won()
        expired.protection_end = fields.Date.today() - timedelta(days=1)
        cls.env["partner.deal.registration"]._cron_expire()
        cls.expired = expired
        # Rejected before approval: no lead, nothing to count. Approved then rejected: its opportunity stays the
        # reseller's, but is no registered deal any more.
        cls._registration(cls.reseller_a, "refused").write({"state": "rejected"})
        cls.revoked = cls._approved_registrations(cls.reseller_a, "revoked")
        cls.revoked.rejection_reason = "Our account manager follows this customer."
        cls.revoked.action_reject()

        # Reseller A's other leads: won and lost in 2024, lost and pending in 2025.
        other = cls._leads(4, type="opportunity", partner_assigned_id=cls.reseller_a.id, company_id=cls.company.id,
                           user_id=cls.salesperson.id)
        other[:2].date_partner_assign = date(2024, 3, 1)
        other[2:].date_partner_assign = date(2025, 3, 1)
        other[0].action_set_won()
        other[1:3].action_set_lost()
        # Reseller B: two other leads, both won, followed by an "own documents" salesperson.
        other_b = cls._leads(2, type="opportunity", partner_assigned_id=cls.reseller_b.id,
                             company_id=cls.company.id, user_id=cls.own_salesperson.id)
        other_b.action_set_won()
        # Not assigned to a reseller: not in the report.
        cls.unassigned = cls._leads(1, type="opportunity", company_id=cls.company.id)
        cls.unassigned.action_set_won()

        # Another company: one reseller lead, won, and a user who works there only.
        cls.company_2 = cls.env["res.company"].create({"name": "Origin Other Company"})
        cls.reseller_c = cls._reseller("Origin Reseller C")
        cls.lead_c = cls._leads(1, type="opportunity", partner_assigned_id=cls.reseller_c.id,
                                company_id=cls.company_2.id, user_id=False, team_id=False)
        cls.lead_c.action_set_won()
        cls.manager_2 = new_test_user(cls.env, "pp_origin_manager_2",
                                      groups="partner_program.group_partner_program_manager",
                                      company_id=cls.company_2.id)

    @classmethod
    def _registration(cls, reseller, name):
        return cls.env["partner.deal.registration"].create({
            "name": "Deal %s" % name, "partner_id": reseller.id, "company_id": cls.company.id,
            "customer_name": "Customer %s" % name, "email_from": "buyer@customer-%s.example.org" % name,
        })

    @classmethod
    def _approved_registrations(cls, reseller, *names):
        registrations = cls.env["partner.deal.registration"].browse()
        for name in names:
            registrations |= cls._registration(reseller, name)
        registrations.action_approve()
        return registrations

    def _rows(self, user, groupby, domain):
        """{group keys: (count, won, lost, win rate)} as the pivot shows them to ``user``."""
        rows = self.env["partner.lead.origin.report"].with_user(user)._read_group(domain, groupby, MEASURES)
        return {tuple(row[:len(groupby)]): tuple(row[len(groupby):]) for row in rows}

    def test_counts_won_and_win_rate_per_reseller_and_origin(self):
        rows = self._rows(self.manager, ["partner_id", "origin"],
                          [("partner_id", "in", (self.reseller_a | self.reseller_b).ids)])
        rows = {key: (count, won, lost, round(rate, 2)) for key, (count, won, lost, rate) in rows.items()}
        self.assertEqual(rows, {
            # won, won after expiry, lost, pending: 2 won of 3 closed
            (self.reseller_a, "registered"): (4, 2, 1, 66.67),
            # 2024 won and lost, 2025 lost and pending, the revoked registration's opportunity (pending)
            (self.reseller_a, "other"): (5, 1, 2, 33.33),
            (self.reseller_b, "other"): (2, 2, 0, 100.0),
        })

    def test_rows_say_where_each_lead_came_from(self):
        report = self.env["partner.lead.origin.report"].with_user(self.manager)
        expired = report.search([("lead_id", "=", self.expired.lead_id.id)])
        self.assertEqual((expired.origin, expired.deal_registration_id, expired.won_status, expired.won,
                          expired.win_rate), ("registered", self.expired, "won", 1, 100.0))
        revoked = report.search([("lead_id", "=", self.revoked.lead_id.id)])
        self.assertEqual((revoked.origin, revoked.deal_registration_id.id, revoked.partner_id, revoked.won,
                          revoked.win_rate), ("other", False, self.reseller_a, 0, 0.0))
        self.assertFalse(report.search([("lead_id", "=", self.unassigned.id)]), "a lead of no reseller is not counted")

    def test_win_rate_per_period(self):
        rows = self._rows(self.manager, ["date:year"],
                          [("partner_id", "=", self.reseller_a.id), ("origin", "=", "other")])
        this_year = fields.Date.today().replace(month=1, day=1)
        self.assertEqual(rows[(date(2024, 1, 1),)], (2, 1, 1, 50.0))
        self.assertEqual(rows[(date(2025, 1, 1),)], (2, 0, 1, 0.0))
        self.assertEqual(rows[(this_year,)][:3], (1, 0, 0), "the revoked registration's opportunity, pending")

    def test_another_company_does_not_see_the_rows_of_the_first(self):
        Report = self.env["partner.lead.origin.report"]
        ours = [("partner_id", "in", (self.reseller_a | self.reseller_b | self.reseller_c).ids)]
        rows_2 = Report.with_user(self.manager_2).search(ours)
        self.assertEqual(rows_2.lead_id, self.lead_c)
        self.assertEqual(self._rows(self.manager_2, ["partner_id"], ours), {(self.reseller_c,): (1, 1, 0, 100.0)})
        rows_1 = Report.with_user(self.manager).search(ours)
        self.assertEqual(rows_1.partner_id, self.reseller_a | self.reseller_b)
        self.assertNotIn(self.lead_c, rows_1.lead_id)
        self.assertEqual(rows_1.company_id, self.company)

    def test_own_documents_salesperson_sees_only_its_rows(self):
        rows = self.env["partner.lead.origin.report"].with_user(self.own_salesperson).search(
            [("partner_id", "in", (self.reseller_a | self.reseller_b).ids)])
        self.assertEqual(rows.partner_id, self.reseller_b)
        self.assertEqual(set(rows.user_id.ids), {self.own_salesperson.id})

    def test_portal_user_cannot_read_the_report(self):
        portal = new_test_user(self.env, "pp_origin_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.env["partner.lead.origin.report"].with_user(portal).search([])

    def test_pivot_and_graph_under_the_apps_reporting_menu(self):
        menu = self.env.ref("partner_program.menu_partner_lead_origin_report")
        self.assertEqual(menu.parent_id, self.env.ref("partner_program.menu_partner_program_reporting"))
        self.assertEqual(menu.action.view_mode, "pivot,graph,list")
        user = new_test_user(self.env, "pp_origin_user", groups="partner_program.group_partner_program_user")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
        pivot = self.env["partner.lead.origin.report"].with_user(user).get_views([(False, "pivot")])
        self.assertIn('name="win_rate"', pivot["views"]["pivot"]["arch"])
