from odoo.tests import new_test_user

from .common import LYON, VILLEURBANNE, PartnerProgramCase
from .common_http import FormHttpCase


class PartnerPortalCase(FormHttpCase, PartnerProgramCase):
    """Two resellers with portal users, a company without a level, and their leads; nothing from demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.team = cls.env["crm.team"].create({
            "name": "Reseller Sales", "use_leads": True, "use_opportunities": True,
            "member_ids": [(6, 0, cls.salesperson.ids)],
        })
        cls.other_team = cls.env["crm.team"].create({"name": "Other Sales", "use_opportunities": True})
        cls.stage_qualified = Stage.create({"name": "Tour Qualified", "sequence": 1001, "team_ids": cls.team.ids})
        cls.stage_proposition = Stage.create({"name": "Tour Proposition", "sequence": 1002,
                                              "team_ids": cls.team.ids})
        cls.stage_won = Stage.create({"name": "Tour Won", "sequence": 1003, "is_won": True,
                                      "team_ids": cls.team.ids})
        cls.stage_other_team = Stage.create({"name": "Other Team Stage", "sequence": 1004,
                                             "team_ids": cls.other_team.ids})

        cls.reseller_a = cls._reseller("Rhône Test Reseller", LYON, grade=cls.grade_gold)
        cls.contact_a = cls.env["res.partner"].create({"name": "Camille Test", "parent_id": cls.reseller_a.id,
                                                       "email": "camille@reseller-a.example.com"})
        cls.user_a = new_test_user(cls.env, "pp_reseller_a", groups="base.group_portal", partner_id=cls.contact_a.id)
        cls.contact_a2 = cls.env["res.partner"].create({"name": "Dominique Test", "parent_id": cls.reseller_a.id})
        cls.user_a2 = new_test_user(cls.env, "pp_reseller_a2", groups="base.group_portal",
                                    partner_id=cls.contact_a2.id)
        cls.reseller_b = cls._reseller("Saône Test Reseller", VILLEURBANNE, grade=cls.grade_silver)
        cls.contact_b = cls.env["res.partner"].create({"name": "Bastien Other", "parent_id": cls.reseller_b.id})
        cls.user_b = new_test_user(cls.env, "pp_reseller_b", groups="base.group_portal", partner_id=cls.contact_b.id)
        customer_company = cls.env["res.partner"].create({"name": "Plain Customer Co", "is_company": True})
        cls.customer_contact = cls.env["res.partner"].create({"name": "Plain Customer",
                                                              "parent_id": customer_company.id})
        cls.user_customer = new_test_user(cls.env, "pp_customer", groups="base.group_portal",
                                          partner_id=cls.customer_contact.id)

        cls.lead_a = cls._portal_lead("Tour lead - Fourvière Optique", cls.reseller_a,
                                      partner_name="Fourvière Optique", email_from="anne@fourviere.example.com")
        cls.lead_b = cls._portal_lead("Secret lead of B - Tassin Dental", cls.reseller_b,
                                      partner_name="Tassin Dental", email_from="paul@tassin.example.com")
        cls.opp_a = cls._portal_lead("Opportunity of A - Vaise Print", cls.reseller_a, type="opportunity",
                                     stage_id=cls.stage_qualified.id, partner_name="Vaise Print",
                                     email_from="zoe@vaise-print.example.com", expected_revenue=8000)
        cls.opp_b = cls._portal_lead("Secret opportunity of B - Oullins Bikes", cls.reseller_b,
                                     type="opportunity", stage_id=cls.stage_qualified.id,
                                     partner_name="Oullins Bikes", email_from="max@oullins-bikes.example.com")

    @classmethod
    def _portal_lead(cls, name, reseller, **values):
        return cls.env["crm.lead"].create(dict({
            "name": name,
            "type": "lead",
            "team_id": cls.team.id,
            "user_id": cls.salesperson.id,
            "country_id": cls.fr.id,
            "city": "Lyon",
            "partner_latitude": LYON[0],
            "partner_longitude": LYON[1],
            "partner_assigned_id": reseller.id,
        }, **values))

    # ------------------------------------------------------------------ HTTP helpers
    def _form_page(self, url):
        # /my/lead/<id>/interested, /my/opportunity/<id>/update...: the form is on the record's page.
        return url.rsplit("/", 1)[0]

    def _interested_form(self, **values):
        return dict({
            "activity_type_id": str(self.env.ref("mail.mail_activity_data_call").id),
            "activity_date_deadline": "2099-01-15",
            "activity_summary": "Demo of the solution",
            "expected_revenue": "15000",
            "contacted": "1",
        }, **values)
