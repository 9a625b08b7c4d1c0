"""Read and write gettext .po/.pot files with the standard library only.

Shared by tools/i18n_reuse.py (fill a language from a .pot) and tools/check_po.py (syntax check in
`make lint`). Entries are written the way Odoo's exporter (polib) writes them: `#. module:` and
`#. odoo-python` extracted comments, `#: model:...` / `#: code:...` references, 78-column wrapping, so a
filled .po diffs cleanly against a re-exported .pot and Odoo loads it unchanged.
"""
import re
import textwrap

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
# Placeholders a translation must keep: printf (%s, %d, %(name)s), str.format ({}, {0}, {name}),
# inline templates ({{ expr }}) and t-attributes/tags of QWeb terms.
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-+#0]*\d*(?:\.\d+)?[sdifr%]|\{\{.*?\}\}|\{[\w.]*\}")
_TAG = re.compile(r"<(/?)([\w:-]+)([^>]*)>")
_ATTRS = re.compile(r"\b(t-[\w-]+|href|src|class|role|title|aria-[\w-]+|data-[\w-]+|id|name|type)=")


class PoSyntaxError(ValueError):
    def __init__(self, path, lineno, message):
        super().__init__("%s:%s: %s" % (path, lineno, message))
        self.path, self.lineno, self.message = path, lineno, message


class PoEntry:
    __slots__ = ("comments", "extracted", "references", "flags", "msgctxt", "msgid", "msgid_plural", "msgstr",
                 "msgstr_plural", "lineno", "obsolete")

    def __init__(self):
        self.comments, self.extracted, self.references, self.flags = [], [], [], []
        self.msgctxt = self.msgid_plural = None
        self.msgid = self.msgstr = ""
        self.msgstr_plural = {}
        self.lineno = 0
        self.obsolete = False

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        if self.fuzzy or self.obsolete:
            return False
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


def unquote(text, path="<po>", lineno=0):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoSyntaxError(path, lineno, "expected a quoted string, got %r" % text[:60])
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise PoSyntaxError(path, lineno, "invalid escape sequence in %r" % text[:60])
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        if ch == '"':
            raise PoSyntaxError(path, lineno, "unescaped double quote in %r" % text[:60])
        out.append(ch)
        i += 1
    return "".join(out)


def escape(text):
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
            .replace('"', '\\"'))


def parse(text, path="<po>"):
    """Entries of a .po/.pot text (the header is the entry with msgid ""). Raises PoSyntaxError."""
    entries, state = [], {"entry": None, "field": None, "fields": set()}

    def close():
        entry = state["entry"]
        if entry is not None:
            if "msgid" not in state["fields"]:
                raise PoSyntaxError(path, entry.lineno, "entry without msgid")
            if not state["fields"] & {"msgstr", "msgstr[]"}:
                raise PoSyntaxError(path, entry.lineno, "entry without msgstr: %r" % entry.msgid[:60])
            if (entry.msgid_plural is None) == ("msgstr[]" in state["fields"]):
                raise PoSyntaxError(path, entry.lineno, "msgid_plural and msgstr[n] go together")
            entries.append(entry)
        state.update(entry=None, field=None, fields=set())

    def current(lineno):
        if state["entry"] is None:
            state["entry"] = PoEntry()
            state["entry"].lineno = lineno
        return state["entry"]

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#"):
            if state["field"] is not None:
                close()
            entry = current(lineno)
            if line.startswith("#."):
                entry.extracted.append(line[2:].strip())
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            elif line.startswith("#,"):
                entry.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
            elif not line.startswith("#|"):
                comment = raw.strip()[1:]
                entry.comments.append(comment[1:] if comment.startswith(" ") else comment)
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*)$', line)
        if match:
            keyword, index, rest = match.groups()
            if keyword == "msgctxt" and state["field"] is not None or (
                    keyword == "msgid" and state["field"] not in (None, "msgctxt")):
                close()
            entry = current(lineno)
            entry.obsolete = entry.obsolete or obsolete
            name = "msgstr[]" if index is not None else keyword
            if name in state["fields"] and name != "msgstr[]":
                raise PoSyntaxError(path, lineno, "%s given twice in one entry" % keyword)
            state["fields"].add(name)
            value = unquote(rest, path, lineno)
            if keyword == "msgctxt":
                entry.msgctxt = value
            elif keyword == "msgid":
                entry.msgid = value
            elif keyword == "msgid_plural":
                entry.msgid_plural = value
            elif index is not None:
                entry.msgstr_plural[int(index)] = value
            else:
                entry.msgstr = value
            state["field"] = keyword if index is None else int(index)
            continue
        if line.startswith('"'):
            entry, field = state["entry"], state["field"]
            if entry is None or field is None:
                raise PoSyntaxError(path, lineno, "continuation line outside of an entry")
            value = unquote(line, path, lineno)
            if isinstance(field, int):
                entry.msgstr_plural[field] += value
            else:
                setattr(entry, field, getattr(entry, field) + value)
            continue
        raise PoSyntaxError(path, lineno, "unexpected line %r" % raw[:60])
    close()
    seen = set()
    for entry in entries:
        if not entry.obsolete:
            if entry.key in seen:
                raise PoSyntaxError(path, entry.lineno, "duplicate message definition %r" % entry.msgid[:60])
            seen.add(entry.key)
    return entries


