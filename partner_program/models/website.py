from odoo import Command, api, models


class Website(models.Model):
    _inherit = "website"

    def get_suggested_controllers(self):
        # Offered when an editor adds a menu entry or a link.
        suggested = super().get_suggested_controllers()
        suggested.append((self.env._("Partners"), self.env["ir.http"]._url_for("/partners"), "partner_program"))
        return suggested

    @api.model
    def _demo_install_language(self, code):
        """Demo data: install a language with the terms of every installed module, on the default website.

        Does nothing when the language is already active on that website, so updating the add-on stays quick.
        """
        lang = self.env["res.lang"].with_context(active_test=False).search([("code", "=", code)], limit=1)
        website = self.env.ref("website.default_website", raise_if_not_found=False)
        if not lang or not website or (lang.active and lang in website.language_ids):
            return
        self.env["base.language.install"].create({
            "lang_ids": [Command.set(lang.ids)],
            "website_ids": [Command.set(website.ids)],
            "overwrite": False,
        }).lang_install()
