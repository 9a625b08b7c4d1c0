import re

from lxml import html

from odoo.tests import new_test_user

from .common import PartnerProgramCase
from .common_http import FormHttpCase

LYON = (45.7640, 4.8357)
PARIS = (48.8566, 2.3522)
BRUSSELS = (50.8503, 4.3517)


def setup_directory(cls):
    """Three published resellers (2 in France, 1 in Belgium) and four that visitors must never see.

    Visible, in directory order: Lyon (Test Gold, 2 published references), Brussels (Test Gold,
    1 reference), Paris (Test Silver). Demo resellers are archived by PartnerProgramCase.
    """
    cls.be = cls.env.ref("base.be")
    cls.food = cls.env.ref("base.res_partner_industry_I")
    cls.manufacturing = cls.env.ref("base.res_partner_industry_C")
    Grade = cls.env["res.partner.grade"]
    cls.grade_unpublished = Grade.create({"name": "Test Secret Level", "sequence": 5, "is_published": False})
    cls.grade_archived = Grade.create({"name": "Test Old Level", "sequence": 6, "active": False})
    cls.activation = cls.env.ref("partner_program.res_partner_activation_fully_operational")

    cls.lyon = cls._reseller(
        "Lyon Test Reseller", LYON, grade=cls.grade_gold, city="Lyon", street="1 Place Bellecour", zip="69002",
        is_published=True, activation=cls.activation.id,
        website_short_description="Bakeries and workshops of the Rhône valley",
        website_description="<p>Twenty years of ERP projects around Lyon.</p>",
    )
    cls.brussels = cls._reseller(
        "Brussels Test Reseller", BRUSSELS, country=cls.be, grade=cls.grade_gold, city="Brussels",
        is_published=True, website_description="<p>Waffles and ERP.</p>",
    )
    cls.paris = cls._reseller("Paris Test Reseller", PARIS, grade=cls.grade_silver, city="Paris", is_published=True)
    cls.hidden = cls._reseller("Hidden Test Reseller", LYON, grade=cls.grade_gold, city="Lyon", is_published=False)
    cls.on_unpublished_level = cls._reseller(
        "Secret Level Test Reseller", LYON, grade=cls.grade_unpublished, city="Lyon", is_published=True,
    )
    cls.on_archived_level = cls._reseller(
        "Old Level Test Reseller", LYON, grade=cls.grade_archived, city="Lyon", is_published=True,
    )
    # Published people are not companies: never in the directory.
    cls.person = cls.env["res.partner"].create({
        "name": "Lonely Test Consultant", "grade_id": cls.grade_gold.id, "is_published": True, "city": "Lyon",
    })
    Partner = cls.env["res.partner"]
    cls.references = Partner.create([
        {"name": "Bellecour Test Bakery", "is_company": True, "is_published": True, "city": "Lyon",
         "industry_id": cls.food.id, "assigned_partner_id": cls.lyon.id},
        {"name": "Croix-Rousse Test Silk", "is_company": True, "is_published": True, "city": "Lyon",
         "assigned_partner_id": cls.lyon.id},
        {"name": "Confidential Test Customer", "is_company": True, "is_published": False, "city": "Lyon",
         "industry_id": cls.manufacturing.id, "assigned_partner_id": cls.lyon.id},
        {"name": "Atomium Test Factory", "is_company": True, "is_published": True, "city": "Brussels",
         "industry_id": cls.manufacturing.id, "assigned_partner_id": cls.brussels.id},
    ])
    cls.public_user = cls.env.ref("base.public_user")
    cls.portal_user = new_test_user(cls.env, "pp_directory_portal", groups="base.group_portal")
    cls.web_editor = new_test_user(
        cls.env, "pp_directory_editor", groups="base.group_user,website.group_website_restricted_editor",
    )


class DirectoryCase(PartnerProgramCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_directory(cls)


class DirectoryHttpCase(FormHttpCase, PartnerProgramCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_directory(cls)

    def _get(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, "%s: %s" % (url, response.text[:300]))
        return response

    @staticmethod
    def _by_class(node, css_class):
        return node.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' %s ')]" % css_class)

    def _heading(self, response):
        return " ".join(html.fromstring(response.text).xpath("//h1")[0].text_content().split())

    def _cards(self, response):
        """Names of the resellers on a directory page, in order."""
        tree = html.fromstring(response.text)
        return [node.text_content().strip() for node in self._by_class(tree, "o_partner_card_name")]

    def _filters(self, response, kind):
        """{label: count} of a left-column filter (``grades``, ``countries`` or ``industries``) and the active one."""
        tree = html.fromstring(response.text)
        entries, active = {}, None
        for link in self._by_class(tree, "o_partner_directory_%s" % kind)[0].xpath(".//a"):
            text = " ".join(link.text_content().split())
            match = re.match(r"^(.*?)\s*(\d+)?$", text)
            label, count = match.group(1), match.group(2)
            entries[label] = int(count) if count is not None else None
            if "active" in link.get("class", "").split():
                active = label
        return entries, active
