"""The tally rules, by hand-checkable examples and against pabutools on random instances."""

import itertools
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from voting.tally import Item, Tie, _EqualShares, _Path, as_json, rank, tally

SEEDS = range(300)


def make_items(*costs):
    """Return items A, B, C… with these costs, in that ballot order."""
    return [
        Item(
            ref=chr(ord("A") + number),
            title=f"项目{number + 1}",
            cost=Decimal(cost),
            position=number + 1,
        )
        for number, cost in enumerate(costs)
    ]


def make_ballots(*sets):
    """Return ballots from (refs as a string, how many) pairs; "" stands for blank ballots."""
    return Counter({frozenset(refs): count for refs, count in sets})


def reasons(result):
    return {item.ref: item.reason for item in result.items}


def random_instance(seed, *, cost_choices=None):
    """Return items, ballots and a budget: 3–8 projects, 5–40 voters, integer costs."""
    draw = random.Random(seed)
    size = draw.randint(3, 8)
    costs = [
        draw.choice(cost_choices) if cost_choices else draw.randint(1, 60) for _ in range(size)
    ]
    ballots = Counter()
    for _ in range(draw.randint(5, 40)):
        ballots[frozenset(str(k) for k in draw.sample(range(size), draw.randint(1, size)))] += 1
    items = [Item(str(k), f"项目{k}", Decimal(cost), k + 1) for k, cost in enumerate(costs)]
    return items, ballots, Decimal(draw.randint(min(costs), sum(costs)))


def skewed_instance(seed):
    """Return a larger instance like a real round: costs in yuan and fen, popularity skewed."""
    draw = random.Random(seed)
    size = draw.randint(5, 12)
    costs = [Decimal(draw.randint(100_00, 10_000_00)) / 100 for _ in range(size)]
    popularity = [1 / (k + 1) for k in range(size)]
    ballots = Counter()
    for _ in range(draw.randint(50, 300)):
        approved = set()
        for _ in range(draw.randint(1, 4)):
            approved.add(str(draw.choices(range(size), popularity)[0]))
        ballots[frozenset(approved)] += 1
    items = [Item(str(k), f"项目{k}", cost, k + 1) for k, cost in enumerate(costs)]
    return items, ballots, Decimal(draw.randint(int(min(costs)), int(sum(costs))))


def city_instance(seed):
    """Return an instance shaped like a big city's election (``bench/mes_bench.py``), small:
    log-normal costs, a budget of a quarter of their sum, 1–6 approvals a voter drawn by a
    popularity unrelated to cost, so that most ballots differ and add1 runs many levels.
    """
    draw = random.Random(seed)
    size = draw.randint(8, 16)
    costs = [
        Decimal(min(3000, max(50, round(draw.lognormvariate(math.log(400), 0.8)))))
        for _ in range(size)
    ]
    weights = [1 / rank**0.8 for rank in range(1, size + 1)]
    popular = draw.sample(range(size), size)
    ballots = Counter()
    for _ in range(draw.randint(100, 300)):
        wanted = draw.randint(1, 6)
        ballots[frozenset(str(k) for k in draw.choices(popular, weights, k=wanted))] += 1
    items = [Item(str(k), f"项目{k}", cost, k + 1) for k, cost in enumerate(costs)]
    return items, ballots, sum(costs) // 4


def votes_of(items, ballots):
    return {item.ref: sum(n for refs, n in ballots.items() if item.ref in refs) for item in items}


def reference_ranking(items, ballots):
    """Return the items with votes, most votes first, then cheaper, then earlier on the ballot."""
    votes = votes_of(items, ballots)
    return sorted(
        (item for item in items if votes[item.ref]),
        key=lambda item: (-votes[item.ref], item.cost, item.position),
    )


def reference_greedy(ranking, budget, *, stop):
    """Return the refs funded down a ranking: the seed's rule (stop) or greedy (skip)."""
    funded, total = set(), 0
    for item in ranking:
        if total + item.cost <= budget:
            funded.add(item.ref)
            total += item.cost
        elif stop:
            break
    return funded


