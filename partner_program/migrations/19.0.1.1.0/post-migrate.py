"""19.0.1.1.0: program discounts became price lists. A database updated from an earlier version gets what a
fresh install gets (the install-only data does not run on update): the Pricelists and Discounts features,
the tiers' price lists and its partners' price lists. Won revenue is measured from the confirmed sale orders
of the partner's opportunities: the seeded category says so unless its description was edited."""
from odoo import SUPERUSER_ID, api

WON_REVENUE_BEFORE = "Expected revenue of the opportunities won during the period."
WON_REVENUE_NOW = ("Untaxed amount of the confirmed sale orders of the opportunities assigned to the partner, "
                   "ordered during the period.")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["product.pricelist"]._partner_program_enable_pricing()
    category = env.ref("partner_program.parameter_category_opportunity_amount", raise_if_not_found=False)
    if category and category.with_context(lang="en_US").description == WON_REVENUE_BEFORE:
        category.with_context(lang="en_US").description = WON_REVENUE_NOW
