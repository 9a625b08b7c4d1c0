from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestPartnerPricing(PartnershipCase):
    """The level's discount benefit is the price the partner pays, through Odoo's pricelists and sale orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grade_platinum = cls.env["res.partner.grade"].create({"name": "Test Platinum", "sequence": 0})
        cls.env["partner.level.parameter"].create({
            "type_id": cls.type_reseller.id, "grade_id": cls.grade_platinum.id,
            "category_id": cls.cat_discount.id, "value": 20,
        })
        cls.product = cls.env["product.product"].create({"name": "Pricing Desk", "list_price": 750.0})
        cls.reseller = cls._reseller("Pricing Gold Reseller")

    def _quote(self, partner, **values):
        return self.env["sale.order"].create(dict({
            "partner_id": partner.id,
            "order_line": [fields.Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
        }, **values))

    def _assert_price(self, order, discount):
        line = order.order_line
        self.assertAlmostEqual(line.price_subtotal, 750.0 * (100 - discount) / 100, places=2)
        # the Discounts feature is on since install: the line shows the list price and the discount
        self.assertEqual(line.price_unit, 750.0)
        self.assertAlmostEqual(line.discount, discount, places=2)

    def _tier_pricelist(self, grade):
        return self.env["product.pricelist"].search([
            ("partner_type_id", "=", self.type_reseller.id), ("partner_grade_id", "=", grade.id)])

    def test_pricelists_feature_is_on(self):
        self.assertTrue(self.env["res.groups"]._is_feature_enabled("product.group_product_pricelist"))
        self.assertTrue(self.env["res.groups"]._is_feature_enabled("sale.group_discount_per_so_line"))

    def test_each_tier_gets_its_generated_pricelist(self):
        gold = self._tier_pricelist(self.grade_gold)
        self.assertEqual(len(gold), 1)
        self.assertEqual(gold.item_ids.compute_price, "percentage")
        self.assertEqual(gold.item_ids.percent_price, 15)
        self.assertEqual(gold.item_ids.applied_on, "3_global")
        self.assertEqual(self._tier_pricelist(self.grade_platinum).item_ids.percent_price, 20)

    def test_gold_reseller_quotation_line_gets_15_percent(self):
        partnership = self._partnership(self.reseller, self.grade_gold)
        self.assertEqual(self.reseller.property_product_pricelist, self._tier_pricelist(self.grade_gold))
        self.assertEqual(partnership.pricelist_in_force_id, self._tier_pricelist(self.grade_gold))
        # its contacts inherit it, as Odoo syncs commercial fields
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.reseller.id})
        self.assertEqual(contact.property_product_pricelist, self._tier_pricelist(self.grade_gold))
        self._assert_price(self._quote(self.reseller), 15)
        self._assert_price(self._quote(contact), 15)
        self.assertTrue(partnership.message_ids.filtered(
            lambda message: "Price list of Pricing Gold Reseller" in message.body))

    def test_promotion_changes_the_next_quotation(self):
        partnership = self._partnership(self.reseller, self.grade_gold)
        before = self._quote(self.reseller)
        partnership._apply_level_changes({partnership: (self.grade_gold, self.grade_platinum, "promotion")}, None)
        self._assert_price(self._quote(self.reseller), 20)
        self._assert_price(before, 15)  # a quotation already made keeps its price
        self.assertTrue(partnership.message_ids.filtered(
            lambda message: "Test Platinum" in message.body and "Price list" in message.body))

    def test_demotion_and_ended_partnership_take_it_back(self):
        partnership = self._partnership(self.reseller, self.grade_gold)
        partnership._apply_level_changes({partnership: (self.grade_gold, self.grade_silver, "demotion")}, None)
        self._assert_price(self._quote(self.reseller), 10)
        partnership.active = False
        self.assertFalse(self.reseller.specific_property_product_pricelist)
        self._assert_price(self._quote(self.reseller), 0)

    def test_partnership_ended_by_its_due_date_returns_the_default(self):
        partnership = self._partnership(self.reseller, self.grade_gold)
        partnership.date_due = self.today - timedelta(days=1)
        self.assertFalse(self.reseller.specific_property_product_pricelist)
        partnership.date_due = self.today + timedelta(days=10)
        self.assertEqual(self.reseller.specific_property_product_pricelist, self._tier_pricelist(self.grade_gold))
        # the nightly run hands over a partnership whose period ran out without anyone touching it
        self.env.cr.execute("UPDATE partner_partnership SET date_due = %s WHERE id = %s",
                            (self.today - timedelta(days=1), partnership.id))
        partnership.invalidate_recordset(["date_due"])
        self.assertTrue(self.reseller.specific_property_product_pricelist)
        self.env["partner.partnership"]._cron_sync_pricelists()
        self.assertFalse(self.reseller.specific_property_product_pricelist)

    def test_manual_level_change_follows_too(self):
        partnership = self._partnership(self.reseller, self.grade_bronze)
        self._assert_price(self._quote(self.reseller), 5)
        partnership.grade_id = self.grade_gold
        self._assert_price(self._quote(self.reseller), 15)

    def test_personal_pricelist_wins(self):
        personal = self.env["product.pricelist"].create({
            "name": "Negotiated", "item_ids": [fields.Command.create({
                "applied_on": "3_global", "compute_price": "percentage", "percent_price": 30})],
        })
        partnership = self._partnership(self.reseller, self.grade_gold, pricelist_id=personal.id)
        self.assertEqual(partnership.pricelist_in_force_id, personal)
        self._assert_price(self._quote(self.reseller), 30)
        partnership.pricelist_id = False
        self._assert_price(self._quote(self.reseller), 15)

    def test_non_partner_pays_list_price_and_a_hand_set_pricelist_stays(self):
        customer = self.env["res.partner"].create({"name": "Plain Customer", "is_company": True})
        self._assert_price(self._quote(customer), 0)
        hand = self.env["product.pricelist"].create({"name": "Hand-picked"})
        # a partner outside the program: its pricelist is the salesperson's choice
        self.reseller.property_product_pricelist = hand
        partnership = self._partnership(self._reseller("Pricing Other"), self.grade_gold)
        partnership.active = False
        self.assertEqual(self.reseller.property_product_pricelist, hand)
        # ending a partnership never resets a pricelist the program did not set
        own = self._partnership(self.reseller, self.grade_gold)
        self.reseller.property_product_pricelist = hand
        own.active = False
        self.assertEqual(self.reseller.property_product_pricelist, hand)

    def test_changed_discount_keeps_history_from_its_date(self):
        self._partnership(self.reseller, self.grade_gold)
        parameter = self.env["partner.level.parameter"].search([
            ("type_id", "=", self.type_reseller.id), ("grade_id", "=", self.grade_gold.id),
            ("category_id", "=", self.cat_discount.id)])
        parameter.value = 18
        rules = self._tier_pricelist(self.grade_gold).item_ids.sorted("id")
        self.assertEqual(rules.mapped("percent_price"), [15, 18])
        self.assertTrue(rules[0].date_end)
        self.assertEqual(rules[1].date_start.date(), parameter.date_from)
        self.assertEqual(parameter.history_ids.value, 15)
        self._assert_price(self._quote(self.reseller), 18)
        # a quotation dated before the change is priced with the rule of its date
        self._assert_price(self._quote(self.reseller, date_order=fields.Datetime.now() - timedelta(days=10)), 15)
        # changed again the same day: the day's rule changes, no new period
        parameter.value = 17
        self.assertEqual(self._tier_pricelist(self.grade_gold).item_ids.sorted("id").mapped("percent_price"), [15, 17])

    def test_extra_discount_is_added(self):
        extra = self.env["partner.parameter.category"].create({
            "name": "Test extra discount", "kind": "benefit", "benefit_type": "extra_discount", "unit": "%"})
        self.env["partner.level.parameter"].create({
            "type_id": self.type_reseller.id, "grade_id": self.grade_gold.id, "category_id": extra.id, "value": 5})
        self._partnership(self.reseller, self.grade_gold)
        self._assert_price(self._quote(self.reseller), 20)

    def test_discount_out_of_range_is_refused(self):
        for value in (-5, 150):
            with self.assertRaisesRegex(ValidationError, "a discount is a percentage between 0 and 100"), \
                    self.env.cr.savepoint():
                self.env["partner.level.parameter"].create({
                    "type_id": self.type_reseller.id, "grade_id": self.grade_zero.id,
                    "category_id": self.cat_discount.id, "value": value,
                })
        parameter = self.env["partner.level.parameter"].search([
            ("type_id", "=", self.type_reseller.id), ("grade_id", "=", self.grade_gold.id),
            ("category_id", "=", self.cat_discount.id)])
        with self.assertRaisesRegex(ValidationError, "not 101"), self.env.cr.savepoint():
            parameter.value = 101
        self.assertEqual(parameter.value, 15)

    def test_pricelist_stays_in_the_company_of_its_type(self):
        other = self.env["res.company"].create({"name": "Pricing Other Company"})
        partner_type = self.env["partner.type"].create({"name": "Other company type", "company_id": other.id})
        self.env["partner.level.parameter"].create({
            "type_id": partner_type.id, "grade_id": self.grade_gold.id, "category_id": self.cat_discount.id,
            "value": 12,
        })
        pricelist = self.env["product.pricelist"].search([("partner_type_id", "=", partner_type.id)])
        self.assertEqual(pricelist.company_id, other)
        self.assertEqual(pricelist.currency_id, other.currency_id)

    def test_manager_sees_the_override_on_the_form(self):
        personal = self.env["product.pricelist"].create({"name": "Negotiated for the form"})
        partnership = self._partnership(self.reseller, self.grade_gold)
        partnership.with_user(self.manager).pricelist_id = personal
        self.assertEqual(self.reseller.property_product_pricelist, personal)
        self.assertTrue(partnership.message_ids.filtered(lambda message: "Negotiated for the form" in message.body))

    # ------------------------------------------------------------------ currencies and companies
    def test_personal_pricelist_in_another_currency_prices_in_its_currency(self):
        currency = self._foreign_currency(2.0)
        gold = self._tier_pricelist(self.grade_gold)
        # negotiated: the Gold program price, invoiced in the customer's currency
        personal = self.env["product.pricelist"].create({
            "name": "Negotiated in foreign currency", "currency_id": currency.id,
            "item_ids": [fields.Command.create({
                "applied_on": "3_global", "compute_price": "formula", "base": "pricelist",
                "base_pricelist_id": gold.id})],
        })
        self._partnership(self.reseller, self.grade_gold, pricelist_id=personal.id)
        order = self._quote(self.reseller)
        self.assertEqual((order.pricelist_id, order.currency_id), (personal, currency))
        self.assertAlmostEqual(order.order_line.price_subtotal, 750.0 * 2.0 * 0.85, places=2)
        # the tier price lists stay in their company's currency, a new one too
        company_currency = self.env.company.currency_id
        self.assertEqual(gold.currency_id, company_currency)
        partner_type = self.env["partner.type"].create({"name": "Pricing type after the currency"})
        self.env["partner.level.parameter"].create({
            "type_id": partner_type.id, "grade_id": self.grade_gold.id, "category_id": self.cat_discount.id,
            "value": 8,
        })
        self.assertEqual(self.env["product.pricelist"].search([("partner_type_id", "=", partner_type.id)])
                         .currency_id, company_currency)

    def test_each_company_prices_with_its_own_tier_pricelist_and_currency(self):
        currency = self._foreign_currency(2.0)
        other = self.env["res.company"].create({"name": "Pricing Company In Another Currency",
                                                "currency_id": currency.id})
        self._foreign_currency(2.0, other)
        partner_type = self.env["partner.type"].create({"name": "Other company resellers", "company_id": other.id})
        self.env["partner.level.parameter"].create({
            "type_id": partner_type.id, "grade_id": self.grade_gold.id, "category_id": self.cat_discount.id,
            "value": 12,
        })
        pricelist = self.env["product.pricelist"].search([("partner_type_id", "=", partner_type.id)])
        self.assertEqual((pricelist.company_id, pricelist.currency_id), (other, currency))
        self.assertEqual(self._tier_pricelist(self.grade_gold).currency_id, self.env.company.currency_id)

        self.env["partner.partnership"].create({
            "partner_id": self.reseller.id, "type_id": partner_type.id, "grade_id": self.grade_gold.id,
            "company_id": other.id, "date_start": self.today - timedelta(days=1),
        })
        self.assertEqual(self.reseller.with_company(other).specific_property_product_pricelist, pricelist)
        self.assertFalse(self.reseller.with_company(self.env.company).specific_property_product_pricelist)
        order = self._quote(self.reseller, company_id=other.id)
        self.assertEqual((order.pricelist_id, order.currency_id), (pricelist, currency))
        self.assertAlmostEqual(order.order_line.price_subtotal, 750.0 * 2.0 * 0.88, places=2)
        # in our company the reseller has no partnership: list price
        self._assert_price(self._quote(self.reseller), 0)
        # and a plain customer of the other company is not handed a program price list
        customer = self.env["res.partner"].create({"name": "Plain Customer Of The Other Company"})
        plain = self._quote(customer, company_id=other.id)
        self.assertFalse(plain.pricelist_id.partner_type_id)
        self.assertAlmostEqual(plain.order_line.price_subtotal, 750.0 * 2.0, places=2)

    def test_odoo_resolves_the_partnership_pricelist_for_the_partner_and_its_contacts(self):
        """The partner pricelist Odoo resolves (``_get_partner_pricelist_multi``, which computes
        ``property_product_pricelist``): what quotations use, and what a shop starts from for a logged-in
        buyer."""
        contact = self.env["res.partner"].create({"name": "Shop Buyer", "parent_id": self.reseller.id})
        Pricelist = self.env["product.pricelist"]
        default = Pricelist._get_partner_pricelist_multi([self.reseller.id])[self.reseller.id]
        self.assertFalse(default.partner_type_id)
        partnership = self._partnership(self.reseller, self.grade_gold)
        resolved = Pricelist._get_partner_pricelist_multi([self.reseller.id, contact.id])
        gold = self._tier_pricelist(self.grade_gold)
        self.assertEqual((resolved[self.reseller.id], resolved[contact.id]), (gold, gold))
        partnership.active = False
        resolved = Pricelist._get_partner_pricelist_multi([self.reseller.id, contact.id])
        self.assertEqual((resolved[self.reseller.id], resolved[contact.id]), (default, default))
