"""The rules' replay alone, timed: `cslevel.rules.replay_agents` over a generated history.

    python benchmarks/replay_speed.py [--agents 10000] [--months 36] [--rounds 5]
                                      [--schemes star,weighted,points] [--json FILE]
                                      [--before]

For each scheme it makes (seeded, in memory) a history of N agents × M months: regulars
at every level of the ladder, agents hired before and during the months (trial), some
leaving, a few months without a score, scores spread around the scheme's lines (and, for the
rules that read them, the metrics, team places and exam results). Then it times, best of
`--rounds`, with the collector paused as `pipeline.derive` pauses it:

- `full`: every agent from its first month to the last month (a backfill's `score`);
- `full+save`: the same, keeping every agent's checkpoint at the close of the month before
  the last (a backfill's `promote`; resumable rule kinds only);
- `resume`: from those checkpoints, the last month only (a month's `cslevel run`).

No file and no database: only the rules. Run it on two checkouts to compare them, or, with
`--before`, against the rules as they were before the driver (tests/rules_before, the oracle
of tests/test_rules_driver.py) in the same process, the two timed in turns round by round so
that a busy machine slows both alike. Times are CPU seconds of this process (best round).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cslevel import rules  # the checkout's cslevel, not an installed one
from cslevel.records import Agent, Month, Score
from cslevel.templates import load_scheme

START = Month(2024, 1)

# per scheme: the score's spread (mean, deviation, places) and the metrics it carries
SPREAD = {"star": (110, 9, 2), "weighted": (72, 12, 1), "points": (78, 12, 1),
          "tier": (80, 10, 1), "grade": (82, 8, 1), "grade_cba": (82, 8, 1),
          "grade_dc": (80, 10, 1), "assistant": (80, 8, 1)}


def _metrics(scheme_name: str, rng: random.Random, hired_ago: int) -> dict[str, Decimal]:
    if scheme_name == "tier":
        return {"aht": Decimal(rng.randint(240, 380)),
                "csat": Decimal(rng.randint(80, 100)) / 100,
                "fcr": Decimal(rng.randint(70, 92)) / 100, "kb": Decimal(rng.randint(0, 6)),
                "coaching": Decimal(rng.randint(0, 3)), "projects": Decimal(rng.randint(0, 2))}
    if scheme_name in ("grade", "grade_cba") and hired_ago == 1:  # the 4th week's exam
        return {"theory": Decimal(rng.randint(70, 100)),
                "practical": Decimal(rng.randint(75, 100)),
                "typing": Decimal(rng.randint(30, 80))}
    if scheme_name == "grade_dc":
        return {"complaints": Decimal(0 if rng.random() < 0.8 else rng.randint(1, 2))}
    if scheme_name == "assistant":
        return {"appearance": Decimal(rng.randint(0, 12)), "work": Decimal(rng.randint(0, 12)),
                "follow_a": Decimal(rng.randint(8, 20)), "follow_b": Decimal(rng.randint(8, 20)),
                "reports_a": Decimal(rng.randint(2, 6)), "reports_b": Decimal(rng.randint(2, 6)),
                "best_member": Decimal(1 if rng.random() < 0.1 else 0)}
    return {}


def history(scheme_name: str, n_agents: int, n_months: int, seed: int = 17
            ) -> tuple[dict[str, Agent], dict[str, dict[Month, Score]], Any, Month]:
    scheme, _ = load_scheme(scheme_name)
    rng = random.Random(seed)
    mean, deviation, places = SPREAD[scheme_name]
    quantum = Decimal(1).scaleb(-places)
    regular = scheme.regular_levels
    last = START + (n_months - 1)
    agents: dict[str, Agent] = {}
    scores: dict[str, dict[Month, Score]] = {}
    for i in range(n_agents):
        agent_id = f"{i:05d}"
        kind = rng.random()
        if kind < 0.4:  # a regular with a level on the roster
            first, hire, level = START, date(2020, 1 + i % 12, 1), rng.choice(regular)
        elif kind < 0.75:  # known since before the months, no level given
            first, hire, level = START, date(2023, 1 + i % 12, 5), None
        else:  # hired during the months
            first = START + rng.randrange(n_months)
            hire, level = first.first_day().replace(day=10), None
        leave = None
        if rng.random() < 0.08:
            leave = (first + rng.randrange(max(1, last - first + 1))).first_day().replace(day=20)
        agents[agent_id] = Agent(agent_id, f"名{i}", f"T{i // 10}", "", hire, leave, level,
                                 first, True, None, i % 10 == 0)
        by_month: dict[Month, Score] = {}
        skill = rng.gauss(0, deviation / 2)
        for k in range(last - first + 1):
            month = first + k
            if rng.random() < 0.03:
                continue
            value = Decimal(str(mean + skill + rng.gauss(0, deviation / 2))).quantize(quantum)
            by_month[month] = Score(agent_id, month, value,
                                    _metrics(scheme_name, rng, k),
                                    discipline_block=rng.random() < 0.01)
        scores[agent_id] = by_month
    rule = scheme.promotion.rule
    if rule in rules.RANKED:
        if rule == "quarterly_standard":
            scores = rules.with_team_ranks(scores, agents, scheme.promotion.review_months,
                                           scheme.promotion.window)
        else:
            scores = rules.with_team_ranks(scores, agents)
    return agents, scores, scheme, last


def timed(fn: Any) -> float:
    gc.collect()
    gc.disable()
    start = time.process_time()
    fn()
    spent = time.process_time() - start
    gc.enable()
    return spent


def cases(module: Any, agents: dict[str, Agent], scores: dict[str, dict[Month, Score]],
          scheme: Any, last: Month) -> dict[str, Callable[[], object]]:
    """What is timed, with the rules of `module` (cslevel.rules, or the rules before)."""
    window, keep = scheme.promotion.window, last - 1

    def replay(start: dict[str, Any] | None = None, at: Month | None = None) -> object:
        if hasattr(module, "replay_agents"):  # the driver's rules
            derived, made = module.replay_agents(agents, scores, scheme, last, window, start, at)
            return made if at is not None else derived
        save = {a: module.Checkpoint(at) for a in agents} if at is not None else None
        derived = module.replay_all(agents, scores, scheme, last, window, start=start,
                                    save=save)  # the rules before the driver
        return ({a: c for a, c in save.items() if c.carry is not None} if save is not None
                else derived)

    def full() -> object:
        return replay()

    def full_and_save(at: Month = keep) -> dict[str, Any]:
        return replay(at=at)  # type: ignore[return-value]

    out: dict[str, Callable[[], object]] = {"full": full}
    if scheme.promotion.rule in rules.RESUMABLE:
        start = full_and_save(keep - 1)

        def resume() -> object:
            return replay(start, keep)

        out["full+save"] = full_and_save
        out["resume"] = resume
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--schemes", default="star,weighted,points")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--before", action="store_true",
                        help="time the rules before the driver too (tests/rules_before)")
    args = parser.parse_args()
    before_module = None
    if args.before:
        sys.path.insert(0, str(HERE.parent / "tests"))
        import rules_before as before_module  # the oracle of tests/test_rules_driver.py
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.schemes.split(","):
        agents, scores, scheme, last = history(name, args.agents, args.months)
        after = cases(rules, agents, scores, scheme, last)
        before = cases(before_module, agents, scores, scheme, last) if before_module else {}
        row: dict[str, dict[str, float]] = {}
        for case, run in after.items():
            times: dict[str, list[float]] = {"after": []}
            if before:
                times["before"] = []
            for _ in range(args.rounds):  # in turns: a busy machine slows both alike
                if before:
                    times["before"].append(timed(before[case]))
                times["after"].append(timed(run))
            row[case] = {k: min(v) for k, v in times.items()}
            shown = "  ".join(f"{k} {v:.3f} s" for k, v in sorted(row[case].items(),
                                                                   reverse=True))
            if before:
                shown += f"  after/before {row[case]['after'] / row[case]['before']:.3f}"
            print(f"{name:10s} {case:9s} {shown}", flush=True)
        out[name] = row
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
