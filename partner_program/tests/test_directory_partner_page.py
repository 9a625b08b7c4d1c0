from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .common_directory import DirectoryHttpCase


@tagged("post_install", "-at_install")
class TestPartnerPage(DirectoryHttpCase):
    """/partners/<slug>: a reseller's public page."""

    def _url(self, partner, suffix=""):
        return "/partners/%s%s" % (self.env["ir.http"]._slug(partner), suffix)

    def test_published_partner_page_shows_level_description_address_map_and_published_references(self):
        for user in (None, self.portal_user):
            self._login(user)
            page = self._get(self._url(self.lyon)).text
            for shown in ("Lyon Test Reseller", "Test Gold", "Twenty years of ERP projects around Lyon.",
                          "1 Place Bellecour", "maps.google.com", "Bellecour Test Bakery", "Croix-Rousse Test Silk",
                          "Contact this partner"):
                self.assertIn(shown, page)
            self.assertNotIn("Confidential Test Customer", page)  # unpublished reference
            self.assertNotIn(self.activation.name, page)  # activation is internal
            self.assertNotIn("Unpublished", page)
            self.assertNotIn("js_publish_management", page)

    def test_hidden_partners_are_not_found_for_visitors(self):
        for user in (None, self.portal_user):
            self._login(user)
            for partner in (self.hidden, self.on_unpublished_level, self.on_archived_level, self.person):
                self._get(self._url(partner), status=404)
            self._get("/partners/nobody-999999", status=404)

    def test_website_editor_sees_unpublished_partner_with_badge_and_can_publish_and_edit_it(self):
        self._login(self.web_editor)
        page = self._get(self._url(self.hidden)).text
        self.assertIn("o_partner_unpublished", page)
        self.assertIn('data-object="res.partner"', page)  # the Published / Unpublished switch
        self.assertIn('data-oe-field="website_description"', page)  # editable in the website builder
        self._get(self._url(self.on_unpublished_level))
        self._get(self._url(self.on_archived_level), status=404)
        # The switch calls website_publish_button, with the editor's own rights.
        editor = new_test_user(self.env, "pp_directory_publisher",
                               groups="base.group_user,base.group_partner_manager,website.group_website_designer")
        self.hidden.with_user(editor).website_publish_button()
        self._login(None)
        self._get(self._url(self.hidden))

    def test_wrong_slug_name_redirects_to_the_canonical_url(self):
        self._login(None)
        response = self._get("/partners/old-name-%s" % self.lyon.id, status=301)
        self.assertTrue(response.headers["Location"].endswith(self._url(self.lyon)))

    def test_other_published_partners_keep_the_standard_website_partner_page(self):
        self._login(None)
        reference = self.references[0]
        self.assertIn("Bellecour Test Bakery", self._get(self._url(reference)).text)

    def test_description_script_is_not_rendered(self):
        # Salespeople write reseller data in the back end: the Html field sanitizes what they save.
        salesperson = new_test_user(self.env, "pp_directory_sales", groups="sales_team.group_sale_salesman")
        self.lyon.with_user(salesperson).website_description = (
            "<p>Safe part</p><script>alert('description')</script><img src=x onerror=\"alert('img')\">"
        )
        self._login(None)
        page = self._get(self._url(self.lyon)).text
        self.assertIn("Safe part", page)
        self.assertNotIn("alert('description')", page)
        self.assertNotIn("alert('img')", page)

    def test_partner_name_is_rendered_escaped(self):
        self.lyon.name = "<script>alert('name')</script> Lyon"
        self._login(None)
        page = self._get(self._url(self.lyon)).text
        self.assertNotIn("<script>alert('name')", page)
        self.assertIn("&lt;script&gt;alert(", page)


@tagged("post_install", "-at_install")
class TestPartnerContact(DirectoryHttpCase):
    """"Contact this partner": one lead, assigned to that partner."""

    def _url(self, partner, suffix=""):
        return "/partners/%s%s" % (self.env["ir.http"]._slug(partner), suffix)

    def _leads(self):
        return self.env["crm.lead"].search([("email_from", "=", "jane@example.com")])

    def _post(self, partner, csrf_token, **values):
        return self.url_open(self._url(partner, "/contact"), data=dict(values, csrf_token=csrf_token),
                             allow_redirects=False)

    def _form(self):
        return {"contact_name": "Jane Visitor", "email_from": "jane@example.com", "phone": "+33 4 00 00 00 00",
                "partner_name": "Jane's Bakery", "description": "We need a new point of sale.\nCall me <b>soon</b>."}

    def test_contact_creates_exactly_one_lead_assigned_to_that_partner(self):
        self._login(None)
        form_page = self._get(self._url(self.lyon, "/contact"))
        self.assertIn('data-captcha="partner_contact"', form_page.text)
        for field in ("contact_name", "email_from", "phone", "partner_name", "description"):
            self.assertIn('name="%s"' % field, form_page.text)
        response = self._post(self.lyon, self._csrf_token(form_page), **self._form())
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(self._url(self.lyon, "/contact/sent")))
        lead = self._leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_assigned_id, self.lyon)
        self.assertEqual(lead.user_id, self.salesperson)  # the reseller's salesperson follows it
        self.assertEqual((lead.contact_name, lead.partner_name, lead.phone),
                         ("Jane Visitor", "Jane's Bakery", "+33 4 00 00 00 00"))
        self.assertIn("Call me &lt;b&gt;soon&lt;/b&gt;.", lead.description)
        self.assertEqual(lead.medium_id, self.env.ref("utm.utm_medium_website"))

        sent = self._get(self._url(self.lyon, "/contact/sent")).text
        self.assertIn("Thank you", sent)
        self.assertEqual(len(self._leads()), 1)

    def test_empty_or_invalid_form_is_rejected_with_a_message(self):
        self._login(None)
        token = self._csrf_token(self._get(self._url(self.lyon, "/contact")))
        response = self._post(self.lyon, token, contact_name="", email_from="", description="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("o_partner_contact_error", response.text)
        self.assertIn("Please fill in your name, a valid email address, your message.", response.text)
        response = self._post(self.lyon, token, **dict(self._form(), email_from="not an email"))
        self.assertIn("a valid email address", response.text)
        self.assertIn('value="Jane Visitor"', response.text)  # what was typed stays
        self.assertFalse(self.env["crm.lead"].search([("contact_name", "=", "Jane Visitor")]))

    def test_hidden_partner_cannot_be_contacted(self):
        self._login(None)
        token = self._csrf_token(self._get(self._url(self.lyon, "/contact")))
        for partner in (self.hidden, self.on_unpublished_level):
            self._get(self._url(partner, "/contact"), status=404)
            self.assertEqual(self._post(partner, token, **self._form()).status_code, 404)
        self.assertFalse(self._leads())

    def test_spam_protection_rejects_posts_without_csrf_token_or_failing_the_captcha(self):
        self._login(None)
        token = self._csrf_token(self._get(self._url(self.lyon, "/contact")))
        self.assertEqual(self._post(self.lyon, "forged", **self._form()).status_code, 400)
        # With reCAPTCHA configured, Odoo checks the token of the route's "partner_contact" action.
        self.env["ir.config_parameter"].sudo().set_param("recaptcha_private_key", "test-secret")
        IrHttp = type(self.env["ir.http"])
        with patch.object(IrHttp, "_verify_recaptcha_token", return_value="is_bot") as verify:
            response = self._post(self.lyon, token, **self._form())
        self.assertNotEqual(response.status_code, 303)
        self.assertEqual(verify.call_args.args[-1], "partner_contact")
        self.assertFalse(self._leads())
