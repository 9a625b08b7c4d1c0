"""Two real transactions racing for one fund row (the balance and reservation rules' tests)."""
import threading
from contextlib import contextmanager

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
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
