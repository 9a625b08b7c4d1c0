"""`make simulate-routing`: replay recent leads with and without the performance factor, as a table.

Runs ``crm.lead._simulate_routing`` in an Odoo shell on the demo database (or DB=name); writes nothing.
"""

import migrate_resellers

CODE = """
import json
result = env["crm.lead"]._simulate_routing(days=%(days)d)
rows = [dict(row, partner=row["partner"].display_name) for row in result["rows"]]
print("RESULT " + json.dumps(dict(result, rows=rows)))
env.cr.rollback()
"""


def simulate(rt, db, days=90):
    """The simulation's result as JSON-able data (see ``crm.lead._simulate_routing``)."""
    return migrate_resellers.shell(rt, db, CODE % {"days": days})


def table(result):
    """Markdown table: one row per reseller, then the predictions of both runs."""
    lines = [
        "%d leads of the last %d days, assigned by level weight alone and with the performance factor "
        "(nothing written)." % (result["leads"], result["days"]),
        "",
        "| reseller | level | factor | main cause | leads by level weight | leads with performance "
        "| acceptance | median answer (h) | leads counted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        lines.append("| %s | %s | %.2f | %s | %d (%.0f %%) | %d (%.0f %%) | %.0f %% | %.1f | %d |" % (
            row["partner"], row["level"] or "-", row["factor"], row["cause"] or "-",
            row["plain"], 100 * row["plain_share"], row["routed"], 100 * row["routed_share"],
            100 * row["acceptance"], row["answer_hours"], row["sample"]))
    lines += [
        "",
        "Predicted: acceptance %.0f %% by level weight, %.0f %% with performance; time to answer %.1f h and %.1f h."
        % (100 * result["plain"]["acceptance"], 100 * result["routed"]["acceptance"],
           result["plain"]["answer_hours"], result["routed"]["answer_hours"]),
    ]
    return "\n".join(lines)
