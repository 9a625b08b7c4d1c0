"""partner.assign.credit: each reseller's round-robin credit, carried from one automatic assignment to the next."""
from odoo import fields, models


class PartnerAssignCredit(models.Model):
    _name = "partner.assign.credit"
    _description = "Reseller Round-Robin Credit"
    _rec_name = "partner_id"
    # Written by one upsert per assignment run (crm.lead._store_assign_credit): a narrow table of its own, where
    # the same rows on res_partner, a wide table with many indexes, cost five to eight times as much.
    _log_access = False

    partner_id = fields.Many2one("res.partner", "Reseller", required=True, readonly=True, ondelete="cascade")
    credit = fields.Float(
        readonly=True,
        help="Smooth weighted round-robin: each assignment turn adds the reseller's weight, a won turn takes "
        "the turn's total weight back. Carried across runs so that small batches stay fair too.",
    )

    _partner_unique = models.Constraint("UNIQUE(partner_id)", "A reseller has one round-robin credit.")
