#!/usr/bin/env python3
"""Fill partner_program/i18n/<lang>.po from a .pot: keep what is translated, reuse Odoo's own words, list the rest.

    python3 tools/i18n_reuse.py partner_program/i18n/partner_program.pot fr \\
        [--add translated.json ...] [--missing missing/fr.json] [--odoo-addons .../odoo/addons]

For every msgid of the .pot, in this order:
  1. the existing translation in partner_program/i18n/<lang>.po (not fuzzy, placeholders intact);
  2. a translation given with --add (JSON object msgid -> msgstr, e.g. the filled-in --missing file);
  3. Odoo's own translation of the identical msgid in the runtime's add-ons (crm, partnership,
     website_crm_partner_assign, portal, website, sale, mail, base first, then any other add-on),
     so the add-on says "Piste"/"Opportunité"/"Niveau" exactly where Odoo does.
Entries keep the .pot's `#. module:` / `#. odoo-python` comments and `#: model:...` references, so Odoo
loads the file as it loads its own. Msgids that are no longer in the .pot are dropped.
--missing writes the msgids still untranslated as a JSON object {msgid: ""}: translate the values and pass
the file back with --add. Standard library only.
"""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import po_file  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON_I18N = os.path.join(REPO, "partner_program", "i18n")
# Odoo's add-ons whose wording we follow first (same concepts: leads, resellers, levels, portal).
PREFERRED = ("crm", "website_crm_partner_assign", "partnership", "portal", "website", "sale", "mail",
             "sales_team", "utm", "account", "website_partner", "base_geolocalize", "web", "base")
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? "
          "1 : n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);",
}


def default_odoo_addons():
    candidates = [os.environ.get("ODOO_ADDONS", "")]
    runtime = os.environ.get("RUNTIME_DIR") or os.path.join(REPO, ".runtime")
    candidates.append(os.path.join(runtime, "root/usr/lib/python3/dist-packages/odoo/addons"))
    candidates.append("/work/main/.runtime/root/usr/lib/python3/dist-packages/odoo/addons")
    for path in candidates:
        if path and os.path.isdir(os.path.join(path, "base")):
            return path
    return None


def odoo_translations(addons_dir, lang, all_addons=False):
    """msgid -> (msgstr, add-on) from Odoo's <lang>.po files, preferred add-ons winning.

    Only the add-ons of PREFERRED unless all_addons: elsewhere the same English word often means something
    else ("Register" is a cash register in point_of_sale, "Application" an app in base_setup).
    """
    found = {}
    if not addons_dir:
        return found
    paths = sorted(glob.glob(os.path.join(addons_dir, "*", "i18n", "%s.po" % lang)))
    if not all_addons:
        paths = [p for p in paths if p.split(os.sep)[-3] in PREFERRED]
    rank = {name: i for i, name in enumerate(PREFERRED)}
    paths.sort(key=lambda p: (rank.get(p.split(os.sep)[-3], len(rank)), p))
    for path in paths:
        addon = path.split(os.sep)[-3]
        try:
            entries = po_file.read(path)
        except (po_file.PoSyntaxError, UnicodeDecodeError) as exc:
            print("skipped %s: %s" % (path, exc), file=sys.stderr)
            continue
        for entry in entries:
            usable = entry.msgid and entry.translated and entry.msgid_plural is None and entry.msgctxt is None
            if usable and entry.msgid not in found and not po_file.mismatch(entry.msgid, entry.msgstr):
                found[entry.msgid] = (entry.msgstr, addon)
    return found


def header(pot_header, lang, old_header):
    entry = po_file.PoEntry()
    entry.comments = list(pot_header.comments) if pot_header else []
    fields = po_file.header_fields([pot_header]) if pot_header else {}
    old = po_file.header_fields([old_header]) if old_header else {}
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    for key in ("PO-Revision-Date", "Last-Translator", "Language-Team"):
        if old.get(key, "").strip():
            fields[key] = old[key].strip()
    fields["Language"] = lang
    fields["Plural-Forms"] = PLURAL_FORMS.get(lang.split("_")[0], fields.get("Plural-Forms", ""))
    order = ["Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
             "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
             "Content-Transfer-Encoding", "Plural-Forms"]
    keys = [k for k in order if k in fields] + [k for k in fields if k not in order]
    entry.msgstr = "".join("%s: %s\n" % (k, fields[k]) for k in keys)
    return entry