def pabutools_election(items, ballots, budget, *, cost_first=False):
    """Return a pabutools instance, profile and our tie-breaking: the ranking's, or with
    ``cost_first`` the one of equal shares (lower cost, then more votes, then ballot order).
    """
    projects = {item.ref: Project(item.ref, Fraction(item.cost)) for item in items}
    instance = Instance(projects.values(), budget_limit=Fraction(budget))
    profile = ApprovalProfile(
        [
            ApprovalBallot([projects[ref] for ref in refs])
            for refs, n in ballots.items()
            for _ in range(n)
        ]
    )
    position = {item.ref: item.position for item in items}
    our_ranking = TieBreakingRule(
        lambda instance, profile, project: (
            (project.cost, -profile.approval_score(project))
            if cost_first
            else (-profile.approval_score(project), project.cost),
            position[project.name],
        )
    )
    return instance, profile, our_ranking


def pabutools_greedy(items, ballots, budget):
    instance, profile, ties = pabutools_election(items, ballots, budget)
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=ties)
    # Pabutools' greedy fills leftover money with projects nobody voted for; we never fund those.
    return {project.name for project in outcome if profile.approval_score(project)}


def pabutools_mes(items, ballots, budget, *, completion):
    instance, profile, ties = pabutools_election(items, ballots, budget, cost_first=True)
    outcome = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=ties,
        voter_budget_increment=1 if completion else None,
    )
    return {project.name for project in outcome}


def reference_equal_shares(items, ballots, per_voter):
    """Return the refs MES funds with ``per_voter`` each, written out plainly and exactly.

    Voters with the same non-blank ballot always hold the same money, so they are kept
    together: ``money`` is what each of them holds. A voter's utility for an item is its
    cost, so ρ is the most a supporter pays per yuan of the item. Among equal ρ: lower cost,
    then more approvals, then earlier on the ballot.
    """
    groups = [(refs, count) for refs, count in ballots.items() if refs and count]
    money = [Fraction(per_voter)] * len(groups)
    supporters = {
        item.ref: [g for g, (refs, _) in enumerate(groups) if item.ref in refs] for item in items
    }
    remaining = [item for item in items if supporters[item.ref]]
    funded = set()
    while True:
        offers = []
        for item in remaining:
            payers = sorted(supporters[item.ref], key=lambda g: money[g])
            if sum(money[g] * groups[g][1] for g in payers) < item.cost:
                continue
            paid, left, pay = Fraction(0), sum(groups[g][1] for g in payers), None
            for group in payers:
                pay = (Fraction(item.cost) - paid) / left
                if money[group] >= pay:
                    break
                paid += money[group] * groups[group][1]
                left -= groups[group][1]
            votes = sum(groups[g][1] for g in payers)
            offers.append((pay / Fraction(item.cost), item.cost, -votes, item.position, pay, item))
        if not offers:
            return funded
        *_, pay, best = min(offers, key=lambda offer: offer[:4])
        for group in supporters[best.ref]:
            money[group] -= min(money[group], pay)
        funded.add(best.ref)
        remaining.remove(best)


