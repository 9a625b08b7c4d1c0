from lxml import etree

from odoo.tests import tagged

from .common import LYON, PartnerProgramCase


@tagged("post_install", "-at_install")
class TestBackendNames(PartnerProgramCase):
    """One name per thing on the backend screens a partner manager opens first."""

    def _arch(self, model, view_xmlid):
        view = self.env.ref(view_xmlid)
        return etree.fromstring(self.env[model].get_view(view.id, "form")["arch"])

    def test_contact_form_shows_one_level_and_a_partnership_button(self):
        arch = self._arch("res.partner", "base.view_partner_form")
        self.assertEqual(len(arch.xpath("//field[@name='grade_id'][not(ancestor::field)]")), 1)
        self.assertTrue(arch.xpath("//button[@name='action_view_partnerships']"))
        reseller = self._reseller("Lyon Names", LYON)
        partnership = self.env["partner.partnership"].create({
            "partner_id": reseller.id, "type_id": self.env["partner.type"].create({"name": "Names type"}).id,
            "grade_id": self.grade_bronze.id,
        })
        self.assertEqual(reseller.partnership_count, 1)
        action = reseller.action_view_partnerships()
        self.assertEqual((action["res_model"], action["res_id"]), ("partner.partnership", partnership.id))

    def test_level_form_counts_resellers_like_the_levels_list(self):
        arch = self._arch("res.partner.grade", "partnership.view_partner_grade_form")
        self.assertFalse(arch.xpath("//field[@name='partners_label']"))
        self.assertEqual(arch.xpath("//field[@name='partners_count']/@string"), ["Resellers"])

    def test_partnership_form_has_a_visible_active_toggle(self):
        arch = self._arch("partner.partnership", "partner_program.partner_partnership_view_form")
        active = arch.xpath("//field[@name='active'][not(ancestor::field)]")
        self.assertEqual(active[0].get("widget"), "boolean_toggle")
        self.assertFalse(active[0].get("invisible"))
