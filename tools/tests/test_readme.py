"""The READMEs stay true: README.rst generated from readme/*.md, no paragraph twice in README.md, and
an "Architecture" section whose every path exists. Plain pytest, no Odoo:

    pytest -p no:odoo -p no:cacheprovider tools/tests/test_readme.py
"""

import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _load_readme_rst():
    spec = importlib.util.spec_from_file_location("readme_rst", ROOT / "tools" / "readme_rst.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


readme_rst = _load_readme_rst()


def _paragraphs(text):
    """Blocks separated by blank lines, outside fenced code, whitespace-normalised."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        yield lines


def _section(text, title):
    """The body of the Markdown section ``title`` (any level), up to the next heading of its level or above."""
    match = re.search(r"^(#+)\s+%s\s*$" % re.escape(title), text, flags=re.M)
    assert match, "README.md has no %r section" % title
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(r"^#{1,%d}\s" % level, rest, flags=re.M)
    return rest[: end.start()] if end else rest


def test_readme_rst_is_generated_from_the_fragments():
    current = (ROOT / "partner_program" / "README.rst").read_text(encoding="utf-8")
    assert current == readme_rst.generate(), "partner_program/README.rst is stale: run python3 tools/readme_rst.py"
    assert readme_rst.main(["--check"]) == 0


def test_readme_rst_fragments_exist():
    folder = ROOT / "partner_program" / "readme"
    for name in ("DESCRIPTION.md", "USAGE.md", "CONFIGURE.md", "CONTRIBUTORS.md"):
        assert (folder / name).is_file(), name


def test_readme_rst_is_valid_restructuredtext():
    docutils_core = pytest.importorskip("docutils.core")
    text = (ROOT / "partner_program" / "README.rst").read_text(encoding="utf-8")
    # halt on warnings (level 2): a broken list or inline markup fails here, not on the Apps page
    docutils_core.publish_doctree(text, settings_overrides={"halt_level": 2, "report_level": 5})


def test_markdown_conversion_of_the_simple_constructs():
    rst = "\n".join(readme_rst.md_to_rst(
        "# Title\n\nSome `code` and [a link](https://example.org).\n\n"
        "- one\n  two\n- three\n  - nested\n\n```sh\nmake run\n```\n"
    ))
    assert "Title\n-----" in rst
    assert "Some ``code`` and `a link <https://example.org>`__." in rst
    assert "- one\n  two\n- three\n\n  - nested" in rst
    assert ".. code-block:: sh\n\n   make run" in rst


def test_readme_has_no_paragraph_twice():
    counts = Counter(
        "\n".join(lines) for lines in _paragraphs(README.read_text(encoding="utf-8")) if len(lines) >= 2
    )
    repeated = [paragraph.splitlines()[0] for paragraph, count in counts.items() if count > 1]
    assert not repeated, "paragraphs appearing more than once in README.md: %s" % repeated


def test_architecture_paths_exist():
    section = _section(README.read_text(encoding="utf-8"), "Architecture")
    paths = set(re.findall(r"`(partner_program/[^`\s]*)`", section))
    assert len(paths) > 30, "the Architecture section should map the concepts to their files"
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert not missing, "paths named in README.md's Architecture section that do not exist: %s" % missing


def test_readme_images_exist():
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))
    assert images
    missing = [image for image in images if not (ROOT / image).is_file()]
    assert not missing, missing
