"""The review desk in a real browser (docs/desk.md, docs/serve.md): Debian's
chromium driven over DevTools by tests/browser.py, against a real
`attache serve` on loopback with its SQLite data folder, publishing to the
loopback upload server (tests/server/fake_social.py).

A preparer and a reviewer each use their own browser context (their own
cookies), and everything happens by clicks, typing and a drop of real
phone photos (../shared/samples/phone): no API call is made by the test
on their behalf. The oracles are independent of the page: the upload
server's record of what it received (alt text per media, by SHA-256 of
the bytes), the served image files' pixels (ImageMagick's compare), axe-core
for accessibility, data/messages.ini read back with configparser for the
page's words."""
import configparser
import hashlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import browser
import desklib
import lib
import uploadlib

AXE = os.path.join(lib.ROOT, "tests", "js", "node_modules", "axe-core", "axe.min.js")
PHOTOS = ("apple-iphone-5_o3_gps_thumb.jpg", "samsung-sm-j327t1_o6_thumb.jpg",
          "huawei-pura-80_xmp_odd-size.jpg")
PRESETS = "x-square,mastodon"
# (no backslash: browsers send it as it is, and libsoup's quoted-string
# parsing takes it for an escape)
EVIL_NAME = '"><img src=x onerror=window.__pwned=1><script>window.__pwned=2.jpg'
EVIL_ALT = 'Un marché <script>window.__pwned=3</script> "><img src=x onerror=window.__pwned=4>'


