#!/usr/bin/env python3
"""Browser tests of the web client: headless Chromium driven by Selenium against a real node.

Usage: run_browser_tests.py QUAD_BINARY [--screenshots DIR]

Each scenario prints PASS or FAIL with its time; the exit status is 1 when any failed. The
node and the browsers are stopped in every case."""

import argparse
import os
import sys
import time
import traceback
import uuid

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quadnode import APIError, QuadNode  # noqa: E402

# The server runs three days ahead of the browsers: a client that counted down from its own
# clock would show days where the server says seconds.
SERVER_CLOCK_OFFSET_SECONDS = 3 * 86_400
# A message posted in one browser shows in another within this many seconds (the bar).
LIVE_DELIVERY_SECONDS_MAX = 1.0
# Default wait for the page to reach a state.
WAIT_SECONDS = 10
POLL_SECONDS = 0.02
# Messages in the channel whose history is paged back: three pages of 50.
HISTORY_MESSAGES = 120
DESKTOP = (1280, 860)
PHONE = (390, 844)


class Failure(Exception):
    pass


def wait_for(condition, what, seconds=WAIT_SECONDS):
    """Polls `condition` until it returns something truthy; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (StaleElementReferenceException, WebDriverException) as error:
            last_error = error
        time.sleep(POLL_SECONDS)
    raise Failure(f"timed out after {seconds}s waiting for {what}" + (f" ({last_error.msg})" if last_error else ""))


def check(condition, what):
    if not condition:
        raise Failure(what)


class Browser:
    """One person's headless Chromium."""

    def __init__(self, name, base_url):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=en-US", "--force-device-scale-factor=1"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.name = name
        self.base_url = base_url

    def open(self, fragment=""):
        self.driver.get(self.base_url + "/" + fragment)

    def go(self, fragment):
        """Follows an in-app link (hash change, no reload), as clicking one does."""
        self.driver.execute_script("location.hash = arguments[0]", fragment)

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait(self, selector, what=None, seconds=WAIT_SECONDS):
        return wait_for(lambda: next(iter([e for e in self.all(selector) if e.is_displayed()]), None),
                        what or f"{selector} in {self.name}'s browser", seconds)

    def text(self):
        return self.driver.execute_script("return document.body.innerText")

    def text_of(self, selector):
        """The text of the element `selector` now (the page redraws parts, so never a kept element)."""
        return self.driver.execute_script("return document.querySelector(arguments[0])?.innerText || ''", selector)

    def count_messages(self, text):
        return self.driver.execute_script(
            "return [...document.querySelectorAll('.channel-column .message-text')]"
            ".filter((e) => e.textContent === arguments[0]).length", text)

    def status(self):
        return self.driver.execute_script("return document.getElementById('connection')?.dataset.status")

    def screenshot(self, directory, name):
        if directory:
            self.driver.save_screenshot(os.path.join(directory, name))

    def script_errors(self):
        """Uncaught exceptions and Content-Security-Policy refusals logged by the page since the last call
        (failed requests are expected: 404s, offline)."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and ("Uncaught" in entry["message"] or "Content Security Policy" in entry["message"])]

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


class Suite:
    def __init__(self, node, screenshots):
        self.node = node
        self.screenshots = screenshots
        self.browsers = {}
        self.channel = None

    def browser(self, name):
        if name not in self.browsers:
            self.browsers[name] = Browser(name, self.node.url)
        return self.browsers[name]

    def setup_workspace(self):
        """The course an LMS would create: a platform, a workspace, three people."""
        node = self.node
        node.call("POST", "/v1/platforms", {"id": "web", "name": "Browser tests"})
        created = node.call("POST", "/v1/workspaces", {"platform_id": "web", "kind": "course", "name": "Browser 101",
                                                       "external_id": "course-v1:Quad+B101+2026",
                                                       "templates": ["announcements", "chatter", "q-a"]})
        self.workspace = created["workspace"]["id"]
        node.call("POST", f"/v1/workspaces/{self.workspace}/members", {"members": [
            {"user_id": "ines", "role": "instructor", "display_name": "Inés Instructor"},
            {"user_id": "ana", "role": "learner", "display_name": "Ana"},
            {"user_id": "ben", "role": "learner", "display_name": "Ben"}]})
        self.chatter = next(c["id"] for c in created["channels"] if c["slug"] == "chatter")

    def channel_fragment(self, channel):
        return f"#/w/{self.workspace}/c/{channel}"

    def sign_in_with_form(self, browser, user, name):
        browser.open()
        browser.wait("#signin-user", "the development sign-in form")
        browser.find("#signin-user").send_keys(user)
        browser.find("#signin-name").send_keys(name)
        browser.find("#signin-submit").click()
        browser.wait("#workspace-select", f"{user} signed in")

    # MARK: Scenarios

    def test_sign_in(self):
        """The picker signs people in: the form (instructor) and a suggested person (learner)."""
        ines = self.browser("ines")
        ines.open()
        ines.wait("#signin-user")
        ines.screenshot(self.screenshots, "sign-in.png")
        self.sign_in_with_form(ines, "ines", "Inés Instructor")
        ines.wait(f"#sidebar a[data-channel='{self.chatter}']", "the chatter channel in the sidebar")
        check("Browser 101" in ines.find("#workspace-select").text, "the workspace switcher names the course")
        check("Inés Instructor" in ines.find(".topbar .me").text, "the top bar names the signed-in person")
        # The sidebar is keyboard-navigable: arrows move between its items, Enter opens one.
        links = ines.all("#sidebar a.channel-link")
        ines.driver.execute_script("arguments[0].focus()", links[0])
        ines.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        focused = ines.driver.switch_to.active_element
        check(focused.get_attribute("data-channel") == links[1].get_attribute("data-channel"),
              "ArrowDown moves to the next sidebar item")
        target = focused.get_attribute("href").split("#")[1]
        focused.send_keys(Keys.ENTER)
        wait_for(lambda: ines.driver.current_url.endswith(target), "Enter to open the focused channel")
        ana = self.browser("ana")
        ana.open()
        ana.wait("button.person[data-user='ana']", "Ana among the suggested people").click()
        ana.wait(f"#sidebar a[data-channel='{self.chatter}']", "Ana's sidebar")
        check(not ana.all("#new-channel-button"), "a learner is not offered New channel")

    def test_create_private_channel_from_dialog(self):
        """The dialog derives the slug, shows inline errors, closes on Esc and creates a private channel."""
        ines = self.browser("ines")
        opener = ines.wait("#new-channel-button")
        opener.click()
        ines.wait("dialog[open] #channel-name")
        ines.find("#channel-name").send_keys(Keys.ESCAPE)
        wait_for(lambda: not ines.all("dialog[open]"), "Esc to close the dialog")
        check(ines.driver.switch_to.active_element.get_attribute("id") == "new-channel-button",
              "focus returns to the button that opened the dialog")
        opener.click()
        ines.wait("dialog[open] #channel-name")
        ines.find("dialog button[type=submit]").click()
        error = ines.wait("#channel-name-error", "an inline error for the missing name")
        check(error.text and ines.find("#channel-name").get_attribute("aria-invalid") == "true",
              "the empty name is flagged on its field")
        ines.find("#channel-name").send_keys("Project Team: Unit 3")
        check(ines.find("#channel-slug").get_attribute("value") == "project-team-unit-3", "the slug is derived from the name")
        ines.find("#visibility-private").click()
        ines.find("#channel-purpose").send_keys("Group work for unit 3")
        ines.find("#channel-header").send_keys("Brief: [assignment](https://example.org/brief)")
        # A slug another channel uses is refused by the server and shown on the slug field.
        slug = ines.find("#channel-slug")
        slug.clear()
        slug.send_keys("chatter")
        ines.find("dialog button[type=submit]").click()
        wait_for(lambda: ines.find("#channel-slug-error").text, "the server's slug_taken error on the slug field")
        slug.clear()
        slug.send_keys("project-team")
        ines.screenshot(self.screenshots, "new-channel-dialog.png")
        ines.find("dialog button[type=submit]").click()
        wait_for(lambda: not ines.all("dialog[open]"), "the dialog to close after creating")
        ines.wait("#channel-title", "the new channel's page")
        wait_for(lambda: "Project Team: Unit 3" in ines.text_of("#channel-title"), "the new channel's title")
        self.channel = wait_for(lambda: ines.driver.current_url.split("/c/")[1] if "/c/" in ines.driver.current_url else None,
                                "the channel's URL")
        view = self.node.call("GET", f"/v1/workspaces/{self.workspace}/channels/{self.channel}", user="ines")["channel"]
        check(view["channel"]["visibility"] == "private" and view["channel"]["slug"] == "project-team",
              f"the channel is private with the chosen slug: {view['channel']}")
        link = ines.find(".channel-header-text a")
        check(link.text == "assignment" and link.get_attribute("href") == "https://example.org/brief",
              "the header's markdown link is a link")
        # Invite Ana from the channel's Invite dialog.
        ines.find("#invite-button").click()
        ines.wait("#invite-people input[value='ana']").click()
        ines.find("dialog button[type=submit]").click()
        wait_for(lambda: not ines.all("dialog[open]"), "the invite dialog to close")
        members = self.node.call("GET", f"/v1/workspaces/{self.workspace}/channels/{self.channel}/members", user="ines")
        check({m["user_id"] for m in members["members"]} == {"ines", "ana"}, "Ana was invited")

    def test_post_appears_in_other_session_within_a_second(self):
        """A message posted in Inés's browser appears in Ana's within a second, once."""
        ana = self.browser("ana")
        ana.wait(f"#sidebar a[data-channel='{self.channel}']", "the private channel in Ana's sidebar (live)")
        ana.go(self.channel_fragment(self.channel))
        ana.wait("#message-input", "Ana's composer in the private channel")
        wait_for(lambda: ana.status() == "live", "Ana's event stream")
        ines = self.browser("ines")
        text = f"Hello team, the brief is up ({uuid.uuid4().hex[:6]})"
        box = ines.find("#message-input")
        box.send_keys(text)
        started = time.monotonic()
        box.send_keys(Keys.ENTER)
        wait_for(lambda: ana.count_messages(text) == 1, "the message in Ana's browser", seconds=LIVE_DELIVERY_SECONDS_MAX)
        elapsed = time.monotonic() - started
        wait_for(lambda: ines.count_messages(text) == 1, "the message in Inés's own browser")
        check(ana.count_messages(text) == 1 and ines.count_messages(text) == 1, "exactly once in each browser")
        print(f"    live delivery to the second browser: {elapsed * 1000:.0f} ms")
        self.first_message = text

    def test_non_member_cannot_open_private_channel(self):
        """Ben, a learner of the course but not of the channel, gets 'not available' and sees nothing of it."""
        ben = self.browser("ben")
        self.sign_in_with_form(ben, "ben", "Ben")
        ben.wait(f"#sidebar a[data-channel='{self.chatter}']")
        check(not ben.all(f"#sidebar a[data-channel='{self.channel}']"), "the private channel is not in Ben's sidebar")
        ben.go(self.channel_fragment(self.channel))
        ben.wait(".empty-state [role=alert]", "the 'not available' page")
        page = ben.text()
        check("Project Team" not in page and self.first_message not in page, "nothing of the channel shows")
        check(not ben.all("#message-input"), "no composer")
        try:
            self.node.call("GET", f"/v1/workspaces/{self.workspace}/channels/{self.channel}/messages", user="ben")
            raise Failure("the API served the private history to a non-member")
        except APIError as error:
            check(error.status == 404, f"the API answers 404, not {error.status}")
        check(not ben.script_errors(), "uncaught script errors in Ben's browser")
        ben.quit()
        del self.browsers["ben"]

    def test_first_course_as_administrator(self):
        """On a node with no course for them, an administrator creates one from the empty page and lands in it."""
        admin = self.browser("admin")
        admin.open()
        admin.wait("button.person[data-user='admin']", "the Administrator among the suggested people").click()
        admin.wait("#demo-name", "the first-course form")
        name = admin.find("#demo-name")
        name.clear()
        name.send_keys("Demo 101")
        admin.find(".empty-state button[type=submit]").click()
        admin.wait("#channel-title", "a channel of the new course")
        check("Demo 101" in admin.text_of("#workspace-select"), "the new course is in the switcher")
        check(admin.text_of("#channel-title"), "the course opens on one of its channels")
        check(not admin.script_errors(), f"uncaught script errors: {admin.script_errors()}")
        admin.quit()
        del self.browsers["admin"]

    def test_direct_message_with_unread_and_mention_badges(self):
        """Ana starts a direct message with Inés; Inés, elsewhere, sees it appear with unread and mention badges."""
        ines = self.browser("ines")
        ines.go(self.channel_fragment(self.chatter))
        ines.wait("#channel-title")
        ana = self.browser("ana")
        ana.find("#new-dm-button").click()
        ana.wait("dialog[open] #dm-filter").send_keys("Inés")
        ana.wait("#dm-people input[value='ines']").click()
        ana.find("dialog button[type=submit]").click()
        ana.wait("#channel-title", "the direct message's page")
        wait_for(lambda: "Inés Instructor" in ana.text_of("#channel-title"), "the DM named after Inés")
        box = ana.wait("#message-input")
        box.send_keys("@ines could we talk about the brief?")
        box.send_keys(Keys.ENTER)
        dm = wait_for(lambda: ana.driver.current_url.split("/c/")[1], "the DM's ID")
        selector = f"#sidebar a[data-channel='{dm}']"
        ines.wait(selector, "the DM in Inés's sidebar (live)")
        # The sidebar is redrawn on every event: look the link up afresh each time.
        wait_for(lambda: ines.find(selector).find_elements(By.CSS_SELECTOR, ".badge.unread") and
                 ines.find(selector).find_element(By.CSS_SELECTOR, ".badge.mention [aria-hidden]").text == "@1",
                 "unread and mention badges")
        check("Ana" in ines.find(selector).text, "the DM is named after Ana for Inés")
        ines.find(selector).click()
        ines.wait("#message-input")
        wait_for(lambda: ines.count_messages("@ines could we talk about the brief?") == 1, "the message in Inés's DM")
        wait_for(lambda: not ines.find(f"#sidebar a[data-channel='{dm}']").find_elements(By.CSS_SELECTOR, ".badge"),
                 "the badges to clear once read")
        view = self.node.call("GET", f"/v1/workspaces/{self.workspace}/channels/{dm}", user="ines")["channel"]
        check(view["unread_count"] == 0 and view["last_read"] == view["channel"]["last_sequence"],
              f"the read marker moved on the server: {view}")

    def test_history_edits_and_moderation(self):
        """Older pages load when scrolled to the top; an author edits in place; staff delete a learner's message."""
        base = f"/v1/workspaces/{self.workspace}/channels/{self.chatter}"
        self.node.call("POST", base + "/join", user="ana")
        self.node.call("POST", base + "/join", user="ines")
        total = HISTORY_MESSAGES
        for number in range(1, total + 1):
            self.node.call("POST", base + "/messages", {"text": f"History message {number}"}, user="ana")
        ana = self.browser("ana")
        ana.go(self.channel_fragment(self.chatter))
        wait_for(lambda: ana.count_messages(f"History message {total}") == 1, "the newest page")
        check(ana.count_messages("History message 1") == 0, "only the newest page is loaded at first")
        shown = "return document.querySelectorAll('.channel-column .message').length"
        for _ in range(total // 50 + 1):
            if ana.count_messages("History message 1") == 1:
                break
            loaded = ana.driver.execute_script(shown)
            ana.driver.execute_script("document.querySelector('.message-scroller').scrollTop = 0")
            wait_for(lambda loaded=loaded: ana.driver.execute_script(shown) > loaded, "an older page after scrolling up")
        wait_for(lambda: ana.count_messages("History message 1") == 1, "the oldest message after scrolling up")
        sequences = ana.driver.execute_script(
            "return [...document.querySelectorAll('.channel-column .message')].map((e) => Number(e.dataset.sequence))")
        check(sequences == list(range(1, total + 1)), f"every message once, in order, after paging back: {len(sequences)}")
        check("This is the start of Chatter." in ana.text(), "the start of the channel is marked")
        # Ana edits her newest message in place.
        newest = ana.find(f"#message-{total}")
        ana.driver.execute_script("arguments[0].scrollIntoView()", newest)
        newest.find_element(By.XPATH, ".//button[text()='Edit']").click()
        editor = ana.wait(f"#edit-{total}")
        editor.clear()
        editor.send_keys("History message, edited")
        ana.find(f"#message-{total} form button[type=submit]").click()
        wait_for(lambda: "(edited)" in ana.text_of(f"#message-{total}"), "the edit marker")
        # A reaction and a pin from the message's actions.
        ana.find(f"#message-{total - 1}").find_element(By.XPATH, ".//button[text()='React']").click()
        ana.find(f"#message-{total - 1}").find_element(By.CSS_SELECTOR, "button[aria-label='React with thumbsup']").click()
        wait_for(lambda: ana.all(f"#message-{total - 1} .reaction[aria-pressed='true']"), "Ana's reaction, pressed")
        ana.find(f"#message-{total - 1}").find_element(By.XPATH, ".//button[text()='Pin']").click()
        wait_for(lambda: "Pinned" in ana.text_of(f"#message-{total - 1}"), "the pinned flag")
        wait_for(lambda: "1 pinned" in ana.text_of(".channel-header"), "the header's pin count")
        message = self.node.call("GET", f"{base}/messages/{total - 1}", user="ana")["message"]
        check(message["pinned"] and message["reactions"] == [{"emoji": "thumbsup", "users": ["ana"]}],
              f"the server has the pin and the reaction: {message}")
        # Inés, the course's instructor, deletes it with the moderator action.
        ines = self.browser("ines")
        ines.go(self.channel_fragment(self.chatter))
        wait_for(lambda: "History message, edited" in ines.text_of(f"#message-{total}"), "the edit, live, in Inés's view")
        target = ines.find(f"#message-{total}")
        ines.driver.execute_script("arguments[0].scrollIntoView()", target)
        ines.driver.execute_script("window.confirm = () => true")  # the browser's confirm dialog, answered yes
        target.find_element(By.XPATH, ".//button[text()='Delete (moderator)']").click()
        for browser in (ines, ana):
            wait_for(lambda browser=browser: "This message was deleted." in browser.text_of(f"#message-{total}"),
                     f"the tombstone in {browser.name}'s view")
        message = self.node.call("GET", f"{base}/messages/{total}", user="ana")["message"]
        check(message["deleted"] and message["deleted_by"] == "ines", f"deleted by the moderator: {message}")

    def decorate_for_screenshots(self):
        """A reply, reactions and a pin, so the channel view shows what it can do."""
        ines = self.browser("ines")
        ines.go(self.channel_fragment(self.channel))
        ines.wait("#message-input")
        base = f"/v1/workspaces/{self.workspace}/channels/{self.channel}/messages"
        first = self.node.call("GET", base + "?limit=1", user="ana")["messages"][0]["sequence"]
        self.node.call("POST", base, {"text": "Great! I will take the literature review.", "thread_root": first}, user="ana")
        self.node.call("PUT", f"{base}/{first}/reactions/thumbsup", user="ana")
        self.node.call("PUT", f"{base}/{first}/reactions/tada", user="ines")
        self.node.call("PUT", f"{base}/{first}/pin", user="ines")
        self.node.call("POST", base, {"text": "Draft outline: https://example.org/outline — comments welcome @ines"}, user="ana")
        wait_for(lambda: ines.count_messages("Draft outline: https://example.org/outline — comments welcome @ines") == 1,
                 "Ana's message in Inés's browser")
        wait_for(lambda: ines.all(".reaction"), "the reactions, live")
        ines.screenshot(self.screenshots, "channel.png")
        ines.find(".replies-link").click()
        ines.wait(".thread-panel .thread-replies .message", "the thread's reply")
        ines.screenshot(self.screenshots, "thread.png")
        ines.go(self.channel_fragment(self.channel))

    def test_reconnect_after_node_restart(self):
        """Ana's browser is offline while the node restarts and messages are posted; after it
        reconnects, each message is on screen exactly once."""
        ana = self.browser("ana")
        ana.go(self.channel_fragment(self.channel))
        ana.wait("#message-input")
        wait_for(lambda: ana.status() == "live", "Ana's event stream")
        before = f"Before the restart ({uuid.uuid4().hex[:6]})"
        box = ana.find("#message-input")
        box.send_keys(before)
        box.send_keys(Keys.ENTER)
        wait_for(lambda: ana.count_messages(before) == 1, "Ana's own message")
        # Ana's laptop loses the network while the node crashes and comes back.
        ana.driver.execute_cdp_cmd("Network.enable", {})
        ana.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                   {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        self.node.kill()
        wait_for(lambda: ana.status() == "offline", "Ana's browser to notice the dropped connection")
        self.node.start()
        missed = [f"Posted while Ana was offline #{n} ({uuid.uuid4().hex[:6]})" for n in (1, 2, 3)]
        base = f"/v1/workspaces/{self.workspace}/channels/{self.channel}/messages"
        for text in missed:
            self.node.call("POST", base, {"text": text, "client_msg_id": uuid.uuid4().hex}, user="ines")
        check(ana.status() != "live", "the messages were posted while Ana's browser was disconnected")
        check(all(ana.count_messages(text) == 0 for text in missed), "nothing arrived while offline")
        ana.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                   {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        wait_for(lambda: ana.status() == "live", "Ana's browser to reconnect", seconds=20)
        for text in missed:
            wait_for(lambda text=text: ana.count_messages(text) >= 1, f"'{text}' after the reconnect")
        after = f"After the restart ({uuid.uuid4().hex[:6]})"
        self.node.call("POST", base, {"text": after}, user="ines")
        wait_for(lambda: ana.count_messages(after) == 1, "a live message after the reconnect")
        counts = {text: ana.count_messages(text) for text in [self.first_message, before, *missed, after]}
        check(all(count == 1 for count in counts.values()), f"every message exactly once: {counts}")
        order = ana.driver.execute_script(
            "return [...document.querySelectorAll('.channel-column .message')].map((e) => Number(e.dataset.sequence))")
        check(order == sorted(order) and len(order) == len(set(order)), f"messages in sequence order, no repeats: {order}")
        view = f"/v1/workspaces/{self.workspace}/channels/{self.channel}"
        wait_for(lambda: self.node.call("GET", view, user="ana")["channel"]["unread_count"] == 0,
                 "Ana's read marker to move past what she saw after the reconnect")

    def test_join_button_only_inside_window(self):
        """The Online Event page shows Join only once the server's clock reaches the window; the
        countdown runs on the server's clock (three days ahead of the browser's)."""
        node = self.node
        sessions = f"/v1/workspaces/{self.workspace}/sessions"
        listing = node.call("GET", sessions, user="ines")
        window_minutes = listing["join_window_minutes"]
        server_now = parse_time(listing["server_time"])
        start = (int(server_now) // 60 + 120) * 60  # two hours ahead, on a whole minute
        created = node.call("POST", sessions, {
            "title": "Office hours: unit 3", "agenda": "Questions about the brief.", "provider": "link",
            "join_url": "https://meet.example.org/quad-office-hours", "meeting_number": "842 1234 5678",
            "password": "quad-7", "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
            "time_zone": "Europe/Madrid", "duration_minutes": 45, "host_ids": ["ines"]}, user="ines")
        session = created["session"]["id"]
        ana = self.browser("ana")
        ana.go(f"#/w/{self.workspace}/sessions/{session}")
        ana.wait("#countdown", "the countdown")
        countdown = wait_for(lambda: "Join opens in" in ana.text_of("#countdown") and ana.text_of("#countdown"),
                             "the countdown text")
        check(" d " not in countdown and countdown.split()[-1].startswith("01:"),
              f"the countdown is from the server's clock (about 1:45), not the browser's: {countdown}")
        check(not ana.all("#join-button") and "quad-7" not in ana.text(), "no Join button or password outside the window")
        check("842 1234 5678" in ana.text() and "Europe/Madrid" in ana.text() and "Inés Instructor" in ana.text(),
              "meeting number, time zone and host are shown")
        # Move the server's clock to 6 seconds before the window opens, and reload the page.
        lead_seconds = 6
        opens = start - window_minutes * 60
        node.kill()
        node.clock_offset_seconds = int(opens - lead_seconds - time.time())
        node.start()
        ana.driver.refresh()
        ana.wait("#countdown", "the countdown after the clock moved")
        countdown = wait_for(lambda: "Join opens in 00:00:0" in ana.text_of("#countdown") and ana.text_of("#countdown"),
                             "a countdown of seconds")
        check(not ana.all("#join-button"), "no Join button before the window")
        shown = time.monotonic()
        remaining = int(countdown.split(":")[-1])
        button = ana.wait("#join-button", "the Join button once the window opens", seconds=lead_seconds + 8)
        elapsed = time.monotonic() - shown
        check(elapsed >= remaining - 1.5, f"Join appeared {elapsed:.1f}s after a countdown of {remaining}s: too early")
        view = node.call("GET", f"{sessions}/{session}", user="ana")["session"]
        check(view["join_window_open"], "the server agrees the window is open")
        check(button.get_attribute("href") == "https://meet.example.org/quad-office-hours", "Join links to the meeting")
        wait_for(lambda: "quad-7" in ana.text(), "the password inside the window")
        ana.screenshot(self.screenshots, "live-session.png")
        # Add to calendar: the personal feed link, which a calendar app can read.
        ana.find(".calendar button").click()
        feed = ana.wait("#feed-link", "the calendar feed link")
        check(feed.get_attribute("href").startswith("webcal://"), "a webcal: link for calendar apps")
        import urllib.request
        with urllib.request.urlopen(ana.find(".feed-url").get_attribute("value")) as answer:
            calendar = answer.read().decode()
        check(answer.headers["Content-Type"].startswith("text/calendar") and "Office hours: unit 3" in calendar,
              "the feed lists the session")

    def test_phone_width(self):
        """Under 700px the sidebar collapses behind a menu button that opens and closes it."""
        ana = self.browser("ana")
        ana.driver.set_window_size(*PHONE)
        ana.go(self.channel_fragment(self.channel))
        ana.wait("#message-input")
        toggle = ana.wait(".menu-toggle", "the menu button at phone width")
        sidebar = ana.find("#sidebar")
        wait_for(lambda: sidebar.rect["x"] + sidebar.rect["width"] <= 1, "the sidebar to be off screen")
        ana.screenshot(self.screenshots, "phone-channel.png")
        toggle.click()
        wait_for(lambda: ana.find("#sidebar").rect["x"] >= 0, "the sidebar to slide in")
        check(toggle.get_attribute("aria-expanded") == "true", "the button says the menu is open")
        ana.screenshot(self.screenshots, "phone-sidebar.png")
        ana.find(f"#sidebar a[data-channel='{self.chatter}']").click()
        wait_for(lambda: toggle.get_attribute("aria-expanded") == "false", "the menu to close after choosing")
        ana.driver.set_window_size(*DESKTOP)

    def test_assets_are_versioned_and_cached(self):
        """/ is revalidated; assets under /app/<version>/ are immutable; another version is 404."""
        import urllib.request
        import urllib.error
        with urllib.request.urlopen(self.node.url + "/") as answer:
            page = answer.read().decode()
            check(answer.headers["Cache-Control"] == "no-cache", "/ is no-cache")
        version = page.split("/app/")[1].split("/")[0]
        with urllib.request.urlopen(f"{self.node.url}/app/{version}/app.js") as answer:
            check("immutable" in answer.headers["Cache-Control"] and "max-age=31536000" in answer.headers["Cache-Control"],
                  f"assets are immutable: {answer.headers['Cache-Control']}")
            check(answer.headers["Content-Type"].startswith("text/javascript") or "javascript" in answer.headers["Content-Type"],
                  "app.js is JavaScript")
        try:
            urllib.request.urlopen(f"{self.node.url}/app/0000000000/app.js")
            raise Failure("another version's asset was served")
        except urllib.error.HTTPError as error:
            check(error.code == 404, "another version is 404")


    def test_no_script_errors(self):
        """No page threw an uncaught exception or broke its Content-Security-Policy during the whole suite."""
        errors = {name: browser.script_errors() for name, browser in self.browsers.items()}
        check(not any(errors.values()), f"uncaught script errors: {errors}")


def parse_time(text):
    """RFC 3339 UTC with milliseconds (server_time) to seconds since 1970."""
    import calendar
    base, fraction = text.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + int(fraction) / 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("quad")
    parser.add_argument("--screenshots")
    arguments = parser.parse_args()
    if arguments.screenshots:
        os.makedirs(arguments.screenshots, exist_ok=True)
    started = time.monotonic()
    node = QuadNode(arguments.quad, clock_offset_seconds=SERVER_CLOCK_OFFSET_SECONDS,
                    names={"admin": "Administrator", "ines": "Inés Instructor", "ana": "Ana", "ben": "Ben"})
    suite = Suite(node, arguments.screenshots)
    steps = [suite.test_assets_are_versioned_and_cached, suite.test_first_course_as_administrator, suite.test_sign_in,
             suite.test_create_private_channel_from_dialog,
             suite.test_post_appears_in_other_session_within_a_second,
             suite.test_non_member_cannot_open_private_channel, suite.test_direct_message_with_unread_and_mention_badges,
             suite.test_history_edits_and_moderation, suite.decorate_for_screenshots,
             suite.test_reconnect_after_node_restart, suite.test_join_button_only_inside_window,
             suite.test_phone_width, suite.test_no_script_errors]
    failures = 0
    try:
        node.start()
        suite.setup_workspace()
        for step in steps:
            step_started = time.monotonic()
            try:
                step()
                print(f"PASS {step.__name__} ({time.monotonic() - step_started:.1f}s)", flush=True)
            except Exception as error:  # noqa: BLE001 - every failure is reported, then the suite stops
                failures += 1
                print(f"FAIL {step.__name__}: {error}", flush=True)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                for name, browser in suite.browsers.items():
                    browser.screenshot(os.environ.get("QUAD_BROWSER_FAILURES", "/tmp"), f"failure-{name}.png")
                break  # later scenarios build on earlier ones
    finally:
        for browser in suite.browsers.values():
            browser.quit()
        node.stop()
        if failures:
            print(f"node log: {node.log_path}")
        else:
            node.remove()
    print(f"browser tests: {len(steps) if not failures else 'stopped at a failure'}; "
          f"{'FAILED' if failures else 'all passed'} in {time.monotonic() - started:.0f}s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
