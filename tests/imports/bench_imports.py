"""Throughput of the import readers and the phone normalizer (not a test: run it by hand).

    .venv/bin/python -m tests.imports.bench_imports [--rows 1000000]

Prints rows per second for CSV reading, XLSX reading and phone normalisation (with and without
repeated numbers), on generated data shaped like real member lists.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import tracemalloc
from collections.abc import Callable

import phonenumbers

from bot.services.imports.phones import PhoneNormalizer, region_timezone
from bot.services.imports.readers import open_table

# National formats people type, by region: (example national significant number prefixes).
_REGIONS = ("ES", "RU", "TH", "JP", "US", "GB")


def _valid_numbers(region: str, count: int, rng: random.Random) -> list[phonenumbers.PhoneNumber]:
    """Distinct numbers: the region's example mobile and fixed-line numbers, last 6 digits drawn
    without replacement (a few land outside the valid ranges, like real typos)."""
    examples = [
        phonenumbers.example_number_for_type(region, kind)
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    ]
    numbers = []
    for index, example in enumerate(examples):
        assert example is not None
        head = str(example.national_number)[:-6]
        share = count // 2 + (count % 2 if index == 0 else 0)
        for tail in rng.sample(range(1_000_000), share):
            national = int(f"{head}{tail:06d}")
            numbers.append(
                phonenumbers.PhoneNumber(
                    country_code=example.country_code, national_number=national
                )
            )
    rng.shuffle(numbers)
    return numbers


def phone_inputs(region: str, count: int, *, seed: int = 7, duplicates: float = 0.05) -> list[str]:
    """Mixed national and international spellings, 2% garbage, `duplicates` repeated."""
    rng = random.Random(seed)
    unique = int(count * (1 - duplicates))
    local = _valid_numbers(region, unique, rng)
    foreign_regions = [r for r in _REGIONS if r != region]
    foreign = {r: _valid_numbers(r, 2000, rng) for r in foreign_regions}
    formats = (
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.E164,
    )
    inputs: list[str] = []
    for index, number in enumerate(local):
        roll = rng.random()
        if roll < 0.02:
            inputs.append(rng.choice(("n/a", "123", "+99912345", "phone", "6123456789012345678")))
            continue
        if roll < 0.22:  # a fifth are foreign numbers, written internationally
            number = rng.choice(foreign[rng.choice(foreign_regions)])
            inputs.append(phonenumbers.format_number(number, formats[1 + index % 2]))
            continue
        text = phonenumbers.format_number(number, formats[index % 3])
        if index % 7 == 0:
            text = text.replace(" ", "-")
        inputs.append(text)
    while len(inputs) < count:
        inputs.append(inputs[rng.randrange(len(inputs))])
    rng.shuffle(inputs)
    return inputs


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _rate(count: int, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def _sliced_rate(inputs: list[str], normalize: Callable[[str], object]) -> tuple[float, float]:
    """(whole run, best fifth): the machine is shared, the best slice is the least disturbed."""
    size = len(inputs) // 5
    rates = [
        _rate(size, lambda part=part: list(map(normalize, inputs[part * size : (part + 1) * size])))
        for part in range(5)
    ]
    return len(inputs) / sum(size / rate for rate in rates), max(rates)


def bench_phones(count: int) -> None:
    for region in ("ES", "US", "TH"):
        for duplicates in (0.0, 0.05):
            inputs = phone_inputs(region, count, duplicates=duplicates)
            cached = PhoneNormalizer(region)
            valid = sum(cached.normalize(raw) is not None for raw in inputs) / count
            with_cache = _sliced_rate(inputs, PhoneNormalizer(region).normalize)
            without = _sliced_rate(inputs, PhoneNormalizer(region, cache_size=0).normalize)
            _say(
                f"phones {region} dup={duplicates:.0%} valid={valid:.1%}: "
                f"cached {with_cache[0]:,.0f}/s (best slice {with_cache[1]:,.0f}/s), "
                f"uncached {without[0]:,.0f}/s (best slice {without[1]:,.0f}/s)"
            )
        sample = phone_inputs(region, 20_000)
        reference = _rate(
            len(sample),
            lambda sample=sample, region=region: [_reference(r, region) for r in sample],
        )
        _say(f"phones {region}: phonenumbers.parse + is_valid_number alone: {reference:,.0f}/s")


def _reference(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_NAMES = ("Ana", "José", "Lucía", "Íñigo", "Olga", "Pere", "Nuria", "Raúl", "Sara", "Tomás")


def csv_bytes(rows: int) -> bytes:
    """A million rows fit the 20 MB upload limit only as phone + first name: about 20 bytes."""
    phones = phone_inputs("ES", rows)
    out = io.StringIO()
    out.write("Teléfono;Nombre\n")
    for index, phone in enumerate(phones):
        compact = phone.replace(" ", "") if index % 2 else phone
        out.write(f"{compact};{_NAMES[index % len(_NAMES)]}\n")
    return out.getvalue().encode("utf-8")


def bench_csv(rows: int) -> None:
    data = csv_bytes(rows)
    start = time.perf_counter()
    table = open_table("list.csv", data)
    opened = time.perf_counter() - start
    rates = []
    for _ in range(3):  # the best of three: the machine is shared
        start = time.perf_counter()
        count = sum(1 for _ in table.rows())
        rates.append(count / (time.perf_counter() - start))
    tracemalloc.start()  # a second pass: tracing allocations slows it several times
    for _ in table.rows():
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _say(
        f"csv: {len(data) / 1e6:.1f} MB, open (reads it all) {opened:.2f}s, {count:,} rows at "
        f"{max(rates):,.0f} rows/s (best of 3; worst {min(rates):,.0f}), "
        f"peak allocation while streaming {peak / 1e6:.1f} MB"
    )
    normalize = PhoneNormalizer("ES").normalize
    start = time.perf_counter()
    for _, cells in table.rows():
        normalize(cells[0])
    elapsed = time.perf_counter() - start
    _say(f"csv + phone normalisation: {count / elapsed:,.0f} rows/s")
    start = time.perf_counter()
    for _, cells in table.rows():
        e164 = normalize(cells[0])
        if e164 is not None:
            region_timezone(e164)
    elapsed = time.perf_counter() - start
    _say(f"csv + phone normalisation + region_timezone: {count / elapsed:,.0f} rows/s")


def bench_xlsx(rows: int) -> None:
    from openpyxl import Workbook

    # A normal workbook, as Excel writes them: shared strings and a <dimension> element
    # (openpyxl's write-only mode writes inline strings, which read three times slower).
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["First name", "Last name", "Mobile", "Email", "City"])
    for index, phone in enumerate(phone_inputs("ES", rows)):
        sheet.append([f"José {index}", "García", phone, f"jose{index}@example.com", "Sevilla"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    start = time.perf_counter()
    table = open_table("list.xlsx", data)
    opened = time.perf_counter() - start
    rates = []
    for _ in range(3):  # the best of three: the machine is shared
        start = time.perf_counter()
        count = sum(1 for _ in table.rows())
        rates.append(count / (time.perf_counter() - start))
    _say(
        f"xlsx: {len(data) / 1e6:.1f} MB, open {opened:.2f}s, {count:,} rows at "
        f"{max(rates):,.0f} rows/s (best of 3; worst {min(rates):,.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--only", choices=("phones", "csv", "xlsx"))
    args = parser.parse_args()
    if args.only in (None, "phones"):
        bench_phones(args.rows)
    if args.only in (None, "csv"):
        bench_csv(args.rows)
    if args.only in (None, "xlsx"):
        bench_xlsx(args.xlsx_rows)


if __name__ == "__main__":
    main()
