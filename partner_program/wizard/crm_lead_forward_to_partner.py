from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class CrmLeadForwardToPartner(models.TransientModel):
    _name = "crm.lead.forward.to.partner"
    _description = "Forward leads to resellers"

    line_ids = fields.One2many("crm.lead.forward.to.partner.line", "wizard_id", "Leads")
    lead_count = fields.Integer(compute="_compute_counts")
    partner_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.lead_id", "line_ids.partner_assigned_id")
    def _compute_counts(self):
        for wizard in self:
            wizard.lead_count = len(wizard.line_ids)
            wizard.partner_count = len(wizard.line_ids.partner_assigned_id)

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
                "message": self.env._(
                    "%(leads)s lead(s) forwarded to %(partners)s reseller(s).",
                    leads=self.lead_count, partners=self.partner_count,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