def start_desk(root, social):
    """`attache serve` (tests/desklib.py) on a fresh data folder with the
    accounts amina (preparer) and li (reviewer), publishing to @social."""
    env = {k: None for k in uploadlib.UPLOAD_VARS}
    env.update(uploadlib.FAST)
    desk = desklib.Desk(root, "--presets", PRESETS, "--jobs", "2", env=env)
    x = uploadlib.credentials(social, "x")
    m = uploadlib.credentials(social, "mastodon")
    creds = os.path.join(desk.data, "credentials.ini")
    with open(os.open(creds, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("[x]\napi = %s\nconsumer_key = %s\nconsumer_secret = %s\naccess_token = %s\naccess_secret = %s\n"
                "[mastodon]\nurl = %s\ntoken = %s\n" % (
                    x["ATTACHE_X_API"], x["ATTACHE_X_CONSUMER_KEY"], x["ATTACHE_X_CONSUMER_SECRET"],
                    x["ATTACHE_X_ACCESS_TOKEN"], x["ATTACHE_X_ACCESS_SECRET"],
                    m["ATTACHE_MASTODON_URL"], m["ATTACHE_MASTODON_TOKEN"]))
    desk.start()
    desk.url = "http://127.0.0.1:%d" % desk.port
    return desk


def get(desk, path):
    """GET @path without a session: the page's public files."""
    with urllib.request.urlopen(desk.url + path, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


def messages():
    c = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=("#",))
    c.optionxform = str
    with open(os.path.join(lib.ROOT, "data", "messages.ini"), encoding="utf-8") as f:
        c.read_file(f)
    return c


def login(tab, name, wrong_first=False):
    """Signs in from the keyboard alone: the name field has the focus, Tab
    goes to the password, Enter sends."""
    tab.wait_for("document.activeElement && document.activeElement.id === 'login-name'", what="the login form's focus")
    tab.send("Input.insertText", {"text": name})
    tab.key("Tab")
    lib.assert_eq(tab.evaluate("document.activeElement.id"), "login-password", "Tab from the name")
    if wrong_first:
        tab.send("Input.insertText", {"text": "not-" + desklib.PASSWORD})
        tab.key("Enter")
        said = tab.wait_for("document.querySelector('#login-error').textContent", what="the refusal")
        lib.assert_eq(said, messages()["desk.login.failed"]["en"], "a wrong password")
        tab.focus("#login-password")
        tab.evaluate("document.activeElement.select()")
    tab.send("Input.insertText", {"text": desklib.PASSWORD})
    tab.key("Enter")
    tab.wait_for("document.querySelector('#queue')", what=name + "'s queue")


# What the test reads of the page (the DOM, as rendered).
PHOTO_FACTS = r"""(() => {
  const outs = [...document.querySelectorAll('#photo article.output')].map(a => {
    const img = a.querySelector('img.output-img');
    return {id: a.dataset.id, preset: a.dataset.preset, lang: a.dataset.lang, state: a.dataset.state,
            sha256: a.dataset.sha256, alt: img.getAttribute('alt'), src: img.getAttribute('src'),
            loaded: img.complete && img.naturalWidth > 0, naturalWidth: img.naturalWidth,
            flags: [...a.querySelectorAll('li.flag')].map(l => l.textContent),
            comments: [...a.querySelectorAll('.comment')].map(c => c.textContent),
            result: (a.querySelector('.review-result') || {}).textContent || '',
            media: [...a.querySelectorAll('li.media')].map(l => ({platform: l.dataset.platform,
              id: l.dataset.media || null, state: l.dataset.state, text: l.textContent})),
            grid: !!a.querySelector('.grid-trim')};
  });
  return {id: (document.querySelector('#photo') || {dataset: {}}).dataset.id, outputs: outs,
          title: (document.querySelector('#photo-title') || {}).textContent,
          alts: Object.fromEntries([...document.querySelectorAll('.alt-editor')].map(e =>
            [e.dataset.lang, {value: e.querySelector('textarea').value,
                              counts: [...e.querySelectorAll('.alt-counts li')].map(l => l.textContent)}])),
          history: [...document.querySelectorAll('.history li')].map(l => l.textContent),
          imgs: [...document.images].map(i => i.getAttribute('src')),
          pwned: window.__pwned || null};
})()"""


def photo_facts(tab):
    return tab.evaluate(PHOTO_FACTS)


def queue_facts(tab):
    return tab.evaluate(r"""(() => ({
      cards: [...document.querySelectorAll('.photo-card')].map(c => ({id: c.dataset.id, state: c.dataset.state,
        name: c.querySelector('.name').textContent, why: (c.querySelector('.why') || {}).textContent || null})),
      counts: Object.fromEntries([...document.querySelectorAll('[data-count]')].map(e => [e.dataset.count, e.textContent])),
      uploads: [...document.querySelectorAll('.upload')].map(u => ({file: u.dataset.file, state: u.dataset.state,
        progress: u.querySelector('progress').value, text: u.textContent})),
      imgs: [...document.images].map(i => i.getAttribute('src')),
      pwned: window.__pwned || null}))()""")


def assert_axe_clean(tab, where):
    assert os.path.exists(AXE), "axe-core is not installed in tests/js (make deps runs npm ci there)"
    bad = [v for v in tab.axe(AXE) if v["impact"] in ("serious", "critical")]
    assert not bad, "%s: axe-core found:\n%s" % (where, json.dumps(bad, indent=1, ensure_ascii=False))


def open_photo(tab, pid):
    tab.click('.photo-card[data-id="%s"] a.open' % pid)
    tab.wait_for("""(() => { const o = [...document.querySelectorAll('#photo article.output img')];
      return document.querySelector('#photo') && document.querySelector('#photo').dataset.id === %s &&
        o.length > 0 && o.every(i => i.complete && i.naturalWidth > 0); })()""" % json.dumps(pid),
                 what="the photo view of " + pid)


def open_photo_by_hash(tab, pid):
    """Goes to the photo view by its address (#photo/ID), as a bookmark."""
    tab.evaluate("location.hash = %s" % json.dumps("#photo/" + pid))
    tab.wait_for("""(() => { const p = document.querySelector('#photo'); const o = [...document.querySelectorAll('#photo img')];
      return p && p.dataset.id === %s && o.length > 1 && o.every(i => i.complete && i.naturalWidth > 0); })()""" % json.dumps(pid))


def wait_outputs(tab, pred, what, timeout=90):
    """Waits until @pred(outputs by (preset, lang)) holds on the page, which
    updates itself (no reload); returns the facts."""
    deadline = time.time() + timeout
    while True:
        f = photo_facts(tab)
        by = {(o["preset"], o["lang"]): o for o in f["outputs"]}
        if by and all(o["loaded"] for o in f["outputs"]) and pred(by):
            return f, by
        if time.time() > deadline:
            raise AssertionError("timed out waiting for %s: %s" % (what, json.dumps(f, ensure_ascii=False)[:3000]))
        time.sleep(0.25)


def fetch_bytes(tab, url):
    """The bytes the page's session gets for @url (the output's file)."""
    import base64
    b64 = tab.evaluate("""fetch(%s, {credentials: 'same-origin'}).then(r => r.arrayBuffer()).then(b => {
      let s = ''; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
      return btoa(s); })""" % json.dumps(url))
    return base64.b64decode(b64)


def pixel_difference(a, b, root):
    """ImageMagick's RMSE between two JPEGs (0 = same pixels, 1 = all
    different), after scaling both to 256 x 256."""
    pa, pb = os.path.join(root, "a.jpg"), os.path.join(root, "b.jpg")
    for p, data in ((pa, a), (pb, b)):
        with open(p, "wb") as f:
            f.write(data)
    r = subprocess.run(["compare", "-metric", "RMSE", pa + "[256x256!]", pb + "[256x256!]", "null:"],
                       capture_output=True, text=True)
    # "1234.5 (0.0188)" on stderr
    return float(r.stderr.split("(")[1].split(")")[0])


def test_desk_page_words_are_the_messages_file():
    """/desk/messages/LANG.json is data/messages.ini's language, and the page
    serves nothing from anywhere else."""
    c = messages()
    with lib.TempDir() as root, uploadlib.FakeSocial() as social:
        desk = start_desk(root, social)
        try:
            for lang in ("en", "fr", "es", "ar", "zh", "ru"):
                status, headers, body = get(desk, "/desk/messages/%s.json" % lang)
                lib.assert_eq(status, 200, lang)
                words = json.loads(body)
                for sid in c.sections():
                    lib.assert_eq(words.get(sid), c[sid][lang], "%s.%s" % (sid, lang))
            try:
                get(desk, "/desk/messages/de.json")
                raise AssertionError("a language without words is served")
            except urllib.error.HTTPError as e:
                lib.assert_eq(e.code, 404, "de.json")
            status, headers, body = get(desk, "/desk/")
            csp = headers.get("Content-Security-Policy", "")
            assert "default-src 'self'" in csp, headers
            assert b"<script src=\"/desk/desk.js\"" in body, body[:400]
        finally:
            desk.stop()


def test_desk_story_in_two_browsers():
    phone = lib.phone_photos()
    photos = [p for p in phone if os.path.basename(p) in PHOTOS]
    lib.assert_eq(len(photos), 3, "the three phone photos")
    shots = os.path.join(lib.BUILD, "desk-screenshots")
    os.makedirs(shots, exist_ok=True)
    with lib.TempDir() as root, uploadlib.FakeSocial() as social:
        # a file name that is markup, as a phone or a person may make it (a
        # link to the real photo: the sample is not copied)
        evil = os.path.join(root, EVIL_NAME)
        os.symlink(photos[2], evil)
        drop = photos[:2] + [evil]
        desk = start_desk(root, social)
        b = browser.Browser(timeout=120)
        try:
            amina = b.new_tab(desk.url + "/desk/", isolated=True)
            login(amina, "amina")
            for lang in ("en", "fr"):
                if not amina.evaluate("document.querySelector('#intake-lang-%s').checked" % lang):
                    amina.click("#intake-lang-" + lang)
            amina.drop_files("#drop", drop)
            amina.wait_for("""(() => { const u = [...document.querySelectorAll('.upload')];
              return u.length === 3 && u.every(x => x.dataset.state !== 'sending'); })()""", 120, "three uploads")
            q = queue_facts(amina)
            for u in q["uploads"]:
                lib.assert_eq((u["state"], u["progress"]), ("done", 100), u["text"])
            # the page updates itself while the server prepares them
            amina.wait_for("""(() => { const c = [...document.querySelectorAll('.photo-card')];
              return c.length === 3 && c.every(x => x.dataset.state !== 'processing'); })()""", 180, "three prepared photos")
            q = queue_facts(amina)
            names = sorted(c["name"] for c in q["cards"])
            lib.assert_eq(names, sorted(os.path.basename(p) for p in drop), "the queue's names, as text")
            assert q["pwned"] is None and "x" not in q["imgs"], q
            lib.assert_eq(q["counts"]["all"], "3", "count")
            waiting = sum(int(q["counts"][s]) for s in ("review", "attention"))
            lib.assert_eq(waiting, 3, "waiting for review or attention: %r" % q["counts"])
            amina.screenshot(os.path.join(shots, "queue.png"))
            assert_axe_clean(amina, "queue (en)")

            by_name = {c["name"]: c["id"] for c in q["cards"]}
            pid = by_name[os.path.basename(photos[0])]
            open_photo(amina, pid)
            f, by = wait_outputs(amina, lambda by: len(by) == 4, "four outputs")
            lib.assert_eq(sorted(by), sorted((p, l) for p in PRESETS.split(",") for l in ("en", "fr")), "outputs")

            # the focus point: a click far to the left remakes the cover crop
            sq = by[("x-square", "en")]
            before = fetch_bytes(amina, sq["src"])
            amina.click("#preview", 0.08, 0.5)
            f, by = wait_outputs(amina, lambda by: by[("x-square", "en")]["sha256"] != sq["sha256"], "a new x-square crop")
            after = fetch_bytes(amina, by[("x-square", "en")]["src"])
            lib.assert_eq(hashlib.sha256(after).hexdigest(), by[("x-square", "en")]["sha256"], "served bytes")
            diff = pixel_difference(before, after, root)
            assert diff > 0.05, "the crop did not change: RMSE %.4f" % diff

            # alt text: English and French, typed, counted live, saved
            amina.type("#alt-en", "A market at dawn, stalls under tarpaulins")
            amina.type("#alt-fr", EVIL_ALT)
            counts = photo_facts(amina)["alts"]["fr"]["counts"]
            assert counts and all(str(len(EVIL_ALT)) in c for c in counts), counts
            amina.click('.alt-save[data-lang="en"]')
            wait_outputs(amina, lambda by: by[("x-square", "en")]["alt"].startswith("A market at dawn"), "English alt")
            amina.click('.alt-save[data-lang="fr"]')
            f, by = wait_outputs(amina, lambda by: all(by[(p, "fr")]["alt"] == EVIL_ALT for p in PRESETS.split(",")),
                                 "French alt on the French outputs")
            for p in PRESETS.split(","):
                lib.assert_eq(by[(p, "en")]["alt"], "A market at dawn, stalls under tarpaulins", p + " en keeps its own")
            assert f["pwned"] is None and "x" not in f["imgs"], f
            amina.screenshot(os.path.join(shots, "photo.png"))
            assert_axe_clean(amina, "photo view (en)")

            # the preparer's own Approve is refused (by the server)
            amina.click('article.output[data-preset="mastodon"][data-lang="en"] button.approve')
            f, by = wait_outputs(amina, lambda by: by[("mastodon", "en")]["result"], "the refusal")
            assert "someone else" in by[("mastodon", "en")]["result"], by[("mastodon", "en")]
            assert by[("mastodon", "en")]["state"] != "approved", by[("mastodon", "en")]

            # the reviewer, in another browser context, requests changes
            li = b.new_tab(desk.url + "/desk/", isolated=True)
            login(li, "li", wrong_first=True)
            li.wait_for("document.querySelector('.photo-card[data-id=\"%s\"]')" % pid)
            open_photo(li, pid)
            sel = 'article.output[data-preset="x-square"][data-lang="fr"]'
            comment = "Le texte alternatif contient du code : décrivez la scène"
            li.type(sel + " textarea.comment-box", comment)
            li.click(sel + " button.changes")
            wait_outputs(li, lambda by: by[("x-square", "fr")]["state"] == "changes", "changes requested")

            # the preparer sees the comment without a reload, and fixes it
            wait_outputs(amina, lambda by: any(comment in c for c in by[("x-square", "fr")]["comments"]), "the comment")
            fixed = "Un marché à l'aube, des étals sous des bâches"
            amina.type("#alt-fr", fixed)
            amina.click('.alt-save[data-lang="fr"]')
            wait_outputs(amina, lambda by: by[("x-square", "fr")]["alt"] == fixed, "the fixed French alt")

            # the reviewer approves the whole photo (flagged outputs need the
            # deliberate tick), then publishes each output
            f, by = wait_outputs(li, lambda by: by[("x-square", "fr")]["alt"] == fixed, "the fix on the reviewer's page")
            if li.evaluate("!!document.querySelector('#photo-sure')"):
                li.click("#photo-sure")
            li.click(".photo-review button.approve")
            f, by = wait_outputs(li, lambda by: all(o["state"] == "approved" for o in by.values()), "all approved")
            for (preset, lang) in sorted(by):
                li.click('article.output[data-preset="%s"][data-lang="%s"] button.publish-button' % (preset, lang))
            f, by = wait_outputs(li, lambda by: all(any(m["id"] for m in o["media"]) for o in by.values()),
                                 "media ids on every output")
            li.screenshot(os.path.join(shots, "photo-published.png"))

            # what the platforms received: each output's own alt text
            st = social.state()
            got = {m["sha256"]: m.get("alt") for m in st["x_media"].values()}
            got.update({m["sha256"]: m.get("description") for m in st["mastodon_media"].values()})
            for (preset, lang), o in by.items():
                want = fixed if lang == "fr" else "A market at dawn, stalls under tarpaulins"
                lib.assert_eq(got.get(o["sha256"]), want, "alt received for %s %s" % (preset, lang))

            # a flagged output (the second photo has no alt text) needs a
            # deliberate tick before its Approve does anything
            li.click("a.back")
            li.wait_for("document.querySelector('.photo-card')")
            other = by_name[os.path.basename(photos[1])]
            open_photo(li, other)
            sel = 'article.output[data-preset="x-square"][data-lang="en"]'
            f, by = wait_outputs(li, lambda by: by[("x-square", "en")]["flags"], "the flags in words")
            assert any("No alt text" in t for t in by[("x-square", "en")]["flags"]), by[("x-square", "en")]
            assert li.evaluate("document.querySelector('%s button.approve').disabled" % sel), "Approve without the tick"
            li.click(sel + " button.approve")
            time.sleep(1)
            states = {(o["preset"], o["lang"]): o["state"] for o in photo_facts(li)["outputs"]}
            lib.assert_eq(states[("x-square", "en")], "waiting", "a click on the disabled Approve")
            li.click(sel + " input.sure")
            assert not li.evaluate("document.querySelector('%s button.approve').disabled" % sel), "Approve after the tick"
            li.click(sel + " button.approve")
            wait_outputs(li, lambda by: by[("x-square", "en")]["state"] == "approved", "the deliberate approval")
            open_photo_by_hash(li, pid)

            # Arabic: right to left, and still no serious violation
            for tab, where in ((li, "photo view"),):
                tab.evaluate("(() => { const s = document.getElementById('page-lang'); s.value = 'ar';"
                             " s.dispatchEvent(new Event('change')); })()")
                tab.wait_for("document.documentElement.dir === 'rtl' && document.querySelector('#photo article.output')")
                assert_axe_clean(tab, where + " (ar)")
                tab.screenshot(os.path.join(shots, "photo-ar.png"))
            li.click("a.back")
            li.wait_for("document.querySelector('#queue')")
            assert_axe_clean(li, "queue (ar)")
            li.screenshot(os.path.join(shots, "queue-ar.png"))
            c = messages()
            assert c["desk.queue"]["ar"] in li.evaluate("document.body.innerText")
            for tab in (amina, li):
                lib.assert_eq(tab.console_errors(), [], "no script errors")
                foreign = [u for u in tab.requests() if not u.startswith((desk.url + "/", "data:"))]
                lib.assert_eq(foreign, [], "requests outside the desk")
        finally:
            b.close()
            desk.stop()
        log = "".join(desk.log)
        for secret in social.secrets() + [desklib.PASSWORD]:
            assert secret not in log, "a secret in the server's log"


def test_desk_instagram_grid_and_keyboard_focus():
    """A 4:5 Instagram output shows the profile grid's 3:4 middle; the focus
    point is set from the keyboard alone (Tab to the preview, arrows, Enter),
    in the Arabic page, where the arrows follow the layout."""
    photo = [p for p in lib.phone_photos() if os.path.basename(p) == PHOTOS[1]][0]
    with lib.TempDir() as root, uploadlib.FakeSocial() as social:
        desk = start_desk(root, social)
        try:
            api = desk.session("amina")
            r = api.upload(photo, presets="instagram-portrait,x-square", lang="ar", alt_ar="سوق في الصباح")
            lib.assert_eq(r.status, 202, r)
            pid = r.json()["id"]
            api.wait_prepared(pid)
            with browser.Browser() as b:
                tab = b.new_tab(desk.url + "/desk/")
                login(tab, "amina")
                # updates come over the event stream (polling only while it is down)
                tab.wait_for("window.attacheDesk.live === 'stream' && !window.attacheDesk.poll", 10, "the event stream")
                tab.evaluate("(() => { const s = document.getElementById('page-lang'); s.value = 'ar';"
                             " s.dispatchEvent(new Event('change')); })()")
                tab.wait_for("document.documentElement.dir === 'rtl' && document.querySelector('.photo-card')")
                open_photo(tab, pid)
                trim = tab.evaluate("""(() => {
                  const a = document.querySelector('article.output[data-preset="instagram-portrait"]');
                  const i = a.querySelector('img.output-img').getBoundingClientRect();
                  const t = a.querySelector('.grid-trim').getBoundingClientRect();
                  return {iw: i.width, ih: i.height, tw: t.width, th: t.height, left: t.left - i.left,
                          right: i.right - t.right,
                          square: !!document.querySelector('article.output[data-preset="x-square"] .grid-trim')}; })()""")
                assert abs(trim["tw"] / trim["th"] - 0.75) < 0.01, trim
                assert abs(trim["left"] - trim["right"]) < 1.5, trim
                assert abs(trim["ih"] - trim["th"]) < 1.5, trim
                assert not trim["square"], "a grid trim on a square output"
                # the Arabic words and the alt text in its own language
                c = messages()
                text = tab.evaluate("document.body.innerText")
                assert c["desk.photo.outputs"]["ar"] in text, text[:500]
                lib.assert_eq(photo_facts(tab)["alts"]["ar"]["value"], "سوق في الصباح", "the Arabic alt")
                assert_axe_clean(tab, "photo view (ar), instagram")
                # the live count: over a platform's limit it says so, in words
                tab.type("#alt-ar", "ص" * 1001)
                over = tab.evaluate("[...document.querySelectorAll('#alt-ar-counts li')].map(l => "
                                    "[l.classList.contains('over'), l.dataset.limit, l.textContent])")
                assert over, over
                for is_over, limit, text in over:
                    lib.assert_eq(is_over, int(limit) < 1001, text)
                    if is_over:
                        lead = c["desk.output.over"]["ar"].split("{count}")[1].split("{limit}")[0]
                        assert "1001" in text and lead in text, text
                tab.type("#alt-ar", "سوق في الصباح")

                before = api.photo(pid)["options"].get("focus")
                tab.focus("#photo-title")
                for _ in range(40):
                    tab.key("Tab")
                    if tab.evaluate("document.activeElement.id") == "focus":
                        break
                lib.assert_eq(tab.evaluate("document.activeElement.id"), "focus", "Tab reaches the preview")
                for _ in range(10):
                    tab.key("ArrowLeft")  # right to left: towards the end of the line, the right
                tab.key("Enter")

                def moved():
                    f = api.photo(pid)["options"].get("focus")
                    return f if f and f != before else None
                focus = lib.wait_for(moved, 30, "the focus set from the keyboard")
                x, y = (float(v) for v in focus.split(","))
                assert abs(x - 0.7) < 0.02 and abs(y - 0.5) < 0.02, focus
                # redrawn from the server's answer, the mark stays where it was set
                tab.navigate(desk.url + "/desk/?again#photo/" + pid)
                tab.wait_for("document.querySelector('#photo .focus-mark')")
                left = tab.evaluate("parseFloat(document.querySelector('#photo .focus-mark').style.left)")
                assert abs(left - 70) < 2, left

                # the file picker; a file that is no photo is refused with
                # the server's reason, and a damaged photo fails in words
                notes = os.path.join(root, "notes.jpg")
                with open(notes, "w") as f:
                    f.write("shopping list\n")
                damaged = [p for p in lib.phone_photos() if "truncated" in p][0]
                tab.click("a.back")
                tab.wait_for("document.querySelector('#intake-files')")
                tab.set_files("#intake-files", [notes, damaged])
                tab.wait_for("""(() => { const u = [...document.querySelectorAll('.upload')];
                  return u.length === 2 && u.every(x => x.dataset.state !== 'sending'); })()""", 60, "two uploads")
                ups = {u["file"]: u for u in queue_facts(tab)["uploads"]}
                lib.assert_eq(ups["notes.jpg"]["state"], "failed", ups)
                assert c["failure.unsupported"]["ar"] in ups["notes.jpg"]["text"], ups["notes.jpg"]
                tab.wait_for("document.querySelector('.photo-card[data-state=\"failed\"] .why')", 120, "the failed photo")
                why = tab.evaluate("document.querySelector('.photo-card[data-state=\"failed\"] .why').textContent")
                # the library's code said in the page's language, from the messages file
                lib.assert_eq(why, c["desk.failed.why"]["ar"].replace("{reason}", c["failure.input"]["ar"]), "why, in Arabic")
                shots = os.path.join(lib.BUILD, "desk-screenshots")
                os.makedirs(shots, exist_ok=True)
                tab.screenshot(os.path.join(shots, "queue-failed-ar.png"), full_page=False)
                lib.assert_eq(tab.console_errors(), [], "no script errors")
        finally:
            desk.stop()


def test_desk_publish_unknown_outcome_retried_on_request():
    """A publish whose answer was lost shows as unknown with a Retry button
    and no Publish button; Retry sends it again and the media id shows."""
    photo = [p for p in lib.phone_photos() if os.path.basename(p) == PHOTOS[0]][0]
    with lib.TempDir() as root, uploadlib.FakeSocial() as social:
        desk = start_desk(root, social)
        try:
            # set up through the API: a prepared, approved photo
            amina, li_api = desk.session("amina"), desk.session("li")
            pid = amina.upload(photo, presets="mastodon", alt="A field clinic").json()["id"]
            (o,) = amina.wait_prepared(pid)["outputs"]
            r = li_api.post("/api/v1/outputs/%s/review" % o["id"], {"decision": "approve", "confirm": True})
            lib.assert_eq(r.status, 200, r)
            social.fault("POST", "/api/v2/media", "drop_after")
            with browser.Browser() as b:
                li = b.new_tab(desk.url + "/desk/")
                login(li, "li")
                open_photo(li, pid)
                sel = 'article.output[data-preset="mastodon"]'
                li.click(sel + " button.publish-button")
                f, by = wait_outputs(li, lambda by: any(m["state"] == "unknown" for m in by[("mastodon", "")]["media"])
                                     if ("mastodon", "") in by else False, "the unknown outcome", timeout=60)
                c = messages()
                (m,) = by[("mastodon", "")]["media"]
                want = c["desk.publish.unknown"]["en"].replace("{platform}", "mastodon")
                assert want in m["text"], m
                assert li.evaluate("!document.querySelector('%s button.publish-button')" % sel), "Publish offered again"
                lib.assert_eq(len(social.state()["mastodon_media"]), 1, "the platform holds one")
                li.click(sel + " button.retry")
                f, by = wait_outputs(li, lambda by: any(m["id"] for m in by[("mastodon", "")]["media"]),
                                     "the media id after the retry", timeout=60)
                lib.assert_eq(len(social.state()["mastodon_media"]), 2, "sent again only when asked")
                lib.assert_eq(li.console_errors(), [], "no script errors")
        finally:
            desk.stop()


def test_desk_masks_drawn_by_mouse_and_keyboard():
    """On the photo view's stripped preview: the faces found are drawn; a
    box drawn by a mouse drag lands where it was drawn (fractions of the
    photo) and a box added from the keyboard moves and grows with the
    arrow keys; face 1's tick box is cleared with the space bar; Save
    makes the output again, where OpenCV (tests/cv_oracle.py) finds both
    boxes black, and the output is flagged faces-visible in words."""
    src = os.path.join(os.path.normpath(os.path.join(lib.ROOT, "..", "shared", "samples", "faces")), "2008_001009.jpg")
    if not os.path.exists(src):
        lib.skip("../shared/samples/faces is absent")
    oracle = os.path.join(lib.ROOT, "tests", "cv_oracle.py")
    with lib.TempDir() as root, uploadlib.FakeSocial() as social:
        desk = start_desk(root, social)
        try:
            api = desk.session("amina")
            pid = api.upload(src, presets="mastodon", alt="Two people at a table", protect="true").json()["id"]
            p = api.wait_prepared(pid)
            faces = p["faces"]
            assert faces and p["faces_protected"], p
            (o,) = p["outputs"]

            def stats(data, box, inset=3):
                path = os.path.join(root, "o.jpg")
                with open(path, "wb") as f:
                    f.write(data)
                px = [round(box["x"] * o["width"]) + inset, round(box["y"] * o["height"]) + inset,
                      round(box["w"] * o["width"]) - 2 * inset, round(box["h"] * o["height"]) - 2 * inset]
                return json.loads(subprocess.run(["/usr/bin/python3", oracle, "stats", path] + [str(v) for v in px],
                                                 capture_output=True, text=True, check=True).stdout)
            with browser.Browser() as b:
                tab = b.new_tab(desk.url + "/desk/")
                login(tab, "amina")
                open_photo(tab, pid)
                drawn = tab.evaluate("[...document.querySelectorAll('#focus .face-box')].map(f => f.dataset.n)")
                lib.assert_eq(drawn, [str(f["n"]) for f in faces], "the faces drawn over the preview")
                before = fetch_bytes(tab, o["url"])
                # the mouse: drawing mode, then a drag
                tab.click("#mask-draw")
                lib.assert_eq(tab.evaluate("document.querySelector('#mask-draw').getAttribute('aria-pressed')"), "true",
                              "drawing mode, said to screen readers")
                tab.drag("#preview", (0.10, 0.70), (0.40, 0.92), steps=6)
                m = tab.evaluate("window.attacheDesk.masks.map(m => ({...m}))")
                lib.assert_eq(len(m), 1, m)
                for k, want in (("x", 0.10), ("y", 0.70), ("w", 0.30), ("h", 0.22)):
                    assert abs(m[0][k] - want) < 0.02, ("the drawn box is not where the mouse went", m[0])
                assert stats(before, m[0])["std"] > 8, "the test needs a box that is not black already"
                # the keyboard: add a box, move it and make it wider
                tab.focus("#mask-add")
                tab.key("Enter")
                lib.assert_eq(tab.evaluate("document.activeElement.id"), "mask-item-2", "focus on the new box")
                label = tab.evaluate("document.activeElement.getAttribute('aria-label')")
                assert "40" in label and "20" in label, label
                for k in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"):
                    tab.key(k)
                tab.key("ArrowRight", modifiers=8)  # Shift: resize
                tab.key("ArrowRight", modifiers=8)
                k2 = tab.evaluate("({...window.attacheDesk.masks[1]})")
                for k, want in (("x", 0.43), ("y", 0.42), ("w", 0.22), ("h", 0.20)):
                    assert abs(k2[k] - want) < 1e-6, ("arrow keys", k2)
                assert "43" in tab.evaluate("document.activeElement.getAttribute('aria-label')"), "the label follows"
                # face 1 left unmasked, from the keyboard
                tab.focus("#face-1")
                tab.key(" ")
                lib.assert_eq(tab.evaluate("document.querySelector('#face-1').checked"), False, "face 1's tick box")
                tab.focus("#mask-save")
                tab.key("Enter")
                f, by = wait_outputs(tab, lambda by: by[("mastodon", "")]["sha256"] != o["sha256"], "the output made again")
                new = by[("mastodon", "")]
                after = fetch_bytes(tab, new["src"])
                for box in (m[0], k2):
                    st = stats(after, box)
                    assert st["mean"] < 8 and st["std"] < 4, ("a box is not filled", box, st)
                wait_outputs(tab, lambda by: any("Faces visible" in t for t in by[("mastodon", "")]["flags"]),
                             "faces-visible in words")
                saved = api.photo(pid)["masks"]
                lib.assert_eq((len(saved["regions"]), saved["unmask"]), (2, [1]), saved)
                assert_axe_clean(tab, "photo view with masks (en)")
                shots = os.path.join(lib.BUILD, "desk-screenshots")
                os.makedirs(shots, exist_ok=True)
                tab.screenshot(os.path.join(shots, "photo-masks.png"))
                lib.assert_eq(tab.console_errors(), [], "no script errors")
        finally:
            desk.stop()