def reference_add1(items, ballots, budget):
    """Return the refs MES with add1 funds, in the convention of equalshares.net, written out.

    A first outcome with B/n per voter; then B/n rounded down to a whole yuan, plus one yuan
    at a time, while the outcome kept leaves room for an item and the new one fits in B.
    """
    voters = sum(count for refs, count in ballots.items() if refs)
    cost = {item.ref: item.cost for item in items}
    outcome = reference_equal_shares(items, ballots, Fraction(budget) / voters)
    per_voter = int(budget // voters)
    while True:
        room = budget - sum(cost[ref] for ref in outcome)
        if all(item.ref in outcome or item.cost > room for item in items):
            return outcome
        per_voter += 1
        following = reference_equal_shares(items, ballots, per_voter)
        if sum(cost[ref] for ref in following) > budget:
            return outcome
        outcome = following


def whole_per_voter(items, ballots, budget):
    """Return the instance with only the items that have votes and B rounded down to n·⌊B/n⌋,
    where the convention and pabutools' add1 (B/n + 1, + 2…) agree.
    """
    votes = votes_of(items, ballots)
    voters = sum(ballots.values())
    return [item for item in items if votes[item.ref]], ballots, budget // voters * voters


def funded_by(items, ballots, budget, rule):
    return set(tally(items=items, ballots=ballots, budget=budget, rule=rule).selected)


# Ranking and ties


def test_ranking_puts_more_votes_first():
    result = tally(
        items=make_items(10, 10, 10),
        ballots=make_ballots(("A", 1), ("BC", 3), ("C", 2)),
        budget=Decimal(100),
    )

    assert [item.ref for item in result.items] == ["C", "B", "A"]
    assert [item.rank for item in result.items] == [1, 2, 3]
    assert [item.votes for item in result.items] == [5, 3, 1]


def test_tie_on_votes_puts_cheaper_item_first_and_is_recorded():
    result = tally(items=make_items(80, 50), ballots=make_ballots(("AB", 5)), budget=Decimal(100))

    assert [item.ref for item in result.items] == ["B", "A"]
    assert result.ties == (Tie(refs=("B", "A"), broken_by="cost", decisive=True),)


def test_tie_on_votes_and_cost_follows_ballot_order():
    result = tally(items=make_items(60, 60), ballots=make_ballots(("BA", 5)), budget=Decimal(100))

    assert result.selected == ("A",)
    assert result.ties == (Tie(refs=("A", "B"), broken_by="order", decisive=True),)


def test_tie_as_listed_follows_ballot_order_whatever_the_costs():
    result = tally(
        items=make_items(80, 50),
        ballots=make_ballots(("AB", 5)),
        budget=Decimal(100),
        tie_break="listed",
    )

    assert [item.ref for item in result.items] == ["A", "B"]
    assert result.selected == ("A",)
    assert result.ties == (Tie(refs=("A", "B"), broken_by="order", decisive=True),)


def test_tie_as_listed_never_needs_a_lot():
    result = tally(
        items=make_items(60, 60),
        ballots=make_ballots(("AB", 5)),
        budget=Decimal(100),
        tie_break="listed",
    )

    assert (result.selected, result.needs_lot) == (("A",), ())


def test_tie_that_changes_nothing_funded_is_not_decisive():
    result = tally(items=make_items(60, 60), ballots=make_ballots(("AB", 5)), budget=Decimal(200))

    assert result.ties == (Tie(refs=("A", "B"), broken_by="order", decisive=False),)


def test_items_without_votes_are_tied_but_never_decisive():
    result = tally(items=make_items(10, 10, 10), ballots=make_ballots(("A", 1)), budget=Decimal(15))

    assert result.ties == (Tie(refs=("B", "C"), broken_by="order", decisive=False),)


def test_lot_tie_that_decides_funding_needs_a_lot():
    result = tally(
        items=make_items(60, 60, 10),
        ballots=make_ballots(("AB", 5), ("C", 1)),
        budget=Decimal(100),
        tie_break="lot",
    )

    assert result.needs_lot == ("A", "B")


def test_lot_tie_without_lot_gives_the_provisional_ballot_order_result():
    result = tally(
        items=make_items(60, 60, 10),
        ballots=make_ballots(("AB", 5), ("C", 1)),
        budget=Decimal(100),
        tie_break="lot",
    )

    assert result.selected == ("A",)
    assert result.ties == (Tie(refs=("A", "B"), broken_by="order", decisive=True),)


def test_lot_tie_that_changes_nothing_funded_needs_no_lot():
    result = tally(
        items=make_items(60, 60),
        ballots=make_ballots(("AB", 5)),
        budget=Decimal(200),
        tie_break="lot",
    )

    assert result.needs_lot == ()


def test_lot_order_orders_the_tied_items():
    result = tally(
        items=make_items(60, 60),
        ballots=make_ballots(("AB", 5)),
        budget=Decimal(100),
        tie_break="lot",
        lot_order=("B", "A"),
    )

    assert result.selected == ("B",)
    assert result.needs_lot == ()
    assert result.ties == (Tie(refs=("B", "A"), broken_by="lot", decisive=True),)


def test_lot_order_does_not_override_votes_or_cost():
    result = tally(
        items=make_items(50, 60, 60),
        ballots=make_ballots(("ABC", 5), ("C", 1)),
        budget=Decimal(100),
        tie_break="lot",
        lot_order=("C", "B", "A"),
    )

    assert [item.ref for item in result.items] == ["C", "A", "B"]


def test_rank_lists_every_undecided_lot_tie_and_leaves_decisive_to_tally():
    ranked, ties, needs_lot = rank(
        make_items(60, 60, 60), {"A": 5, "B": 5, "C": 5}, tie_break="lot"
    )

    assert [item.ref for item in ranked] == ["A", "B", "C"]
    assert ties == [Tie(refs=("A", "B", "C"), broken_by="order", decisive=False)]
    assert needs_lot == ("A", "B", "C")


@pytest.mark.parametrize("rule", ["stop", "skip"])
def test_tie_decisive_matches_trying_every_order(rule):
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed, cost_choices=[10, 20, 30])
        result = tally(items=items, ballots=ballots, budget=budget, rule=rule)
        ranking = reference_ranking(items, ballots)
        for tie in result.ties:
            block = [item for item in ranking if item.ref in tie.refs]
            start = ranking.index(block[0]) if block else 0
            outcomes = {
                frozenset(
                    reference_greedy(
                        ranking[:start] + list(order) + ranking[start + len(block) :],
                        budget,
                        stop=rule == "stop",
                    )
                )
                for order in itertools.permutations(block)
            }
            assert tie.decisive == (len(outcomes) > 1), (seed, tie)


