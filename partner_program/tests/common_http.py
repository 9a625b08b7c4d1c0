import re

from odoo.tests import HttpCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class FormHttpCase(HttpCase):
    """The one way HTTP tests sign in and post forms as a browser does (with the page's CSRF token)."""

    def _login(self, user):
        """Browse as ``user`` (res.users), or logged out with None."""
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)

    def _csrf_token(self, response):
        """The CSRF token of the form in ``response``."""
        match = CSRF_RE.search(response.text)
        self.assertTrue(match, "no form with a CSRF token on %s" % response.url)
        return match.group(1)

    def _csrf(self, url):
        """The CSRF token of the form on ``url``, as a browser would send it."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, "%s: %s" % (url, response.text[:300]))
        return self._csrf_token(response)

    def _form_page(self, url):
        """The page whose form posts to ``url`` (default: ``url`` itself, a page that posts to itself)."""
        return url

    def _post(self, url, data, csrf_from=None, token=None):
        """POST a form as the page does (CSRF token of the page ``csrf_from``, default ``_form_page(url)``)."""
        if token is None:
            token = self._csrf(csrf_from or self._form_page(url))
        return self.url_open(url, data=dict(data, csrf_token=token), allow_redirects=False)
