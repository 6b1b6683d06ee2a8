"""The pay line's fast paths against its full path (the oracle): an unexplained line
(`explain=False`) is put together from parts many agents share (`payroll.SharedParts`), and
`payroll.line_total` sums a whole month's simple line without making it. Both must give the
amounts of the explained line, worked out in full, for every shipped template and any inputs:
a part keyed on less than its amounts depend on would pay one agent another's amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslevel import payroll
from cslevel.payroll import PayInputs, line_total, pay_line
from cslevel.records import Agent, Month, PayInputsRow, Source
from cslevel.templates import load_scheme, shipped_template_names

SCHEMES = {name: load_scheme(name)[0] for name in shipped_template_names()}
TWO = Decimal("0.01")


def _scores() -> st.SearchStrategy[Decimal | None]:
    # few distinct values, so that the shared parts are found again (the cache is exercised)
    return st.one_of(st.none(), st.sampled_from([Decimal(v) for v in (
        "0", "59.99", "60", "79.5", "85", "99.99", "100", "104.35", "110", "119.99", "120",
        "125", "150")]), st.decimals(min_value=0, max_value=150, places=2))


def _dates() -> st.SearchStrategy[date | None]:
    return st.one_of(st.none(), st.dates(min_value=date(2015, 1, 1),
                                         max_value=date(2027, 12, 31)))


@st.composite
def inputs_of(draw: st.DrawFn, name: str) -> PayInputs:
    scheme = SCHEMES[name]
    pay = scheme.pay
    month = draw(st.sampled_from([Month(2026, m) for m in (1, 2, 6, 12)] + [Month(2027, 1)]))
    tiers = list(pay.supervisor_allowance.tiers) if pay.supervisor_allowance else []
    agent = Agent(
        draw(st.sampled_from(["0001", "0002", "0003"])), "甲", draw(st.sampled_from(["一组",
                                                                                 "二组"])),
        hire_date=draw(_dates()), leave_date=draw(_dates()),
        supervisor_tier=draw(st.one_of(st.none(), st.sampled_from(tiers or ["一档"]))),
        team_lead=draw(st.booleans()))
    deduction = pay.attendance_deduction
    keys = sorted({*deduction.days, *deduction.amounts}) if deduction else ["late"]
    attendance = draw(st.one_of(st.none(), st.dictionaries(
        st.sampled_from([*keys, "days_required"]),
        st.sampled_from([Decimal(v) for v in ("0", "0.5", "1", "2", "3.0", "30", "-100")]))))
    entered = None
    spec = pay.inputs
    if spec is not None and draw(st.booleans()):
        hours = {k.name: draw(st.decimals(min_value=0, max_value=40, places=1))
                 for k in spec.overtime}
        amounts = {i.name: draw(st.decimals(min_value=0, max_value=900, places=2))
                   for i in (*spec.benefits, *spec.deductions)}
        entered = PayInputsRow(agent.agent_id, Source("pay.xlsx", "Sheet1", "A2"), hours,
                               amounts, draw(st.one_of(st.none(), st.decimals(
                                   min_value=-500, max_value=500, places=2))), "补发")
    lead = draw(st.one_of(st.none(), st.tuples(st.decimals(min_value=0, max_value=800,
                                                            places=2), st.just("组长"))))
    rank = (draw(st.one_of(st.none(), st.tuples(st.integers(1, 30), st.just(30))))
            if pay.rank_bonus is not None else None)
    management = (draw(st.one_of(st.none(), st.tuples(st.decimals(
        min_value=0, max_value=2000, places=2), st.just("管理")))) if pay.management_bonus
        is not None else None)
    return PayInputs(agent, month, draw(st.sampled_from(scheme.level_names)), month - 1,
                     draw(_scores()), attendance, lead, entered, rank, management)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_shared_parts_and_totals_are_the_full_paths_amounts(name: str) -> None:
    scheme = SCHEMES[name]

    @settings(max_examples=250, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(inputs_of(name), min_size=1, max_size=6))
    def check(batch: list[PayInputs]) -> None:
        for inputs in batch * 2:  # (the second time from the parts kept the first time)
            full = pay_line(inputs, scheme, explain=True)
            quick = pay_line(inputs, scheme, explain=False)
            assert list(quick.components.items()) == list(full.components.items()), inputs
            assert quick.total == full.total == sum(full.components.values(), Decimal(0))
            assert (quick.level, quick.agent_id, quick.team, quick.month) == (
                full.level, full.agent_id, full.team, full.month)
            assert quick.note == ""
            assert line_total(inputs, scheme) == full.total
            assert all(v == v.quantize(TWO) for v in quick.components.values())

    check()
    # (the parts were used: a test of the test)
    parts = payroll.shared_parts(scheme)
    assert parts.levels


def test_a_line_made_from_shared_parts_is_its_own() -> None:
    """Changing one line's components changes no other line's."""
    scheme = SCHEMES["star"]
    agent = Agent("0001", "甲", "一组", hire_date=date(2020, 3, 1))
    inputs = PayInputs(agent, Month(2026, 5), "二星", Month(2026, 4), Decimal(101))
    first = pay_line(inputs, scheme, explain=False)
    first.components["基本工资"] = Decimal("1.00")
    second = pay_line(inputs, scheme, explain=False)
    assert second.components["基本工资"] == pay_line(inputs, scheme).components["基本工资"]
    assert second.components["基本工资"] != Decimal("1.00")
