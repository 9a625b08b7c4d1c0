import threading
import time
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from .common import LYON


@tagged("post_install", "-at_install")
class TestReferralClickBurst(TransactionCase):
    """Counting a click never fails nor delays the redirect, and the count equals the clicks, in real concurrent
    transactions (the registry is not in test mode here: each cursor is its own connection; the data is
    committed first and removed at the end)."""

    def setUp(self):
        super().setUp()
        tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            grade = env["res.partner.grade"].create({"name": "Burst level %s" % tag})
            group = env["partner.group"].create({
                "name": "Burst group %s" % tag, "destination_url": "/", "grade_id": grade.id,
                "type_id": env["partner.type"].create({"name": "Burst type %s" % tag}).id})
            partner = env["res.partner"].create({
                "name": "Burst reseller %s" % tag, "is_company": True, "partner_group_id": group.id,
                "partner_latitude": LYON[0], "partner_longitude": LYON[1]})
            self.ids = {"grade": grade.id, "group": group.id, "type": group.type_id.id, "partner": partner.id}
            self.code = partner.referral_link_ids.code
            self.link_id = partner.referral_link_ids.id
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["partner.group"].browse(self.ids["group"]).unlink()
            env["partner.type"].browse(self.ids["type"]).unlink()
            env["res.partner.grade"].browse(self.ids["grade"]).unlink()

    def _click(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["partner.referral.link"]._register_click(self.code)

    def _count(self):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})["partner.referral.link"].browse(self.link_id).click_count

    def test_a_click_never_waits_for_nor_conflicts_with_another_one(self):
        with self.registry.cursor() as cr_first, self.registry.cursor() as cr_second:
            cr_second.execute("SET LOCAL lock_timeout = '1s'")
            cr_second.execute("SELECT 1 FROM partner_referral_link LIMIT 1")  # its snapshot is taken
            self.assertTrue(self._click(cr_first))  # counted, not committed yet: holds whatever it holds
            started = time.monotonic()
            self.assertTrue(self._click(cr_second), "counted without waiting for the first visitor")
            self.assertLess(time.monotonic() - started, 0.5)
            cr_first.commit()
            self.assertTrue(self._click(cr_second), "a click committed meanwhile conflicts with nothing")
            cr_second.commit()
        self.assertEqual(self._count(), 3)

    def test_200_clicks_16_at_a_time_all_counted_none_failed(self):
        # 16 connections at once, not 50: the PostgreSQL cluster (100 connections) is shared by other test runs.
        errors = []
        lock = threading.Lock()

        def visit(_index):
            try:
                with self.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                    if not self._click(cr):
                        raise AssertionError("link not found")
            except Exception as error:  # noqa: BLE001 - every failure is what this test counts
                with lock:
                    errors.append(repr(error))

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(visit, range(200), timeout=120))
        elapsed = time.monotonic() - started
        self.assertEqual(errors, [])
        self.assertEqual(self._count(), 200)
        # Folding the log into the counter loses and doubles nothing.
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["partner.referral.click"]._cron_fold()
        self.assertEqual(self._count(), 200)
        self.assertLess(elapsed, 60)
