from psycopg2 import IntegrityError

from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestPartnerApplication(MockEmail, ReferralHttpCase):
    """"Become a partner": the public form, the join links, approval, rejection and duplicate merge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.question = cls.env["partner.group.question"].create({
            "group_id": cls.group.id, "form": "application", "name": "How many customers do you serve?",
            "field_type": "number", "required": True,
        })

    def _form(self, **values):
        return dict({
            "name": "Alpine Test Integrations",
            "contact_name": "Marie Favre",
            "email_from": "marie@alpine-test.example.com",
            "phone": "+33 4 76 00 00 00",
            "website": "alpine-test.example.com",
            "country_id": str(self.fr.id),
            "type_id": str(self.type_reseller.id),
            "question_%s" % self.question.id: "35",
        }, **values)

    def _apply(self, url="/partners/apply", **values):
        return self._post(url, self._form(**values))

    def _applications(self, email="marie@alpine-test.example.com"):
        return self.env["partner.application"].search([("email_normalized", "=", email)])

    # ------------------------------------------------------------------ the form
    def test_directory_links_to_the_application_form(self):
        self._login(None)
        self.assertIn('href="/partners/apply"', self.url_open("/partners").text)

    def test_public_form_creates_an_application_in_the_default_group_for_its_manager(self):
        self._login(None)
        page = self.url_open("/partners/apply")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.group.name, page.text)
        self.assertIn("How many customers do you serve?", page.text)
        self.assertIn('data-captcha="partner_apply"', page.text)
        response = self._apply()
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/partners/apply/thanks"))
        application = self._applications()
        self.assertEqual(len(application), 1)
        self.assertEqual(application.group_id, self.group)
        self.assertEqual(application.state, "new")
        self.assertEqual((application.name, application.contact_name, application.country_id, application.type_id),
                         ("Alpine Test Integrations", "Marie Favre", self.fr, self.type_reseller))
        self.assertEqual(application.website, "https://alpine-test.example.com")
        self.assertEqual(application.answer_ids.mapped("value"), ["35"])
        self.assertEqual(application.activity_ids.user_id, self.manager, "the group's manager reviews it")
        self.assertFalse(self.env["res.partner"].search([("email", "=", "marie@alpine-test.example.com")]),
                         "nothing is created before a manager approves")

    def test_form_without_csrf_token_is_refused(self):
        self._login(None)
        response = self.url_open("/partners/apply", data=self._form(), allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._applications())

    def test_incomplete_form_names_its_faults_and_creates_nothing(self):
        self._login(None)
        response = self._apply(email_from="not an email", contact_name="", **{"question_%s" % self.question.id: ""})
        self.assertEqual(response.status_code, 400)
        for message in ("This is not a valid email address.", "Give your name.", "Please answer this question."):
            self.assertIn(message, response.text)
        self.assertIn('value="Alpine Test Integrations"', response.text, "what was typed is kept")
        self.assertFalse(self.env["partner.application"].search([("name", "=", "Alpine Test Integrations")]))

    def test_terms_must_be_accepted_when_the_group_has_terms(self):
        self.group.tos_url = "https://www.example.com/partner-terms"
        self._login(None)
        self.assertIn("https://www.example.com/partner-terms", self.url_open("/partners/apply").text)
        response = self._apply()
        self.assertEqual(response.status_code, 400)
        self.assertIn("Please accept the partner terms.", response.text)
        self.assertEqual(self._apply(accept_tos="1").status_code, 303)
        self.assertEqual(len(self._applications()), 1)

    def test_form_answers_404_without_a_default_group(self):
        self.group.is_default = False
        self._login(None)
        response = self.url_open("/partners/apply")
        self.assertEqual(response.status_code, 404)
        self.assertIn("not taking partner applications", response.text)

    # ------------------------------------------------------------------ join links
    def test_join_link_lands_the_applicant_in_that_group_and_approval_puts_the_company_there(self):
        self._login(None)
        url = "/partners/apply/%s" % self.group_consultants.join_code
        self.assertTrue(self.group_consultants.join_url.endswith(url))
        self.assertIn(self.group_consultants.name, self.url_open(url).text)
        self.assertEqual(self._apply(url).status_code, 303)
        application = self._applications()
        self.assertEqual(application.group_id, self.group_consultants)
        application.with_user(self.manager).action_approve()
        company = application.partner_id
        self.assertEqual(company.partner_group_id, self.group_consultants)
        self.assertEqual(application.partnership_id.type_id, self.type_consultant)
        self.assertEqual(application.partnership_id.grade_id, self.grade_silver, "the group's starting level")
        self.assertEqual(company.grade_id, self.grade_silver)

    def test_unknown_closed_or_regenerated_join_link_is_404(self):
        self._login(None)
        old_code = self.group_consultants.join_code
        self.assertEqual(self.url_open("/partners/apply/nosuchcode123").status_code, 404)
        self.group_consultants.action_regenerate_join_code()
        self.assertEqual(self.url_open("/partners/apply/%s" % old_code).status_code, 404)
        self.assertEqual(self.url_open("/partners/apply/%s" % self.group_consultants.join_code).status_code, 200)
        self.group_consultants.allow_applications = False
        self.assertEqual(self.url_open("/partners/apply/%s" % self.group_consultants.join_code).status_code, 404)

    # ------------------------------------------------------------------ approval
    def test_approval_creates_company_contact_portal_user_partnership_and_membership(self):
        self._login(None)
        self._apply()
        application = self._applications()
        with self.mock_mail_gateway():
            application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "approved")
        company, contact, user = application.partner_id, application.contact_id, application.user_id
        self.assertTrue(company.is_company)
        self.assertEqual((company.name, company.country_id, company.website),
                         ("Alpine Test Integrations", self.fr, "https://alpine-test.example.com"))
        self.assertEqual(contact.parent_id, company)
        self.assertEqual((contact.name, contact.email), ("Marie Favre", "marie@alpine-test.example.com"))
        self.assertEqual(user.partner_id, contact)
        self.assertTrue(user._is_portal())
        self.assertEqual(user.login, "marie@alpine-test.example.com")
        invitation = self._new_mails.filtered(lambda mail: contact in mail.recipient_ids)
        self.assertEqual(len(invitation), 1, "Odoo's portal invitation, with its sign-up link")
        self.assertIn("/web/signup", invitation.body_html)
        partnership = application.partnership_id
        self.assertEqual((partnership.partner_id, partnership.type_id, partnership.grade_id),
                         (company, self.type_reseller, self.grade_bronze))
        self.assertEqual(company.partner_group_id, self.group)
        self.assertEqual(company.grade_id, self.grade_bronze)
        self.assertEqual(len(company.referral_link_ids), 1, "a member gets its referral link")
        self.assertFalse(application.activity_ids, "the review to-do is done")
        # The new partner signs in and finds its portal pages.
        user.password = "alpine-test-password"
        self.authenticate(user.login, "alpine-test-password")
        self.assertIn(company.referral_link_ids.url, self.url_open("/my/referrals").text)

    def test_approval_links_an_existing_contact_and_its_company(self):
        customer = self.env["res.partner"].create({"name": "Existing Test Customer", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Marie F.", "parent_id": customer.id,
                                                  "email": "Marie@Alpine-Test.example.com"})
        self._login(None)
        self._apply()
        application = self._applications()
        partners_before = self.env["res.partner"].search_count([])
        with self.mock_mail_gateway():
            application.with_user(self.manager).action_approve()
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before, "nothing duplicated")
        self.assertEqual(application.partner_id, customer)
        self.assertEqual(application.contact_id, contact)
        self.assertEqual(contact.user_ids, application.user_id)
        self.assertEqual(customer.partner_group_id, self.group)

    def test_email_signing_in_for_another_company_is_refused_with_nothing_written(self):
        self._login(None)
        self._apply(email_from="alice@referral-a.example.com")
        application = self._applications("alice@referral-a.example.com")
        self.user_a.login = "alice@referral-a.example.com"  # Alice signs in with this email for reseller A
        other = self.env["res.partner"].create({"name": "Other Test Company", "is_company": True})
        application.partner_id = other
        with self.assertRaisesRegex(UserError, "already signs in for Referral Reseller A"):
            application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "new")
        self.assertFalse(other.partner_group_id)
        self.assertFalse(self.env["partner.partnership"].search([("partner_id", "=", other.id)]))

    def test_only_partner_managers_decide(self):
        self._login(None)
        self._apply()
        application = self._applications()
        salesman = new_test_user(self.env, "pp_referral_salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            application.with_user(salesman).action_approve()
        with self.assertRaises(AccessError):
            application.with_user(salesman)._reject("No.")
        self.assertEqual(application.state, "new")

    # ------------------------------------------------------------------ rejection
    def test_rejection_mails_the_reason_and_creates_no_partner(self):
        self._login(None)
        self._apply()
        application = self._applications()
        wizard = self.env["partner.application.reject"].with_user(self.manager).create({
            "application_ids": [(6, 0, application.ids)],
            "reason": "We already have three partners in the Alps.",
        })
        with self.mock_mail_gateway():
            wizard.action_reject()
        self.assertEqual(application.state, "rejected")
        self.assertEqual(application.reject_reason, "We already have three partners in the Alps.")
        mail = self._new_mails.filtered(lambda m: m.email_to == "marie@alpine-test.example.com")
        self.assertEqual(len(mail), 1)
        self.assertIn("We already have three partners in the Alps.", mail.body_html)
        self.assertFalse(self.env["res.partner"].search([("email", "=ilike", "marie@alpine-test.example.com")]))
        self.assertFalse(application.activity_ids)

    def test_rejection_needs_a_reason(self):
        self._login(None)
        self._apply()
        application = self._applications()
        with self.assertRaisesRegex(UserError, "Give the reason"):
            application.with_user(self.manager)._reject("  ")
        self.assertEqual(application.state, "new")

    # ------------------------------------------------------------------ duplicates
    def test_same_email_applying_again_is_merged_not_doubled(self):
        self._login(None)
        self._apply()
        self._apply(email_from="  MARIE@alpine-test.example.com ", phone="+33 6 00 00 00 00",
                    **{"question_%s" % self.question.id: "40"})
        application = self._applications()
        self.assertEqual(len(application), 1)
        self.assertEqual(application.submission_count, 2)
        self.assertEqual(application.phone, "+33 6 00 00 00 00", "the latest values win")
        self.assertEqual(application.answer_ids.mapped("value"), ["40"], "answers replaced, not piled up")
        self.assertTrue(application.message_ids.filtered(lambda m: "applied again" in (m.body or "")))
        # Rejected, then applying again: the same application is back for review.
        application.with_user(self.manager)._reject("Not now.", send_mail=False)
        self._apply()
        self.assertEqual(self._applications(), application)
        self.assertEqual((application.state, application.submission_count), ("new", 3))
        self.assertFalse(application.reject_reason)
        # Approved, then applying again: nothing changes.
        with self.mock_mail_gateway():
            application.with_user(self.manager).action_approve()
        self._apply(name="Renamed Test Integrations")
        self.assertEqual(self._applications(), application)
        self.assertEqual((application.state, application.name), ("approved", "Alpine Test Integrations"))
        self.assertEqual(application.submission_count, 4)

    def test_the_database_refuses_a_second_application_for_an_email(self):
        self._login(None)
        self._apply()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["partner.application"].create({
                "name": "Twin", "contact_name": "Twin", "email_from": "marie@alpine-test.example.com",
                "group_id": self.group.id,
            })
