"""crm.lead: automatic assignment to resellers (distance rings, weighted round-robin, explanations)."""
import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from .crm_lead_candidates import ASSIGN_RINGS_KM, RING_SAME_COUNTRY

_logger = logging.getLogger(__name__)

# Leads picked by one run of the scheduled action.
CRON_BATCH = 1000


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

