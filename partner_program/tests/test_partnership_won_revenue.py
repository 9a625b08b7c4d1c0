from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestPartnershipWonRevenue(PartnershipCase):
    """Won revenue (the level target, the partnership's summary, the program page) is measured from the confirmed
    sale orders of the opportunities assigned to the partner: what it sees in "Sales from my deals"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls._reseller("Won Revenue Reseller")
        cls.partnership = cls._partnership(cls.reseller)

    def _deal(self, partner=None, revenue=5000, **values):
        """A won opportunity of ``partner`` (the reseller by default) expecting ``revenue``, without any order."""
        lead = self._leads(1, partner_assigned_id=(partner or self.reseller).id, type="opportunity",
                           expected_revenue=revenue, **values)
        lead.action_set_won()
        return lead

    def _won_revenue(self, partnership=None):
        partnership = partnership or self.partnership
        partnership.invalidate_recordset(["won_revenue", "progress_ids"])
        return partnership.won_revenue

    def test_confirmed_order_counts_its_amount_not_the_expected_revenue(self):
        lead = self._deal(revenue=5000)
        self.assertEqual(self._won_revenue(), 0, "won but not sold yet: nothing")
        self._deal_orders(lead, [1000]).action_confirm()
        self.assertEqual(lead.expected_revenue, 5000)
        self.assertEqual(self._won_revenue(), 1000)
        self.assertEqual(self.partnership.won_count, 1)
        line = self.partnership.progress_ids.filtered(lambda progress: progress.category_id == self.cat_revenue)
        self.assertEqual(line.value, 1000)
        self.assertEqual(line.target, 10000, "Silver's target, still far")

    def test_quotations_and_cancelled_orders_do_not_count(self):
        lead = self._deal()
        draft, sent, cancelled, confirmed = self._deal_orders([lead] * 4, [100, 200, 400, 800])
        sent.state = "sent"
        (cancelled | confirmed).action_confirm()
        cancelled._action_cancel()
        self.assertEqual((draft | sent | cancelled | confirmed).mapped("state"), ["draft", "sent", "cancel", "sale"])
        self.assertEqual(self._won_revenue(), 800)

    def test_order_in_another_currency_is_converted_to_the_company_currency(self):
        currency = self._foreign_currency(2.0)
        pricelist = self.env["product.pricelist"].create({"name": "Foreign deals", "currency_id": currency.id})
        lead = self._deal()
        foreign, local = self._deal_orders([lead] * 2, [1000, 300])
        foreign.pricelist_id = pricelist
        (foreign | local).action_confirm()
        self.assertEqual(foreign.currency_id, currency)
        self.assertEqual(foreign.amount_untaxed, 1000)
        self.assertEqual(self.partnership.currency_id, self.env.company.currency_id)
        self.assertAlmostEqual(self._won_revenue(), 500 + 300, places=2)

    def test_order_of_a_company_in_another_currency_is_converted(self):
        currency = self._foreign_currency(2.0)
        other = self.env["res.company"].create({"name": "Won Revenue Other Company", "currency_id": currency.id})
        self._foreign_currency(2.0, other)
        lead = self._deal(company_id=other.id, user_id=False)
        order = self._deal_orders(lead, [1000], company_id=other.id)
        order.action_confirm()
        self.assertEqual((order.company_id, order.currency_id), (other, currency))
        self.assertAlmostEqual(self._won_revenue(), 500, places=2)

    def test_orders_dated_outside_the_period_do_not_count(self):
        lead = self._deal()
        before, inside, after = self._deal_orders([lead] * 3, [100, 200, 400])
        (before | inside | after).action_confirm()
        before.date_order = fields.Datetime.to_datetime(self.partnership.date_start) - timedelta(days=2)
        after.date_order = fields.Datetime.to_datetime(self.partnership.date_due) + timedelta(days=3)
        self.assertEqual(self._won_revenue(), 200)

    def test_another_resellers_orders_never_count(self):
        other = self._reseller("Other Won Revenue Reseller")
        other_partnership = self._partnership(other)
        self._deal_orders(self._deal(other), [7000]).action_confirm()
        # not a deal of ours either: the reseller's own purchase, an opportunity assigned to nobody
        own_purchase = self.env["sale.order"].create({
            "partner_id": self.reseller.id,
            "order_line": [fields.Command.create({"product_id": self.deal_product.id, "price_unit": 900})],
        })
        unassigned = self._leads(1, type="opportunity")
        (own_purchase | self._deal_orders(unassigned, [600])).action_confirm()
        self.assertEqual(self._won_revenue(), 0)
        self.assertEqual(self._won_revenue(other_partnership), 7000)
        # the deal handed over to us: its sale counts for its assignee now, never for both
        mine = self._deal(other, revenue=50)
        self._deal_orders(mine, [50]).action_confirm()
        mine.partner_assigned_id = self.reseller
        self.assertEqual((self._won_revenue(), self._won_revenue(other_partnership)), (50, 7000))

    def test_tier_progression_follows_the_orders(self):
        self._leads(3, partner_assigned_id=self.reseller.id)
        leads = self._opportunities(self.reseller, [6000, 50000], won=False)
        leads.action_set_won()
        # 5 leads and 56,000 expected: Gold by the expected revenue; 11,000 sold: Silver
        self._deal_orders(leads, [6000, 5000]).action_confirm()
        self.partnership._recompute_levels()
        self.assertEqual(self.partnership.grade_id, self.grade_silver)
        summary = self.partnership.level_history_ids.measure_summary
        self.assertIn("11,000.00", summary)
        self.assertNotIn("56,000.00", summary)
