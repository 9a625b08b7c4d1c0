import json
import logging

from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

APP_MENU = "partner_program.menu_partner_program_app"


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    """Odoo's safety net, scoped to the add-on: every screen a partner manager or a salesperson reaches
    through the add-on opens in Chromium without an error dialog, an uncaught exception, a console error
    or an RPC error."""

    # The first backend page of a test run builds the web client's assets in one request while the browser's
    # other requests wait for the test cursor: on a loaded machine longer than Odoo's 20 s.
    test_cursor_lock_timeout = 120

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").tour_enabled = False

    def _actions_to_open(self):
        """The window actions of the add-on's app, and of the CRM menus on models whose views it extends."""
        Menu = self.env["ir.ui.menu"]
        app = self.env.ref(APP_MENU)
        crm = self.env.ref("crm.crm_menu_root")
        extended = set(self.env["ir.model.data"].search([
            ("module", "=", "partner_program"), ("model", "=", "ir.ui.view"),
        ]).mapped(lambda data: self.env["ir.ui.view"].browse(data.res_id).model))
        menus = Menu.search([("id", "child_of", app.id)])
        menus |= Menu.search([("id", "child_of", crm.id)]).filtered(
            lambda menu: menu.action and menu.action._name == "ir.actions.act_window"
            and (menu.action.res_model in extended or menu.get_external_id()[menu.id].startswith("partner_program."))
        )
        actions = self.env["ir.actions.act_window"]
        for menu in menus:
            if menu.action and menu.action._name == "ir.actions.act_window" and menu.action not in actions:
                actions |= menu.action
        return actions

    def _target(self, action):
        modes = action.view_mode.split(",")
        view_types = [view_type for view_type in modes if view_type != "form"]
        Model = self.env[action.res_model]
        record = Model.browse()
        if "form" in modes and not Model._transient:
            try:
                domain = safe_eval(action.domain or "[]", {"uid": self.env.uid, "active_id": False})
            except Exception:  # noqa: BLE001 - a domain needing a context we do not have: any record will do
                domain = []
            record = Model.search(domain, limit=1, order="id desc")
            if not record:
                view_types.append("form")  # at least the empty form opens
        elif "form" in modes:
            view_types.append("form")  # settings and wizards: their form, on a new record
        return {"action": action.id, "name": action.name, "viewTypes": view_types, "resId": record.id or False}

    def test_every_screen_of_the_app_opens_with_each_view_type_and_notebook_page(self):
        targets = [self._target(action) for action in self._actions_to_open()]
        self.assertGreater(len(targets), 20, "the app's menus and the extended CRM menus are all reached")
        self.browser_js(
            "/odoo",
            "window.partnerProgramClickEverywhere(%s);" % json.dumps(targets),
            "odoo.isReady === true && !!window.partnerProgramClickEverywhere",
            login="admin",
            timeout=600,
            success_signal="partner program click test succeeded",
        )

    def test_odoo_clickbot_clicks_every_menu_view_and_filter_of_the_app(self):
        self.browser_js(
            "/odoo",
            "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('%s');"
            % APP_MENU,
            "odoo.isReady === true",
            login="admin",
            timeout=600,
            success_signal="clickbot test succeeded",
        )
