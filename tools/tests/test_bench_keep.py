"""``make bench --keep``: a partial run replaces its rows in place and keeps the others, dated."""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "benchmarks"))

import bench  # noqa: E402

PREVIOUS = """# Benchmark results

Measured by `make bench` on 2026-12-01.

| measure | ours (partner_program) | Odoo (website_crm_partner_assign) | ours/Odoo | notes |
|---|---|---|---|---|
| assign 10000 leads | 3.00 s | 80.00 s | 0.038 | ours: 119 queries |
| win 10000 opportunities that earn a reward | 30.00 s | 20.00 s | 1.500 | ours: 1 queries |
| /partners (run of 2026-11-30) | p95 300 ms | p95 700 ms | 0.429 | ours: 200 x200 |

## Soak

| request | count |
|---|---|
| list | 521 |
"""


def test_rows_measured_again_replace_theirs_in_place_and_the_others_keep_their_date():
    win = "| win 10000 opportunities that earn a reward | 20.00 s | 18.00 s | 1.111 | ours: 2 queries |"
    new = "| assign 600 leads over 6 resellers, one JSON-RPC call | 1.00 s | 7.00 s | 0.143 | ours: 600/600 |"
    rows = bench.merge_rows(PREVIOUS, [win, new])
    assert rows == [
        # the table's first row keeps its name: the date goes into the notes
        "| assign 10000 leads | 3.00 s | 80.00 s | 0.038 | run of 2026-12-01; ours: 119 queries |",
        win,
        # marked the older way, in the name: moved to the notes with its own date
        "| /partners | p95 300 ms | p95 700 ms | 0.429 | run of 2026-11-30; ours: 200 x200 |",
        new,
    ]
    # merged again, nothing is marked twice and the other sections' tables are not rows of this one
    assert bench.merge_rows("Measured by `make bench` on 2026-12-02.\n\n" + "\n".join(rows), [])[0] == rows[0]
