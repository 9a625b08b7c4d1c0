from odoo import models


class Website(models.Model):
    _inherit = "website"

    def get_suggested_controllers(self):
        # Offered when an editor adds a menu entry or a link.
        suggested = super().get_suggested_controllers()
        suggested.append((self.env._("Partners"), self.env["ir.http"]._url_for("/partners"), "partner_program"))
        return suggested
