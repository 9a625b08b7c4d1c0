"""Odoo's own test suites, run by `make test` on the test database with the add-on installed and loaded."""
import os
import time

from bootlib import say

# Odoo's own suites `make test` runs on the test database, with the add-on installed and its code loaded (so
# any override of ours that breaks core CRM shows up); a module that is not installed there is skipped.
ODOO_SUITES = ("crm", "sale_crm", "partnership", "portal", "website_partner")
# Tests of those suites left out, with the reason (also listed in the README): pytest node ids relative to
# the module's tests folder.
LEDGER_DEMO = ("setUpClass deletes every lead of the database, our demo opportunities included; fund operations "
               "and rewards point at those, and deleting such a lead is refused by design (archive instead)")
ODOO_SUITES_EXCLUDED = {
    "crm": {
        "test_crm_lead_assignment.py": LEDGER_DEMO,
        "test_crm_pls.py": LEDGER_DEMO,
        "test_digest.py": LEDGER_DEMO,
        "test_performances.py::TestLeadAssignPerf": LEDGER_DEMO,
        "test_crm_ui.py::TestUi::test_email_and_phone_propagation_edit_save": LEDGER_DEMO,
        "test_crm_lead_convert_mass.py::TestLeadConvertMass::test_mass_convert_performances": (
            "counts queries with Odoo's Pricelists feature off; the add-on switches it on (partner pricing), and "
            "Odoo then looks up the pricelist of each contact the conversion creates (product's "
            "_get_partner_pricelist_multi): 2 more queries per lead, Odoo's own"),
        "test_crm_lead_notification.py::NewLeadNotification": (
            "setUpClass deactivates French, which website refuses while a website uses it: our demo publishes "
            "the website in French (/fr/partners, /fr/my/leads)"),
    },
}


def suite_args(rt):
    """pytest arguments running ODOO_SUITES' tests folders (installed modules only), minus exclusions."""
    addons = os.path.join(rt.odoo_dir(), "addons")
    args, names = [], []
    for module in ODOO_SUITES:
        folder = os.path.join(addons, module, "tests")
        if not os.path.isdir(folder):
            continue  # e.g. website_partner has no tests
        if rt.module_state(rt.test_db, module) != "installed":
            say("Odoo's %s is not installed in %s: its suite is skipped" % (module, rt.test_db))
            continue
        args.append(folder)
        for node in ODOO_SUITES_EXCLUDED.get(module, {}):
            if "::" in node:  # a class or one test, by its name (--deselect misses files outside this checkout)
                names.append(node.rsplit("::", 1)[1])
            else:  # a whole file
                args += ["--ignore", os.path.join(folder, node)]
    if names:
        args += ["-k", " and ".join("not %s" % name for name in names)]
    return args


def run(rt):
    """Odoo's suites (ODOO_SUITES) through pytest-odoo on the test database; ODOO_SUITES=0 skips them."""
    if rt.env.get("ODOO_SUITES", "1") == "0":
        say("ODOO_SUITES=0: Odoo's own suites skipped")
        return 0
    args = suite_args(rt)
    say("Odoo's own suites with the add-on loaded: %s" % ", ".join(
        os.path.basename(os.path.dirname(a)) for a in args if not a.startswith("-") and a.endswith("tests")))
    start = time.time()
    code = rt.pytest(["--odoo-config", rt.conf, "--odoo-database", rt.test_db, "--odoo-http",
                      "--odoo-log-level", rt.env.get("ODOO_LOG_LEVEL", "warn")] + args)
    say("Odoo's suites took %.0f s" % (time.time() - start))
    return code
