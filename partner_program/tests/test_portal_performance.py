from odoo.tests import tagged

from .common_performance import PerformanceMixin
from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalPerformance(PerformanceMixin, PartnerPortalCase):
    """The reseller's own performance on /my/partner-program, and the answer log written by its answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._performance_setup()
        # Both resellers in the same level, so that they are compared with each other.
        cls.reseller_b.grade_id = cls.reseller_a.grade_id
        cls._history(cls.reseller_a, accepted=9, declined=1, hours=1.5, won=3, lost=1)
        cls._history(cls.reseller_b, accepted=3, declined=4, expired=5, hours=77.7, won=0, lost=2)
        cls.env["res.partner"]._performance_recompute()

    def _page(self, user):
        self._login(user)
        response = self.url_open("/my/partner-program")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_reseller_sees_its_own_figures_and_how_to_raise_them(self):
        self.assertGreater(self.reseller_a.partner_performance_factor, 1.0)
        page = self._page(self.user_a)
        self.assertIn('id="partner_program_performance"', page)
        self.assertIn("Your lead routing", page)
        self.assertIn("× %.2f" % self.reseller_a.partner_performance_factor, page)
        for text in ("90 %", 'o_pp_perf_hours">1.5<', "Median time to answer (hours)", "75 %",
                     "Answer within a few hours", "Win more of the leads you accept", "rather than let it expire"):
            self.assertIn(text, page)
        # Nothing of the other reseller: neither its factor nor its inputs.
        for text in ("77.7", "25 %", "× %.2f" % self.reseller_b.partner_performance_factor):
            self.assertNotIn(text, page)

    def test_other_reseller_sees_only_its_own(self):
        self.assertLess(self.reseller_b.partner_performance_factor, 1.0)
        page = self._page(self.user_b)
        self.assertIn('o_pp_perf_hours">77.7<', page)
        self.assertIn("× %.2f" % self.reseller_b.partner_performance_factor, page)
        self.assertNotIn('o_pp_perf_hours">1.5<', page)
        self.assertNotIn("90 %", page)

    def test_no_block_without_routing_or_for_a_customer(self):
        self.env.company.partner_performance_routing = False
        self.assertGreater(self.reseller_a.partner_performance_factor, 1.0)  # computed, but not applied
        self.assertNotIn("partner_program_performance", self._page(self.user_a))
        self.env.company.partner_performance_routing = True
        self.assertNotIn("partner_program_performance", self._page(self.user_customer))

    def test_logged_out_is_sent_to_login(self):
        self._login(None)
        response = self.url_open("/my/partner-program", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------ the log written by the portal
    def test_accepting_from_the_portal_logs_the_answer(self):
        lead = self._portal_lead("Perf lead of a contact", self.contact_a2)
        self._login(self.user_a)
        response = self._post("/my/lead/%s/interested" % lead.id, self._interested_form())
        self.assertEqual(response.status_code, 303)
        row = self.env["partner.lead.answer"].search([("lead_id", "=", lead.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual((row.partner_id, row.outcome), (self.reseller_a, "accepted"))
        self.assertTrue(row.date_assigned)
        self.assertGreaterEqual(row.answer_hours, 0)
        self.assertEqual(row.won_status, "pending")

    def test_declining_from_the_portal_logs_the_answer(self):
        self._login(self.user_a)
        token = self._csrf("/my/lead/%s" % self.lead_a.id)
        response = self._post("/my/lead/%s/not_interested" % self.lead_a.id, {"comment": "Too far"}, token=token)
        self.assertEqual(response.status_code, 303)
        row = self.env["partner.lead.answer"].search([("lead_id", "=", self.lead_a.id)])
        self.assertEqual((row.partner_id, row.outcome), (self.reseller_a, "declined"))
        # Posting again changes nothing: the lead is no longer the reseller's.
        again = self._post("/my/lead/%s/not_interested" % self.lead_a.id, {"comment": "Again"}, token=token)
        self.assertNotEqual(again.status_code, 200)
        self.assertEqual(self.env["partner.lead.answer"].search_count([("lead_id", "=", self.lead_a.id)]), 1)

    def test_odoo_api_accept_logs_the_answer(self):
        lead = self._portal_lead("Perf API lead", self.reseller_a)
        lead.with_user(self.user_a).partner_interested("Call tomorrow")
        row = self.env["partner.lead.answer"].search([("lead_id", "=", lead.id)])
        self.assertEqual((row.partner_id, row.outcome), (self.reseller_a, "accepted"))
