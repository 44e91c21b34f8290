"""Every main screen, as an employee sees it: in English and Russian, on a desktop and a
360 px phone. Each must pass axe (no serious or critical violation), fit the phone's width,
and in Russian show no English sentence of the app's own (user content may be anything).
The screenshots the README shows are written here."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.support import ENGLISH, Plaza, check_screens


def screens(plaza: Plaza) -> dict[str, str]:
    """Main screens by name -> path (ids taken from the demo data)."""
    api = plaza.api("employee")
    me = api.get("/api/me").json()
    feed = api.get("/api/feed").json()["items"]
    found = {
        "feed": "/feed",
        "profile": f"/people/{me['id']}",
        "notifications": "/notifications",
        "digest": "/digest",
        "welcome": "/welcome",
    }
    if feed:
        found["post"] = f"/posts/{feed[0]['id']}"
    found["groups"] = "/groups?tab=all"
    public = [g for g in api.get("/api/groups").json()["items"] if g["visibility"] == "public"]
    if public:
        found["group"] = f"/groups/{public[0]['id']}"
    found["channels"] = "/channels"
    channels = api.get("/api/channels").json()["items"]
    if channels:
        found["channel"] = f"/channels/{channels[0]['id']}"
    found["blogs"] = "/blogs"
    blogs = api.get("/api/blogs").json()["items"]
    if blogs:  # the director's blog has posts in the demo
        blog = next((b for b in blogs if b["author"]["name"] == "Marina Director"), blogs[0])
        found["blog"] = f"/blogs/{blog['author']['id']}"
    events = api.get("/api/events").json()["items"]
    found["events"] = "/events"
    if events:  # the demo's town hall (other tests add events of their own)
        shown = next((e for e in events if e["title"] == "Town hall"), events[0])
        found["event"] = f"/events/{shown['id']}"
    found["event-new"] = "/events/new"
    found["people"] = "/people"
    found["experts"] = "/people/experts?skill=excel"
    found["search"] = "/search?q=store"
    found["profile-edit"] = "/people/me"
    found.update(_rewards_screens(plaza, me["id"]))
    found.update(_contest_screens(api))
    found["chats"] = "/chat"
    found["chat"] = f"/chat/{_chat_with_messages(plaza, api)}"
    found.update(_course_screens(plaza, api))
    return found


SCREENS_COURSE = "Serving customers well"


def _course_screens(plaza: Plaza, employee: httpx.Client) -> dict[str, str]:
    """A published course with a quiz (made once per server, found by its title) and the
    employee's running attempt at it, so the quiz screen shows questions and the clock."""
    comms = plaza.api("comms")
    course = next(
        (
            c
            for c in comms.get("/api/admin/courses").json()["items"]
            if c["title"] == SCREENS_COURSE
        ),
        None,
    )
    if course is None:
        created = comms.post(
            "/api/admin/courses",
            json={"title": SCREENS_COURSE, "summary": "Greeting, listening and closing a sale."},
        )
        assert created.status_code == 201, created.text
        course_id = created.json()["id"]
        for title, quiz in (
            ("Greeting", None),
            (
                "Listening",
                {"question_count": 2, "time_limit_s": 14400, "pass_mark": 50, "attempts": 20},
            ),
        ):
            body = {"title": title, "body_md": f"## {title}\n\nSmile and say hello.", "quiz": quiz}
            response = comms.post(f"/api/admin/courses/{course_id}/lessons", json=body)
            assert response.status_code in (200, 201), response.text
        for text in ("Greet every customer within a minute?", "Interrupt a customer to save time?"):
            question = {
                "kind": "true_false",
                "text": text,
                "options": [
                    {"text": "True", "correct": "Greet" in text},
                    {"text": "False", "correct": "Greet" not in text},
                ],
                "explanation": "Customers remember how they were welcomed.",
            }
            response = comms.post(f"/api/admin/courses/{course_id}/questions", json=question)
            assert response.status_code in (200, 201), response.text
        assign = {"audience": {"kind": "everyone"}, "due_at": "2031-01-31T18:00:00Z"}
        response = comms.post(f"/api/admin/courses/{course_id}/assignments", json=assign)
        assert response.status_code in (200, 201), response.text
        response = comms.post(f"/api/admin/courses/{course_id}/publish")
        assert response.status_code == 200, response.text
    else:
        course_id = course["id"]
    lessons = employee.get(f"/api/courses/{course_id}").json()["lessons"]
    quiz_lesson = next(lesson for lesson in lessons if lesson["quiz"])
    # A running attempt (four hours long): the quiz screen resumes it.
    started = employee.post(f"/api/courses/{course_id}/lessons/{quiz_lesson['id']}/attempts")
    assert started.status_code in (200, 201), started.text
    return {
        "courses": "/courses",
        "course": f"/courses/{course_id}",
        "lesson": f"/courses/{course_id}/lessons/{lessons[0]['id']}",
        "quiz": f"/courses/{course_id}/lessons/{quiz_lesson['id']}/quiz",
    }


