#!/usr/bin/env python3
"""Expected per-coder accuracy for samples/expected_scores.csv, computed independently.

Pure Python (standard library only), no code shared with the C++ scorer:
  code_accuracy  = matches / (matches + errors)           (error rows, not positions)
  claim_accuracy = error_free_encounters / encounters
  each with an exact two-sided Clopper-Pearson interval (default 95%), found by
  bisection to 1e-12 on binomial tail sums; lower = 0 when x = 0, upper = 1 when x = n.
  pass = code_accuracy >= benchmark (0.95)

Use from a test:
    from expected_accuracy import expected
    exp = expected("samples/expected_scores.csv")
    exp["C03"]["code_accuracy"], exp["C03"]["code_ci"], exp["C03"]["pass"]

CLI:
    python3 tests/cli/expected_accuracy.py [expected_scores.csv] [--benchmark 0.95]
                                           [--csv] [--self-test]
Without a path it reads ../../samples/expected_scores.csv relative to this file.
--csv prints one machine-readable row per coder; --self-test checks the interval code
against published values and exits non-zero on failure.
"""

from __future__ import annotations

import argparse
import csv
import functools
import math
import os
import sys

DEFAULT_BENCHMARK = 0.95
INT_FIELDS = ["encounters", "codes_reviewed", "matches", "errors", "added", "omitted",
              "revised", "resequenced", "modifier", "units", "error_free_encounters", "poa",
              "drg_encounters", "drg_changes", "over_coded", "under_coded"]
# Dollars with cents; true when scored with samples/drg_weights.csv (base rate 6000) and
# samples/cc_mcc.csv, as the end-to-end test does.
MONEY_FIELDS = ["overpayment", "underpayment"]
DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                            "samples", "expected_scores.csv")


# --------------------------------------------------------------------------------------
# Binomial tails in log space (exact integer binomial coefficients, so n may be large).


@functools.lru_cache(maxsize=64)
def _log_comb(n: int) -> tuple:
    """log C(n, k) for k = 0..n, from exact integers (math.log accepts big ints)."""
    out, c = [], 1
    for k in range(n + 1):
        out.append(math.log(c))
        c = c * (n - k) // (k + 1)  # exact: C(n, k + 1)
    return tuple(out)


def _log_terms(n: int, p: float):
    """log P(X = k) for k = 0..n, X ~ Binomial(n, p), 0 < p < 1."""
    lp, lq = math.log(p), math.log1p(-p)
    return [lc + k * lp + (n - k) * lq for k, lc in enumerate(_log_comb(n))]


def _log_sum_exp(xs):
    m = max(xs)
    return m + math.log(math.fsum(math.exp(x - m) for x in xs))


def upper_tail(x: int, n: int, p: float) -> float:
    """P(X >= x)."""
    if x <= 0:
        return 1.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    return math.exp(_log_sum_exp(_log_terms(n, p)[x:]))


def lower_tail(x: int, n: int, p: float) -> float:
    """P(X <= x)."""
    if x >= n:
        return 1.0
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return math.exp(_log_sum_exp(_log_terms(n, p)[:x + 1]))