def read(path):
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read(), path)


def header_fields(entries):
    """The header's `Key: value` metadata as a dict (empty if there is no header)."""
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            return dict(line.split(":", 1) for line in entry.msgstr.splitlines() if ":" in line)
    return {}


def _field(name, value, wrapwidth=78):
    """One field as polib writes it (Odoo exports .pot files with polib)."""
    lines = value.splitlines(True)
    if len(lines) > 1:
        lines = [""] + lines
    else:
        special = sum(value.count(c) for c in ("\\", "\n", "\r", "\t", '"'))
        if len(value) > wrapwidth - (len(name) + 3) + special:
            lines = [""] + [unescape_wrapped(item) for item in textwrap.wrap(
                escape(value), wrapwidth - 2, drop_whitespace=False, break_long_words=False)]
        else:
            lines = [value]
    out = ['%s "%s"' % (name, escape(lines.pop(0)))]
    out.extend('"%s"' % escape(line) for line in lines)
    return out


def unescape_wrapped(text):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def format_entry(entry):
    out = [("# " + c) if c else "#" for c in entry.comments]
    out += ["#. %s" % c for c in entry.extracted]
    out += ["#: %s" % r for r in entry.references]
    if entry.flags:
        out.append("#, %s" % ", ".join(entry.flags))
    if entry.msgctxt is not None:
        out += _field("msgctxt", entry.msgctxt)
    out += _field("msgid", entry.msgid)
    if entry.msgid_plural is not None:
        out += _field("msgid_plural", entry.msgid_plural)
        for index in sorted(entry.msgstr_plural) or [0]:
            out += _field("msgstr[%d]" % index, entry.msgstr_plural.get(index, ""))
    else:
        out += _field("msgstr", entry.msgstr)
    return "\n".join(out)


def format_file(entries):
    return "\n\n".join(format_entry(e) for e in entries) + "\n"


def placeholders(text):
    """What a translation must carry over unchanged: format placeholders, tag names, t-/href attributes."""
    found = sorted(_PLACEHOLDER.findall(text))
    for closing, tag, attrs in _TAG.findall(text):
        found.append("<%s%s>" % (closing, tag))
        found.extend(sorted(_ATTRS.findall(attrs)))
    return sorted(found)


def edges(text):
    """Leading and trailing whitespace, which Odoo keeps around a translated term."""
    stripped = text.strip()
    if not stripped:
        return (text, "")
    start = text.index(stripped)
    return (text[:start], text[start + len(stripped):])


def mismatch(msgid, msgstr):
    """Why msgstr cannot stand for msgid (placeholders or surrounding whitespace differ), or None."""
    if placeholders(msgid) != placeholders(msgstr):
        return "placeholders differ: %s vs %s" % (placeholders(msgid), placeholders(msgstr))
    if edges(msgid) != edges(msgstr):
        return "leading/trailing whitespace differs"
    return None