def _rewards_screens(plaza: Plaza, employee_id: int) -> dict[str, str]:
    """Something to show on the rewards screens: points, a spin and a shop item (the same
    keys every run, so a second call adds nothing)."""
    comms = plaza.api("comms")
    for currency, amount in (("points", 120), ("spins", 1)):
        grant = {"user_id": employee_id, "currency": currency, "amount": amount,
                 "reason": "Welcome to Plaza", "idempotency_key": f"screens-{currency}-0001"}  # fmt: skip
        assert comms.post("/api/admin/grants", json=grant).status_code == 201
    item = {"title": {"en": "A Plaza hoodie", "ru": "Толстовка Plaza"},
            "description": {"en": "Warm, soft, with the logo.", "ru": "Тёплая, мягкая, с логотипом."},
            "price": 100, "add_stock": 5, "idempotency_key": "screens-hoodie-0001"}  # fmt: skip
    assert comms.put("/api/admin/shop/items/hoodie", json=item).status_code == 200
    return {
        "wallet": "/wallet",
        "wheel": "/wheel",
        "shop": "/shop",
        "leaderboards": "/leaderboards",
    }


def _contest_screens(api: httpx.Client) -> dict[str, str]:
    """The contests and the demo's contest (a running one if any, else a finished one)."""
    found = {"contests": "/contests"}
    current = api.get("/api/contests", params={"when": "current"}).json()["items"]
    past = api.get("/api/contests", params={"when": "past"}).json()["items"]
    demo = [c for c in current if not c["id"].startswith("e2e_")] or [
        c for c in past if not c["id"].startswith("e2e_")
    ]
    if demo:
        found["contest"] = f"/contests/{demo[0]['id']}"
    return found


def _chat_with_messages(plaza: Plaza, api: httpx.Client) -> int:
    """A group chat of the employee with the director and comms, with a short conversation
    (its own, so that other tests' chats do not change the screenshot)."""
    title = "New coffee machines"
    for chat in api.get("/api/chats").json()["chats"]:
        if chat["title"] == title:
            return int(chat["id"])
    director, comms = plaza.api("director"), plaza.api("comms")
    ids = [client.get("/api/me").json()["id"] for client in (director, comms)]
    created = api.post("/api/chats/group", json={"title": title, "member_ids": ids})
    assert created.status_code == 201, created.text
    chat_id = int(created.json()["id"])
    for who, body in (
        (director, "Morning! Could you check the stock of the new coffee machines?"),
        (api, "Sure: 14 in the store, and 30 more arrive on Thursday."),
        (comms, "Great, we will announce them in Monday's news."),
        (director, "Thank you both!"),
    ):
        sent = who.post(f"/api/chats/{chat_id}/messages", json={"body": body})
        assert sent.status_code == 201, sent.text
    api.post(f"/api/chats/{chat_id}/messages", json={"sticker": "thumbs-up"})
    return chat_id


