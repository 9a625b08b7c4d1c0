"""crm.lead: automatic assignment to resellers (distance rings, weighted round-robin, explanations)."""
import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

_logger = logging.getLogger(__name__)

# Rings of real distance (km) tried in order; then the lead's country, then the nearest reseller anywhere.
ASSIGN_RINGS_KM = (50, 200, 800)
EARTH_RADIUS_KM = 6371.0
RING_SAME_COUNTRY = len(ASSIGN_RINGS_KM) + 1
RING_NEAREST = len(ASSIGN_RINGS_KM) + 2
# Memory for aggregating the candidates of one assignment (about 100 bytes each), for that statement only.
CANDIDATES_WORK_MEM = "64MB"
# What _assign_partner_attributes reads of each candidate reseller, in its order.
ASSIGN_ATTRIBUTES = ("weight", "factor", "capacity", "credit", "open_leads")
# Leads picked by one run of the scheduled action.
CRON_BATCH = 1000
# The sphere of PostgreSQL's earthdistance extension (earth(), metres).
EARTH_DISTANCE_RADIUS_M = 6378168.0
# A reseller's point on earthdistance's sphere: the expression of the GiST index res.partner creates in
# its init() (the query must spell it the same way for the index to be used).
EARTH_POINT = ("ll_to_earth(%(alias)s.partner_latitude::float8, %(alias)s.partner_longitude::float8)")
EARTH_INDEX = "res_partner_reseller_earth_index"
EARTH_INDEX_EXISTS = "EXISTS (SELECT 1 FROM pg_class WHERE relname = '%s' AND relkind = 'i')" % EARTH_INDEX


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ assignment
    def action_assign_partner(self):
        """Button and list action: assign automatically, then tell the user what happened."""
        summary = self.assign_partner()
        messages, kind = [], "success"
        if summary["assigned"]:
            messages.append(self._assigned_sentence(summary["assigned"]))
        if summary["no_country"]:
            kind = "warning"
            messages.append(self.env._(
                "No country on %(names)s: tagged 'No partner available'.",
                names=", ".join(summary["no_country"].mapped("name")),
            ))
        if summary["unavailable"]:
            kind = "warning"
            messages.append(self.env._(
                "No eligible reseller for %(names)s: tagged 'No partner available'.",
                names=", ".join(summary["unavailable"].mapped("name")),
            ))
        if summary["geocoder_error"]:
            kind = "warning"
            # one sentence for people; the service's own error went to the server log
            matched = len(summary["assigned"].filtered(
                lambda lead: not (lead.partner_latitude or lead.partner_longitude)))
            if matched == 1:
                messages.append(self.env._(
                    "The address service could not be reached; 1 lead was matched by city, state or country instead."))
            else:
                messages.append(self.env._(
                    "The address service could not be reached; %(count)s leads were matched by city, state or "
                    "country instead.", count=matched))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Partner assignment"),
                "message": "\n".join(messages) or self.env._("Nothing to assign."),
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _assigned_sentence(self, leads):
        """'1 lead assigned to 1 reseller.', '5 leads assigned to 2 resellers.'"""
        lead_count, reseller_count = len(leads), len(leads.partner_assigned_id)
        leads_text = (self.env._("1 lead") if lead_count == 1
                      else self.env._("%(count)s leads", count=lead_count))
        resellers_text = (self.env._("1 reseller") if reseller_count == 1
                          else self.env._("%(count)s resellers", count=reseller_count))
        return self.env._("%(leads)s assigned to %(resellers)s.", leads=leads_text, resellers=resellers_text)

    def assign_partner(self, partner_id=False):
        """Assign resellers to the leads in ``self``.

        With ``partner_id``, every lead gets that reseller (manual assignment). Without it, each lead
        gets the fairest eligible reseller of the nearest ring, see ``_assign_partner_auto``.

        :return: dict with the recordsets ``assigned``, ``no_country`` and ``unavailable``, and
            ``geocoder_error`` (the geocoder's message, or False)
        """
        self.check_access("write")
        if partner_id:
            self.write({"partner_assigned_id": partner_id})
            return {"assigned": self, "no_country": self.browse(), "unavailable": self.browse(),
                    "geocoder_error": False}
        return self._assign_partner_auto()

    def _assign_partner_auto(self):
        # The columns the assignment reads, not all hundred of the lead's: reading all of them for 10,000
        # leads takes three times as long.
        self.fetch(["active", "won_status", "country_id", "partner_latitude", "partner_longitude",
                    "partner_assigned_id", "team_id", "type", "company_id"])
        leads = self._assign_partner_todo()
        no_country = leads.filtered(lambda lead: not lead.country_id)
        leads -= no_country
        geocoder_error = leads._assign_geo_localize()
        choices, reasons, credit = leads._assign_partner_choose()
        unavailable = leads.filtered(lambda lead: lead.id not in choices)
        leads._apply_partner_choices(choices, reasons)
        self._store_assign_credit(credit)
        tag = self.env.ref("partner_program.tag_no_partner_available", raise_if_not_found=False)
        if tag and (no_country | unavailable):
            (no_country | unavailable).write({"tag_ids": [fields.Command.link(tag.id)]})
        return {
            "assigned": leads - unavailable,
            "no_country": no_country,
            "unavailable": unavailable,
            "geocoder_error": geocoder_error,
        }

    def _assign_partner_todo(self):
        """The leads automatic assignment works on: open ones (active, neither won nor lost)."""
        return self.filtered(lambda lead: lead.active and lead.won_status == "pending")

    def _assign_partner_propose(self):
        """Dry run of the automatic assignment: what it would choose, with nothing written.

        The geocoder is not called: leads without coordinates are matched by country, state and city.

        :return: (choices {lead_id: partner_id}, reasons {lead_id: reason}) as ``_assign_partner_choose``
        """
        leads = self._assign_partner_todo().filtered("country_id")
        choices, reasons, _credit = leads._assign_partner_choose()
        return choices, reasons

    def _assign_partner_choose(self, forced=None):
        """Choose a reseller for each lead of ``self`` in its nearest ring; nothing is written.

        Smooth weighted round-robin: every candidate earns its weight, the richest wins and pays the
        total. Over many leads each reseller's share tends to its weight, with no dice involved.

        :param dict forced: {lead_id: partner_id} choices made by a user. They are kept as they are, and
            charged to the round-robin like automatic choices when the reseller is one of the lead's
            candidates, so forwarding by hand does not skew the fairness of later automatic runs.
        :return: (choices {lead_id: partner_id}, reasons {lead_id: {partner_id, distance, ring, weight, total
            (weight of the turn), candidates (count); with routing by performance, level_weight, factor and
            floored too}}, credit {partner_id: new round-robin credit})
        """
        forced = forced or {}
        credit, load, resellers = {}, {}, {}
        choices, reasons, full = dict(forced), {}, set()
        routing = self._assign_performance_routing()
        todo = self
        while todo:
            full_before = len(full)
            # the resellers' attributes are read once per run: nothing they hold changes before the run writes
            candidates = todo._assign_partner_candidates(exclude_ids=full, resellers=resellers)
            retry = []
            for lead_id in todo.ids:
                if lead_id not in candidates:
                    continue
                partner_ids, distances, rings = candidates[lead_id]
                if not full.isdisjoint(partner_ids):
                    kept = [index for index, pid in enumerate(partner_ids) if pid not in full]
                    if not kept:
                        retry.append(lead_id)  # its ring filled up during this run: look further out
                        continue
                    partner_ids = [partner_ids[index] for index in kept]
                    distances = [distances[index] for index in kept]
                    rings = [rings[index] for index in kept]
                if lead_id in forced and forced[lead_id] not in partner_ids:
                    continue  # sent outside its nearest ring by hand: no round-robin turn to charge
                floor = routing.get(lead_id)
                if floor is None:
                    weighted = None
                    weights = [resellers[pid]["weight"] for pid in partner_ids]
                else:
                    weighted = self._performance_weights([resellers[pid] for pid in partner_ids], floor)
                    weights = [row["weight"] for row in weighted]
                for pid in partner_ids:
                    if pid not in credit:
                        credit[pid] = resellers[pid]["credit"]
                index, total = self._round_robin_pick(credit, partner_ids, weights, distances,
                                                      forced.get(lead_id))
                pid = partner_ids[index]
                reseller = resellers[pid]
                load[pid] = load.get(pid, reseller["open_leads"]) + 1
                if reseller["capacity"] and load[pid] >= reseller["capacity"]:
                    full.add(pid)
                choices[lead_id] = pid
                reasons[lead_id] = {"partner_id": pid, "distance": distances[index], "ring": rings[index],
                                    "weight": weights[index], "total": total, "candidates": len(partner_ids)}
                if weighted:
                    reasons[lead_id].update(level_weight=weighted[index]["level_weight"],
                                            factor=weighted[index]["factor"], floored=weighted[index]["floored"])
            if not retry or (len(retry) == len(todo) and len(full) == full_before):
                break
            todo = self.browse(retry)
        return choices, reasons, credit

    @api.model
    def _round_robin_pick(self, credit, partner_ids, weights, distances, partner_id=None):
        """One round-robin turn; updates ``credit`` in place.

        :param credit: {partner_id: credit}, holding every candidate of the turn
        :param partner_ids, weights, distances: the candidates, as lists in the same order (distances in km,
            or None)
        :param partner_id: the winner when already chosen (must be a candidate), else the richest; ties go to
            the nearest, then to the lowest id
        :return: (index of the winner in ``partner_ids``, total weight of the turn)
        """
        total = 0
        for pid, weight in zip(partner_ids, weights, strict=True):
            credit[pid] += weight
            total += weight
        if partner_id:
            best = partner_ids.index(partner_id)
        else:
            best = max(range(len(partner_ids)), key=lambda index: (
                credit[partner_ids[index]], -(distances[index] or 0), -partner_ids[index]))
        credit[partner_ids[best]] -= total
        return best, total

    def _assign_geo_localize(self):
        """Give coordinates to the leads that have none; on the first geocoder failure, stop asking.

        :return: False, or the geocoder's error message (the leads then keep no coordinates and are
            matched by country, state and city).
        """
        for lead in self.with_context(lang="en_US"):
            if lead.partner_latitude or lead.partner_longitude:
                continue
            try:
                result = self.env["res.partner"]._geo_localize(
                    lead.street, lead.zip, lead.city, lead.state_id.name, lead.country_id.name
                )
            except Exception as error:  # noqa: BLE001 - any failure of the remote service means "unreachable"
                _logger.info("Geocoder unreachable during partner assignment: %s", error)
                return str(error.args[0] if isinstance(error, UserError) and error.args else error)
            if result:
                lead.write({"partner_latitude": result[0], "partner_longitude": result[1]})
        return False

    def _assign_partner_candidates(self, exclude_ids=(), resellers=None):
        """One query for all leads: the eligible resellers of each lead's nearest non-empty ring.

        :param dict resellers: when given, completed in place with the ``_assign_partner_attributes`` of the
            candidates it does not hold yet, read with JIT off too (their plan's estimated cost, a count per
            reseller, passes JIT's threshold: compiling took 0.6 s for a 12 ms query)
        :return: {lead_id: (partner_ids, distances (km or None), rings)}, three lists in the same order (by
            reseller id), for the leads with candidates
        """
        if not self:
            return {}
        self.env["crm.lead"].flush_model()
        self.env["res.partner"].flush_model()
        self.env["res.partner.grade"].flush_model()
        cr = self.env.cr
        # The plan's estimated cost grows with leads x resellers and passes PostgreSQL's JIT threshold,
        # whose compilation then costs seconds for a query that runs in milliseconds: off for this statement.
        # Its tens of thousands of candidates are aggregated in memory rather than on disk (PostgreSQL's default
        # work_mem is 4 MB).
        cr.execute(SQL("""SELECT current_setting('jit'), current_setting('work_mem'), set_config('jit', 'off', true),
                                 set_config('work_mem', %s, true), %s""", CANDIDATES_WORK_MEM, SQL(EARTH_INDEX_EXISTS)))
        jit, work_mem, _jit, _work_mem, indexed = cr.fetchone()
        cr.execute(self._assign_partner_candidates_query(exclude_ids, indexed=indexed))
        # Lists of numbers, not an object per candidate: tens of thousands of them, each read once by the
        # round-robin, would wake Python's garbage collector over the whole heap.
        result = {lead_id: (partner_ids, distances, rings)
                  for lead_id, partner_ids, distances, rings in cr.fetchall()}
        if resellers is not None:
            found = {pid for partner_ids, _distances, _rings in result.values() for pid in partner_ids}
            resellers.update(self._assign_partner_attributes(found - resellers.keys()))
        cr.execute(SQL("SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)", jit, work_mem))
        return result

    def _assign_partner_attributes(self, partner_ids):
        """What the round-robin reads of each reseller, once per reseller (not once per candidate row). Called in
        ``_assign_partner_candidates``'s JIT-off window.

        :return: {partner_id: {weight, factor, capacity, credit (round-robin, before this run), open_leads}}
        """
        if not partner_ids:
            return {}
        rows = self.env.execute_query(SQL(
            """SELECT p.id, p.partner_weight, coalesce(p.partner_performance_factor, 1)::float8,
                      coalesce(p.partner_capacity, 0), coalesce(assign_credit.credit, 0),
                      CASE WHEN p.partner_capacity > 0 THEN
                          (SELECT count(*) FROM crm_lead o
                            WHERE o.partner_assigned_id = p.id AND o.active AND o.won_status = 'pending')
                      ELSE 0 END
                 FROM res_partner p
                 LEFT JOIN partner_assign_credit assign_credit ON assign_credit.partner_id = p.id
                WHERE p.id = ANY(%s)""", list(partner_ids)))
        return {partner_id: dict(zip(ASSIGN_ATTRIBUTES, values, strict=True)) for partner_id, *values in rows}

    def _assign_partner_candidates_query(self, exclude_ids=(), indexed=False):
        """The SQL of ``_assign_partner_candidates`` (also used by the benchmarks' floor).

        :param indexed: the GiST index over resellers' coordinates exists (``res.partner`` ``init()``):
            each lead then reads only the resellers of its outer ring through it, nearest-first, instead of
            filtering all of them through a latitude/longitude window
        """
        rings = ASSIGN_RINGS_KM
        # Coordinates are numeric columns: convert them to radians (float8) once per row. Leads with a
        # reseller within the outer ring only look at resellers around them (through the GiST index over
        # coordinates, else a latitude/longitude window: a prefilter, rings themselves use the real
        # distance); the others, and leads without coordinates, are compared with every reseller.
        band = rings[-1] / EARTH_RADIUS_KM  # outer ring as an angle (radians)
        if indexed:
            # earthdistance's sphere is a little larger than ours: a box with a margin, exact filter below
            box = band * EARTH_DISTANCE_RADIUS_M * 1.01
            lead_point = SQL("CASE WHEN g.lat IS NOT NULL THEN %s END", SQL(EARTH_POINT, alias=SQL("l")))
            reseller_point = SQL(EARTH_POINT, alias=SQL("p"))
            # Nearest-first: the nearest eligible reseller (k-NN through the index) gives the lead's best
            # ring, and only that ring's box is read: a lead with resellers within 50 km reads those only.
            window = SQL("earth_box(lead.point, reach.km * %s) @> r.point AND dist.distance <= reach.km",
                         box / rings[-1])
            reach_from = SQL("CROSS JOIN reach")
            reseller_cte = SQL("NOT MATERIALIZED")
        else:
            reach_from = SQL()
            lead_point = reseller_point = SQL("NULL")
            window = SQL(
                """r.lat BETWEEN lead.lat - %(band)s AND lead.lat + %(band)s
                   AND least(abs(r.lon - lead.lon), 2 * pi() - abs(r.lon - lead.lon)) <= lead.lon_band""",
                band=band)
            reseller_cte = SQL("MATERIALIZED")
        # OFFSET 0 keeps the subquery whole: the distance is computed once per row, where an inlined
        # expression would be computed again in every condition and column naming it (about 15 % of the query).
        distance = SQL(
            """SELECT CASE WHEN lead.lat IS NOT NULL AND r.lat IS NOT NULL THEN
                   %s * asin(least(1, sqrt(power(sin((r.lat - lead.lat) / 2), 2)
                                           + lead.cos_lat * r.cos_lat * power(sin((r.lon - lead.lon) / 2), 2))))
               END AS distance OFFSET 0""", 2 * EARTH_RADIUS_KM)
        eligible = SQL(
            """(r.company_id IS NULL OR lead.company_id IS NULL OR r.company_id = lead.company_id)
               AND NOT r.id = ANY(lead.declined)""")
        reach = SQL()
        if indexed:
            reach = SQL(
                """reach AS MATERIALIZED (
                      SELECT CASE WHEN n.distance <= %(ring1)s THEN %(ring1)s WHEN n.distance <= %(ring2)s
                                  THEN %(ring2)s ELSE %(ring3)s END AS km
                        FROM (SELECT dist.distance
                                FROM reseller r
                               CROSS JOIN LATERAL (%(distance)s) dist
                               WHERE r.lat IS NOT NULL AND lead.lat IS NOT NULL AND %(eligible)s
                               ORDER BY r.point <-> lead.point
                               LIMIT 1) n
                  ),""", ring1=rings[0], ring2=rings[1], ring3=rings[2], distance=distance,
                eligible=eligible)
        return SQL(
            """
            WITH lead AS MATERIALIZED (
                SELECT l.id, l.country_id, l.state_id, l.company_id,
                       NULLIF(lower(trim(l.city)), '') AS city, g.lat, g.lon, cos(g.lat) AS cos_lat,
                       CASE WHEN cos(g.lat) > sin(%(band)s) THEN asin(sin(%(band)s) / cos(g.lat)) ELSE pi() END
                           AS lon_band,
                       ARRAY(SELECT d.partner_id FROM crm_lead_declined_partner d WHERE d.lead_id = l.id)
                           AS declined, %(lead_point)s AS point
                  FROM unnest(%(lead_ids)s::int[]) AS ids(id)
                  JOIN crm_lead l ON l.id = ids.id
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN l.partner_latitude <> 0 OR l.partner_longitude <> 0
                                  THEN radians(l.partner_latitude::float8) END AS lat,
                             CASE WHEN l.partner_latitude <> 0 OR l.partner_longitude <> 0
                                  THEN radians(l.partner_longitude::float8) END AS lon
                  ) g
            ), load AS MATERIALIZED (
                -- open leads of the resellers with a capacity (the others have no limit to check)
                SELECT p.id, count(o.id) >= p.partner_capacity AS at_capacity
                  FROM res_partner p
                  LEFT JOIN crm_lead o ON o.partner_assigned_id = p.id AND o.active AND o.won_status = 'pending'
                 WHERE p.partner_capacity > 0 AND p.active AND p.is_company AND p.partner_weight > 0
                 GROUP BY p.id
            ), reseller AS %(reseller_cte)s (
                -- what eligibility and distance need; the attributes the round-robin reads are fetched once per
                -- reseller kept (_assign_partner_attributes), not joined to every row. Excluded and full
                -- resellers, and active levels, are arrays computed once (InitPlans), not joins repeated for
                -- every candidate row.
                SELECT p.id, p.country_id, p.state_id, p.company_id,
                       NULLIF(lower(trim(p.city)), '') AS city, g.lat, g.lon, cos(g.lat) AS cos_lat,
                       %(reseller_point)s AS point
                  FROM res_partner p
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN p.partner_latitude <> 0 OR p.partner_longitude <> 0
                                  THEN radians(p.partner_latitude::float8) END AS lat,
                             CASE WHEN p.partner_latitude <> 0 OR p.partner_longitude <> 0
                                  THEN radians(p.partner_longitude::float8) END AS lon
                  ) g
                 WHERE p.active AND p.is_company AND p.partner_weight > 0
                   AND p.grade_id = ANY(ARRAY(SELECT id FROM res_partner_grade WHERE active))
                   AND NOT p.id = ANY(%(exclude_ids)s::int[] || ARRAY(SELECT id FROM load WHERE at_capacity))
            )
            -- one row per lead with candidates: their ids, distances and rings as arrays, by reseller id
            SELECT lead.id AS lead_id, c.partner_ids, c.distances, c.rings
              FROM lead
             CROSS JOIN LATERAL (
                SELECT array_agg(kept.partner_id ORDER BY kept.partner_id) AS partner_ids,
                       array_agg(kept.distance ORDER BY kept.partner_id) AS distances,
                       array_agg(kept.ring ORDER BY kept.partner_id) AS rings
                  FROM (
                  -- resellers within the outer ring, found through the window, kept for the nearest ring
                  WITH %(reach)s near AS (
                      SELECT r.id AS partner_id, dist.distance,
                             CASE WHEN dist.distance <= %(ring1)s THEN 1
                                  WHEN dist.distance <= %(ring2)s THEN 2 ELSE 3 END AS ring
                        FROM reseller r %(reach_from)s
                       CROSS JOIN LATERAL (%(distance)s) dist
                       WHERE %(window)s AND r.lat IS NOT NULL AND lead.lat IS NOT NULL
                         AND %(eligible)s
                         AND dist.distance <= %(ring3)s
                  ), far AS (
                      -- no reseller within the outer ring, or no coordinates: same city, state,
                      -- country, else the nearest anywhere
                      SELECT r.id AS partner_id, dist.distance,
                             CASE WHEN dist.distance IS NULL AND lead.country_id = r.country_id
                                       AND lead.city = r.city THEN 1
                                  WHEN dist.distance IS NULL AND lead.country_id = r.country_id
                                       AND lead.state_id = r.state_id THEN 2
                                  WHEN lead.country_id = r.country_id THEN %(ring_country)s
                                  WHEN dist.distance IS NOT NULL THEN %(ring_nearest)s
                             END AS ring
                        FROM reseller r
                       CROSS JOIN LATERAL (%(distance)s) dist
                       WHERE %(eligible)s AND NOT EXISTS (SELECT 1 FROM near)
                  )
                  SELECT partner_id, distance, ring
                    FROM (SELECT near.*, min(ring) OVER () AS best_ring FROM near) n
                   WHERE ring = best_ring
                   UNION ALL
                  SELECT partner_id, distance, ring
                    FROM (SELECT far.*, min(ring) OVER () AS best_ring,
                                 row_number() OVER (ORDER BY distance, partner_id) AS rank
                            FROM far WHERE ring IS NOT NULL) f
                   WHERE ring = best_ring AND (ring < %(ring_nearest)s OR rank = 1)
                  ) kept
             ) c
             WHERE c.partner_ids IS NOT NULL
            """,
            lead_ids=list(self.ids),
            exclude_ids=list(exclude_ids),
            band=band,
            window=window,
            reach=reach,
            reach_from=reach_from,
            lead_point=lead_point,
            reseller_point=reseller_point,
            reseller_cte=reseller_cte,
            distance=distance,
            eligible=eligible,
            ring1=rings[0],
            ring2=rings[1],
            ring3=rings[2],
            ring_country=RING_SAME_COUNTRY,
            ring_nearest=RING_NEAREST,
        )

    def _apply_partner_choices(self, choices, reasons, intro=None):
        """Write the chosen resellers (one write per reseller) and explain each choice in the chatter.

        :param dict reasons: {lead_id: reason} from ``_assign_partner_choose``; leads without one get
            a plain "assigned to" line
        :param intro: optional text put before each explanation (e.g. who forwarded the lead)
        """
        partners = self.env["res.partner"].browse(set(choices.values()))
        # the three fields read below, not the hundred a first read of a partner would prefetch
        partners.fetch(["user_id", "complete_name", "grade_id"])
        salesperson = {partner.id: partner.user_id.id for partner in partners}
        # One pass over the leads (not one filter per reseller): what each write must carry. Leads already
        # with their reseller keep their assignment date. A new salesperson who is not in the lead's team
        # makes crm look up a team lead by lead (two queries each): looked up once per salesperson and lead
        # type here and written along.
        untracked = self.with_context(mail_notrack=True, mail_auto_subscribe_no_notify=True)
        leads = untracked.browse(list(choices))
        team_users = {team.id: set((team.member_ids | team.user_id).ids) for team in leads.team_id}
        groups = defaultdict(list)
        for lead in leads:
            partner_id = choices[lead.id]
            if lead.partner_assigned_id.id == partner_id:
                continue
            user_id = salesperson[partner_id]
            moving = user_id and user_id not in team_users.get(lead.team_id.id, ())
            groups[partner_id, lead.type if moving else None].append(lead.id)
        teams = {}
        for (partner_id, lead_type), lead_ids in groups.items():
            values = {"partner_assigned_id": partner_id}
            if lead_type:
                user_id = salesperson[partner_id]
                if (user_id, lead_type) not in teams:
                    domain = [("use_leads" if lead_type == "lead" else "use_opportunities", "=", True)]
                    teams[user_id, lead_type] = self.env["crm.team"]._get_default_team_id(
                        user_id=user_id, domain=domain).id
                values["team_id"] = teams[user_id, lead_type]
            untracked.browse(lead_ids).write(values)
        # The translated sentences once, filled in per lead (the text is the same as a translation per lead).
        plain = self.env._("Assigned to reseller %(partner)s (%(level)s).")
        explained = {
            True: self.env._("Assigned to reseller %(partner)s (%(level)s): %(ring)s%(distance)s; weight %(weight)s "
                             "of %(total)s, the only eligible reseller."),
            False: self.env._("Assigned to reseller %(partner)s (%(level)s): %(ring)s%(distance)s; weight "
                              "%(weight)s of %(total)s among %(count)s eligible resellers."),
        }
        # complete_name is display_name stored (the same text), not computed again for each reseller
        names = {partner.id: (partner.complete_name, partner.grade_id.name or "-") for partner in partners}
        routed = partners.browse({reason["partner_id"] for reason in reasons.values() if "level_weight" in reason})
        causes = routed._performance_cause_texts()
        weighted = {
            False: self.env._("%(weight)s x %(factor)s = %(effective)s (%(cause)s)"),
            True: self.env._("%(weight)s x %(factor)s, raised to %(effective)s by the fair share floor (%(cause)s)"),
        }
        labels = {}
        bodies = {}
        intro = escape(intro or "")  # escaped here, the text in the loop: what Markup % does, at a third of the cost
        for lead_id, partner_id in choices.items():
            name, level = names[partner_id]
            reason = reasons.get(lead_id)
            if not reason:
                text = plain % {"partner": name, "level": level}
            else:
                distance = reason["distance"]
                key = (reason["ring"], distance is None)
                if key not in labels:
                    labels[key] = self._ring_label(reason["ring"], distance)
                weight, total = reason["weight"], reason["total"]
                if "level_weight" in reason:
                    weight = weighted[reason["floored"]] % {
                        "weight": reason["level_weight"],
                        "factor": "%.2f" % reason["factor"],
                        "effective": "%.2f" % reason["weight"],
                        "cause": causes[partner_id],
                    }
                    total = "%.2f" % total
                text = explained[reason["candidates"] == 1] % {
                    "partner": name,
                    "level": level,
                    "ring": labels[key],
                    "distance": (" (%.1f km)" % distance) if distance is not None else "",
                    "weight": weight,
                    "total": total,
                    "count": reason["candidates"],
                }
            bodies[lead_id] = Markup("<p>%s%s</p>" % (intro, escape(text)))
        self._log_notes(bodies)

    def _log_notes(self, bodies):
        """Log internal notes on leads, all in one statement: what ``_message_log_batch`` writes (author,
        mail.mt_note subtype, 'notification' type, internal, no notification nor follower mail), without
        creating one ``mail.message`` record at a time.

        :param dict bodies: {lead_id: body (Markup)}
        """
        if not bodies:
            return
        Message = self.env["mail.message"]
        author_id, email_from = self._message_compute_author()
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from, author_id=author_id)[False]
        Message.flush_model()
        self.env.execute_query(SQL(
            """INSERT INTO mail_message (model, res_id, body, author_id, email_from, reply_to, message_id,
                                         message_type, subtype_id, is_internal, email_add_signature,
                                         reply_to_force_new, date, create_uid, create_date, write_uid,
                                         write_date)
               SELECT %(model)s, note.res_id, note.body, %(author)s, %(email_from)s, %(reply_to)s,
                      %(message_id)s, 'notification', %(subtype)s, TRUE, FALSE, FALSE,
                      %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS note(res_id, body)""",
            model=self._name,
            author=author_id or None,
            email_from=email_from or None,
            reply_to=reply_to or None,
            message_id=generate_tracking_message_id("message-notify"),
            subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            now=fields.Datetime.now(),
            uid=self.env.uid,
            ids=list(bodies),
            bodies=[str(body) for body in bodies.values()],
        ))
        self.browse(list(bodies)).invalidate_recordset(["message_ids"])

    def _ring_label(self, ring, distance):
        if ring <= len(ASSIGN_RINGS_KM):
            if distance is None:
                return self.env._("same city") if ring == 1 else self.env._("same state")
            return self.env._("within %(km)s km", km=ASSIGN_RINGS_KM[ring - 1])
        if ring == RING_SAME_COUNTRY:
            return self.env._("same country")
        return self.env._("nearest reseller anywhere")

    def _store_assign_credit(self, credit):
        """Save the round-robin credits of a run, {partner_id: credit}, in one upsert. Two runs at once over the
        same resellers: the second fails to serialize and is replayed, as with any concurrent update."""
        if not credit:
            return
        self.env["partner.assign.credit"].flush_model()
        self.env.execute_query(SQL(
            """INSERT INTO partner_assign_credit (partner_id, credit)
               SELECT * FROM unnest(%s::int[], %s::float8[])
                   ON CONFLICT (partner_id) DO UPDATE SET credit = EXCLUDED.credit""",
            list(credit), list(credit.values()),
        ))
        self.env["partner.assign.credit"].invalidate_model()
        self.env["res.partner"].invalidate_model(["partner_assign_credit"])

    @api.model
    def _cron_assign_partner(self):
        """Scheduled action: assign the unassigned open leads of the teams that ask for it."""
        teams = self.env["crm.team"].search([("assign_partner_auto", "=", True)])
        if not teams:
            return
        tag = self.env.ref("partner_program.tag_no_partner_available", raise_if_not_found=False)
        domain = [
            ("team_id", "in", teams.ids),
            ("partner_assigned_id", "=", False),
            ("won_status", "=", "pending"),
        ]
        if tag:
            domain.append(("tag_ids", "not in", tag.ids))
        self.search(domain, limit=CRON_BATCH, order="id")._assign_partner_auto()

