from odoo.tests import new_test_user

from .common import LYON, VILLEURBANNE, PartnerProgramCase
from .common_http import FormHttpCase


def setup_referral(cls):
    """Two groups of our own (the first one the default), two partner companies in it with portal users, and
    a company in no group. Demo resellers are archived by PartnerProgramCase; the demo groups stay but are
    no longer the default."""
    cls.manager = new_test_user(cls.env, "pp_referral_manager", groups="partner_program.group_partner_program_manager",
                                email="referral.manager@example.com")
    PartnerType = cls.env["partner.type"]
    cls.type_reseller = PartnerType.create({"name": "Referral Test Reseller"})
    cls.type_consultant = PartnerType.create({"name": "Referral Test Consultant"})
    Group = cls.env["partner.group"]
    cls.group = Group.create({
        "name": "Referral Test Resellers",
        "is_default": True,
        "type_id": cls.type_reseller.id,
        "grade_id": cls.grade_bronze.id,
        "user_id": cls.manager.id,
        "destination_url": "https://www.example.com/pricing?lang=en",
        "utm_source_id": cls.env.ref("utm.utm_source_referral").id,
        "utm_medium_id": cls.env.ref("utm.utm_medium_website").id,
        "cookie_days": 30,
        "allow_custom_links": True,
    })
    cls.group_consultants = Group.create({
        "name": "Referral Test Consultants",
        "type_id": cls.type_consultant.id,
        "grade_id": cls.grade_silver.id,
        "user_id": cls.manager.id,
        "destination_url": "/contactus",
        "referral_assignment": "none",
    })
    cls.partner_a = cls._reseller("Referral Reseller A", LYON, grade=cls.grade_gold, partner_group_id=cls.group.id,
                                  is_published=True, city="Lyon")
    cls.contact_a = cls.env["res.partner"].create({"name": "Alice Referral", "parent_id": cls.partner_a.id,
                                                   "email": "alice@referral-a.example.com"})
    cls.user_a = new_test_user(cls.env, "pp_referral_a", groups="base.group_portal", partner_id=cls.contact_a.id)
    cls.partner_b = cls._reseller("Referral Reseller B", VILLEURBANNE, grade=cls.grade_silver,
                                  partner_group_id=cls.group.id, is_published=True, city="Villeurbanne")
    cls.contact_b = cls.env["res.partner"].create({"name": "Bob Referral", "parent_id": cls.partner_b.id,
                                                   "email": "bob@referral-b.example.com"})
    cls.user_b = new_test_user(cls.env, "pp_referral_b", groups="base.group_portal", partner_id=cls.contact_b.id)
    cls.outsider = cls.env["res.partner"].create({"name": "Referral Outsider Co", "is_company": True})
    cls.outsider_contact = cls.env["res.partner"].create({"name": "Olga Outsider", "parent_id": cls.outsider.id})
    cls.user_outsider = new_test_user(cls.env, "pp_referral_outsider", groups="base.group_portal",
                                      partner_id=cls.outsider_contact.id)
    cls.link_a = cls.partner_a.referral_link_ids
    cls.link_b = cls.partner_b.referral_link_ids


class ReferralCase(PartnerProgramCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_referral(cls)

    @classmethod
    def _offer(cls, trigger, group=None, **values):
        return cls.env["partner.offer"].create(dict({
            "name": "Offer %s" % trigger,
            "group_id": (group or cls.group).id,
            "trigger": trigger,
            "reward_type": "fixed",
            "amount": 100,
        }, **values))

    @classmethod
    def _referred_lead(cls, partner, link=None, **values):
        """A lead the partner brought through its link, as the website would create it."""
        link = link or partner.referral_link_ids[:1]
        return cls.env["crm.lead"].create(dict({
            "name": "Referred by %s" % partner.name,
            "type": "lead",
            "country_id": cls.fr.id,
            "email_from": "visitor@customer.example.com",
            "referral_partner_id": partner.id,
            "referral_link_id": link.id,
            "referral_group_id": partner.partner_group_id.id,
        }, **values))


class ReferralHttpCase(FormHttpCase, ReferralCase):
    """Referral pages over HTTP; their forms post to the page they are on (``FormHttpCase._form_page``)."""
