from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalProgram(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["partner.partnership"])
        Grade = cls.env["res.partner.grade"]
        cls.bronze = Grade.create({"name": "Portal Bronze", "sequence": 30})
        cls.silver = Grade.create({"name": "Portal Silver", "sequence": 20})
        leads = cls.env["partner.parameter.category"].create({
            "name": "Registered leads", "kind": "obligation", "measure": "leads_registered", "unit": "leads",
        })
        discount = cls.env["partner.parameter.category"].create({
            "name": "Hardware discount", "kind": "benefit", "benefit_type": "discount", "unit": "%",
        })
        cls.type_reseller = cls.env["partner.type"].create({"name": "Portal Reseller"})
        cls.env["partner.level.parameter"].create([
            {"type_id": cls.type_reseller.id, "grade_id": cls.bronze.id, "category_id": discount.id, "value": 7},
            {"type_id": cls.type_reseller.id, "grade_id": cls.silver.id, "category_id": leads.id, "target": 4},
            {"type_id": cls.type_reseller.id, "grade_id": cls.silver.id, "category_id": discount.id, "value": 12},
        ])
        cls.mine, cls.theirs = (cls._partnership_for(name) for name in ("Alpha Resellers", "Omega Resellers"))
        cls.env["crm.lead"].create({"name": "A lead", "partner_assigned_id": cls.mine.partner_id.id})
        cls.portal_user = new_test_user(cls.env, "pp_portal_alpha", groups="base.group_portal")
        cls.portal_user.partner_id.parent_id = cls.mine.partner_id
        cls.lonely_user = new_test_user(cls.env, "pp_portal_lonely", groups="base.group_portal")

    @classmethod
    def _partnership_for(cls, name):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True})
        partnership = cls.env["partner.partnership"].create({
            "partner_id": partner.id, "type_id": cls.type_reseller.id, "grade_id": cls.bronze.id,
            "date_start": cls.today - timedelta(days=10),
        })
        fund = cls.env["partner.fund"].create({"name": "%s fund" % name, "partnership_id": partnership.id})
        cls.env["partner.fund.operation"].create({
            "fund_id": fund.id, "operation_type": "credit", "amount": 1500, "name": "%s welcome credit" % name,
        })
        cls.env["partner.training"].create({
            "partnership_id": partnership.id, "name": "%s certification" % name, "kind": "certification",
        })
        cls.env["partner.marketing.activity"].create({
            "partnership_id": partnership.id, "name": "%s webinar" % name, "budget": 300,
        })
        return partnership

    def test_partner_sees_its_program(self):
        self.authenticate("pp_portal_alpha", "pp_portal_alpha")
        response = self.url_open("/my/partner-program")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for text in ("Portal Reseller", "Portal Bronze", "Towards", "Portal Silver", "Registered leads",
                     "1 leads", "4 leads", "width: 25%", "Hardware discount", "7 %", "Alpha Resellers fund",
                     "1,500.00", "Alpha Resellers welcome credit", "Alpha Resellers certification",
                     "Alpha Resellers webinar", "Leads and sales over the period"):
            self.assertIn(text, page)
        self.assertNotIn("Omega", page)

    def test_partner_opens_its_own_partnership_but_not_another(self):
        self.authenticate("pp_portal_alpha", "pp_portal_alpha")
        own = self.url_open("/my/partner-program/%s" % self.mine.id)
        self.assertEqual(own.status_code, 200)
        self.assertIn("Alpha Resellers fund", own.text)
        other = self.url_open("/my/partner-program/%s" % self.theirs.id)
        self.assertEqual(other.status_code, 404)
        self.assertNotIn("Omega", other.text)
        missing = self.url_open("/my/partner-program/%s" % (self.theirs.id + 1000))
        self.assertEqual(missing.status_code, 404)

    def test_archived_partnership_is_not_shown(self):
        self.mine.active = False
        self.authenticate("pp_portal_alpha", "pp_portal_alpha")
        self.assertIn("No partner program yet", self.url_open("/my/partner-program").text)
        self.assertEqual(self.url_open("/my/partner-program/%s" % self.mine.id).status_code, 404)

    def test_partner_without_partnership_gets_an_explanation(self):
        self.authenticate("pp_portal_lonely", "pp_portal_lonely")
        response = self.url_open("/my/partner-program")
        self.assertEqual(response.status_code, 200)
        self.assertIn("No partner program yet", response.text)
        self.assertNotIn("Alpha", response.text)

    def test_visitor_is_sent_to_the_login_page(self):
        for url in ("/my/partner-program", "/my/partner-program/%s" % self.mine.id):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])

    def test_portal_home_links_to_the_program(self):
        self.authenticate("pp_portal_alpha", "pp_portal_alpha")
        self.assertIn('href="/my/partner-program"', self.url_open("/my").text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["partnership_count"]})
        self.assertEqual(counters["partnership_count"], 1)
        self.authenticate("pp_portal_lonely", "pp_portal_lonely")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["partnership_count"]})
        self.assertEqual(counters["partnership_count"], 0)

    def test_backoffice_user_sees_any_partnership_page(self):
        self.authenticate("admin", "admin")
        response = self.url_open("/my/partner-program/%s" % self.theirs.id)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Omega Resellers fund", response.text)
