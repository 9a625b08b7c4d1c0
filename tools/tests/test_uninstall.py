"""Uninstalling the add-on leaves no orphan menus, actions or data (runs Odoo as a subprocess).

`make test` installs the test database first; this test works on a copy of it.
"""
import json
import os
import subprocess
import sys

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

import bootstrap  # noqa: E402

CHECK = r"""
import json
menus = env["ir.ui.menu"].with_context(active_test=False).search([])
actions = env["ir.actions.act_window"].with_context(active_test=False).search([])
print("RESULT " + json.dumps({
    "state": env["ir.module.module"].search([("name", "=", "partner_program")]).state,
    "xmlids": env["ir.model.data"].search_count([("module", "=", "partner_program")]),
    "menus_without_action": [m.complete_name for m in menus if m.action and not m.action.exists()],
    "partner_program_menus": [m.complete_name for m in menus if "Partner Program" in m.complete_name],
    "actions_on_missing_models": [a.name for a in actions if a.res_model not in env],
    "groups": env["res.groups"].search_count([("privilege_id.name", "=", "Partner Program")]),
}))
"""


def test_uninstall_leaves_no_orphan_menus_or_actions():
    runtime = bootstrap.Runtime()
    assert runtime.db_exists(runtime.test_db), "run through `make test`, which installs the test database"
    runtime.write_conf()
    runtime.drop_db(runtime.uninstall_db)
    runtime.odoo("db", "-c", runtime.conf, "duplicate", runtime.test_db, runtime.uninstall_db,
                 stdout=subprocess.DEVNULL)
    try:
        runtime.odoo("module", "uninstall", "-c", runtime.conf, "-d", runtime.uninstall_db, "partner_program",
                     stdout=subprocess.DEVNULL)
        proc = subprocess.run(
            [runtime.python, "-m", "odoo", "shell", "-c", runtime.conf, "-d", runtime.uninstall_db, "--no-http",
             "--log-level=warn"],
            input=CHECK, capture_output=True, text=True, env=runtime.odoo_env(), timeout=600,
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        assert lines, proc.stdout + proc.stderr
        result = json.loads(lines[-1][len("RESULT "):])
    finally:
        runtime.drop_db(runtime.uninstall_db)
    assert result == {
        "state": "uninstalled",
        "xmlids": 0,
        "menus_without_action": [],
        "partner_program_menus": [],
        "actions_on_missing_models": [],
        "groups": 0,
    }