@pytest.mark.parametrize("rule", ["stop", "skip", "mes"])
def test_needs_lot_holds_exactly_the_ties_whose_order_changes_the_outcome(rule):
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed, cost_choices=[10, 20, 30])
        result = tally(items=items, ballots=ballots, budget=budget, rule=rule, tie_break="lot")
        votes, cost = votes_of(items, ballots), {item.ref: item.cost for item in items}
        for _, block in itertools.groupby(
            [item.ref for item in result.items], key=lambda ref: (votes[ref], cost[ref])
        ):
            block = tuple(block)
            if len(block) < 2:
                continue
            outcomes = {
                frozenset(
                    tally(
                        items=items,
                        ballots=ballots,
                        budget=budget,
                        rule=rule,
                        tie_break="lot",
                        lot_order=order,
                    ).selected
                )
                for order in itertools.permutations(block)
            }
            assert (set(block) <= set(result.needs_lot)) == (len(outcomes) > 1), (seed, block)


def test_mes_tie_decisive_matches_trying_every_order():
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed, cost_choices=[10, 20, 30])
        result = tally(items=items, ballots=ballots, budget=budget, rule="mes")
        fundable = reference_ranking(items, ballots)
        shares = _EqualShares(fundable, ballots, budget, sum(ballots.values()))
        number = {item.ref: index for index, item in enumerate(fundable)}
        for tie in result.ties:
            tied = [number[ref] for ref in tie.refs if ref in number]
            outcomes = set()
            for order in itertools.permutations(tied):
                priority = list(shares.priority)
                places = sorted(shares.priority[project] for project in tied)
                for project, place in zip(order, places, strict=True):
                    priority[project] = place
                outcomes.add(shares.outcome(priority).funded)
            assert tie.decisive == (len(outcomes) > 1), (seed, tie)


# Budget and the fundable items


def test_item_that_fits_the_budget_exactly_is_funded():
    result = tally(items=make_items(60, 40), ballots=make_ballots(("AB", 3)), budget=Decimal(100))

    assert result.selected == ("B", "A")
    assert result.total_cost == Decimal(100)


def test_item_dearer_than_the_fund_stops_the_stop_rule():
    result = tally(
        items=make_items(150, 50), ballots=make_ballots(("A", 10), ("B", 5)), budget=Decimal(100)
    )

    assert result.selected == ()
    assert reasons(result) == {"A": "over_budget", "B": "after_stop"}


def test_item_dearer_than_the_fund_is_passed_over_by_the_skip_rule():
    result = tally(
        items=make_items(150, 50),
        ballots=make_ballots(("A", 10), ("B", 5)),
        budget=Decimal(100),
        rule="skip",
    )

    assert result.selected == ("B",)
    assert reasons(result) == {"A": "over_budget", "B": "funded"}


def test_stop_and_skip_differ_on_the_same_instance():
    items = make_items(70, 50, 30)
    ballots = make_ballots(("A", 10), ("B", 8), ("C", 6))

    stop = tally(items=items, ballots=ballots, budget=Decimal(100), rule="stop")
    skip = tally(items=items, ballots=ballots, budget=Decimal(100), rule="skip")

    assert (stop.selected, skip.selected) == (("A",), ("A", "C"))
    assert reasons(stop) == {"A": "funded", "B": "over_budget", "C": "after_stop"}


def test_running_total_adds_up_the_funded_items_in_rank_order():
    result = tally(
        items=make_items(Decimal("12.50"), 30, 20),
        ballots=make_ballots(("A", 3), ("B", 2), ("C", 1)),
        budget=Decimal(40),
        rule="skip",
    )

    assert [item.running_total for item in result.items] == [
        Decimal("12.50"),
        None,
        Decimal("32.50"),
    ]
    assert result.total_cost == Decimal("32.50")


