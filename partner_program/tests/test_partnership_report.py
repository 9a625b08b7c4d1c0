from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LYON, NEW_YORK, PartnerProgramCase

MEASURES = ["nbr_leads:sum", "nbr_opportunities:sum", "won_revenue:sum", "turnover:sum",
            "acceptance_rate:avg", "days_to_accept:avg"]


@tagged("post_install", "-at_install")
class TestPartnershipReport(PartnerProgramCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_salesperson = new_test_user(cls.env, "pp_report_own", groups="sales_team.group_sale_salesman")
        cls.lyon = cls._reseller("Lyon Reseller", LYON, grade=cls.grade_gold,
                                 activation=cls.env.ref("partner_program.res_partner_activation_fully_operational").id)
        cls.newyork = cls._reseller("New York Reseller", NEW_YORK, country=cls.us, grade=cls.grade_silver,
                                    user_id=cls.own_salesperson.id)
        cls.lyon_contact = cls.env["res.partner"].create({"name": "Lyon buyer", "parent_id": cls.lyon.id})
        customer = cls.env["res.partner"].create({"name": "Direct customer"})

        # Lyon: 4 leads assigned on 10 January; two became opportunities (3 and 10 days later), one of
        # them won for 1,000; one was lost without being converted.
        waiting, accepted, won, lost = cls._leads(4, LYON, partner_assigned_id=cls.lyon.id)
        (waiting | accepted | won | lost).date_partner_assign = date(2024, 1, 10)
        for lead, day in ((accepted, 13), (won, 20)):
            lead.convert_opportunity(cls.env["res.partner"])
            lead.date_conversion = datetime(2024, 1, day, 15, 0)
        won.expected_revenue = 1000
        won.action_set_won()
        accepted.expected_revenue = 5000  # not won: no won revenue
        lost.action_set_lost()
        # An opportunity forwarded after its conversion: accepted, but no delay to measure.
        late = cls._leads(1, LYON, type="opportunity", partner_assigned_id=cls.lyon.id)
        late.date_conversion = datetime(2024, 1, 2, 9, 0)
        late.date_partner_assign = date(2024, 1, 10)
        # New York: one lead, untouched.
        cls._leads(1, NEW_YORK, country=cls.us, partner_assigned_id=cls.newyork.id)

        # Invoices: Lyon bought 500 (invoice) minus 100 (refund to one of its contacts); the draft and
        # the invoice of a customer who is no reseller do not count.
        cls._invoice(cls.lyon, 500)
        cls._invoice(cls.lyon_contact, 100, move_type="out_refund")
        cls._invoice(cls.lyon, 9999, post=False)
        cls._invoice(customer, 777)

    @classmethod
    def _invoice(cls, partner, amount, move_type="out_invoice", post=True):
        move = cls.env["account.move"].create({
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": date(2024, 2, 1),
            "invoice_line_ids": [(0, 0, {"name": "Licences", "quantity": 1, "price_unit": amount,
                                         "tax_ids": [(6, 0, [])]})],
        })
        if post:
            move.action_post()
        return move

    def _report(self, groupby, user=None):
        Report = self.env["crm.partner.report"].with_user(user or self.env.user)
        rows = Report._read_group([("partner_id", "in", (self.lyon | self.newyork).ids)], [groupby], MEASURES)
        return {group: dict(zip(MEASURES, values, strict=True)) for group, *values in rows}

    def test_measures_per_reseller_equal_hand_computed_ones(self):
        report = self._report("partner_id")
        self.assertEqual(report[self.lyon], {
            "nbr_leads:sum": 5,
            "nbr_opportunities:sum": 3,
            "won_revenue:sum": 1000,
            "turnover:sum": 400,  # 500 - 100; never multiplied by the number of leads
            "acceptance_rate:avg": 60.0,  # 3 opportunities out of 5 leads
            "days_to_accept:avg": 6.5,  # (3 + 10) / 2: the late opportunity has no delay
        })
        self.assertEqual(report[self.newyork], {
            "nbr_leads:sum": 1,
            "nbr_opportunities:sum": 0,
            "won_revenue:sum": 0,
            "turnover:sum": 0,
            "acceptance_rate:avg": 0.0,
            "days_to_accept:avg": False,  # nothing converted: empty, not 0
        })

    def test_other_groupings_keep_the_same_totals(self):
        by_level = self._report("grade_id")
        self.assertEqual(by_level[self.grade_gold]["nbr_leads:sum"], 5)
        self.assertEqual(by_level[self.grade_gold]["turnover:sum"], 400)
        self.assertEqual(by_level[self.grade_silver]["nbr_leads:sum"], 1)
        by_country = self._report("country_id")
        self.assertEqual(by_country[self.fr]["won_revenue:sum"], 1000)
        self.assertEqual(by_country[self.us]["acceptance_rate:avg"], 0.0)
        by_activation = self._report("activation")
        self.assertEqual(by_activation[self.lyon.activation]["nbr_opportunities:sum"], 3)
        by_month = self._report("date:month")
        self.assertEqual(by_month[date(2024, 1, 1)]["nbr_leads:sum"], 5)
        self.assertEqual(by_month[date(2024, 2, 1)]["turnover:sum"], 400)

    def test_own_documents_salesperson_sees_only_their_rows(self):
        rows = self.env["crm.partner.report"].with_user(self.own_salesperson).search([])
        self.assertIn(self.newyork, rows.partner_id)
        self.assertNotIn(self.lyon, rows.partner_id)
        self.assertLessEqual(set(rows.user_id.ids), {self.own_salesperson.id})
        self.assertEqual(self._report("partner_id", self.salesperson)[self.lyon]["nbr_leads:sum"], 5,
                         "an 'all leads' salesperson sees every reseller")

    def test_portal_user_cannot_read_the_report(self):
        portal = new_test_user(self.env, "pp_report_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.env["crm.partner.report"].with_user(portal).search([])

    def test_menu_under_crm_reporting_for_partner_program_users(self):
        menu = self.env.ref("partner_program.menu_crm_partner_report")
        self.assertEqual(menu.parent_id, self.env.ref("crm.crm_menu_report"))
        self.assertEqual(menu.action.view_mode, "pivot,graph,list")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.own_salesperson)._visible_menu_ids())


@tagged("post_install", "-at_install")
class TestPartnershipReportUi(HttpCase):
    def test_report_opens_as_a_pivot_per_reseller(self):
        salesperson = new_test_user(self.env, "pp_tour_report", groups="sales_team.group_sale_salesman_all_leads")
        grade = self.env["res.partner.grade"].create({"name": "Tour level", "partner_weight": 1})
        reseller = self.env["res.partner"].create({"name": "Reykjavik Reseller", "is_company": True,
                                                   "grade_id": grade.id})
        self.env["crm.lead"].create({"name": "Reykjavik prospect", "partner_assigned_id": reseller.id})
        self.start_tour("/odoo/crm", "partner_program_partnership_report", login=salesperson.login)
