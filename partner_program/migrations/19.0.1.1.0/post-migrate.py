"""19.0.1.1.0: program discounts became price lists. A database updated from an earlier version gets what a
fresh install gets (the install-only data does not run on update): the Pricelists and Discounts features,
the tiers' price lists and its partners' price lists."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["product.pricelist"]._partner_program_enable_pricing()
