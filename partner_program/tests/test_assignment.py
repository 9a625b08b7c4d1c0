import math
from collections import Counter
from unittest.mock import patch

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..models.crm_lead_candidates import EARTH_INDEX, EARTH_RADIUS_KM
from .common import GRENOBLE, LYON, NEW_YORK, PARIS, VILLEURBANNE, PartnerProgramCase


def _km(a, b):
    """Great-circle distance, as the assignment computes it."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1, math.sqrt(h)))


@tagged("post_install", "-at_install")
class TestAssignment(PartnerProgramCase):
    def test_weight_zero_never_gets_a_lead(self):
        sleeping = self._reseller("Sleeping", LYON, grade=self.grade_zero)
        awake = self._reseller("Awake", GRENOBLE, grade=self.grade_bronze)
        leads = self._leads(20, LYON)
        leads.assign_partner()
        self.assertEqual(sleeping.partner_weight, 0)
        self.assertEqual(leads.partner_assigned_id, awake)

    def test_declined_partner_never_gets_the_lead_again(self):
        near = self._reseller("Near", LYON)
        far = self._reseller("Far", PARIS)
        lead = self._leads(1, LYON, partner_declined_ids=[(4, near.id)])
        lead.assign_partner()
        self.assertEqual(lead.partner_assigned_id, far)

    def test_nearby_partner_beats_a_far_one_whatever_the_weight(self):
        near = self._reseller("Near", VILLEURBANNE, grade=self.grade_bronze)
        self._reseller("Far but gold", PARIS, grade=self.grade_gold)
        lead = self._leads(1, LYON)
        lead.assign_partner()
        self.assertEqual(lead.partner_assigned_id, near)
        self.assertEqual(lead.date_partner_assign, fields.Date.context_today(lead, lead.create_date))
        explanation = lead.message_ids[:1].body
        self.assertIn("Near", explanation)
        self.assertIn("within 50 km", explanation)
        self.assertRegex(explanation, r"\((4|5)\.\d km\)")  # the distance, about 5 km

    def test_rings_then_country_then_nearest_anywhere(self):
        paris = self._reseller("Paris", PARIS)
        lead_grenoble = self._leads(1, GRENOBLE)
        lead_grenoble.assign_partner()
        self.assertEqual(lead_grenoble.partner_assigned_id, paris)
        self.assertIn("within 800 km", lead_grenoble.message_ids[:1].body)
        lead_us = self._leads(1, NEW_YORK, country=self.us)
        lead_us.assign_partner()
        self.assertEqual(lead_us.partner_assigned_id, paris)
        self.assertIn("nearest reseller anywhere", lead_us.message_ids[:1].body)

    def test_fairness_follows_level_weights(self):
        resellers = (self._reseller("Bronze", LYON, grade=self.grade_bronze)
                     | self._reseller("Silver", LYON, grade=self.grade_silver)
                     | self._reseller("Gold", LYON, grade=self.grade_gold))
        leads = self._leads(1200, VILLEURBANNE)
        # Several runs, as a salesperson or the scheduled action would do them.
        for batch in (leads[:7], leads[7:300], leads[300:301], leads[301:]):
            batch.assign_partner()
        counts = Counter(lead.partner_assigned_id.name for lead in leads)
        self.assertEqual(sum(counts.values()), 1200)
        for reseller in resellers:
            share = counts[reseller.name] / 1200
            expected = reseller.partner_weight / 6
            self.assertAlmostEqual(share, expected, delta=0.05 * expected, msg=reseller.name)

    def test_round_robin_credit_is_one_row_per_reseller_carried_across_runs(self):
        bronze = self._reseller("Bronze", LYON, grade=self.grade_bronze)
        gold = self._reseller("Gold", LYON, grade=self.grade_gold)
        Credit = self.env["partner.assign.credit"]
        leads = self._leads(1, VILLEURBANNE)
        leads.assign_partner()
        first = {row.partner_id: row.credit for row in Credit.search([("partner_id", "in", (bronze | gold).ids)])}
        # one turn: each earned its weight, the winner (gold, the heavier) paid the turn's total
        self.assertEqual(first, {bronze: bronze.partner_weight, gold: gold.partner_weight - (
            bronze.partner_weight + gold.partner_weight)})
        self.assertEqual(bronze.sudo().partner_assign_credit, bronze.partner_weight)
        leads |= self._leads(1, VILLEURBANNE)
        leads[1:].assign_partner()
        self.assertEqual(leads.partner_assigned_id, bronze | gold, "the second turn goes to the other one")
        rows = Credit.search([("partner_id", "in", (bronze | gold).ids)])
        self.assertEqual(len(rows), 2, "updated in place, not appended")
        self.assertEqual(sum(rows.mapped("credit")), 0.0, "smooth round-robin: the credits always sum to zero")
        self.env.cr.execute("""SELECT 1 FROM information_schema.columns
                                WHERE table_name = 'res_partner' AND column_name = 'partner_assign_credit'""")
        self.assertFalse(self.env.cr.fetchall(), "not a column of res_partner (a wide table, slow to update)")
        # a salesperson reads them (the engine explains its choices) but cannot move them
        salesman = new_test_user(self.env, "pp_credit_salesman",
                                 groups="sales_team.group_sale_salesman,partner_program.group_partner_program_user")
        self.assertEqual(len(Credit.with_user(salesman).search([("id", "in", rows.ids)])), 2)
        with self.assertRaises(AccessError):
            rows.with_user(salesman).write({"credit": 1000})
        with self.assertRaises(AccessError):
            Credit.with_user(salesman).create({"partner_id": bronze.id, "credit": 1000})
        # a reseller that goes takes its credit with it
        leads.unlink()
        bronze.unlink()
        self.assertEqual(len(rows.exists()), 1)

    def test_capacity_is_respected(self):
        near = self._reseller("Near but small", LYON, partner_capacity=3)
        far = self._reseller("Far", PARIS)
        self._leads(1, LYON, partner_assigned_id=near.id)  # already holds one open lead
        leads = self._leads(5, LYON)
        leads.assign_partner()
        self.assertEqual(len(leads.filtered(lambda lead: lead.partner_assigned_id == near)), 2)
        self.assertEqual(len(leads.filtered(lambda lead: lead.partner_assigned_id == far)), 3)
        self.assertEqual(near.assigned_lead_open_count, 3)

    def test_lead_without_country_is_tagged_and_named(self):
        self._reseller("Lyon", LYON)
        lead = self._leads(1, country=self.env["res.country"], name="Nowhere Inc")
        action = lead.action_assign_partner()
        self.assertFalse(lead.partner_assigned_id)
        self.assertIn(self.env.ref("partner_program.tag_no_partner_available"), lead.tag_ids)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Nowhere Inc", action["params"]["message"])

    def test_unreachable_geocoder_falls_back_to_city_state_country(self):
        lyon = self._reseller("Lyon", LYON, city="Lyon")
        self._reseller("Paris", PARIS, city="Paris")
        lead = self._leads(1, city="LYON ", street="1 Place Bellecour")
        geocoder = type(self.env["base.geocoder"])
        with patch.object(geocoder, "geo_find", side_effect=UserError("Error with geolocation server: offline")):
            action = lead.action_assign_partner()
        self.assertEqual(lead.partner_assigned_id, lyon)
        self.assertIn("same city", lead.message_ids[:1].body)
        self.assertIn("could not be reached", action["params"]["message"])
        self.assertNotIn("offline", action["params"]["message"], "the service's own error goes to the log")

    def test_geocoder_connection_error_speaks_one_sentence_and_still_assigns(self):
        rome = self._reseller("Roma Partners", (41.9028, 12.4964), city="Rome", country=self.env.ref("base.it"))
        manchester = self._reseller("Manchester Partners", (53.4808, -2.2426), city="Manchester",
                                    country=self.env.ref("base.uk"))
        lead_rome = self._leads(1, city="Rome", country=self.env.ref("base.it"), name="Colosseo Srl")
        lead_manchester = self._leads(1, city="Manchester", country=self.env.ref("base.uk"), name="Mancunian Ltd")
        leads = lead_rome | lead_manchester
        offline = requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='nominatim.openstreetmap.org', port=443): NewConnectionError")
        with patch.object(requests, "get", side_effect=offline):
            action = leads.action_assign_partner()
        self.assertEqual(lead_rome.partner_assigned_id, rome)
        self.assertEqual(lead_manchester.partner_assigned_id, manchester)
        self.assertEqual(
            action["params"]["message"],
            "2 leads assigned to 2 resellers.\nThe address service could not be reached; 2 leads were matched by "
            "city, state or country instead.",
        )
        self.assertNotIn("HTTPSConnectionPool", action["params"]["message"])

    def test_assignment_message_speaks_singular_and_plural(self):
        self._reseller("Lyon", LYON)
        lead = self._leads(1, LYON)
        self.assertEqual(lead.action_assign_partner()["params"]["message"], "1 lead assigned to 1 reseller.")
        self._reseller("Paris", PARIS)
        leads = self._leads(2, LYON) | self._leads(1, PARIS)
        self.assertIn("3 leads assigned to", leads.action_assign_partner()["params"]["message"])

    def test_answering_geocoder_gives_coordinates(self):
        near = self._reseller("Villeurbanne", VILLEURBANNE)
        self._reseller("Paris", PARIS)
        lead = self._leads(1, city="Lyon")
        geocoder = type(self.env["base.geocoder"])
        with patch.object(geocoder, "geo_find", return_value=LYON) as geo_find:
            summary = lead.assign_partner()
        self.assertTrue(geo_find.called)
        self.assertFalse(summary["geocoder_error"])
        self.assertAlmostEqual(lead.partner_latitude, LYON[0], places=4)
        self.assertEqual(lead.partner_assigned_id, near)

    def test_manual_assignment_brings_the_partner_salesperson(self):
        reseller = self._reseller("Lyon", LYON)
        lead = self._leads(1, LYON, user_id=False)
        lead.assign_partner(partner_id=reseller.id)
        self.assertEqual(lead.partner_assigned_id, reseller)
        self.assertEqual(lead.user_id, self.salesperson)
        self.assertTrue(lead.date_partner_assign)

    def test_assignment_run_by_a_salesperson(self):
        reseller = self._reseller("Lyon", LYON)
        leads = self._leads(3, LYON)
        leads.with_user(self.salesperson).action_assign_partner()
        self.assertEqual(leads.partner_assigned_id, reseller)

    def test_portal_and_public_users_cannot_assign_or_read_leads(self):
        reseller = self._reseller("Lyon", LYON)
        lead = self._leads(1, LYON)
        portal = new_test_user(self.env, "pp_portal", groups="base.group_portal")
        public = self.env.ref("base.public_user")
        for user in (portal, public):
            with self.assertRaises(AccessError):
                lead.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                lead.with_user(user).assign_partner()
            with self.assertRaises(AccessError):
                lead.with_user(user).assign_partner(partner_id=reseller.id)
        self.assertFalse(lead.partner_assigned_id)

    def test_scheduled_action_assigns_unassigned_leads_of_chosen_teams(self):
        reseller = self._reseller("Lyon", LYON)
        team_on = self.env["crm.team"].create({"name": "Resellers team", "assign_partner_auto": True})
        team_off = self.env["crm.team"].create({"name": "Direct team"})
        lead_on = self._leads(1, LYON, team_id=team_on.id)
        lead_off = self._leads(1, LYON, team_id=team_off.id)
        self.env["crm.lead"]._cron_assign_partner()
        self.assertEqual(lead_on.partner_assigned_id, reseller)
        self.assertFalse(lead_off.partner_assigned_id)

    def test_query_count_does_not_grow_with_the_number_of_leads(self):
        for name, coords in (("A", LYON), ("B", VILLEURBANNE), ("C", LYON)):
            self._reseller(name, coords)
        self._leads(3, LYON).assign_partner()  # warm the caches

        def queries(count):
            leads = self._leads(count, LYON)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            leads.assign_partner()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        few, many = queries(10), queries(200)
        self.assertLessEqual(many, few + 2, "10 leads: %s queries, 200 leads: %s" % (few, many))

    def test_explanations_are_internal_notes_with_the_same_text(self):
        near = self._reseller("Near", VILLEURBANNE, grade=self.grade_bronze)
        other = self._reseller("Other", LYON, grade=self.grade_gold)
        leads = self._leads(4, LYON)
        # the user who runs the assignment signs the notes, as _message_log_batch did
        leads.with_user(self.salesperson).assign_partner()
        note = self.env.ref("mail.mt_note")
        texts = set()
        for lead in leads:
            message = lead.message_ids.filtered(lambda m: "Assigned to reseller" in (m.body or ""))
            self.assertEqual(len(message), 1, lead.name)
            self.assertEqual((message.model, message.res_id), ("crm.lead", lead.id))
            self.assertEqual(message.message_type, "notification")
            self.assertEqual(message.subtype_id, note)
            self.assertTrue(message.is_internal)
            self.assertEqual(message.author_id, self.salesperson.partner_id)
            self.assertFalse(message.notification_ids, "no notification for a log")
            partner = lead.partner_assigned_id
            distance = 0.0 if partner == other else _km(LYON, VILLEURBANNE)
            total = near.partner_weight + other.partner_weight
            self.assertEqual(str(message.body), (
                "<p>Assigned to reseller %s (%s): within 50 km (%.1f km); weight %s of %s among 2 eligible "
                "resellers.</p>" % (partner.name, partner.grade_id.name, distance, partner.partner_weight, total)))
            texts.add(partner.name)
        self.assertEqual(texts, {"Near", "Other"})

    def test_index_and_window_give_the_same_rows_in_every_ring(self):
        # Resellers around Lyon at ~5 km, ~100 km (Grenoble), ~400 km (Paris); one declined, one full.
        near = self._reseller("Near", VILLEURBANNE)
        declined = self._reseller("Declined", VILLEURBANNE)
        self._reseller("Full", VILLEURBANNE, partner_capacity=1)
        self._leads(1, VILLEURBANNE, partner_assigned_id=self.env["res.partner"].search([("name", "=", "Full")]).id)
        grenoble = self._reseller("Grenoble", GRENOBLE)
        paris = self._reseller("Paris", PARIS)
        leads = (self._leads(1, LYON) | self._leads(1, LYON, partner_declined_ids=[(4, near.id), (4, declined.id)])
                 | self._leads(1, GRENOBLE) | self._leads(1, PARIS) | self._leads(1, NEW_YORK, country=self.us)
                 | self._leads(1, (0, 0)))
        self.env.flush_all()
        rows = {}
        for indexed in (True, False):
            self.env.cr.execute(leads._assign_partner_candidates_query(indexed=indexed))
            rows[indexed] = sorted((row["lead_id"], partner_id, ring) for row in self.env.cr.dictfetchall()
                                   for partner_id, ring in zip(row["partner_ids"], row["rings"], strict=True))
        self.assertEqual(rows[True], rows[False])
        by_lead = {}
        for lead_id, partner_id, _ring in rows[True]:
            by_lead.setdefault(lead_id, set()).add(partner_id)
        self.assertEqual(by_lead[leads[0].id], {near.id, declined.id})  # "Full" is at its capacity
        self.assertEqual(by_lead[leads[1].id], {grenoble.id})  # the 50 km ring is all declined: next ring
        self.assertEqual(by_lead[leads[3].id], {paris.id})

    def test_capacity_check_reads_the_resellers_with_a_capacity_not_every_contact(self):
        self._reseller("Full", VILLEURBANNE, partner_capacity=1)
        lead = self._leads(1, LYON)
        self.env.flush_all()
        # the test database is too small for the planner to prefer an index on its own
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", lead._assign_partner_candidates_query(indexed=True)))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("SET LOCAL enable_seqscan = on")
        self.assertIn("res_partner_assign_capacity_idx", plan)

    def test_explanation_text_is_escaped(self):
        self._reseller("<b>Bold</b> & Co", LYON)
        lead = self._leads(1, LYON)
        lead.assign_partner()
        body = str(lead.message_ids[:1].body)
        self.assertIn("&lt;b&gt;Bold&lt;/b&gt; &amp; Co", body)
        self.assertNotIn("<b>", body)

    def test_candidates_come_through_the_coordinates_index_when_it_exists(self):
        self.env.cr.execute("SELECT 1 FROM pg_extension WHERE extname = 'earthdistance'")
        self.assertTrue(self.env.cr.fetchone(), "the install creates PostgreSQL's earthdistance extension")
        near = self._reseller("Near", VILLEURBANNE)
        lead = self._leads(1, LYON)
        self.env.flush_all()
        self.env.cr.execute(SQL("EXPLAIN %s", lead._assign_partner_candidates_query(indexed=True)))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn(EARTH_INDEX, plan)
        # same rows with and without the index
        with_index = lead._assign_partner_candidates()
        self.env.cr.execute(lead._assign_partner_candidates_query(indexed=False))
        without = self.env.cr.dictfetchall()
        self.assertEqual(with_index[lead.id][0], without[0]["partner_ids"])
        self.assertEqual(with_index[lead.id][0][0], near.id)
