"""The tally: rank the ballot items by votes and choose the funded ones by a published rule.

Everything here is a pure function of plain data (items, costs, ballots, budget, rule,
tie-break), with no Django and no database, so that anyone can re-run a count and the
rules can be tested exhaustively.

Three rules:

- ``stop``, the literal rule of the seed (项目根据得票数的高低排序, 直至超过总体资金额度为止):
  fund down the ranking and stop at the first item that does not fit;
- ``skip``, the greedy rule of CONSUL and Pabulib: an item that does not fit is passed over;
- ``mes``, the Method of Equal Shares with cost utilities and the add1 completion of
  Wieliczka and Aarau, in the convention of equalshares.net: a first run with B/n per
  voter, then from B/n rounded down to a whole yuan one yuan more per voter at a time,
  keeping the last outcome within B; among equal ρ the lower cost, then more votes, then
  the ballot order. Where B/n is a whole number this is
  ``pabutools.rules.method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)``.

Items without votes, and items whose share of the non-blank ballots is below ``min_share``,
are never funded; they stay listed with their reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from itertools import chain, groupby, islice, permutations
from typing import Literal

import numpy as np

Rule = Literal["stop", "skip", "mes"]
TieBreak = Literal["order", "lot", "listed"]

RULES = ("stop", "skip", "mes")
TIE_BREAKS = ("order", "lot", "listed")
SHARE_PLACES = Decimal("0.0001")
TOLERANCE = 1e-12
MES_ORDERS_TRIED = 4


@dataclass(frozen=True)
class Item:
    """A project on the ballot, as the tally sees it."""

    ref: str  # e.g. "3" or a Pabulib project_id
    title: str
    cost: Decimal  # yuan, more than 0, may have fen
    position: int  # its place on the ballot, from 1


@dataclass(frozen=True)
class ItemResult:
    """One item's line in the result.

    ``reason`` is one of: ``funded``; ``over_budget`` (did not fit: under ``stop`` the item
    where funding stopped); ``after_stop`` (``stop``: ranked after that item);
    ``not_affordable`` (``mes``: its supporters could not pay, and add1 did not add it);
    ``below_min_share``; ``no_votes``.
    """

    ref: str
    title: str
    cost: Decimal
    votes: int
    share: Decimal  # of the non-blank ballots (0 without any), to 4 places
    rank: int  # from 1
    selected: bool
    reason: str
    running_total: Decimal | None  # cost of the selected items up to this one, if selected


@dataclass(frozen=True)
class Tie:
    """Items with equal votes, in the order used, and what put them in that order.

    ``broken_by`` is ``cost`` when their costs all differ, otherwise ``order`` (ballot
    order, also for now while a needed lot is missing) or ``lot``. ``decisive`` tells
    whether another order among them would have funded other items.
    """

    refs: tuple[str, ...]
    broken_by: str
    decisive: bool


@dataclass(frozen=True)
class Result:
    """The outcome of a tally; with ``needs_lot`` it is only provisional (see ``tally``)."""

    rule: Rule
    budget: Decimal
    items: tuple[ItemResult, ...]
    selected: tuple[str, ...]
    total_cost: Decimal
    ties: tuple[Tie, ...]
    needs_lot: tuple[str, ...] = ()


def rank(
    items: Iterable[Item],
    votes: dict[str, int],
    *,
    tie_break: TieBreak = "order",
    lot_order: tuple[str, ...] = (),
) -> tuple[list[Item], list[Tie], tuple[str, ...]]:
    """Return the items in rank order, the ties among them and the refs still waiting for a lot.

    More votes rank first; among equal votes the cheaper item first; among equal votes and
    cost the earlier ballot position, or with ``tie_break="lot"`` the order of ``lot_order``
    when it holds every item of that tie (``lot_order`` counts only with that tie-break).
    Otherwise the ballot position is used for now and the refs go into the third value,
    whether or not their order matters: only ``tally()`` knows the budget and the rule, so
    it fills in ``Tie.decisive`` (here always False) and keeps only the ties that need a lot.
    With ``tie_break="listed"`` equal votes follow the ballot position alone, whatever the
    costs: the order in which a real election's organisers listed their projects.
    """
    lot_index = {ref: index for index, ref in enumerate(lot_order)}

    def tie_cost(item):
        return 0 if tie_break == "listed" else item.cost

    ranked, ties, needs_lot = [], [], []
    by_votes = sorted(
        items, key=lambda item: (-votes.get(item.ref, 0), tie_cost(item), item.position)
    )
    for _, same_votes in groupby(by_votes, key=lambda item: votes.get(item.ref, 0)):
        group, broken_by = [], "cost"
        for _, same_cost in groupby(same_votes, key=tie_cost):
            block = list(same_cost)
            if len(block) > 1:
                if tie_break == "lot" and all(item.ref in lot_index for item in block):
                    block.sort(key=lambda item: lot_index[item.ref])
                    broken_by = "lot" if broken_by == "cost" else broken_by
                else:
                    broken_by = "order"
                    if tie_break == "lot":
                        needs_lot.extend(item.ref for item in block)
            group.extend(block)
        if len(group) > 1:
            ties.append(Tie(tuple(item.ref for item in group), broken_by, decisive=False))
        ranked.extend(group)
    return ranked, ties, tuple(needs_lot)


def tally(
    *,
    items: list[Item],
    ballots: Counter[frozenset[str]],
    budget: Decimal,
    rule: Rule = "stop",
    min_share: Decimal | None = None,
    tie_break: TieBreak = "order",
    lot_order: tuple[str, ...] = (),
) -> Result:
    """Return the result of a round's vote under one rule.

    ``ballots`` maps each distinct approval set to the number of ballots that had it; the
    empty set stands for blank ballots, which count for no item, are not voters under
    ``mes`` and are not in the denominator of the shares.

    A result with ``needs_lot`` is not final: those refs are tied on votes and cost, the
    ``lot_order`` does not settle them and their order changes what is funded. Such a
    result is the provisional one that ballot order would give; draw the lot and tally
    again with ``lot_order``.
    """
    _check(items, ballots, budget, rule, tie_break, lot_order)
    votes, voters = _count(items, ballots)
    ranked, ties, undecided = rank(items, votes, tie_break=tie_break, lot_order=lot_order)
    refused = {item.ref: _refusal(votes[item.ref], voters, min_share) for item in items}
    fundable = [item for item in ranked if refused[item.ref] is None]
    if rule == "mes":
        unfunded = [item for item in ranked if refused[item.ref] == "no_votes"]
        chosen, order_matters = _equal_shares(fundable, unfunded, ballots, budget, voters)
    else:
        chosen, order_matters = _greedy(fundable, budget, stop=rule == "stop")
    ties = tuple(replace(tie, decisive=order_matters(tie.refs)) for tie in ties)
    cost = {item.ref: item.cost for item in items}
    needs_lot = tuple(
        ref
        for _, block in groupby(undecided, key=lambda ref: (votes[ref], cost[ref]))
        for refs in [tuple(block)]
        if order_matters(refs)
        for ref in refs
    )
    return _result(rule, budget, ranked, votes, voters, refused, chosen, ties, needs_lot)


def as_json(result: Result) -> dict:
    """Return the result as plain JSON data: whole numbers as int, others as float."""
    return {
        "rule": result.rule,
        "budget": _number(result.budget),
        "items": [
            {
                "ref": item.ref,
                "title": item.title,
                "cost": _number(item.cost),
                "votes": item.votes,
                "selected": item.selected,
            }
            for item in result.items
        ],
        "selected": list(result.selected),
        "total_cost": _number(result.total_cost),
    }


def ties_as_json(result: Result) -> list[dict]:
    """Return every tie of the result as JSON data: its refs in the order used, what broke it
    and whether another order would have funded other items.
    """
    return [
        {"refs": list(tie.refs), "broken_by": tie.broken_by, "decisive": tie.decisive}
        for tie in result.ties
    ]


def _check(items, ballots, budget, rule, tie_break, lot_order):
    refs = {item.ref for item in items}
    if len(refs) != len(items):
        raise ValueError("Each item needs its own ref.")
    if len({item.position for item in items}) != len(items):
        raise ValueError("Each item needs its own ballot position.")
    if any(item.cost <= 0 for item in items):
        raise ValueError("Every item must cost more than nothing.")
    if budget < 0:
        raise ValueError("The budget cannot be negative.")
    if rule not in RULES or tie_break not in TIE_BREAKS:
        raise ValueError(f"Unknown rule {rule!r} or tie-break {tie_break!r}.")
    if any(count < 0 for count in ballots.values()):
        raise ValueError("A number of ballots cannot be negative.")
    if unknown := set().union(*ballots, lot_order) - refs:
        raise ValueError(f"Ballots or lot name items not on the ballot: {sorted(unknown)}.")
    if len(set(lot_order)) != len(lot_order):
        raise ValueError("The lot names an item twice.")


def _count(items, ballots):
    """Return the votes of every item and the number of non-blank ballots."""
    votes = dict.fromkeys((item.ref for item in items), 0)
    voters = 0
    for approved, count in ballots.items():
        if approved and count:
            voters += count
            for ref in approved:
                votes[ref] += count
    return votes, voters


def _refusal(votes, voters, min_share):
    """Return why an item cannot be funded whatever the budget, or None if it can."""
    if votes == 0:
        return "no_votes"
    if min_share is not None and Fraction(votes, voters) < Fraction(min_share):
        return "below_min_share"
    return None


def _greedy(fundable, budget, *, stop):
    """Fund down the ranking; return the reasons and a test of whether a tie's order matters.

    The order of equally ranked items matters under ``skip`` exactly when the ones that fit
    on their own do not fit together (then there are several maximal choices), and under
    ``stop`` when some fit on their own but not all fit together.
    """
    chosen, room_before, room, stopped = {}, {}, budget, False
    for item in fundable:
        room_before[item.ref] = None if stopped else room
        if stopped:
            chosen[item.ref] = "after_stop"
        elif item.cost <= room:
            chosen[item.ref] = "funded"
            room -= item.cost
        else:
            chosen[item.ref] = "over_budget"
            stopped = stop
    cost = {item.ref: item.cost for item in fundable}

    def order_matters(refs):
        costs = [cost[ref] for ref in refs if ref in cost]
        if not costs or room_before[refs[0]] is None:
            return False
        room = room_before[refs[0]]
        fitting = [c for c in costs if c <= room]
        if stop:
            return bool(fitting) and sum(costs) > room
        return sum(fitting) > room

    return chosen, order_matters


def _equal_shares(fundable, unfunded, ballots, budget, voters):
    """Run equal shares with add1; return the reasons and a test of whether a tie's order matters.

    ``unfunded`` are the items without votes: no one can pay for them, but add1 goes on
    raising the budget while one of them would still fit, as the convention does.
    Among equal ρ the ranking's order only decides between items of equal cost and votes,
    so the order of tied items cannot matter unless a run met two of them at an equal ρ.
    Then every other order is tried, from the first run that met them, for ties of up to
    ``MES_ORDERS_TRIED`` items; a larger tie met that way is taken to matter.
    """
    if not fundable:
        return {}, lambda refs: False
    shares = _EqualShares(fundable, ballots, budget, voters, unfunded=unfunded)
    first = shares.outcome(shares.priority)
    number = {item.ref: index for index, item in enumerate(fundable)}

    @cache
    def order_matters(refs):
        tied = [number[ref] for ref in refs if ref in number]
        met = [extra for pair, extra in first.met.items() if pair <= set(tied)]
        if not met:
            return False
        if len(tied) > MES_ORDERS_TRIED:
            return True
        start = min(met)
        previous = [chosen for extra, chosen in first.runs if extra < start]
        tied.sort(key=shares.priority.__getitem__)
        places = [shares.priority[project] for project in tied]
        for order in islice(permutations(tied), 1, None):
            priority = list(shares.priority)
            for project, place in zip(order, places, strict=True):
                priority[project] = place
            again = shares.outcome(
                priority, start=start, previous=previous[-1] if previous else None
            )
            if again.funded != first.funded:
                return True
        return False

    chosen = {
        item.ref: "funded" if index in first.funded else "not_affordable"
        for index, item in enumerate(fundable)
    }
    return chosen, order_matters


@dataclass
class _Outcome:
    """What add1 funded, and what a rerun in another order of ties needs to know."""

    funded: frozenset[int]
    met: dict[frozenset[int], int]  # pairs of projects met at an equal ρ: first extra budget
    runs: list[tuple[int, frozenset[int]]]  # extra budget per voter of each run: its choice


@dataclass(frozen=True)
class _Worth:
    """What each class of voters (one per distinct approval set) holds at a moment of a run:
    a value and a slope per yuan of extra budget, and whether it still holds anything, in
    arrays indexed by class, so that a project's supporters are priced with a few array
    operations rather than a loop over them.
    """

    value: np.ndarray
    slope: np.ndarray
    held: np.ndarray  # of bool: False once the class has given all it had

    def shifted(self, shift):
        """Return what the classes hold ``shift`` yuan per voter later."""
        return replace(self, value=self.value + self.slope * shift)


@dataclass
class _Round:
    """What a run knows after choosing one more project, for later runs to start from."""

    limit: float  # the extra budget per voter up to which all comparisons so far hold
    chosen: int  # how many projects are chosen
    worth: _Worth  # what the voters hold after it
    bound: dict[int, tuple[float, float]]  # a lower bound of ρ for the open projects


@dataclass
class _Path:
    """The last run: where it was made and its rounds."""

    extra: int = 0
    chosen: list[int] = field(default_factory=list)
    rounds: list[_Round] = field(default_factory=list)


class _EqualShares:
    """The Method of Equal Shares over the distinct approval sets.

    Voters with the same approval set always hold the same money, so voters are handled in
    classes, one per distinct approval set, with its number of voters as a weight; what the
    classes hold is a few numpy arrays (see ``_Worth``). Amounts are floats; two amounts
    within ``TOLERANCE`` of each other count as equal, and the money that decides
    feasibility is summed exactly in Decimal.

    The add1 completion follows equalshares.net and the Pabulib files of the cities that use
    the method: a first run with B/n per voter; then, starting from B/n rounded down to a
    whole yuan, runs with one more yuan per voter each time, as long as the last outcome
    kept still leaves room for some item and the new one costs at most B; the last outcome
    within B is the result. Among equal ρ the lower cost wins, then more votes, then the
    ranking's order (ballot position, or the lot). Every
    amount of a run is affine in that extra budget (a value and a slope per yuan), so each
    comparison tells how far the extra budget could grow with it coming out the same. Up to
    the nearest such point the outcome cannot change: add1 jumps straight to the next whole
    yuan at which it might, and a run starts from the last of the previous run's rounds
    whose comparisons all still hold. Within a run a project is priced again only when the
    line of its last ρ, a lower bound (ρ only rises as budgets fall), is not above the best
    ρ of the round.
    """

    def __init__(self, fundable, ballots, budget, voters, *, unfunded=()):
        index = {item.ref: number for number, item in enumerate(fundable)}
        self.items = fundable
        self.costs = [float(item.cost) for item in fundable]
        self.budget = budget
        self.cheapest_unfunded = min((item.cost for item in unfunded), default=None)
        whole = int(budget // voters)
        self.start = float(whole)
        self.first_extra = float(Fraction(budget) / voters - whole)
        approvals = Counter()
        for approved, count in ballots.items():
            if count:
                approvals[tuple(sorted(index[ref] for ref in approved if ref in index))] += count
        classes = sorted(approvals.items())
        # Voters as floats: exact (far below 2**53), and array products stay in float.
        self.counts = np.array([count for _, count in classes], dtype=float)
        # Each class's projects in one array, and beside each its class; by project, the
        # classes give each project's supporters.
        sizes = [len(projects) for projects, _ in classes]
        projects = np.fromiter(chain.from_iterable(projects for projects, _ in classes), int)
        owners = np.repeat(np.arange(len(classes)), sizes)[np.argsort(projects, kind="stable")]
        ends = np.cumsum(np.bincount(projects, minlength=len(fundable)))
        self.supporters = np.split(owners, ends[:-1])
        self.votes = [int(self.counts[supporters].sum()) for supporters in self.supporters]
        self.priority = [0] * len(fundable)
        by_cost = sorted(range(len(fundable)), key=lambda p: (fundable[p].cost, -self.votes[p], p))
        for place, project in enumerate(by_cost):
            self.priority[project] = place

    def outcome(self, order, *, start=None, previous=None):
        """Return the add1 outcome with ties of ρ broken by ``order`` (a place per project).

        The extra budget per voter is counted from B/n rounded down. A rerun may ``start``
        at a later extra budget, given the choice of the run before it as ``previous``.
        """
        path, runs, met = _Path(), [], {}
        extra = self.first_extra if start is None else start
        while True:
            chosen, limit = self._run(path, extra, order, met)
            cost = sum(self.items[project].cost for project in chosen)
            if cost > self.budget:
                break
            previous = frozenset(chosen)
            runs.append((extra, previous))
            if math.isinf(limit) or self._exhaustive(previous, self.budget - cost):
                break
            extra = max(math.floor(extra) + 1, math.ceil(limit - TOLERANCE))
        return _Outcome(funded=previous, met=met, runs=runs)

    def _exhaustive(self, chosen, room):
        """Return whether no item outside ``chosen``, with or without votes, fits in ``room``."""
        if self.cheapest_unfunded is not None and self.cheapest_unfunded <= room:
            return False
        return all(p in chosen or item.cost > room for p, item in enumerate(self.items))

    def _run(self, path, extra, order, met):
        """Return the projects one run chooses at this extra budget per voter, and its limit.

        The run takes over the rounds of the last run on ``path`` that still hold and leaves
        its own there. Pairs of projects found at an equal ρ when one of them was chosen go
        into ``met``.
        """
        shift = extra - path.extra
        kept = 0
        while kept < len(path.rounds) and path.rounds[kept].limit - extra > TOLERANCE:
            kept += 1
        rounds = [
            replace(
                past,
                worth=past.worth.shifted(shift),
                bound={
                    p: (value + slope * shift, slope) for p, (value, slope) in past.bound.items()
                },
            )
            for past in path.rounds[:kept]
        ]
        if rounds:
            worth = rounds[-1].worth
            chosen = path.chosen[: rounds[-1].chosen]
            bound = dict(rounds[-1].bound)
            reach = _Reach(extra, rounds[-1].limit)
        else:
            size = len(self.counts)
            worth = _Worth(np.full(size, self.start + extra), np.ones(size), np.ones(size, bool))
            chosen = []
            bound = {p: (1 / votes, 0.0) for p, votes in enumerate(self.votes)}
            reach = _Reach(extra, math.inf)
        while bound:
            best, priced = None, {}
            ranked = sorted(bound, key=lambda p: (bound[p][0], order[p]))
            for place, project in enumerate(ranked):
                if best is not None and _less(priced[best][0], bound[project][0]):
                    # So are all the projects after it: none needs pricing.
                    if reach.open:
                        lines = np.array([bound[p][:2] for p in ranked[place:]])
                        reach.note_each(lines[:, 0], priced[best][0], lines[:, 1], priced[best][1])
                    break
                price = self._price(project, worth, reach)
                if price is None:
                    del bound[project]
                    continue
                priced[project] = bound[project] = price
                if (
                    best is None
                    or _less(price[0], priced[best][0])
                    or (_equal(price[0], priced[best][0]) and order[project] < order[best])
                ):
                    best = project
            if best is None:
                break
            for project, price in priced.items():
                if project != best:
                    reach.note(price[0], priced[best][0], price[1], priced[best][1])
                    if _equal(price[0], priced[best][0]):
                        met.setdefault(frozenset((best, project)), extra)
            del bound[best]
            chosen.append(best)
            _, _, pay, pay_rise, classes, short, value, slope = priced[best]
            if reach.open:
                reach.note_each(value, pay, slope, pay_rise)
            worth = _pay(worth, pay, pay_rise, classes, short)
            rounds.append(
                _Round(
                    limit=reach.limit,
                    chosen=len(chosen),
                    worth=worth,
                    bound={p: price[:2] for p, price in bound.items()},
                )
            )
        path.extra, path.chosen, path.rounds = extra, chosen, rounds
        return chosen, reach.limit

    def _price(self, project, worth, reach):
        """Return ρ of a project (value, slope), the payment of a voter who pays it in full
        (value, slope), its supporters' classes from the poorest up, how many of those give
        all they have, and what they hold (value, slope); None if its supporters cannot
        afford it, which stays so for the rest of the run.

        ρ is affine in the extra budget only while the same classes give all they have, but
        it is convex in the extra budget (the least p with Σ min(budget, p) ≥ cost, a sum of
        concave functions), so it never falls below the line returned. A project's line is
        therefore a safe lower bound for the rest of the reach, and only the chosen
        project's classes crossing its payment can change what a run does (``_run``).
        """
        cost = self.costs[project]
        classes = self.supporters[project]
        classes = classes.compress(worth.held.take(classes))
        value, slope = worth.value.take(classes), worth.slope.take(classes)
        counts = self.counts.take(classes)
        available, rising = float(counts @ value), float(counts @ slope)
        reach.note(available, cost, rising, 0.0)
        if _less(available, cost):
            return None
        order = value.argsort()
        classes, value = classes.take(order), value.take(order)
        slope, counts = slope.take(order), counts.take(order)
        poorer = np.concatenate(([0.0], (counts * value).cumsum()[:-1]))
        payers = counts[::-1].cumsum()[::-1]  # the voters of each class and the richer ones
        pays = (cost - poorer) / payers
        short = int(np.argmin(_less_each(value, pays)))  # the first class that pays in full
        pay = float(pays[short])
        pay_rise = -float(counts[:short] @ slope[:short]) / float(payers[short])
        return pay / cost, pay_rise / cost, pay, pay_rise, classes, short, value, slope


def _pay(worth, pay, pay_rise, classes, short):
    """Return what the classes hold once the first ``short`` of ``classes`` have given all they
    had and the others ``pay`` each (with its slope ``pay_rise``).
    """
    value, slope, held = worth.value.copy(), worth.slope.copy(), worth.held.copy()
    full = classes[short:]
    held[classes[:short]] = False
    held[full[_equal_each(value[full], pay)]] = False
    value[full] -= pay
    slope[full] -= pay_rise
    return _Worth(value, slope, held)


class _Reach:
    """The extra budget per voter up to which every comparison noted comes out the same.

    A run at extra budget ``at`` notes comparisons between amounts that are affine in the
    extra budget: a value at ``at`` and a slope per yuan. Once the limit is no further than
    the next whole yuan, the next run is there anyway and noting stops.
    """

    def __init__(self, at, limit):
        self.at = at
        self.limit = limit

    @property
    def open(self):
        return self.limit > math.floor(self.at) + 1

    def note(self, first, second, first_slope, second_slope):
        """Note a comparison between two amounts."""
        if not self.open:
            return
        value = first - second
        slope = first_slope - second_slope
        if value * slope < 0:
            distance = -value / slope
        elif slope and abs(value) <= TOLERANCE * max(abs(first), abs(second)):
            distance = 0.0
        else:
            return
        self.limit = min(self.limit, self.at + distance)

    def note_each(self, firsts, second, first_slopes, second_slope):
        """Note the comparison of each amount of the array ``firsts`` with one amount."""
        value = firsts - second
        slope = first_slopes - second_slope
        crossing = value * slope < 0
        touching = (slope != 0) & _equal_each(firsts, second)
        distances = -value[crossing] / slope[crossing]
        if touching.any():
            distances = np.append(distances, 0.0)
        if len(distances):
            self.limit = min(self.limit, self.at + float(distances.min()))


def _equal(first, second):
    """Return whether two float amounts are equal up to the tolerance."""
    return abs(first - second) <= TOLERANCE * max(abs(first), abs(second))


def _less(first, second):
    """Return whether a float amount is less than another by more than the tolerance."""
    return first < second and not _equal(first, second)


def _equal_each(firsts, seconds):
    """Return whether each amount of an array equals the one at its place of ``seconds`` (or
    the one amount ``seconds``) up to the tolerance.
    """
    return np.abs(firsts - seconds) <= TOLERANCE * np.maximum(np.abs(firsts), np.abs(seconds))


def _less_each(firsts, seconds):
    """Return whether each amount of an array is less than the one at its place of
    ``seconds`` by more than the tolerance.
    """
    less = firsts < seconds
    less &= seconds - firsts > TOLERANCE * np.maximum(np.abs(firsts), np.abs(seconds))
    return less


def _result(rule, budget, ranked, votes, voters, refused, chosen, ties, needs_lot):
    items, selected, total = [], [], Decimal(0)
    for position, item in enumerate(ranked, start=1):
        reason = refused[item.ref] or chosen[item.ref]
        if reason == "funded":
            total += item.cost
            selected.append(item.ref)
        items.append(
            ItemResult(
                ref=item.ref,
                title=item.title,
                cost=item.cost,
                votes=votes[item.ref],
                share=_share(votes[item.ref], voters),
                rank=position,
                selected=reason == "funded",
                reason=reason,
                running_total=total if reason == "funded" else None,
            )
        )
    return Result(
        rule=rule,
        budget=budget,
        items=tuple(items),
        selected=tuple(selected),
        total_cost=total,
        ties=ties,
        needs_lot=needs_lot,
    )


def _share(votes, voters):
    if not voters:
        return Decimal(0).quantize(SHARE_PLACES)
    return (Decimal(votes) / Decimal(voters)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def _number(amount: Decimal):
    return int(amount) if amount == amount.to_integral_value() else float(amount)
