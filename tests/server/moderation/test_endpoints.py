"""Moderation over HTTP, on both databases: watched words on every kind of text, reports,
the queue and each action, mutes, the audit rows, and the role checks."""

from __future__ import annotations

from typing import Any

import httpx

from server.models import ActivityEvent, AuditEntry, Comment, Notification, Post
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.gamification.support import SIMPLE_RULES, publish_rules
from tests.helpers import run_jobs


async def _word(mod: httpx.AsyncClient, pattern: str, kind: str, action: str) -> dict[str, Any]:
    added = await mod.post(
        "/api/moderation/words", json={"pattern": pattern, "kind": kind, "action": action}
    )
    assert added.status_code == 201, added.text
    result: dict[str, Any] = added.json()
    return result


async def _queue(mod: httpx.AsyncClient, state: str = "open") -> list[dict[str, Any]]:
    answer = await mod.get("/api/moderation/queue", params={"state": state})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_employees_are_refused_every_moderation_route_and_moderators_allowed(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, mod, admin = await as_(org.alice), await as_(org.moderator), await as_(org.admin)
        word = await _word(mod, "spam", "word", "flag")
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", "/api/moderation/queue", None),
            ("GET", "/api/moderation/words", None),
            ("POST", "/api/moderation/words", {"pattern": "x1", "kind": "word", "action": "flag"}),
            ("PATCH", f"/api/moderation/words/{word['id']}", {"action": "censor"}),
            ("POST", "/api/moderation/words/test", {"text": "spam"}),
            ("POST", "/api/moderation/cases/1/actions", {"action": "hide"}),
            ("DELETE", f"/api/moderation/words/{word['id']}", None),
            ("GET", "/api/archive", None),
            ("GET", "/api/moderation/chat-archive", None),
        ]
        for method, path, body in calls:
            refused = await alice.request(method, path, json=body)
            assert refused.status_code == 403, (path, refused.text)
        for who in (mod, admin):
            for method, path in [
                ("GET", "/api/moderation/queue"),
                ("GET", "/api/moderation/words"),
            ]:
                assert (await who.request(method, path)).status_code == 200
        tested = await admin.post("/api/moderation/words/test", json={"text": "Spammed!"})
        assert tested.json()["action"] == "flag"
        assert tested.json()["hits"][0]["why"] == "stem spam"


async def test_a_blocked_word_refuses_posts_comments_chat_and_stories_storing_nothing(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "взятка", "word", "block")
        refused = await alice.post("/api/posts", json={"body": "Кто берёт взятки?"})
        assert refused.status_code == 422
        assert refused.json()["error"] == "watched_word_blocked"
        assert "взятка" in refused.json()["detail"] and "взятки" in refused.json()["detail"]
        assert await Post.filter(author_id=org.alice.id).count() == 0
        post = (await bob.post("/api/posts", json={"body": "A clean post"})).json()
        comment = await alice.post(f"/api/posts/{post['id']}/comments", json={"body": "Взяткой!"})
        assert comment.status_code == 422 and await Comment.all().count() == 0
        chat = (await alice.post("/api/chats/direct", json={"employee_id": org.bob.id})).json()
        sent = await alice.post(f"/api/chats/{chat['id']}/messages", json={"body": "о взятке"})
        assert sent.status_code == 422
        story = await alice.post(
            "/api/stories", json={"text": "взяток нет", "background": "#3b5bdb"}
        )
        assert story.status_code == 422
        assert refused.json()["rule"]["pattern"] == "взятка"


