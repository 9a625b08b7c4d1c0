#!/usr/bin/env python3
"""Syntax check of the add-on's .po/.pot files for `make lint` (standard library only, no gettext needed).

    python3 tools/check_po.py [partner_program/i18n]

Fails on what would make Odoo skip or mangle a file: bad quoting or escapes, an entry without msgid or
msgstr, a duplicated msgid, a missing or non-UTF-8 charset header, and in translations a placeholder
(%s, %(name)s, {}, {{ }}, tags and t-attributes) or surrounding whitespace that differs from the msgid.
Fuzzy and empty translations are reported by the add-on's test (tests/test_i18n_languages.py), not here.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import po_file  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check(path):
    problems = []
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        entries = po_file.parse(raw.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        return ["%s: not UTF-8 (%s)" % (path, exc)]
    except po_file.PoSyntaxError as exc:
        return [str(exc)]
    header = po_file.header_fields(entries)
    if "charset=utf-8" not in header.get("Content-Type", "").lower().replace(" ", ""):
        problems.append("%s: the header must say Content-Type: text/plain; charset=UTF-8" % path)
    if path.endswith(".po"):
        for entry in entries:
            if entry.msgid and entry.msgstr and not entry.obsolete:
                why = po_file.mismatch(entry.msgid, entry.msgstr)
                if why:
                    problems.append("%s:%s: %s (msgid %r)" % (path, entry.lineno, why, entry.msgid[:60]))
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else os.path.join(REPO, "partner_program", "i18n")
    paths = sorted(glob.glob(os.path.join(folder, "*.po")) + glob.glob(os.path.join(folder, "*.pot")))
    problems = [p for path in paths for p in check(path)]
    for line in problems:
        print(line)
    print("check_po: %d file(s), %d problem(s)" % (len(paths), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
