from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPartnerApplicationRace(TransactionCase):
    """Two submissions of one email at the same moment (a double click), in real concurrent transactions: both
    end well and are merged into one application, none is lost.

    The registry is not in test mode in a TransactionCase: each ``registry.cursor()`` is its own connection, so the
    group is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            group = env["partner.group"].create({
                "name": "Race group %s" % tag, "destination_url": "/", "allow_applications": True,
                "type_id": env["partner.type"].create({"name": "Race type %s" % tag}).id,
                "grade_id": env["res.partner.grade"].create({"name": "Race level %s" % tag}).id,
            })
            self.group_id = group.id
        self.email = "double.click.%s@applicant.example.com" % tag
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["partner.application"].search([("group_id", "=", self.group_id)]).unlink()
            group = env["partner.group"].browse(self.group_id)
            type_, grade = group.type_id, group.grade_id
            group.unlink()
            type_.unlink()
            grade.unlink()

    def _submit(self, env, name):
        group = env["partner.group"].browse(self.group_id)
        return env["partner.application"]._website_submit(group, {
            "name": name, "contact_name": "Double Clicker", "email_from": self.email})

    def test_a_submission_whose_snapshot_predates_the_other_one_is_retried_and_merged(self):
        with self.registry.cursor() as cr_late:
            env_late = api.Environment(cr_late, SUPERUSER_ID, {})
            # The late request has started (its snapshot is taken, as the HTTP layer's first queries do) ...
            env_late["partner.application"].search_count([])
            # ... when the first submission of the same email commits.
            with self.registry.cursor() as cr_first:
                self._submit(api.Environment(cr_first, SUPERUSER_ID, {}), "First Click Co")
            # The late one goes through the same retry loop as an HTTP request: it must end well, merged.
            _application, merged = retrying(lambda: self._submit(env_late, "Second Click Co"), env_late)
            self.assertTrue(merged)
        with self.registry.cursor() as cr:
            applications = api.Environment(cr, SUPERUSER_ID, {})["partner.application"].search(
                [("group_id", "=", self.group_id)])
            self.assertEqual(len(applications), 1)
            self.assertEqual((applications.name, applications.submission_count), ("Second Click Co", 2))
