from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import LYON, PARIS, VILLEURBANNE, PartnerProgramCase


@tagged("post_install", "-at_install")
class TestForwardWizard(PartnerProgramCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.near = cls._reseller("Villeurbanne Reseller", VILLEURBANNE, city="Villeurbanne",
                                 email="near@example.com")
        cls.paris = cls._reseller("Paris Reseller", PARIS, city="Paris", email="paris@example.com")
        cls.template = cls.env.ref("partner_program.mail_template_lead_forward")

    def _wizard(self, leads):
        return Form(self.env["crm.lead.forward.to.partner"].with_context(
            active_model="crm.lead", active_ids=leads.ids))

    def _mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_wizard_proposes_current_reseller_else_the_automatic_choice_without_writing(self):
        unassigned = self._leads(1, LYON, name="Lyon prospect")
        assigned = self._leads(1, LYON, name="Already with Paris", partner_assigned_id=self.paris.id)
        nowhere = self._leads(1, country=self.env["res.country"], name="Nowhere prospect")
        messages_before = unassigned.message_ids
        wizard = self.env["crm.lead.forward.to.partner"].with_context(
            active_model="crm.lead", active_ids=(unassigned | assigned | nowhere).ids).create({})
        lines = {line.lead_id: line for line in wizard.line_ids}
        self.assertEqual(lines[unassigned].partner_assigned_id, self.near)
        self.assertIn("within 50 km", lines[unassigned].proposal)
        self.assertEqual(lines[unassigned].lead_location, "France")
        self.assertEqual(lines[unassigned].partner_location, "Villeurbanne, France")
        self.assertEqual(lines[assigned].partner_assigned_id, self.paris)
        self.assertEqual(lines[assigned].proposal, "Current reseller")
        self.assertFalse(lines[nowhere].partner_assigned_id)
        self.assertIn("No country", lines[nowhere].proposal)
        # A preview: nothing changed on the lead.
        self.assertFalse(unassigned.partner_assigned_id)
        self.assertEqual(unassigned.message_ids, messages_before)

    def test_edited_line_wins_and_each_reseller_gets_one_mail_with_portal_links(self):
        leads = self._leads(3, LYON)
        form = self._wizard(leads)
        with form.line_ids.edit(2) as line:
            self.assertEqual(line.partner_assigned_id, self.near)
            line.partner_assigned_id = self.paris
        wizard = form.save()
        action = wizard.action_forward()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(leads[:2].partner_assigned_id, self.near)
        self.assertEqual(leads[2].partner_assigned_id, self.paris)
        self.assertEqual(leads.user_id, self.salesperson)
        self.assertTrue(all(leads.mapped("date_partner_assign")))

        base_url = leads[0].get_base_url()
        for reseller, own, other in ((self.near, leads[:2], leads[2]), (self.paris, leads[2], leads[:2])):
            mail = self._mails_to(reseller)
            self.assertEqual(len(mail), 1, "one mail per reseller, listing all its leads")
            self.assertEqual(mail.subject, "New leads for %s" % reseller.name)
            self.assertEqual(mail.model, "res.partner")
            for lead in own:
                self.assertIn("%s/my/lead/%s" % (base_url, lead.id), str(mail.body_html))
            for lead in other:
                self.assertNotIn("/my/lead/%s\"" % lead.id, str(mail.body_html))
        self.assertIn("Forwarded to the reseller by email", leads[2].message_ids[:1].body)
        self.assertIn("Paris Reseller", leads[2].message_ids[:1].body)
        self.assertEqual(action["params"]["message"], "3 leads forwarded to 2 resellers.")

    def test_wizard_warns_about_resellers_without_portal_user_and_offers_to_invite_them(self):
        new_test_user(self.env, "pp_near_portal", groups="base.group_portal",
                      partner_id=self.env["res.partner"].create({"name": "Near contact", "parent_id": self.near.id,
                                                                 "email": "contact@near.example.com"}).id)
        lead_near = self._leads(1, LYON, partner_assigned_id=self.near.id)
        lead_paris = self._leads(1, PARIS, partner_assigned_id=self.paris.id)
        wizard = self.env["crm.lead.forward.to.partner"].with_context(
            active_model="crm.lead", active_ids=(lead_near | lead_paris).ids).create({})
        self.assertEqual(wizard.partner_without_portal_ids, self.paris,
                         "a contact's portal user is enough for the company")
        self.assertEqual(wizard.summary, "2 leads to 2 resellers")
        action = wizard.action_invite_partners()
        self.assertEqual(action["res_model"], "portal.wizard")
        invitation = self.env["portal.wizard"].browse(action["res_id"])
        self.assertEqual(invitation.partner_ids, self.paris)
        one = self.env["crm.lead.forward.to.partner"].with_context(
            active_model="crm.lead", active_ids=lead_near.ids).create({})
        self.assertFalse(one.partner_without_portal_ids)
        self.assertEqual(one.summary, "1 lead to 1 reseller")

    def test_reseller_without_email_is_refused_and_nothing_is_written(self):
        silent = self._reseller("Silent Reseller", LYON)
        leads = self._leads(2, LYON)
        form = self._wizard(leads)
        with form.line_ids.edit(0) as line:
            line.partner_assigned_id = silent
        wizard = form.save()
        mails_before = self.env["mail.mail"].search_count([])
        with self.assertRaisesRegex(UserError, "Silent Reseller"):
            wizard.action_forward()
        self.assertFalse(leads.partner_assigned_id)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_lead_without_reseller_is_refused_with_its_name(self):
        lead = self._leads(1, LYON, name="Orphan prospect")
        form = self._wizard(lead)
        with form.line_ids.edit(0) as line:
            line.partner_assigned_id = self.env["res.partner"]
        with self.assertRaisesRegex(UserError, "Orphan prospect"):
            form.save().action_forward()
        self.assertFalse(self._mails_to(self.near))

    def test_forward_by_hand_counts_as_a_round_robin_turn(self):
        first = self._reseller("First", LYON, email="first@example.com")
        second = self._reseller("Second", LYON, email="second@example.com")
        # Equal weights and credits: the automatic choice would go to "First". Forwarding there by hand
        # is its turn, so the next automatic lead goes to "Second".
        forwarded, automatic = self._leads(2, LYON)
        forwarded._forward_to_partner({forwarded.id: first.id})
        automatic.assign_partner()
        self.assertEqual(automatic.partner_assigned_id, second)

    def test_forward_again_to_the_same_reseller_keeps_the_assignment_date(self):
        lead = self._leads(1, LYON, partner_assigned_id=self.near.id)
        lead.date_partner_assign = "2024-01-10"
        lead._forward_to_partner({lead.id: self.near.id})
        self.assertEqual(str(lead.date_partner_assign), "2024-01-10")
        self.assertEqual(len(self._mails_to(self.near)), 1)

    def test_salesperson_forwards_from_the_wizard(self):
        lead = self._leads(1, LYON)
        wizard = Form(self.env["crm.lead.forward.to.partner"].with_user(self.salesperson).with_context(
            active_model="crm.lead", active_ids=lead.ids)).save()
        wizard.action_forward()
        self.assertEqual(lead.partner_assigned_id, self.near)
        self.assertEqual(len(self._mails_to(self.near)), 1)

    def test_portal_user_cannot_forward_leads(self):
        lead = self._leads(1, LYON)
        portal = new_test_user(self.env, "pp_forward_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            lead.with_user(portal)._forward_to_partner({lead.id: self.near.id})
        with self.assertRaises(AccessError):
            self.env["crm.lead.forward.to.partner"].with_user(portal).create({})
        self.assertFalse(lead.partner_assigned_id)

    def test_forward_button_and_list_action_open_the_wizard(self):
        action = self.env.ref("partner_program.crm_lead_forward_to_partner_action")
        self.assertEqual(action.binding_model_id.model, "crm.lead")
        self.assertEqual(action.target, "new")
        arch = self.env["crm.lead"].get_view(self.env.ref("crm.crm_lead_view_form").id)["arch"]
        self.assertIn('name="%s"' % action.id, arch)


@tagged("post_install", "-at_install")
class TestForwardWizardUi(HttpCase):
    def test_salesperson_forwards_an_opportunity_from_its_form(self):
        iceland = self.env.ref("base.is")
        salesperson = new_test_user(self.env, "pp_tour_forward", email="sales@example.com",
                                    groups="sales_team.group_sale_salesman_all_leads")
        grade = self.env["res.partner.grade"].create({"name": "Tour level", "partner_weight": 1})
        reseller = self.env["res.partner"].create({
            "name": "Reykjavik Reseller", "is_company": True, "grade_id": grade.id, "country_id": iceland.id,
            "partner_latitude": 64.1466, "partner_longitude": -21.9426, "email": "reykjavik@example.com",
        })
        lead = self.env["crm.lead"].create({
            "name": "Reykjavik prospect", "type": "opportunity", "country_id": iceland.id,
            "partner_latitude": 64.1355, "partner_longitude": -21.8954, "user_id": salesperson.id,
        })
        self.start_tour("/odoo/crm/%s" % lead.id, "partner_program_forward_to_partner", login=salesperson.login)
        self.assertEqual(lead.partner_assigned_id, reseller)
        self.assertEqual(self.env["mail.mail"].search_count([("recipient_ids", "in", reseller.ids)]), 1)
