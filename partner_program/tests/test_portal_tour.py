from odoo.tests import tagged

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalTour(PartnerPortalCase):
    def test_reseller_accepts_a_lead_and_moves_the_opportunity_in_the_browser(self):
        self.start_tour("/my/leads", "partner_program_portal_interested", login=self.user_a.login)
        lead = self.lead_a
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_assigned_id, self.reseller_a)
        self.assertEqual(lead.expected_revenue, 15000)
        self.assertEqual(lead.stage_id, self.stage_proposition)
        self.assertEqual(lead.activity_ids.summary, "Demo of the solution")
        self.assertEqual(str(lead.activity_ids.date_deadline), "2099-01-15")
