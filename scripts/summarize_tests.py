"""Sums JUnit XML results (lit, pytest) into one closing line.

Prints "N passed, N failed, N skipped" and exits 1 when something failed or
a result file is missing or unreadable, so that a runner that crashed before
writing its report is not counted as a success.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    # Errors outside any test case (collection errors) count as failures.
    for suite in root.iter("testsuite"):
        cases = len(suite.findall("testcase"))
        errors = int(suite.get("errors", 0))
        if cases == 0 and errors:
            failed += errors
    return passed, failed, skipped


def main(paths):
    totals = [0, 0, 0]
    ok = bool(paths)
    for path in paths:
        try:
            for i, n in enumerate(count(path)):
                totals[i] += n
        except (OSError, ET.ParseError) as err:
            print(f"cannot read test results {path}: {err}")
            totals[1] += 1
            ok = False
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 0 if ok and totals[1] == 0 and totals[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
