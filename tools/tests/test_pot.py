"""make pot keeps the file when only the dates Odoo stamps at every export changed."""
import os
import sys

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

import bootstrap  # noqa: E402

POT = '''msgid ""
msgstr ""
"Project-Id-Version: Odoo Server 19.0\\n"
"POT-Creation-Date: %s\\n"
"PO-Revision-Date: %s\\n"

#. module: partner_program
msgid "%s"
msgstr ""
'''


def test_pot_body_ignores_the_export_dates_only():
    jan, feb = "2025-01-01 10:00+0000", "2025-02-03 11:12+0000"
    old = bootstrap.pot_body(POT % (jan, jan, "Gold"))
    assert old == bootstrap.pot_body(POT % (feb, feb, "Gold"))
    assert old != bootstrap.pot_body(POT % (jan, jan, "Silver"))
