import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ConcurrencyError, UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from . import test_portal_race as race


@tagged("post_install", "-at_install")
class TestPortalAnswerBusy(race.TestPortalRace):
    """A reseller answering a lead a background job holds at that moment: "answered at the same moment" only when
    another answer really was recorded; otherwise the answer waits, is retried, or the user is asked to try again.
    Real concurrent transactions, with the data of tests/test_portal_race.py."""

    # The data and helpers of the race tests, not their tests (they run in their own file).
    test_two_resellers_racing_on_interested_exactly_one_wins = None
    test_two_users_of_one_reseller_double_answer_only_once = None

    def _job_holding(self, cr, index):
        """A scheduled job's transaction holding the lead's row (it locks it to update it)."""
        cr.execute("SELECT id FROM crm_lead WHERE id = %s FOR UPDATE", [self.race["leads"][index]])

    def test_answer_waits_for_a_short_job_then_is_recorded(self):
        user = self.race["users_a"][0]
        with self.registry.cursor() as cr_job:
            self._job_holding(cr_job, 0)
            release = threading.Timer(0.5, cr_job.commit)
            release.start()
            try:
                with self.registry.cursor() as cr_a:
                    self._interested(self._env(cr_a, user), 0)
            finally:
                release.join()
        self.assertEqual(self._race_result(0), ("opportunity", self.race["a"], 1, [user]))

    def test_answer_told_to_try_again_while_a_job_keeps_the_lead(self):
        user = self.race["users_a"][0]
        with self.registry.cursor() as cr_job:
            self._job_holding(cr_job, 1)
            with self.registry.cursor() as cr_a:
                with self.assertRaisesRegex(UserError, "try again") as caught:
                    self._interested(self._env(cr_a, user), 1)
                self.assertNotIn("same moment", str(caught.exception))
                cr_a.rollback()
            cr_job.rollback()
        self.assertEqual(self._race_result(1), ("lead", self.race["a"], 0, []))

    def test_answer_retried_when_a_job_changed_the_lead_meanwhile(self):
        user = self.race["users_a"][0]
        with self.registry.cursor() as cr_a:
            env_a = self._env(cr_a, user)
            self.assertTrue(self._lead(env_a, 2).name)  # the page was loaded: the request's snapshot is taken
            with self.registry.cursor() as cr_job:
                self._lead(api.Environment(cr_job, SUPERUSER_ID, {}), 2).priority = "3"
            with self.assertRaises(ConcurrencyError):
                self._interested(env_a, 2)
            cr_a.rollback()
            # What the HTTP layer does with it: the request again, on a fresh snapshot.
            self.assertTrue(self._lead(env_a, 2).name)
            with self.registry.cursor() as cr_job:
                self._lead(api.Environment(cr_job, SUPERUSER_ID, {}), 2).priority = "2"
            retrying(lambda: self._interested(env_a, 2), env_a)
        self.assertEqual(self._race_result(2), ("opportunity", self.race["a"], 1, [user]))
