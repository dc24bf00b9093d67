"""Excel import of paper proposals: 5,000 rows checked and saved, and an oversized sheet refused.

    .venv/bin/python bench/import_bench.py [--rows 5000] [--repeat 3]

Times `proposals_import(...)` — what the admin's import page calls — on a sheet of good rows
(checked and saved) and on the same sheet with one bad cell per row (checked, every problem
listed, nothing saved), and compares both with a floor measured in the same run: openpyxl
merely reading the sheet's cells in read-only mode. Also times the refusal of a sheet whose
last row is row 1,048,576, Excel's largest.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

TARGET = 10.0  # seconds for 5,000 rows, saved or refused
REFUSAL_TARGET = 1.0  # seconds to refuse a sheet of 1,048,576 rows
COMPOUNDS = 20


def timed(function, repeat):
    """Return (median seconds, median CPU seconds of this process, last value) of ``repeat`` calls.

    The CPU time leaves out the waits for a core that other work on the machine causes (and
    PostgreSQL's own work, which here is two bulk inserts and a few small queries).
    """
    times, cpu_times, value = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        value = function()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return statistics.median(times), statistics.median(cpu_times), value


def collecting_round():
    """Return (round, staff user): a new round in `collection` over 20 compounds."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from rounds.models import Compound, Round, Stage

    community = common._community("导入")
    compounds = Compound.objects.bulk_create(
        Compound(community=community, name=f"{number}号小区") for number in range(COMPOUNDS)
    )
    year = timezone.localdate().year
    round = Round.objects.create(
        community=community,
        year=year,
        title=f"{year}年度 {community.name} 微实事",
        total_fund=common.BUDGET,
        project_cap=common.PROJECT_CAP,
        stage=Stage.COLLECTION,
    )
    round.compounds.set(compounds)
    staff = get_user_model().objects.create(username=f"import-{community.pk}", is_staff=True)
    return round, staff


def sheet(rows, *, bad=False):
    """Return the bytes of an .xlsx import sheet with ``rows`` filled rows.

    ``bad`` puts an unknown category in every row.
    """
    import openpyxl

    from proposals.importing import COLUMNS, _example_row, _label

    book = openpyxl.Workbook(write_only=True)
    page = book.create_sheet()
    page.append([_label(name) for name in COLUMNS])
    example = dict(zip(COLUMNS, _example_row(), strict=True))
    for number in range(rows):
        values = {
            **example,
            "proposer_name": f"居民{number}",
            "phone": 13800000000 + number,
            "title": f"第{number}号提议：加装楼道扶手",
            "compound": f"{number % COMPOUNDS}号小区",
            "estimated_cost": 1000 + number % 40_000,
        }
        if bad:
            values["category"] = "其他"
        page.append([values[name] for name in COLUMNS])
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def oversized_sheet():
    """Return the bytes of a sheet with one cell in row 1,048,576, Excel's last row."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.cell(row=1_048_576, column=1, value="x")
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def read_only_floor(content):
    """Read every cell of the first sheet in read-only mode; return the number of rows."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    common.setup()
    from django.db import transaction

    from proposals.exceptions import ProposalImportError
    from proposals.importing import MAX_ROWS, proposals_import

    good, bad = sheet(options.rows), sheet(options.rows, bad=True)
    oversized = oversized_sheet()
    round, staff = collecting_round()

    def import_good():
        with transaction.atomic():
            saved = proposals_import(round=round, workbook_file=io.BytesIO(good), actor=staff)
            transaction.set_rollback(True)  # every repetition imports the same rows afresh
        return len(saved)

    def import_refused(content):
        try:
            proposals_import(round=round, workbook_file=io.BytesIO(content), actor=staff)
        except ProposalImportError as refusal:
            return refusal
        raise RuntimeError("the sheet was imported")

    floor, floor_cpu, rows_read = timed(lambda: read_only_floor(good), options.repeat)
    saved_time, saved_cpu, saved = timed(import_good, options.repeat)
    checked_time, checked_cpu, refusal = timed(lambda: import_refused(bad), options.repeat)
    oversized_time, _cpu, oversized_refusal = timed(
        lambda: import_refused(oversized), options.repeat
    )

    print(f"round {round.pk}: {options.rows:,} rows; the row limit is {MAX_ROWS:,}")
    print(f"bad sheet: {len(refusal.problems):,} problems listed")
    print(f"oversized sheet: {oversized_refusal}")
    common.report(
        f"import of {options.rows:,} rows (median of {options.repeat})",
        [
            (
                "openpyxl reads the sheet (floor)",
                f"{floor:.2f} s, CPU {floor_cpu:.2f} s ({rows_read:,} rows)",
                "",
                None,
            ),
            (
                f"{saved:,} rows checked and saved",
                f"{saved_time:.2f} s, CPU {saved_cpu:.2f} s, {saved_time / floor:.1f}× the floor",
                f"≤ {TARGET:.0f} s",
                saved_time <= TARGET and saved == options.rows,
            ),
            (
                f"{options.rows:,} bad rows checked, refused",
                f"{checked_time:.2f} s, CPU {checked_cpu:.2f} s, "
                f"{checked_time / floor:.1f}× the floor",
                f"≤ {TARGET:.0f} s",
                checked_time <= TARGET,
            ),
            (
                "sheet of 1,048,576 rows refused",
                f"{oversized_time * 1000:.0f} ms",
                f"≤ {REFUSAL_TARGET:.0f} s",
                oversized_time <= REFUSAL_TARGET,
            ),
        ],
    )


if __name__ == "__main__":
    main()