def test_item_without_votes_is_not_funded():
    result = tally(items=make_items(10, 10), ballots=make_ballots(("A", 1)), budget=Decimal(100))

    assert result.selected == ("A",)
    assert reasons(result)["B"] == "no_votes"


def test_item_below_min_share_is_listed_but_not_funded():
    result = tally(
        items=make_items(10, 10),
        ballots=make_ballots(("A", 9), ("AB", 1)),
        budget=Decimal(100),
        min_share=Decimal("0.2"),
    )

    assert result.selected == ("A",)
    assert [(item.ref, item.share, item.reason) for item in result.items] == [
        ("A", Decimal("1.0000"), "funded"),
        ("B", Decimal("0.1000"), "below_min_share"),
    ]


def test_item_exactly_at_min_share_is_fundable():
    result = tally(
        items=make_items(10, 10),
        ballots=make_ballots(("A", 8), ("AB", 2)),
        budget=Decimal(100),
        min_share=Decimal("0.2"),
    )

    assert result.selected == ("A", "B")


def test_item_below_min_share_does_not_stop_the_stop_rule():
    result = tally(
        items=make_items(10, 500, 10),
        ballots=make_ballots(("A", 9), ("AB", 1)),
        budget=Decimal(100),
        min_share=Decimal("0.2"),
    )

    assert reasons(result) == {"A": "funded", "B": "below_min_share", "C": "no_votes"}


def test_blank_ballots_count_for_no_item_and_not_in_shares():
    result = tally(
        items=make_items(10, 10),
        ballots=make_ballots(("A", 3), ("B", 1), ("", 6)),
        budget=Decimal(100),
    )

    assert [(item.ref, item.votes, item.share) for item in result.items] == [
        ("A", 3, Decimal("0.7500")),
        ("B", 1, Decimal("0.2500")),
    ]


def test_share_is_rounded_to_four_places():
    result = tally(
        items=make_items(10, 10), ballots=make_ballots(("A", 2), ("B", 1)), budget=Decimal(0)
    )

    assert [item.share for item in result.items] == [Decimal("0.6667"), Decimal("0.3333")]


def test_no_ballots_fund_nothing():
    result = tally(items=make_items(10), ballots=Counter(), budget=Decimal(100), rule="mes")

    assert (result.selected, result.items[0].share, result.items[0].reason) == (
        (),
        Decimal("0.0000"),
        "no_votes",
    )


def test_ballot_naming_an_unknown_item_is_refused():
    with pytest.raises(ValueError):
        tally(items=make_items(10), ballots=make_ballots(("AZ", 1)), budget=Decimal(100))


# The JSON form and determinism


def test_as_json_has_exactly_the_published_shape():
    result = tally(
        items=make_items(Decimal("60.50"), 40),
        ballots=make_ballots(("A", 2), ("B", 1)),
        budget=Decimal("100.00"),
    )

    assert as_json(result) == {
        "rule": "stop",
        "budget": 100,
        "items": [
            {"ref": "A", "title": "项目1", "cost": 60.5, "votes": 2, "selected": True},
            {"ref": "B", "title": "项目2", "cost": 40, "votes": 1, "selected": False},
        ],
        "selected": ["A"],
        "total_cost": 60.5,
    }


def test_as_json_gives_whole_numbers_as_int():
    result = tally(
        items=make_items(Decimal("40.00")), ballots=make_ballots(("A", 1)), budget=Decimal(50)
    )

    data = as_json(result)

    assert [
        type(value) for value in (data["budget"], data["items"][0]["cost"], data["total_cost"])
    ] == [
        int,
        int,
        int,
    ]


@pytest.mark.parametrize("rule", ["stop", "skip", "mes"])
def test_tally_does_not_depend_on_the_order_ballots_are_given(rule):
    for seed in range(50):
        items, ballots, budget = random_instance(seed)
        reordered = Counter(dict(reversed(list(ballots.items()))))

        first = tally(items=items, ballots=ballots, budget=budget, rule=rule)
        again = tally(items=list(reversed(items)), ballots=reordered, budget=budget, rule=rule)

        assert first == again


# Method of Equal Shares


def test_mes_funds_the_minority_project_that_greedy_leaves_out():
    items = make_items(40, 40, 40)
    ballots = make_ballots(("AB", 6), ("C", 4))

    greedy = tally(items=items, ballots=ballots, budget=Decimal(100), rule="skip")
    mes = tally(items=items, ballots=ballots, budget=Decimal(100), rule="mes")

    assert (greedy.selected, mes.selected) == (("A", "B"), ("A", "C"))
    assert reasons(mes)["B"] == "not_affordable"