async def test_flag_hold_and_censor(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "spam", "word", "flag")
        await _word(mod, "idio*", "wildcard", "hold")
        await _word(mod, "darn", "word", "censor")
        flagged = (await alice.post("/api/posts", json={"body": "Spamming again"})).json()
        assert (await bob.get(f"/api/posts/{flagged['id']}")).status_code == 200
        held = await alice.post("/api/posts", json={"body": "You idiots"})
        assert held.status_code == 201
        assert (await bob.get(f"/api/posts/{held.json()['id']}")).status_code == 404
        censored = (await alice.post("/api/posts", json={"body": "Darn it"})).json()
        assert "Darn" not in censored["html"] and "•••• it" in censored["html"]
        queue = await _queue(mod)
        assert [c["status"] for c in queue] == ["held", "open"]  # a held item comes first
        assert queue[0]["matched"][0]["pattern"] == "idio*"
        approved = await mod.post(
            f"/api/moderation/cases/{queue[0]['id']}/actions", json={"action": "approve"}
        )
        assert approved.status_code == 200 and approved.json()["status"] == "resolved"
        assert (await bob.get(f"/api/posts/{held.json()['id']}")).status_code == 200
        kinds = await Notification.filter(employee_id=org.alice.id).values_list("kind", flat=True)
        assert set(kinds) >= {"moderation.held", "moderation.approve"}


