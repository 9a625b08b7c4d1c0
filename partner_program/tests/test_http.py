from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestHttp(HttpCase):
    def test_login_page_and_backend_load(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="login"', response.text)

        self.authenticate("admin", "admin")
        response = self.url_open("/odoo")
        self.assertEqual(response.status_code, 200)
        # The web client boots with the session of the logged-in user.
        self.assertIn("odoo.__session_info__", response.text)
        self.assertIn('"uid": %d' % self.env.ref("base.user_admin").id, response.text)
