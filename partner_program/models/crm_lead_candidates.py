"""crm.lead: the candidate search of automatic assignment (distance rings, eligibility, nearest-first through
the index over the resellers' coordinates), one query for all leads."""
from odoo import models
from odoo.tools import SQL

# Rings of real distance (km) tried in order; then the lead's country, then the nearest reseller anywhere.
ASSIGN_RINGS_KM = (50, 200, 800)
EARTH_RADIUS_KM = 6371.0
RING_SAME_COUNTRY = len(ASSIGN_RINGS_KM) + 1
RING_NEAREST = len(ASSIGN_RINGS_KM) + 2
# Memory for aggregating the candidates of one assignment (about 100 bytes each), for that statement only.
CANDIDATES_WORK_MEM = "64MB"
# What _assign_partner_attributes reads of each candidate reseller, in its order.
ASSIGN_ATTRIBUTES = ("weight", "factor", "capacity", "credit", "open_leads")
# The sphere of PostgreSQL's earthdistance extension (earth(), metres).
EARTH_DISTANCE_RADIUS_M = 6378168.0
# A reseller's point on earthdistance's sphere: the expression of the GiST index res.partner creates in
# its init() (the query must spell it the same way for the index to be used).
EARTH_POINT = ("ll_to_earth(%(alias)s.partner_latitude::float8, %(alias)s.partner_longitude::float8)")
# A row's coordinates in radians (float8) as lat, lon; both NULL at (0, 0), Odoo's "not localized".
RADIANS = """SELECT CASE WHEN %(alias)s.partner_latitude <> 0 OR %(alias)s.partner_longitude <> 0
                         THEN radians(%(alias)s.partner_latitude::float8) END AS lat,
                    CASE WHEN %(alias)s.partner_latitude <> 0 OR %(alias)s.partner_longitude <> 0
                         THEN radians(%(alias)s.partner_longitude::float8) END AS lon"""
EARTH_INDEX = "res_partner_reseller_earth_index"
EARTH_INDEX_EXISTS = "EXISTS (SELECT 1 FROM pg_class WHERE relname = '%s' AND relkind = 'i')" % EARTH_INDEX


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

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
                  CROSS JOIN LATERAL (%(lead_radians)s) g
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
                  CROSS JOIN LATERAL (%(reseller_radians)s) g
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
            lead_radians=SQL(RADIANS, alias=SQL("l")),
            reseller_radians=SQL(RADIANS, alias=SQL("p")),
            reseller_cte=reseller_cte,
            distance=distance,
            eligible=eligible,
            ring1=rings[0],
            ring2=rings[1],
            ring3=rings[2],
            ring_country=RING_SAME_COUNTRY,
            ring_nearest=RING_NEAREST,
        )
