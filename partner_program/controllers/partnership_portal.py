from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request


class PartnershipPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "partnership_count" in counters:
            Partnership = request.env["partner.partnership"]
            values["partnership_count"] = (
                len(Partnership._get_portal_partnership()) if Partnership.has_access("read") else 0
            )
        return values

    @http.route(["/my/partner-program", "/my/partner-program/<int:partnership_id>"],
                type="http", auth="user", website=True, readonly=True)
    def portal_my_partner_program(self, partnership_id=None, **kwargs):
        """The partner's program, read-only: one partnership, chosen by the access rules."""
        Partnership = request.env["partner.partnership"]
        if partnership_id:
            # Another partner's partnership answers like a missing one: nothing to learn from the id.
            partnership = Partnership.browse(partnership_id).exists()
            if not partnership or not partnership.has_access("read"):
                raise request.not_found()
        elif Partnership.has_access("read"):
            partnership = Partnership._get_portal_partnership()
        else:
            partnership = Partnership
        values = self._prepare_portal_layout_values()
        values["page_name"] = "partner_program"
        if partnership:
            values.update(partnership._get_portal_values())
        values.update(request.env["res.partner"]._performance_portal_values())
        return request.render("partner_program.portal_my_partner_program", values)
