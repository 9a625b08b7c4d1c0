from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import LYON, PartnerProgramCase


class PartnershipCase(PartnerProgramCase):
    """A reseller program written by the tests: Bronze < Silver < Gold with leads and won revenue to reach
    each level, and a fund credit percentage at each level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["partner.partnership"])
        cls.manager = new_test_user(
            cls.env, "pp_program_manager", groups="partner_program.group_partner_program_manager",
            email="manager@example.com",
            tz=cls.env.user.tz,  # "today" is the same day for the manager and for these tests, at any hour
        )
        Category = cls.env["partner.parameter.category"]
        cls.cat_leads = Category.create({
            "name": "Test leads", "kind": "obligation", "measure": "leads_registered", "unit": "leads",
        })
        cls.cat_revenue = Category.create({"name": "Test won revenue", "kind": "obligation", "measure": "won_revenue"})
        cls.cat_fund = Category.create({
            "name": "Test fund credit", "kind": "benefit", "benefit_type": "fund_credit", "unit": "%",
        })
        cls.cat_discount = Category.create({
            "name": "Test discount", "kind": "benefit", "benefit_type": "discount", "unit": "%",
        })
        cls.type_reseller = cls.env["partner.type"].create({"name": "Test Reseller"})
        # what the resellers' customers buy when a deal is won (see _deal_orders)
        cls.deal_product = cls.env["product.product"].create({
            "name": "Deal licences", "type": "service", "list_price": 1.0, "taxes_id": [fields.Command.clear()],
        })
        cls.deal_customer = cls.env["res.partner"].create({"name": "Deal Customer", "is_company": True})
        # level: (leads, won revenue, fund %, discount %)
        program = {
            cls.grade_bronze: (1, 0, 1, 5),
            cls.grade_silver: (3, 10000, 2, 10),
            cls.grade_gold: (5, 50000, 5, 15),
        }
        cls.env["partner.level.parameter"].create([
            values
            for grade, (leads, revenue, fund, discount) in program.items()
            for values in (
                {"type_id": cls.type_reseller.id, "grade_id": grade.id, "category_id": cls.cat_leads.id,
                 "target": leads},
                {"type_id": cls.type_reseller.id, "grade_id": grade.id, "category_id": cls.cat_revenue.id,
                 "target": revenue},
                {"type_id": cls.type_reseller.id, "grade_id": grade.id, "category_id": cls.cat_fund.id,
                 "value": fund},
                {"type_id": cls.type_reseller.id, "grade_id": grade.id, "category_id": cls.cat_discount.id,
                 "value": discount},
            )
        ])

    @classmethod
    def _partnership(cls, partner, grade=None, start=None, **values):
        return cls.env["partner.partnership"].create(dict({
            "partner_id": partner.id,
            "type_id": cls.type_reseller.id,
            "grade_id": (grade or cls.grade_bronze).id,
            "date_start": start or cls.today - timedelta(days=30),
        }, **values))

    @classmethod
    def _fund(cls, partnership, **values):
        return cls.env["partner.fund"].create(dict({
            "name": "Marketing fund", "partnership_id": partnership.id, "credit_category_id": cls.cat_fund.id,
        }, **values))

    @classmethod
    def _reseller_with_email(cls, name):
        return cls._reseller(name, LYON, email="%s@reseller.example.com" % name.lower().replace(" ", "."))

    @classmethod
    def _opportunities(cls, partner, revenues, won=True):
        """Opportunities assigned to ``partner`` today, one per expected revenue; won unless told, and then sold:
        each gets a confirmed sale order of that untaxed amount (what the won revenue is measured from)."""
        leads = cls._leads(len(revenues), partner_assigned_id=partner.id, type="opportunity")
        for lead, revenue in zip(leads, revenues, strict=True):
            lead.expected_revenue = revenue
        if won:
            leads.action_set_won()
            cls._deal_orders(leads, revenues).action_confirm()
        return leads

    @classmethod
    def _foreign_currency(cls, rate, companies=None):
        """A currency other than the current company's, activated: one unit of the company's currency is worth
        ``rate`` of it from a few days ago on, in the books of ``companies`` (the current one by default)."""
        main = cls.env.company.currency_id
        eur = cls.env.ref("base.EUR")
        currency = eur if main != eur else cls.env.ref("base.USD")
        currency.active = True
        day = fields.Date.today() - timedelta(days=3)
        Rate = cls.env["res.currency.rate"]
        for company in companies or cls.env.company:
            # only the ratio counts: the same two rates in every company, whatever its own currency
            for rated, value in ((main, 1.0), (currency, rate)):
                existing = Rate.search([("currency_id", "=", rated.id), ("company_id", "=", company.id),
                                        ("name", "=", day)])
                if existing:
                    existing.rate = value
                else:
                    Rate.create({"currency_id": rated.id, "company_id": company.id, "name": day, "rate": value})
        return currency

    @classmethod
    def _deal_orders(cls, leads, amounts, **values):
        """One quotation per opportunity, of one untaxed line of the given amount, for the deal's customer."""
        return cls.env["sale.order"].create([dict({
            "partner_id": cls.deal_customer.id,
            "opportunity_id": lead.id,
            "order_line": [fields.Command.create({
                "product_id": cls.deal_product.id, "product_uom_qty": 1, "price_unit": amount,
                "tax_ids": [fields.Command.clear()],
            })],
        }, **values) for lead, amount in zip(leads, amounts, strict=True)])
