from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class CrmLeadForwardToPartner(models.TransientModel):
    _name = "crm.lead.forward.to.partner"
    _description = "Forward leads to resellers"

    line_ids = fields.One2many("crm.lead.forward.to.partner.line", "wizard_id", "Leads")
    lead_count = fields.Integer(compute="_compute_counts")
    partner_count = fields.Integer(compute="_compute_counts")
    summary = fields.Char(compute="_compute_counts")
    partner_without_portal_ids = fields.Many2many(
        "res.partner", string="Resellers without portal access", compute="_compute_partner_without_portal_ids",
        help="They receive the e-mail, but its links to their portal lead in nothing until they have a portal user.")

    @api.depends("line_ids.lead_id", "line_ids.partner_assigned_id")
    def _compute_counts(self):
        for wizard in self:
            wizard.lead_count = len(wizard.line_ids)
            wizard.partner_count = len(wizard.line_ids.partner_assigned_id)
            wizard.summary = wizard._count_sentence(wizard.lead_count, wizard.partner_count)

    @api.depends("line_ids.partner_assigned_id")
    def _compute_partner_without_portal_ids(self):
        for wizard in self:
            resellers = wizard.line_ids.partner_assigned_id
            wizard.partner_without_portal_ids = resellers.filtered(
                lambda reseller: not (reseller | reseller.child_ids).sudo().user_ids)

    def _count_sentence(self, lead_count, partner_count, forwarded=False):
        """'1 lead to 1 reseller', '3 leads forwarded to 2 resellers'"""
        leads = self.env._("1 lead") if lead_count == 1 else self.env._("%(count)s leads", count=lead_count)
        resellers = (self.env._("1 reseller") if partner_count == 1
                     else self.env._("%(count)s resellers", count=partner_count))
        if forwarded:
            return self.env._("%(leads)s forwarded to %(resellers)s.", leads=leads, resellers=resellers)
        return self.env._("%(leads)s to %(resellers)s", leads=leads, resellers=resellers)

    def action_invite_partners(self):
        """Open Odoo's portal access wizard on the resellers (and their contacts) that have no portal user."""
        self.ensure_one()
        return self.env["portal.wizard"].with_context(
            active_model="res.partner", active_ids=self.partner_without_portal_ids.ids,
        ).action_open_wizard()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list and self.env.context.get("active_model") == "crm.lead":
            leads = self.env["crm.lead"].browse(self.env.context.get("active_ids") or [])
            values["line_ids"] = [Command.create(line) for line in self._prepare_lines(leads)]
        return values

    @api.model
    def _prepare_lines(self, leads):
        """One line per lead: its current reseller, else the one automatic assignment would pick."""
        choices, reasons = leads.filtered(lambda lead: not lead.partner_assigned_id)._assign_partner_propose()
        open_leads = leads._assign_partner_todo()
        lines = []
        for lead in leads:
            partner_id = lead.partner_assigned_id.id or choices.get(lead.id, False)
            if lead.partner_assigned_id:
                proposal = self.env._("Current reseller")
            elif lead.id in choices:
                reason = reasons[lead.id]
                proposal = lead._ring_label(reason["ring"], reason["distance"])
                if reason["distance"] is not None:
                    proposal += " (%.1f km)" % reason["distance"]
            elif lead not in open_leads:
                proposal = self.env._("Won or lost: nothing proposed")
            elif not lead.country_id:
                proposal = self.env._("No country: nothing proposed")
            else:
                proposal = self.env._("No eligible reseller")
            lines.append({"lead_id": lead.id, "partner_assigned_id": partner_id, "proposal": proposal})
        return lines

    def action_forward(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("There is no lead to forward."))
        choices = {line.lead_id.id: line.partner_assigned_id.id for line in self.line_ids}
        self.line_ids.lead_id._forward_to_partner(choices)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Forward to partner"),
                "message": self._count_sentence(self.lead_count, self.partner_count, forwarded=True),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
