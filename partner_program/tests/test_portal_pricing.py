import re

from odoo import fields
from odoo.tests import tagged

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalPricing(PartnerPortalCase):
    """/my/orders with the partner price, "Sales from my deals" and the discount on the program page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        discount = cls.env["partner.parameter.category"].create({
            "name": "Portal discount", "kind": "benefit", "benefit_type": "discount", "unit": "%"})
        cls.partner_type = cls.env["partner.type"].create({"name": "Portal Pricing Reseller"})
        cls.env["partner.level.parameter"].create([
            {"type_id": cls.partner_type.id, "grade_id": grade.id, "category_id": discount.id, "value": value}
            for grade, value in ((cls.grade_silver, 10), (cls.grade_gold, 15))
        ])
        cls.partnership = cls.env["partner.partnership"].create({
            "partner_id": cls.reseller_a.id, "type_id": cls.partner_type.id, "grade_id": cls.grade_silver.id,
        })
        cls.product = cls.env["product.product"].create({"name": "Portal Desk", "list_price": 1000.0})
        cls.own_order = cls._order(cls.reseller_a)
        cls.customer = cls.env["res.partner"].create({"name": "Croix-Rousse Bakery", "is_company": True})
        cls.deal_order = cls._order(cls.customer, opportunity_id=cls.opp_a.id)
        cls.other_customer = cls.env["res.partner"].create({"name": "Secret Customer of B", "is_company": True})
        cls.other_order = cls._order(cls.other_customer, opportunity_id=cls.opp_b.id)

    @classmethod
    def _order(cls, partner, **values):
        order = cls.env["sale.order"].create(dict({
            "partner_id": partner.id,
            "order_line": [fields.Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
        }, **values))
        order.action_confirm()
        return order

    def test_reseller_sees_its_own_orders_at_partner_price(self):
        self.assertEqual(self.own_order.amount_untaxed, 900.0)
        self._login(self.user_a)
        response = self.url_open("/my/orders")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own_order.name, response.text)
        self.assertNotIn(self.other_order.name, response.text)
        page = self.url_open(self.own_order.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("900.00", page.text)

    def test_reseller_sees_the_sales_of_its_deals_only(self):
        self._login(self.user_a)
        response = self.url_open("/my/deal-sales")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.deal_order.name, response.text)
        self.assertIn("Croix-Rousse Bakery", response.text)
        self.assertNotIn(self.other_order.name, response.text)
        self.assertNotIn("Secret Customer of B", response.text)
        self.assertNotIn(self.own_order.name, response.text)  # its own purchases are in /my/orders
        detail = self.url_open("/my/deal-sales/%s" % self.deal_order.id)
        self.assertEqual(detail.status_code, 200)
        self.assertIn("Croix-Rousse Bakery", detail.text)
        for foreign in (self.other_order.id, self.own_order.id, 999999999):
            other = self.url_open("/my/deal-sales/%s" % foreign)
            self.assertEqual(other.status_code, 404)
            self.assertNotIn("Secret Customer of B", other.text)
        # Odoo's own order page stays the customer's: the reseller cannot open its deal's order there
        odoo_page = self.url_open("/my/orders/%s" % self.deal_order.id, allow_redirects=False)
        self.assertIn(odoo_page.status_code, (302, 303, 403, 404))
        self.assertNotIn("Croix-Rousse Bakery", odoo_page.text)

    def test_deal_sales_list_is_searched_sorted_and_paged(self):
        self._login(self.user_a)
        found = self.url_open("/my/deal-sales?search=Croix-Rousse&sortby=amount&filterby=order")
        self.assertIn(self.deal_order.name, found.text)
        missed = self.url_open("/my/deal-sales?search=Secret&filterby=quotation")
        self.assertEqual(missed.status_code, 200)
        self.assertNotIn(self.deal_order.name, missed.text)
        for query in ("search=%00nul", "search=" + "x" * 30_000, "sortby=nonsense&filterby=nan", ""):
            response = self.url_open("/my/deal-sales/page/2?" + query)
            self.assertEqual(response.status_code, 200, query[:40])

    def test_other_reseller_customer_and_visitor_see_nothing(self):
        self._login(self.user_b)
        response = self.url_open("/my/deal-sales")
        self.assertIn(self.other_order.name, response.text)
        self.assertNotIn(self.deal_order.name, response.text)
        self.assertEqual(self.url_open("/my/deal-sales/%s" % self.deal_order.id).status_code, 404)
        self._login(self.user_customer)
        self.assertNotIn(self.deal_order.name, self.url_open("/my/deal-sales").text)
        self.assertEqual(self.url_open("/my/deal-sales/%s" % self.deal_order.id).status_code, 404)
        self._login(None)
        anonymous = self.url_open("/my/deal-sales/%s" % self.deal_order.id, allow_redirects=False)
        self.assertIn(anonymous.status_code, (302, 303))
        self.assertIn("/web/login", anonymous.headers["Location"])

    def test_program_page_shows_the_discount_in_force_and_the_next_one(self):
        self._login(self.user_a)
        response = self.url_open("/my/partner-program")
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.text, r"10\s*%\s*off list price")
        self.assertRegex(response.text, r"Test Gold</span>:\s*15\s*%\s*off list price")

    def test_program_page_measures_won_revenue_from_the_sales_of_its_deals(self):
        # the confirmed order of its deal (1,000.00), not the deal's expected revenue (8,000.00, in the pipeline),
        # nor its own purchase (900.00), nor the other reseller's deal's order (1,000.00)
        self.assertEqual((self.deal_order.amount_untaxed, self.opp_a.expected_revenue), (1000.0, 8000.0))
        self._login(self.user_a)
        response = self.url_open("/my/partner-program")
        self.assertEqual(response.status_code, 200)
        summary = re.search(r'id="partner_program_summary".*?</section>', response.text, re.S).group(0)
        figure = r"%s(?:(?!</div>).)*</div>\s*<div[^>]*>%s"
        self.assertRegex(summary, re.compile(figure % (r"1,000\.00", "Won revenue"), re.S))
        self.assertRegex(summary, re.compile(figure % (r"8,000\.00", "In pipeline"), re.S))

    def test_tour_reseller_opens_a_sale_of_its_deal(self):
        self.start_tour("/my", "partner_program_deal_sales", login=self.user_a.login)
