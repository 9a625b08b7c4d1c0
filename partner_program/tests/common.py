from odoo.tests import TransactionCase

LYON = (45.7640, 4.8357)
VILLEURBANNE = (45.7719, 4.8902)  # 5 km from Lyon
GRENOBLE = (45.1885, 5.7245)  # 95 km from Lyon
PARIS = (48.8566, 2.3522)  # 390 km from Lyon
NEW_YORK = (40.7128, -74.0060)


class PartnerProgramCase(TransactionCase):
    """Resellers and leads built by the tests alone: the demo resellers are archived."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.partner"].search([("grade_id", "!=", False)]).active = False
        cls.fr = cls.env.ref("base.fr")
        cls.us = cls.env.ref("base.us")
        cls.salesperson = cls.env["res.users"].create({
            "name": "Reseller Manager", "login": "pp_reseller_manager",
            "group_ids": [(6, 0, [cls.env.ref("sales_team.group_sale_salesman_all_leads").id])],
        })
        Grade = cls.env["res.partner.grade"]
        cls.grade_gold = Grade.create({"name": "Test Gold", "sequence": 1, "partner_weight": 3})
        cls.grade_silver = Grade.create({"name": "Test Silver", "sequence": 2, "partner_weight": 2})
        cls.grade_bronze = Grade.create({"name": "Test Bronze", "sequence": 3, "partner_weight": 1})
        cls.grade_zero = Grade.create({"name": "Test Sleeping", "sequence": 4, "partner_weight": 0})

    @classmethod
    def _reseller(cls, name, coords=None, country=None, grade=None, **values):
        lat, lon = coords or (0.0, 0.0)
        return cls.env["res.partner"].create(dict({
            "name": name,
            "is_company": True,
            "grade_id": (grade or cls.grade_bronze).id,
            "country_id": (country or cls.fr).id,
            "partner_latitude": lat,
            "partner_longitude": lon,
            "user_id": cls.salesperson.id,
        }, **values))

    @classmethod
    def _leads(cls, count, coords=None, country=None, **values):
        lat, lon = coords or (0.0, 0.0)
        country = cls.fr if country is None else country
        return cls.env["crm.lead"].create([dict({
            "name": "Lead %s" % (index + 1),
            "type": "lead",
            "country_id": country.id,
            "partner_latitude": lat,
            "partner_longitude": lon,
        }, **values) for index in range(count)])
