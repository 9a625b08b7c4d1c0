"""partner.lead.answer: the append-only log of resellers' answers to the leads they were given."""
from datetime import datetime, time

from odoo import api, fields, models

ANSWER_OUTCOMES = [("accepted", "Accepted"), ("declined", "Declined"), ("expired", "Expired")]


class PartnerLeadAnswer(models.Model):
    _name = "partner.lead.answer"
    _inherit = ["partner.append.only.mixin"]
    _description = "Reseller Answer to a Lead"
    _order = "date_answered desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", ondelete="set null", index="btree_not_null", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Reseller", required=True, ondelete="cascade", index=True, readonly=True,
        help="The reseller's company (commercial partner), whichever of its contacts answered.")
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    date_assigned = fields.Datetime("Assigned On", readonly=True)
    date_answered = fields.Datetime("Answered On", required=True, readonly=True, index=True)
    outcome = fields.Selection(ANSWER_OUTCOMES, required=True, readonly=True)
    answer_hours = fields.Float(
        "Hours to Answer", digits=(16, 2), readonly=True,
        help="From the assignment to the answer (or to the end of the time to answer for an expired lead).")
    won_status = fields.Selection(related="lead_id.won_status", string="Won/Lost")

    @api.model
    def _log_answers(self, leads, outcome, partner=None):
        """Append one row per lead of ``leads`` (read before the answer is written): ``partner`` (default: each
        lead's assigned reseller) answered ``outcome`` ('accepted', 'declined' or 'expired') now.

        The row is the reseller's commercial partner's; the hours to answer run from the lead's
        ``date_partner_assigned_at`` (or the start of its ``date_partner_assign``). One ``create`` for all.

        :return: the rows created
        """
        now = fields.Datetime.now()
        vals_list = []
        for lead in leads.sudo():
            reseller = (partner or lead.partner_assigned_id).commercial_partner_id
            if not reseller:
                continue
            assigned = lead.date_partner_assigned_at or (
                lead.date_partner_assign and datetime.combine(lead.date_partner_assign, time.min))
            vals_list.append({
                "lead_id": lead.id,
                "partner_id": reseller.id,
                "company_id": (lead.company_id or reseller.company_id).id,
                "date_assigned": assigned or False,
                "date_answered": now,
                "outcome": outcome,
                "answer_hours": max(0.0, (now - assigned).total_seconds() / 3600.0) if assigned else 0.0,
            })
        return self.sudo().create(vals_list)

    def _append_only_messages(self):
        return (self.env._("The answer log cannot be changed: it records what resellers did."),
                self.env._("The answer log cannot be deleted: it records what resellers did."))
