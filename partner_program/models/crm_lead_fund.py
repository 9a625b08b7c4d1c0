"""crm.lead: a won lead credits its reseller's funds and fires its referral rewards."""
from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _handle_won_lost(self, old_status_by_lead, new_status_by_lead):
        """A lead reaching 'won' by our side credits its reseller's funds (once per lead, see partner.fund)."""
        result = super()._handle_won_lost(old_status_by_lead, new_status_by_lead)
        newly_won = self.filtered(
            lambda lead: new_status_by_lead.get(lead.id, {}).get("is_won")
            and not old_status_by_lead.get(lead.id, {}).get("is_won")
        )
        # Money follows our side's decision only: a partner marking its own registered deal won from the portal
        # credits nothing (see partner.deal.registration.close_portal).
        if newly_won and self._referral_vendor_side():
            self.env["partner.fund"]._credit_won_leads(newly_won)
            newly_won._referral_won()
        return result
