from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import Form, new_test_user, tagged

from .common import LYON, PARIS, VILLEURBANNE, PartnerProgramCase


@tagged("post_install", "-at_install")
class TestPartnerAnswerDeadline(PartnerProgramCase):
    """Company setting "Days to Answer": reminder at half-time, then the lead is taken back and re-assigned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_answer_days = 4
        cls.near = cls._reseller("Near", VILLEURBANNE, email="near@reseller.example.com")
        cls.far = cls._reseller("Far", PARIS)
        contact = cls.env["res.partner"].create({"name": "Near contact", "parent_id": cls.near.id})
        cls.near_user = new_test_user(cls.env, "pp_near_user", groups="base.group_portal", partner_id=contact.id)

    def _assigned_lead(self):
        lead = self._leads(1, LYON, user_id=self.salesperson.id)
        lead.assign_partner()
        self.assertEqual(lead.partner_assigned_id, self.near)
        return lead

    def _move_clock(self, lead, hours):
        """Pretend the lead was assigned ``hours`` ago."""
        lead.write({
            "date_partner_answer_due": lead.date_partner_answer_due - timedelta(hours=hours),
            "date_partner_answer_remind": lead.date_partner_answer_remind - timedelta(hours=hours),
        })

    def _reminders(self, lead):
        return self.env["mail.mail"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                                             ("subject", "like", "Reminder: please answer")])

    def test_settings_set_the_days_to_answer_of_the_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.partner_answer_days = 6
        settings.partner_reassign_auto = True
        settings.save().execute()
        self.assertEqual(self.env.company.partner_answer_days, 6)
        self.assertTrue(self.env.company.partner_reassign_auto)

    def test_assignment_gives_a_deadline_only_when_the_limit_is_on(self):
        before = fields.Datetime.now()
        lead = self._assigned_lead()
        self.assertAlmostEqual(lead.date_partner_answer_due, before + timedelta(days=4), delta=timedelta(minutes=5))
        self.assertAlmostEqual(lead.date_partner_answer_remind, before + timedelta(days=2),
                               delta=timedelta(minutes=5))
        self.env.company.partner_answer_days = 0
        unlimited = self._leads(1, LYON)
        unlimited.assign_partner()
        self.assertTrue(unlimited.partner_assigned_id)
        self.assertFalse(unlimited.date_partner_answer_due)
        # An opportunity given to a reseller has nothing to accept.
        self.env.company.partner_answer_days = 4
        opportunity = self._leads(1, LYON, type="opportunity")
        opportunity.assign_partner()
        self.assertFalse(opportunity.date_partner_answer_due)

    def test_reminder_mail_at_half_time_once(self):
        lead = self._assigned_lead()
        self.assertFalse(self.env["crm.lead"]._cron_partner_answer_deadline()["reminded"], "too early")
        self._move_clock(lead, 49)
        result = self.env["crm.lead"]._cron_partner_answer_deadline()
        self.assertEqual(result["reminded"], lead)
        self.assertFalse(result["expired"])
        mail = self._reminders(lead)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.near)
        self.assertIn("/my/lead/%s" % lead.id, mail.body_html)
        self.assertEqual(lead.partner_assigned_id, self.near)
        self.assertFalse(lead.date_partner_answer_remind)
        self.env["crm.lead"]._cron_partner_answer_deadline()
        self.assertEqual(len(self._reminders(lead)), 1, "one reminder only")

    def test_no_answer_in_time_takes_the_lead_back_and_gives_it_to_the_next_reseller(self):
        lead = self._assigned_lead()
        lead.message_subscribe(partner_ids=self.near_user.partner_id.ids)
        self._move_clock(lead, 4 * 24 + 1)
        result = self.env["crm.lead"]._cron_partner_answer_deadline()
        self.assertEqual(result["expired"], lead)
        self.assertIn(self.near, lead.partner_declined_ids)
        self.assertEqual(lead.partner_assigned_id, self.far)
        self.assertTrue(lead.date_partner_decline)
        self.assertNotIn(self.near_user.partner_id, lead.message_partner_ids)
        note = lead.message_ids.filtered(lambda message: "no answer within the time to answer" in (message.body or ""))
        self.assertTrue(note.is_internal)
        self.assertIn("Near", note.body)
        # The next reseller gets its own full time to answer.
        self.assertGreater(lead.date_partner_answer_due, fields.Datetime.now() + timedelta(days=3))

    def test_accepting_in_time_stops_the_clock_and_records_the_answer_date(self):
        lead = self._assigned_lead()
        lead.with_user(self.near_user).partner_interested({
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "activity_date_deadline": fields.Date.today() + timedelta(days=1),
            "activity_summary": "Call",
            "expected_revenue": 1000,
            "contacted": True,
        })
        self.assertFalse(lead.date_partner_answer_due)
        self.assertTrue(lead.date_partner_accept)
        self.assertGreaterEqual(fields.Date.context_today(lead, lead.date_partner_accept), lead.date_partner_assign)
        result = self.env["crm.lead"]._cron_partner_answer_deadline()
        self.assertFalse(result["expired"])
        self.assertEqual(lead.partner_assigned_id, self.near)
        # Given to another reseller later, the acceptance date goes with the old one.
        lead.partner_assigned_id = self.far
        self.assertFalse(lead.date_partner_accept)

    def _backlog(self, count, hours):
        leads = self._leads(count, LYON, user_id=self.salesperson.id)
        leads.assign_partner()
        for lead in leads:
            self._move_clock(lead, hours)
        return leads

    def test_cron_works_through_a_backlog_in_batches(self):
        to_remind = self._backlog(5, 49)
        to_expire = self._backlog(4, 4 * 24 + 1)
        Lead = self.env["crm.lead"].with_context(partner_answer_batch_size=2)
        result = Lead._cron_partner_answer_deadline()
        self.assertEqual(result["reminded"], to_remind)
        self.assertEqual(result["expired"], to_expire)
        self.assertEqual(to_expire.partner_assigned_id, self.far)
        self.assertFalse(any(to_remind.mapped("date_partner_answer_remind")))

    def test_cron_commits_each_batch_and_triggers_itself_when_its_time_is_up(self):
        to_expire = self._backlog(5, 4 * 24 + 1)
        cron = self.env.ref("partner_program.ir_cron_partner_answer_deadline")
        Cron = type(self.env["ir.cron"])
        Lead = self.env["crm.lead"].with_context(partner_answer_batch_size=2, cron_id=cron.id)
        # the first batch leaves time for a second one, then time is up
        with patch.object(Cron, "_commit_progress", side_effect=[60.0, 0.0]) as progress, \
                patch.object(Cron, "_trigger", autospec=True) as trigger:
            result = Lead._cron_partner_answer_deadline()
        self.assertEqual(len(result["expired"]), 4)
        self.assertEqual([call.args[0] for call in progress.call_args_list], [2, 2])
        self.assertEqual([call.kwargs["remaining"] for call in progress.call_args_list], [3, 1])
        trigger.assert_called_once()
        self.assertEqual(trigger.call_args.args[0], cron)
        # the next run takes the rest
        result = Lead.with_context(cron_id=False)._cron_partner_answer_deadline()
        self.assertEqual(result["expired"], to_expire[4:])
