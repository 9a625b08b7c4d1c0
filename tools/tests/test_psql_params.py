"""Values reach PostgreSQL as query parameters, never formatted into the SQL text."""
import json
import os
import sys

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

import bootstrap  # noqa: E402

QUOTED = "pp_o'quote"
INJECTION = "x' OR 'a' = 'a"


def test_values_are_passed_beside_the_query(monkeypatch, tmp_path):
    # No database: capture what psql() hands to the venv's Python.
    calls = []

    def fake_output(cmd, **_kw):
        calls.append((cmd[4], json.loads(cmd[5])))
        return 0, "[]", ""

    monkeypatch.setattr(bootstrap, "output", fake_output)
    runtime = bootstrap.Runtime({"PATH": os.environ["PATH"], "RUNTIME_DIR": str(tmp_path / "rt")})
    assert not runtime.db_exists(QUOTED)
    assert runtime.module_state(INJECTION, INJECTION) is None
    runtime.set_source_hash(QUOTED)
    runtime.stored_source_hash(QUOTED)
    runtime.demo_logins(QUOTED)
    runtime.psql("postgres", "SELECT 1")
    assert [params for _query, params in calls] == [
        [QUOTED],
        [INJECTION],
        [bootstrap.SOURCE_HASH_KEY, bootstrap.Runtime.source_hash()],
        [bootstrap.SOURCE_HASH_KEY],
        [bootstrap.ADDON],
        None,
    ]
    for query, params in calls:
        for value in params or []:
            assert value not in query
        assert "'%s'" not in query


def test_quote_in_a_database_name_neither_breaks_nor_injects():
    # The embedded cluster of `make test`; one small empty database, dropped at the end.
    runtime = bootstrap.Runtime()
    assert runtime.db_exists(runtime.test_db), "run through `make test`, which installs the test database"
    # Formatted into the SQL, the first matched every database and the second was a syntax error.
    assert not runtime.db_exists(INJECTION)
    assert runtime.module_state(runtime.test_db, INJECTION) is None
    assert runtime.module_state(runtime.test_db, bootstrap.ADDON) == "installed"
    odd = runtime.test_db + "_o'quote"
    assert not runtime.db_exists(odd)
    runtime.psql("postgres", 'CREATE DATABASE "%s" TEMPLATE template0' % odd)
    try:
        assert runtime.db_exists(odd)
        assert runtime.psql(odd, "SELECT current_database()") == [[odd]]
        runtime.psql(odd, "CREATE TABLE ir_config_parameter (key varchar PRIMARY KEY, value text)")
        assert runtime.stored_source_hash(odd) is None
        runtime.set_source_hash(odd)
        assert runtime.stored_source_hash(odd) == runtime.source_hash()
    finally:
        runtime.psql("postgres", 'DROP DATABASE IF EXISTS "%s"' % odd)
    assert not runtime.db_exists(odd)
