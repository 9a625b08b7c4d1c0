"""Two real transactions racing for one fund row (the balance and reservation rules' tests)."""
import threading
from contextlib import contextmanager
from datetime import timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase
from odoo.tools import mute_logger


@contextmanager
def second_waits_then_fails_to_serialize(test, first, second, what):
    """Run ``first(env1)``, which locks the row until commit, then ``second(env2)`` in a thread: the second
    must wait for the lock, then fail to serialize once the first commits. Yields ``env2`` (rolled back) for
    the retry Odoo would make, inside the two cursors."""
    with test.registry.cursor() as cr1, test.registry.cursor() as cr2:
        env1 = api.Environment(cr1, SUPERUSER_ID, {})
        env2 = api.Environment(cr2, SUPERUSER_ID, {})
        # both transactions start before the first one writes
        cr1.execute("SELECT 1")
        cr2.execute("SET LOCAL lock_timeout = '20s'")
        first(env1)
        outcome = {}

        def run_second():
            try:
                second(env2)
                outcome["result"] = "done"
            except Exception as error:  # noqa: BLE001 - the test reports whatever happened
                outcome["result"] = error

        thread = threading.Thread(target=run_second)
        with mute_logger("odoo.sql_db"):
            thread.start()
            thread.join(1)
            test.assertTrue(thread.is_alive(), "the second %s waits for the first one's lock" % what)
            cr1.commit()
            thread.join(30)
        test.assertFalse(thread.is_alive())
        test.assertIsInstance(outcome["result"], errors.SerializationFailure)
        cr2.rollback()
        yield env2
        cr2.rollback()


class CommittedFundCase(TransactionCase):
    """A fund holding 100, committed (each ``registry.cursor()`` of a TransactionCase is its own connection,
    so what two transactions race on must be committed first) and removed after the test.

    ``_committed_setup(env, fund)`` adds a test's own records (committed with the fund) and returns ids to
    keep in ``self.ids``; ``_committed_cleanup(cr)`` removes them first.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Race reseller", "is_company": True})
            partner_type = env["partner.type"].create({"name": "Race type"})
            partnership = env["partner.partnership"].create({
                "partner_id": partner.id, "type_id": partner_type.id,
                "date_start": fields.Date.today() - timedelta(days=1),
            })
            fund = env["partner.fund"].create({"partnership_id": partnership.id, "credit_category_id": False})
            env["partner.fund.operation"].create({
                "fund_id": fund.id, "operation_type": "credit", "amount": 100, "name": "Initial",
            })
            self.ids = dict({"partner": partner.id, "type": partner_type.id, "partnership": partnership.id,
                             "fund": fund.id}, **self._committed_setup(env, fund))
        self.addCleanup(self._cleanup)

    def _committed_setup(self, env, fund):
        return {}

    def _committed_cleanup(self, cr):
        pass

    def _cleanup(self):
        with self.registry.cursor() as cr:
            self._committed_cleanup(cr)
            for model, key in (("partner.fund", "fund"), ("partner.partnership", "partnership")):
                cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = %s", [model, self.ids[key]])
                cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = %s", [model, self.ids[key]])
            cr.execute("DELETE FROM partner_fund_operation WHERE fund_id = %s", [self.ids["fund"]])
            cr.execute("DELETE FROM partner_fund WHERE id = %s", [self.ids["fund"]])
            cr.execute("DELETE FROM partner_partnership WHERE id = %s", [self.ids["partnership"]])
            cr.execute("DELETE FROM partner_type WHERE id = %s", [self.ids["type"]])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [self.ids["partner"]])
