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

    def test_rhone_solutions_buys_at_its_gold_price_and_sees_its_deal_sales(self):
        reseller = self.env.ref("partner_program.reseller_lyon")
        gold = self.env.ref("partner_program.partnership_reseller_lyon").pricelist_in_force_id
        self.assertEqual(reseller.property_product_pricelist, gold)
        for xmlid in ("sale_order_reseller_lyon_order", "sale_order_reseller_lyon_quotation"):
            order = self.env.ref("partner_program.%s" % xmlid)
            self.assertEqual(order.pricelist_id, gold)
            self.assertEqual(order.order_line.discount, 15)
        user = self.env.ref("partner_program.user_reseller_lyon")
        deal_sales = self.env["sale.order"].with_user(user)._portal_deal_sales()
        self.assertEqual(deal_sales, self.env.ref("partner_program.sale_order_deal_lyon_won"))
        # what its program page counts as won revenue: the confirmed order of its deal (its own purchase and
        # the won deal not ordered yet do not count)
        partnership = self.env.ref("partner_program.partnership_reseller_lyon")
        self.assertEqual(partnership.won_revenue, deal_sales.amount_untaxed)
        self.assertTrue(partnership.won_revenue)