def _bisect(f, target: float, increasing: bool, tol: float = 1e-12) -> float:
    """Solve f(p) = target on [0, 1] for a monotone f."""
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = (lo + hi) / 2
        v = f(mid)
        if (v < target) == increasing:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for x successes in n trials; n == 0 gives (0, 1)."""
    if n == 0:
        return 0.0, 1.0
    if not 0 <= x <= n:
        raise ValueError(f"x={x} outside 0..{n}")
    a = (1.0 - confidence) / 2.0
    # lower: P(X >= x | p) = a, increasing in p
    low = 0.0 if x == 0 else _bisect(lambda p: upper_tail(x, n, p), a, increasing=True)
    # upper: P(X <= x | p) = a, decreasing in p
    high = 1.0 if x == n else _bisect(lambda p: lower_tail(x, n, p), a, increasing=False)
    return low, high


# --------------------------------------------------------------------------------------


def read_scores(path: str) -> dict[str, dict]:
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            r = {k: int(row[k]) for k in INT_FIELDS}
            r.update({k: float(row[k]) for k in MONEY_FIELDS})
            out[row["coder_id"]] = r
    return out


def expected(path: str = DEFAULT_PATH, benchmark: float = DEFAULT_BENCHMARK,
             confidence: float = 0.95) -> dict[str, dict]:
    """coder_id -> counts plus code_accuracy, code_ci, claim_accuracy, claim_ci, pass."""
    result = {}
    for coder, r in sorted(read_scores(path).items()):
        scored = r["matches"] + r["errors"]
        d = dict(r)
        d["code_accuracy"] = r["matches"] / scored if scored else 0.0
        d["code_ci"] = clopper_pearson(r["matches"], scored, confidence)
        d["claim_accuracy"] = (r["error_free_encounters"] / r["encounters"]
                               if r["encounters"] else 0.0)
        d["claim_ci"] = clopper_pearson(r["error_free_encounters"], r["encounters"], confidence)
        same = r["drg_encounters"] - r["drg_changes"]
        d["drg_accuracy"] = same / r["drg_encounters"] if r["drg_encounters"] else 0.0
        d["drg_ci"] = clopper_pearson(same, r["drg_encounters"], confidence)
        d["benchmark"] = benchmark
        d["pass"] = d["code_accuracy"] >= benchmark
        result[coder] = d
    return result


# Reference values (as R's binom.test(x, n)$conf.int prints them), each also confirmed
# below by exact rational tail sums. Note: (95, 100) is (0.887165, 0.983568); an upper
# bound of 0.983596 quoted elsewhere is a digit transposition (the tail there is 0.02484).
KNOWN = [
    ((95, 100), (0.887165, 0.983568)),
    ((0, 10), (0.0, 0.308497)),
    ((10, 10), (0.691503, 1.0)),
    ((5, 10), (0.187086, 0.812914)),
    ((1, 20), (0.001265, 0.248733)),
    ((76, 80), (0.876901, 0.986211)),
]


def _exact_tail(x: int, n: int, p: float, upper: bool) -> float:
    """P(X >= x) or P(X <= x) with exact rational arithmetic (slow; for checks)."""
    from fractions import Fraction
    q = Fraction(p)
    ks = range(x, n + 1) if upper else range(0, x + 1)
    return float(sum(math.comb(n, k) * q ** k * (1 - q) ** (n - k) for k in ks))


def self_test() -> bool:
    ok = True
    for (x, n), (lo, hi) in KNOWN:
        got = clopper_pearson(x, n)
        good = abs(got[0] - lo) < 5e-7 and abs(got[1] - hi) < 5e-7
        ok &= good
        print(f"CP x={x:3d} n={n:3d}: ({got[0]:.6f}, {got[1]:.6f}) expected "
              f"({lo:.6f}, {hi:.6f}) {'ok' if good else 'FAIL'}")
    # the defining property, checked exactly: each tail at its bound equals alpha/2
    for (x, n), _ in KNOWN:
        lo, hi = clopper_pearson(x, n)
        t1 = _exact_tail(x, n, lo, upper=True) if x > 0 else 0.025
        t2 = _exact_tail(x, n, hi, upper=False) if x < n else 0.025
        good = abs(t1 - 0.025) < 1e-9 and abs(t2 - 0.025) < 1e-9
        ok &= good
        print(f"exact tails x={x:3d} n={n:3d}: {t1:.12f} {t2:.12f} "
              f"{'ok' if good else 'FAIL'}")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="expected per-coder accuracy")
    ap.add_argument("path", nargs="?", default=DEFAULT_PATH)
    ap.add_argument("--benchmark", type=float, default=DEFAULT_BENCHMARK)
    ap.add_argument("--csv", action="store_true", help="machine-readable output")
    ap.add_argument("--self-test", action="store_true", help="check CP against known values")
    args = ap.parse_args(argv)
    if args.self_test:
        return 0 if self_test() else 1
    exp = expected(args.path, args.benchmark)
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["coder_id", "encounters", "codes_reviewed", "matches", "errors",
                    "code_accuracy", "code_ci_low", "code_ci_high", "error_free_encounters",
                    "claim_accuracy", "claim_ci_low", "claim_ci_high", "pass"])
        for c, d in exp.items():
            w.writerow([c, d["encounters"], d["codes_reviewed"], d["matches"], d["errors"],
                        f"{d['code_accuracy']:.6f}", f"{d['code_ci'][0]:.6f}",
                        f"{d['code_ci'][1]:.6f}", d["error_free_encounters"],
                        f"{d['claim_accuracy']:.6f}", f"{d['claim_ci'][0]:.6f}",
                        f"{d['claim_ci'][1]:.6f}", "pass" if d["pass"] else "fail"])
        return 0
    print(f"{'coder':6s} {'enc':>3s} {'codes':>5s} {'match':>5s} {'err':>3s} "
          f"{'code acc':>8s} {'95% CI':>19s} {'claim acc':>9s} {'95% CI':>19s}  result")
    for c, d in exp.items():
        print(f"{c:6s} {d['encounters']:3d} {d['codes_reviewed']:5d} {d['matches']:5d} "
              f"{d['errors']:3d} {d['code_accuracy']:8.4f} "
              f"({d['code_ci'][0]:.6f}, {d['code_ci'][1]:.6f}) {d['claim_accuracy']:9.4f} "
              f"({d['claim_ci'][0]:.6f}, {d['claim_ci'][1]:.6f})  "
              f"{'PASS' if d['pass'] else 'FAIL'}")
    print(f"benchmark {args.benchmark}: pass when code_accuracy >= benchmark")
    print()
    return 0 if self_test() else 1


if __name__ == "__main__":
    sys.exit(main())
