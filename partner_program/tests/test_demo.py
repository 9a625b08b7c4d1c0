from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo tells the whole story: a partner manager opening it sees believable companies everywhere."""

    def test_every_demo_reseller_has_a_partnership_a_level_and_a_few_leads(self):
        data = self.env["ir.model.data"].search([
            ("module", "=", "partner_program"), ("model", "=", "res.partner"), ("name", "=like", "reseller\\_%"),
        ])
        resellers = self.env["res.partner"].browse(data.mapped("res_id")).filtered("is_company")
        self.assertTrue(resellers, "make test installs the demo data")
        self.assertGreaterEqual(len(resellers), 12)
        for reseller in resellers:
            with self.subTest(reseller=reseller.name):
                partnership = self.env["partner.partnership"].search([("partner_id", "=", reseller.id)])
                self.assertEqual(len(partnership), 1)
                self.assertEqual(partnership.grade_id, reseller.grade_id)
                self.assertTrue(partnership.fund_ids, "a marketing fund, like its level promises")
                leads = self.env["crm.lead"].with_context(active_test=False).search(
                    [("partner_assigned_id", "=", reseller.id)])
                self.assertGreaterEqual(len(leads), 2)