async def test_report_hide_warn_restore_mute_with_audit_and_notifications(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        mod = await as_(org.moderator)
        post = (await alice.post("/api/posts", json={"body": "Rude words"})).json()
        own = await alice.post(
            "/api/reports", json={"kind": "post", "id": post["id"], "reason": "x"}
        )
        assert own.status_code == 422
        body = {"kind": "post", "id": post["id"], "reason": "Insults colleagues"}
        assert (await bob.post("/api/reports", json=body)).status_code == 201
        assert (await bob.post("/api/reports", json=body)).status_code == 409
        assert (await carol.post("/api/reports", json=body)).status_code == 201
        [case] = await _queue(mod)
        assert case["kind"] == "post" and case["author"]["id"] == org.alice.id
        assert {r["reason"] for r in case["reports"]} == {"Insults colleagues"}
        assert case["priority"] == 2.0  # two reporters with no history weigh 1 each
        act = f"/api/moderation/cases/{case['id']}/actions"
        hidden = await mod.post(act, json={"action": "hide", "note": "Be kind"})
        assert hidden.json()["status"] == "hidden"
        assert (await bob.get(f"/api/posts/{post['id']}")).status_code == 404
        warned = await mod.post(act, json={"action": "warn", "note": "Second time"})
        assert warned.json()["warned"] is True
        assert await _queue(mod) == []
        assert [c["id"] for c in await _queue(mod, "handled")] == [case["id"]]
        restored = await mod.post(act, json={"action": "restore"})
        assert restored.json()["status"] == "resolved"
        assert (await bob.get(f"/api/posts/{post['id']}")).status_code == 200
        again = await mod.post(act, json={"action": "restore"})
        assert again.status_code == 409
        muted = await mod.post(act, json={"action": "mute", "minutes": 60, "note": "Cool down"})
        assert muted.json()["author_muted_until"] is not None
        refused = await alice.post("/api/posts", json={"body": "Still here"})
        assert refused.status_code == 403 and refused.json()["error"] == "muted"
        assert "until" in refused.json()
        comment = await alice.post(f"/api/posts/{post['id']}/comments", json={"body": "hi"})
        assert comment.status_code == 403
        kinds = await Notification.filter(employee_id=org.alice.id).values_list("kind", flat=True)
        assert {
            "moderation.hide",
            "moderation.warn",
            "moderation.restore",
            "moderation.mute",
        } <= set(kinds)
        actions = await AuditEntry.filter(actor_id=org.moderator.id).values_list(
            "action", flat=True
        )
        assert [a for a in actions if a.startswith("moderation.") and "word" not in a] == [
            "moderation.hide",
            "moderation.warn",
            "moderation.restore",
            "moderation.mute",
        ]
        # The reporters were right: their next reports weigh more than a newcomer's.
        other = (await alice.get(f"/api/posts/{post['id']}")).json()
        assert other["id"] == post["id"]


async def test_reporters_accuracy_orders_the_queue(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        mod = await as_(org.moderator)
        first = (await alice.post("/api/posts", json={"body": "one"})).json()
        await bob.post("/api/reports", json={"kind": "post", "id": first["id"], "reason": "r"})
        [case] = await _queue(mod)
        await mod.post(f"/api/moderation/cases/{case['id']}/actions", json={"action": "dismiss"})
        second = (await alice.post("/api/posts", json={"body": "two"})).json()
        third = (await alice.post("/api/posts", json={"body": "three"})).json()
        await bob.post("/api/reports", json={"kind": "post", "id": second["id"], "reason": "r"})
        await carol.post("/api/reports", json={"kind": "post", "id": third["id"], "reason": "r"})
        queue = await _queue(mod)
        # Bob's last report was dismissed (weight 0.5 + 1/3); Carol has no history (1.0).
        assert [c["target_id"] for c in queue] == [third["id"], second["id"]]
        assert queue[1]["priority"] < queue[0]["priority"]


async def test_comment_and_chat_reports_and_a_moderator_delete_keeps_the_original(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        post = (await bob.post("/api/posts", json={"body": "Lunch?"})).json()
        comment = (
            await alice.post(f"/api/posts/{post['id']}/comments", json={"body": "Nasty reply"})
        ).json()
        chat = (await alice.post("/api/chats/direct", json={"employee_id": org.bob.id})).json()
        message = (
            await alice.post(f"/api/chats/{chat['id']}/messages", json={"body": "Nasty DM"})
        ).json()
        outsider = await as_(org.carol)
        hidden = await outsider.post(
            "/api/reports", json={"kind": "message", "id": message["message_id"], "reason": "r"}
        )
        assert hidden.status_code == 404  # not in the chat: cannot see it, cannot report it
        nasty = (await alice.post("/api/posts", json={"body": "Nasty post"})).json()
        reported = (
            ("comment", comment["id"]),
            ("message", message["message_id"]),
            ("post", nasty["id"]),
        )
        for kind, ident in reported:
            answer = await bob.post("/api/reports", json={"kind": kind, "id": ident, "reason": "r"})
            assert answer.status_code == 201, answer.text
        for case in await _queue(mod):
            done = await mod.post(
                f"/api/moderation/cases/{case['id']}/actions", json={"action": "delete"}
            )
            assert done.json()["status"] == "deleted"
        comments = (await bob.get(f"/api/posts/{post['id']}/comments")).json()["items"]
        assert comments == []
        archive = (await mod.get("/api/archive", params={"post_id": post["id"]})).json()
        assert [a["body"] for a in archive["items"]] == ["Nasty reply"]
        chat_archive = (
            await mod.get(
                "/api/moderation/chat-archive", params={"message_id": message["message_id"]}
            )
        ).json()
        assert chat_archive["entries"][0]["body"] == "Nasty DM"
        archive = (await mod.get("/api/archive", params={"post_id": nasty["id"]})).json()
        assert [a["body"] for a in archive["items"]] == ["Nasty post"]
        assert (await bob.get(f"/api/posts/{nasty['id']}")).status_code == 404


async def test_regexes_are_checked_before_they_are_saved(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        mod = await as_(org.moderator)
        bad = await mod.post(
            "/api/moderation/words", json={"pattern": "(a+)+$", "kind": "regex", "action": "flag"}
        )
        assert bad.status_code == 422 and bad.json()["error"] == "pattern_refused"
        assert "backtracking" in bad.json()["detail"]
        broken = await mod.post(
            "/api/moderation/words", json={"pattern": "[", "kind": "regex", "action": "flag"}
        )
        assert broken.status_code == 422
        good = await _word(mod, r"\d{3}-\d{4}", "regex", "flag")
        dup = await mod.post(
            "/api/moderation/words",
            json={"pattern": r"\d{3}-\d{4}", "kind": "regex", "action": "block"},
        )
        assert dup.status_code == 409
        tried = await mod.post(
            "/api/moderation/words/test",
            json={
                "text": "call 555-1234 now",
                "pattern": "now",
                "kind": "word",
                "action": "censor",
            },
        )
        hits = tried.json()["hits"]
        assert [(h["entry_id"], h["text"]) for h in hits] == [(good["id"], "555-1234"), (0, "now")]
        assert tried.json()["shown"] == "call 555-1234 •••"
        words = (await mod.get("/api/moderation/words")).json()["items"]
        assert [w["pattern"] for w in words] == [r"\d{3}-\d{4}"]
        changed = await mod.patch(f"/api/moderation/words/{good['id']}", json={"action": "block"})
        assert changed.json()["action"] == "block"
        assert (await mod.delete(f"/api/moderation/words/{good['id']}")).status_code == 200
        audit = await AuditEntry.filter(actor_id=org.moderator.id).values_list("action", flat=True)
        assert list(audit) == [
            "moderation.word.create",
            "moderation.word.update",
            "moderation.word.delete",
        ]


async def _created(type_: str, field: str, ident: int) -> int:
    rows = await ActivityEvent.filter(type=type_).values_list("data", flat=True)
    return sum(1 for d in rows if isinstance(d, dict) and d.get(field) == str(ident))


async def test_held_content_earns_only_once_approved_and_a_rejected_item_never(
    live: LiveServer,
) -> None:
    await publish_rules(live.settings, SIMPLE_RULES)
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "idio*", "wildcard", "hold")
        post = (await alice.post("/api/posts", json={"body": "You idiots"})).json()
        poll = await alice.post("/api/posts", json={
            "body": "Idiotic or not?", "poll": {"question": "Well?", "options": ["Yes", "No"]}})  # fmt: skip
        assert poll.status_code == 201, poll.text
        other = (await bob.post("/api/posts", json={"body": "A clean post"})).json()
        comment = await alice.post(f"/api/posts/{other['id']}/comments", json={"body": "Idiot!"})
        story = await alice.post("/api/stories", json={"text": "idiots", "background": "#3b5bdb"})
        assert comment.status_code == 201 and story.status_code == 201, story.text
        # Nothing held earned anything: no events, no points after the worker ran.
        earning = ("post.created", "poll.created", "comment.created", "story.created")
        assert not await ActivityEvent.filter(actor_id=org.alice.id, type__in=earning).count()
        live.settings.__dict__["settle_sweep_seconds"] = 0.0
        await run_jobs(live.settings)
        assert (await alice.get("/api/me/wallet")).json()["points"] == 0

        cases = {(c["kind"], c["target_id"]): c["id"] for c in await _queue(mod)}
        for key, action in [
            (("post", post["id"]), "approve"),
            (("post", poll.json()["id"]), "approve"),
            (("story", story.json()["id"]), "approve"),
            (("comment", comment.json()["id"]), "delete"),  # rejected
        ]:
            done = await mod.post(
                f"/api/moderation/cases/{cases[key]}/actions", json={"action": action}
            )
            assert done.status_code == 200, done.text
        assert await _created("post.created", "post_id", post["id"]) == 1
        assert await _created("poll.created", "post_id", poll.json()["id"]) == 1
        assert await _created("story.created", "story_id", story.json()["id"]) == 1
        assert await _created("comment.created", "comment_id", comment.json()["id"]) == 0
        await run_jobs(live.settings)
        assert (await alice.get("/api/me/wallet")).json()["points"] == 20  # two posts

        # Hidden and restored, or held again on an edit and approved: earned once only.
        case = cases[("post", post["id"])]
        for action in ("hide", "restore"):
            done = await mod.post(f"/api/moderation/cases/{case}/actions", json={"action": action})
            assert done.status_code == 200, done.text
        edited = await alice.patch(f"/api/posts/{post['id']}", json={"body": "Still idiots"})
        assert edited.status_code == 200, edited.text
        again = await mod.post(f"/api/moderation/cases/{case}/actions", json={"action": "approve"})
        assert again.status_code == 200, again.text
        assert await _created("post.created", "post_id", post["id"]) == 1
        await run_jobs(live.settings)
        assert (await alice.get("/api/me/wallet")).json()["points"] == 20


async def test_a_held_comment_approved_earns_then(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "idio*", "wildcard", "hold")
        other = (await bob.post("/api/posts", json={"body": "A clean post"})).json()
        comment = await alice.post(f"/api/posts/{other['id']}/comments", json={"body": "Idiot!"})
        assert await _created("comment.created", "comment_id", comment.json()["id"]) == 0
        case = (await _queue(mod))[0]
        done = await mod.post(
            f"/api/moderation/cases/{case['id']}/actions", json={"action": "approve"}
        )
        assert done.status_code == 200, done.text
        assert await _created("comment.created", "comment_id", comment.json()["id"]) == 1
        assert (await bob.get(f"/api/posts/{other['id']}")).json()["comment_count"] == 1


async def test_the_author_sees_their_held_post_and_comment_marked_and_nobody_else(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "idio*", "wildcard", "hold")
        created = await alice.post("/api/posts", json={"body": "You idiots"})
        assert created.status_code == 201 and created.json()["held"] is True
        held = created.json()["id"]
        other = (await bob.post("/api/posts", json={"body": "A clean post"})).json()
        assert other["held"] is False
        comment = (
            await alice.post(f"/api/posts/{other['id']}/comments", json={"body": "Idiot!"})
        ).json()
        assert comment["held"] is True

        for path in ("/api/feed", f"/api/people/{org.alice.id}/posts"):
            mine = (await alice.get(path)).json()["items"]
            assert [(p["id"], p["held"]) for p in mine if p["id"] == held] == [(held, True)]
            theirs = (await bob.get(path)).json()["items"]
            assert held not in [p["id"] for p in theirs]
        second = (await alice.get("/api/feed", params={"cursor": "999999.0"})).json()["items"]
        assert held not in [p["id"] for p in second]  # on top of the first page only
        page = await alice.get(f"/api/posts/{held}")
        assert page.status_code == 200 and page.json()["held"] is True
        assert (await alice.get(f"/api/posts/{held}/comments")).json()["items"] == []
        assert (await bob.get(f"/api/posts/{held}")).status_code == 404
        comments = (await alice.get(f"/api/posts/{other['id']}/comments")).json()["items"]
        assert [(c["id"], c["held"]) for c in comments] == [(comment["id"], True)]
        assert (await bob.get(f"/api/posts/{other['id']}/comments")).json()["items"] == []

        case = next(c for c in await _queue(mod) if (c["kind"], c["target_id"]) == ("post", held))
        done = await mod.post(
            f"/api/moderation/cases/{case['id']}/actions", json={"action": "approve"}
        )
        assert done.status_code == 200, done.text
        assert (await alice.get(f"/api/posts/{held}")).json()["held"] is False
        blog = f"/api/people/{org.alice.id}/posts"
        assert held in [p["id"] for p in (await bob.get(blog)).json()["items"]]
        mine = (await alice.get("/api/feed")).json()["items"]
        assert [p["held"] for p in mine if p["id"] == held] == [False]


def _stories(rings: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {s["id"]: s for r in rings["rings"] for s in r["stories"]}


async def test_a_held_story_shows_to_its_author_marked_and_to_all_once_approved(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, mod = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        await _word(mod, "fooberry", "word", "hold")
        posted = await alice.post("/api/stories", json={"text": "Fooberries for all"})
        assert posted.status_code == 201, posted.text
        story = posted.json()
        assert story["held"] is True

        mine = _stories((await alice.get("/api/stories")).json())
        assert mine[story["id"]]["held"] is True
        assert mine[story["id"]]["text"] == "Fooberries for all"
        assert (await alice.post(f"/api/stories/{story['id']}/view")).status_code == 204
        viewers = await alice.get(f"/api/stories/{story['id']}/viewers")
        assert viewers.status_code == 200 and viewers.json()["viewers"] == []
        # Nobody else sees it, nor can open, view or list its viewers.
        for other in (bob, mod):
            assert story["id"] not in _stories((await other.get("/api/stories")).json())
        assert (await bob.post(f"/api/stories/{story['id']}/view")).status_code == 404
        assert (await bob.get(f"/api/stories/{story['id']}/viewers")).status_code == 404
        assert not await ActivityEvent.filter(actor_id=org.alice.id, type="story.created").count()

        case = next(c for c in await _queue(mod) if c["target_id"] == story["id"])
        assert case["kind"] == "story" and case["status"] == "held"
        done = await mod.post(
            f"/api/moderation/cases/{case['id']}/actions", json={"action": "approve"}
        )
        assert done.status_code == 200, done.text
        for who in (alice, bob):
            seen = _stories((await who.get("/api/stories")).json())
            assert seen[story["id"]]["held"] is False
        assert (await bob.post(f"/api/stories/{story['id']}/view")).status_code == 204
        assert await _created("story.created", "story_id", story["id"]) == 1