def test_mes_add1_completion_adds_a_project():
    items = make_items(30, 30, 30)
    ballots = make_ballots(("AB", 6), ("C", 4))

    result = tally(items=items, ballots=ballots, budget=Decimal(60), rule="mes")

    assert pabutools_mes(items, ballots, Decimal(60), completion=False) == {"A"}
    assert result.selected == ("A", "C")


def test_mes_add1_keeps_the_last_outcome_within_budget():
    items = make_items(40, 40, 40)
    ballots = make_ballots(("A", 3), ("B", 3), ("C", 3))

    result = tally(items=items, ballots=ballots, budget=Decimal(100), rule="mes")

    assert result.selected == ()
    assert reasons(result) == dict.fromkeys("ABC", "not_affordable")


def test_mes_shares_the_budget_among_non_blank_ballots_only():
    items = make_items(40, 40, 40)
    ballots = make_ballots(("AB", 6), ("C", 4))

    with_blanks = tally(
        items=items, ballots=ballots + make_ballots(("", 10)), budget=Decimal(100), rule="mes"
    )

    assert with_blanks.selected == ("A", "C")


def test_mes_ranks_its_selection_like_the_ranking():
    result = tally(
        items=make_items(40, 40, 40),
        ballots=make_ballots(("AB", 6), ("C", 4)),
        budget=Decimal(100),
        rule="mes",
    )

    assert [item.running_total for item in result.items] == [Decimal(40), None, Decimal(80)]


# Against pabutools and a hand-written reference, on random instances


def test_stop_matches_a_hand_written_reference():
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed)
        expected = reference_greedy(reference_ranking(items, ballots), budget, stop=True)

        assert funded_by(items, ballots, budget, "stop") == expected, seed


def test_skip_matches_pabutools_greedy():
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed)

        assert funded_by(items, ballots, budget, "skip") == pabutools_greedy(
            items, ballots, budget
        ), seed


def assert_mes_follows_add1(seeds, instance):
    """Check MES against the written-out add1 convention on ``instance(seed)`` for each seed."""
    for seed in seeds:
        items, ballots, budget = instance(seed)

        assert funded_by(items, ballots, budget, "mes") == reference_add1(
            items, ballots, budget
        ), seed


def test_mes_matches_the_add1_convention_written_out():
    assert_mes_follows_add1(SEEDS, random_instance)


def test_mes_matches_the_add1_convention_on_dear_projects_and_few_voters():
    # The written-out convention runs every yuan per voter: a few thousand runs a seed here.
    assert_mes_follows_add1(
        range(40), lambda seed: random_instance(seed, cost_choices=range(500, 5000, 7))
    )


def test_mes_matches_the_add1_convention_on_skewed_rounds_with_fen():
    assert_mes_follows_add1(range(8), skewed_instance)


def test_mes_matches_the_add1_convention_on_city_shaped_rounds():
    # Many distinct ballots and levels: where a run's reach is cut and rounds are reused.
    assert_mes_follows_add1(range(40), city_instance)


def test_mes_matches_the_add1_convention_when_equal_costs_make_ties():
    assert_mes_follows_add1(SEEDS, lambda seed: random_instance(seed, cost_choices=[10, 20, 30]))


def test_mes_matches_pabutools_with_add1_completion_on_whole_per_voter_budgets():
    for seed in SEEDS:
        items, ballots, budget = whole_per_voter(*random_instance(seed))

        assert funded_by(items, ballots, budget, "mes") == pabutools_mes(
            items, ballots, budget, completion=True
        ), seed


def test_mes_matches_pabutools_on_skewed_rounds_with_whole_per_voter_budgets():
    for seed in range(40):
        items, ballots, budget = whole_per_voter(*skewed_instance(seed))

        assert funded_by(items, ballots, budget, "mes") == pabutools_mes(
            items, ballots, budget, completion=True
        ), seed


def test_mes_without_completion_matches_pabutools():
    for seed in SEEDS:
        items, ballots, budget = random_instance(seed)
        fundable = reference_ranking(items, ballots)
        voters = sum(ballots.values())
        shares = _EqualShares(fundable, ballots, budget, voters)
        chosen, _ = shares._run(_Path(), shares.first_extra, shares.priority, {})

        expected = pabutools_mes(items, ballots, budget, completion=False)
        assert {fundable[project].ref for project in chosen} == expected, seed
