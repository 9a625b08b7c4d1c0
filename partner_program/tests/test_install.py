from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_exist_and_manager_implies_user(self):
        user_group = self.env.ref("partner_program.group_partner_program_user")
        manager_group = self.env.ref("partner_program.group_partner_program_manager")
        self.assertEqual(user_group.full_name, "Partner Program / User")
        self.assertEqual(manager_group.full_name, "Partner Program / Manager")
        self.assertIn(user_group, manager_group.all_implied_ids)

    def test_sales_roles_get_partner_program_groups(self):
        salesman = new_test_user(self.env, "pp_salesman", groups="sales_team.group_sale_salesman")
        sales_manager = new_test_user(self.env, "pp_sales_manager", groups="sales_team.group_sale_manager")
        self.assertTrue(salesman.has_group("partner_program.group_partner_program_user"))
        self.assertFalse(salesman.has_group("partner_program.group_partner_program_manager"))
        self.assertTrue(sales_manager.has_group("partner_program.group_partner_program_manager"))

    def test_app_of_its_own_with_icon_and_configuration_for_managers(self):
        app = self.env.ref("partner_program.menu_partner_program_app")
        self.assertFalse(app.parent_id, "a home-screen tile, not a CRM submenu")
        self.assertEqual(app.name, "Partner Program")
        self.assertEqual(app.web_icon, "partner_program,static/description/icon.png")
        self.assertEqual(
            app.child_id.mapped("name"),
            ["Overview", "Partners", "Partnerships", "Funds", "Deal Registrations", "Applications", "Referrals",
             "Rewards", "Reporting", "Configuration"],
        )
        user = new_test_user(self.env, "pp_user", groups="partner_program.group_partner_program_user")
        outsider = new_test_user(self.env, "pp_outsider", groups="base.group_user")
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        self.assertIn(app.id, visible)
        self.assertIn(self.env.ref("partner_program.menu_partner_program_resellers").id, visible)
        self.assertNotIn(self.env.ref("partner_program.menu_partner_program_config").id, visible)
        self.assertNotIn(app.id, self.env["ir.ui.menu"].with_user(outsider)._visible_menu_ids())

    def test_one_levels_menu_for_a_partner_manager(self):
        manager = new_test_user(self.env, "pp_levels_manager", groups="sales_team.group_sale_manager")
        menus = self.env["ir.ui.menu"].with_user(manager).load_menus(False)
        level_actions = self.env["ir.actions.act_window"].search([("res_model", "=", "res.partner.grade")])
        level_menus = [menu["xmlid"] for menu in menus.values()
                       if isinstance(menu, dict) and menu.get("action_model") == "ir.actions.act_window"
                       and menu.get("action_id") in level_actions.ids]
        self.assertEqual(level_menus, ["partner_program.menu_partner_program_levels"])

    def test_module_is_an_application_excluding_odoo_resellers(self):
        module = self.env["ir.module.module"].search([("name", "=", "partner_program")])
        self.assertEqual(module.state, "installed")
        self.assertTrue(module.application)
        self.assertEqual(module.license, "LGPL-3")
        self.assertIn("website_crm_partner_assign", module.exclusion_ids.mapped("name"))
