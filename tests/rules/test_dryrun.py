from __future__ import annotations

from rules.dryrun import diff_rulesets
from tests.rules.support import event, load

PUBLISHED = """\
    - id: quality_post
      event: post.created
      when: event.body_length >= 80
      award: {points: 10}
      limits: [{max: 3, per: day}]
    """
DRAFT = (
    PUBLISHED.rstrip(" ").replace("max: 3", "max: 1")
    + """\
    - id: login
      event: user.daily_login
      award: {spins: 1}
    """
)


def test_diff_counts_rules_totals_and_movers() -> None:
    events = [event("post.created", "u1", id=f"a{n}", body_length=100) for n in range(3)]
    events += [event("post.created", "u2", id="b", body_length=100)]
    events += [event("user.daily_login", "u3", id="c")]
    report = diff_rulesets(load(DRAFT), load(PUBLISHED), events)
    assert report.rules == {"login": (0, 1), "quality_post": (4, 2)}
    assert report.points == (40, 20)
    assert report.spins == (0, 1)
    assert [(c.user, c.delta) for c in report.movers] == [("u1", -20), ("u3", 0)]
    assert report.as_dict()["movers"][0] == {
        "user": "u1",
        "points": {"published": 30, "draft": 10},
        "spins": {"published": 0, "draft": 0},
    }
    assert report.draft_version != report.published_version