def fill(pot_path, lang, po_path=None, adds=(), missing_path=None, addons_dir=None, quiet=False, all_addons=False):
    """Write <lang>.po for the .pot; return counts {'kept', 'added', 'odoo', 'missing'}."""
    po_path = po_path or os.path.join(ADDON_I18N, "%s.po" % lang)
    pot = po_file.read(pot_path)
    old = po_file.read(po_path) if os.path.exists(po_path) else []
    old_by_key = {e.key: e for e in old if e.msgid and not e.obsolete}
    added = {}
    for path in adds:
        with open(path, encoding="utf-8") as handle:
            added.update({k: v for k, v in json.load(handle).items() if isinstance(v, str) and v})
    odoo = odoo_translations(addons_dir, lang, all_addons)
    counts = {"kept": 0, "added": 0, "odoo": 0, "missing": 0}
    problems, missing, out = [], {}, []
    pot_header = next((e for e in pot if e.msgid == "" and e.msgctxt is None), None)
    old_header = next((e for e in old if e.msgid == "" and e.msgctxt is None), None)
    out.append(header(pot_header, lang, old_header))
    for src in pot:
        if src is pot_header or src.obsolete:
            continue
        entry = po_file.PoEntry()
        entry.comments, entry.extracted, entry.references = src.comments, src.extracted, src.references
        entry.flags = [f for f in src.flags if f != "fuzzy"]
        entry.msgctxt, entry.msgid = src.msgctxt, src.msgid
        previous = old_by_key.get(src.key)
        candidates = []
        if previous is not None and previous.translated:
            candidates.append(("kept", previous.msgstr))
        if src.msgid in added:
            candidates.append(("added", added[src.msgid]))
        if src.msgctxt is None and src.msgid in odoo:
            candidates.append(("odoo", odoo[src.msgid][0]))
        for origin, msgstr in candidates:
            why = po_file.mismatch(src.msgid, msgstr)
            if why:
                problems.append("%s (%s): %r: %s" % (lang, origin, src.msgid[:60], why))
                continue
            entry.msgstr = msgstr
            counts[origin] += 1
            break
        else:
            counts["missing"] += 1
            missing[src.msgid] = ""
        out.append(entry)
    os.makedirs(os.path.dirname(os.path.abspath(po_path)), exist_ok=True)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write(po_file.format_file(out))
    if missing_path:
        os.makedirs(os.path.dirname(os.path.abspath(missing_path)) or ".", exist_ok=True)
        with open(missing_path, "w", encoding="utf-8") as handle:
            json.dump(missing, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    if not quiet:
        for line in problems:
            print("rejected %s" % line, file=sys.stderr)
        print("%s: %s: kept %d, added %d, reused from Odoo %d, missing %d" % (
            lang, os.path.relpath(po_path), counts["kept"], counts["added"], counts["odoo"], counts["missing"]))
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pot", help="the add-on's .pot (e.g. partner_program/i18n/partner_program.pot)")
    parser.add_argument("langs", nargs="+", help="language codes: fr de es ru ...")
    parser.add_argument("--add", action="append", default=[],
                        help="JSON {msgid: msgstr} of new translations; '{lang}' in the path is replaced")
    parser.add_argument("--missing", help="write untranslated msgids here as JSON; '{lang}' is replaced")
    parser.add_argument("--odoo-addons", default=default_odoo_addons(),
                        help="Odoo's addons directory (default: the runtime's)")
    parser.add_argument("--all-addons", action="store_true",
                        help="reuse from every Odoo add-on, not only the CRM/portal/website family (review the result)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when msgids remain untranslated")
    args = parser.parse_args(argv)
    if not args.odoo_addons:
        print("Odoo's add-ons were not found: nothing will be reused (set --odoo-addons)", file=sys.stderr)
    total_missing = 0
    for lang in args.langs:
        adds = [p.replace("{lang}", lang) for p in args.add]
        adds = [p for p in adds if os.path.exists(p)]
        missing = args.missing.replace("{lang}", lang) if args.missing else None
        total_missing += fill(args.pot, lang, adds=adds, missing_path=missing,
                              addons_dir=args.odoo_addons, all_addons=args.all_addons)["missing"]
    return 1 if args.strict and total_missing else 0


if __name__ == "__main__":
    sys.exit(main())