def content_screens(plaza: Plaza) -> dict[str, str]:
    """The comms team's content tools (`/admin/content/...`), with something in each."""
    comms = plaza.api("comms")
    found = {
        "content-pinned": "/admin/content/pinned",
        "content-stories": "/admin/content/stories",
        "content-audiences": "/admin/content/audiences",
        "content-digest": "/admin/content/digest",
        "content-confirmations": "/admin/content/confirmations",
        "content-scheduled": "/admin/content/scheduled",
    }
    if not any(s["name"] == "Store directors" for s in comms.get("/api/segments").json()["items"]):
        comms.post("/api/segments", json={"name": "Store directors", "tokens": ["role:manager"]})
    posts = comms.get("/api/content/confirmations").json()["items"]
    confirm = next((p for p in posts if p["post"]["body"].startswith("Fire drill")), None)
    if confirm is None:
        made = comms.post(
            "/api/posts",
            json={"body": "Fire drill on Thursday: read the plan", "channel_id": 1,
                  "needs_confirmation": True},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        post_id = made.json()["id"]
    else:
        post_id = confirm["post"]["id"]
    found["content-confirmation"] = f"/admin/content/confirmations/{post_id}"
    return found


@pytest.fixture(scope="module")
def main_screens(plaza: Plaza) -> dict[str, str]:
    return screens(plaza)


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_content_screen(browser: Browser, plaza: Plaza, locale: str, device: str) -> None:
    screens = content_screens(plaza)
    problems = check_screens(
        browser,
        plaza,
        "comms",
        screens,
        combos=((locale, device),),
        not_busy="main [aria-busy=true]",
    )
    assert problems == {}


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_main_screen(
    browser: Browser, plaza: Plaza, main_screens: dict[str, str], locale: str, device: str
) -> None:
    problems = check_screens(browser, plaza, "employee", main_screens, combos=((locale, device),))
    assert problems == {}


def test_the_english_catalogue_is_checked() -> None:
    """The Russian check above means something only if it knows the English sentences."""
    assert len(ENGLISH) > 20
    assert "Sign in to Plaza" in ENGLISH
    assert "Plaza" not in ENGLISH  # the same in both languages


def moderation_screens(plaza: Plaza) -> dict[str, str]:
    """The moderators' workspace, with something in it: watched words of each kind and a
    reported post (made once per server: the words are looked up before they are added)."""
    moderator = plaza.api("moderator")
    have = {w["pattern"] for w in moderator.get("/api/moderation/words").json()["items"]}
    for pattern, kind, action in (
        ("халтура", "word", "flag"),
        ("clickbait", "word", "censor"),
        ("buy cheap", "phrase", "hold"),
        (r"\b\d{4}-\d{4}-\d{4}-\d{4}\b", "regex", "block"),
    ):
        if pattern not in have:
            body = {"pattern": pattern, "kind": kind, "action": action}
            assert moderator.post("/api/moderation/words", json=body).status_code == 201
    if not moderator.get("/api/moderation/queue").json()["items"]:
        post = plaza.api("director").post(
            "/api/posts", json={"body": "The night shift never cleans the coffee corner."}
        )
        report = {"kind": "post", "id": post.json()["id"], "reason": "Mocks the night shift"}
        assert plaza.api("employee").post("/api/reports", json=report).status_code == 201
    return {"moderation": "/admin/moderation", "moderation-words": "/admin/moderation/words"}


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_moderation_screens(browser: Browser, plaza: Plaza, locale: str, device: str) -> None:
    screens = moderation_screens(plaza)
    problems = check_screens(browser, plaza, "moderator", screens, combos=((locale, device),))
    assert problems == {}


# The comms workspace's screens, seen by the comms team (the employee has none of them).
WORKSPACE_SCREENS = {
    "rwadmin-catalogue": "/admin/rewards",
    "rwadmin-approvals": "/admin/rewards/approvals",
    "rwadmin-grants": "/admin/rewards/grants",
    "rwadmin-allowances": "/admin/rewards/allowances",
    "rwadmin-audit": "/admin/rewards/audit",
    "admin-contests": "/admin/contests",
    "courses-admin": "/admin/courses",
}


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_workspace_screen(
    browser: Browser, plaza: Plaza, main_screens: dict[str, str], locale: str, device: str
) -> None:
    # `main_screens` first: its shop item and grants give these screens something to show.
    problems = check_screens(browser, plaza, "comms", WORKSPACE_SCREENS, combos=((locale, device),))
    assert problems == {}


# -- the IT admin's workspace screens (signed in as the demo admin) --------------------------

ITADMIN_SCREENS = {
    "admin-people": "/admin/people",
    "admin-import": "/admin/people/import",
    "admin-audit": "/admin/audit",
}


@pytest.fixture(scope="module")
def itadmin_data(plaza: Plaza) -> None:
    """Something in the audit log and a past import with a rejected row (the same every
    run: a second call adds nothing new to the screenshots but audit rows)."""
    admin = plaza.api("admin")
    csv = (
        "employee_id,email,name,position\n"
        "screens-1,screens-1@plaza.example.com,Vera Screens,Cashier\n"
        "screens-2,not-an-email,Broken Row,Cashier\n"
    )

    def vera() -> list[dict[str, object]]:
        found = admin.get("/api/admin/employees", params={"q": "screens-1", "status": "active"})
        return list(found.json()["people"])

    if not vera():
        started = admin.post(
            "/api/admin/hr/imports", content=csv, headers={"Content-Type": "text/csv"}
        )
        assert started.status_code == 202, started.text
    found = vera()
    for _ in range(150):
        if found:
            break
        time.sleep(0.2)
        found = vera()
    assert found, "the HR import did not run"
    vera_id = found[0]["id"]
    admin.put(f"/api/admin/employees/{vera_id}/role", json={"role": "manager"})
    admin.post(f"/api/admin/employees/{vera_id}/sessions/end", json={"tokens": True})
    admin.post("/api/admin/audit/verify")


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_itadmin_screen(
    browser: Browser, plaza: Plaza, itadmin_data: None, locale: str, device: str
) -> None:
    problems = check_screens(
        browser,
        plaza,
        "admin",
        ITADMIN_SCREENS,
        combos=((locale, device),),
        not_busy="[aria-busy='true']",
    )
    assert problems == {}
