"""End-to-end test of the Shorten World API surface under /v1/ (issue 21): a
real admin-api (TLS), a real redis-server and a real redirector, driven as an
integrator of ../shared/reference/shortenworld-api.txt would drive it after
changing only the base URL.

Walked: get token, team / campaign / domain lists, create with UTM and the
page title fetched from a local HTTPS page (titles.example.com, reached
through --title-fetch-connect-to and trusted through --title-fetch-ca),
update, redirect / mobile / expiration / password / A-B settings followed
through the redirector, analytics (metricsMap 1-9), delete; refresh and
revoke; the envelope of 400, 401, 403 and 404 answers. Then retargeting
trackers (the provider and team lists, link trackers added by provider +
pixel id, by team tracker id and as all-trackers, listed by position,
deleted), link lists across every domain or several, campaign lists
across every team, and unknown paths and methods in the envelope.
"""
import datetime
import http.server
import json
import os
import ssl
import subprocess
import threading
import time
import unittest
import urllib.parse

from harness import AdminApi, ProcessGroup, Redis, free_port, wait_until
from test_link_rules_edge import IPHONE, visit
from test_sync import Redirector, redirector_is_wired

PAGE = b"<html><head><meta charset='utf-8'><title>\n  Spring &amp; Summer   Sale </title></head><body>x</body></html>"


class TitlePage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(5)  # answers too late: the fetch's 2 s deadline ends it first
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


def title_server(group):
    """An HTTPS server on 127.0.0.1 with a certificate for titles.example.com; (server, cert)."""
    cert, key = group.path("titles.pem"), group.path("titles.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=titles.example.com", "-addext", "subjectAltName=DNS:titles.example.com",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), TitlePage)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, cert


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class ShortenWorldV1Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.group = ProcessGroup()
        cls.titles, titles_cert = title_server(cls.group)
        cls.redis = Redis(cls.group).start()
        cls.api = AdminApi(cls.group, cls.redis, extra=[
            "--rate-limit", "100000", "--title-fetch-allow-private", "--title-fetch-ca", titles_cert,
            "--title-fetch-connect-to", f"127.0.0.1:{cls.titles.server_address[1]}"])
        cls.key = cls.api.bootstrap()
        cls.api.start()
        node = Redirector(cls.group, "node1", cls.api, cls.redis)
        node.args += ["--analytics", "on"]
        cls.node = node.start()
        status, teams = cls.api.json("GET", "/api/v1/teams", key=cls.key)
        cls.username = [t for t in teams["items"] if t["personal"]][0]["siteName"]

    @classmethod
    def tearDownClass(cls):
        cls.titles.shutdown()
        cls.group.close()

    # --- helpers ---

    def call(self, method, path, params=None, token=None, expect=200):
        """(body) of one /v1 call: parameters as a JSON body (GET and DELETE: the query string)."""
        if method in ("GET", "DELETE"):
            if params:
                path += "?" + urllib.parse.urlencode(params)
            params = None
        status, body = self.api.json(method, path, params, token)
        self.assertEqual(status, expect, body)
        self.assert_envelope(body, 0 if expect == 200 else expect)
        return body

    def assert_envelope(self, body, code):
        self.assertEqual(body["status"]["code"], code, body)
        self.assertRegex(body["status"]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(body["status"]["message"])

    def login(self):
        body = self.call("POST", "/v1/authen/token", {"username": self.username, "key": self.key})
        token = body["token"]
        self.assertEqual(token["expires_in"], 3600)
        self.assertTrue(token["access_token"].startswith("at_v1_"))
        self.assertTrue(token["refresh_token"].startswith("rt_v1_"))
        return token

    def served(self, code, predicate, user_agent=None):
        kw = {"user_agent": user_agent} if user_agent else {}
        wait_until(lambda: predicate(*visit(self.node, "/" + code, **kw)[:2]), timeout=10,
                   what=f"/{code} as expected")

    # --- the walk ---

    def test_an_integrator_walks_the_api(self):
        token = self.login()["access_token"]

        teams = self.call("GET", "/v1/team/list", token=token)
        self.assertEqual((teams["page"], teams["size"]), (0, 20))
        self.assertEqual(teams["total"], len(teams["teams"]))
        team_id = [t for t in teams["teams"] if t["personal"]][0]["id"]

        status, campaign = self.api.json("POST", "/api/v1/campaigns", {"name": "Spring"}, self.key)
        self.assertEqual(status, 201, campaign)
        campaigns = self.call("GET", "/v1/campaign/list", {"teamId": team_id, "size": 5}, token)
        self.assertEqual((campaigns["total"], campaigns["size"]), (1, 5))
        self.assertEqual(campaigns["campaigns"][0]["name"], "Spring")
        domains = self.call("GET", "/v1/domain/list", {"teamId": team_id}, token)
        self.assertEqual((domains["total"], domains["domains"]), (0, []))
        self.assertEqual(domains["defaultDomain"], {"id": "default", "host": "sho.rt"})

        # Create: the title comes from the page; UTM and the campaign are the link's.
        link = self.call("POST", "/v1/link/create", {
            "teamId": team_id, "domainId": "default", "campaignId": str(campaign["id"]), "noTitle": False,
            "destination": "https://titles.example.com/page", "utmSource": "news", "utmMedium": "email"},
            token)["link"]
        self.assertEqual(link["title"], "Spring & Summer Sale")
        self.assertEqual(link["utm"], {"source": "news", "medium": "email"})
        self.assertEqual(link["campaignId"], campaign["id"])
        self.assertEqual(link["destination"], "https://titles.example.com/page")
        self.assertEqual(link["shortLink"], "https://sho.rt/" + link["code"])
        link_id = link["id"]
        self.served(link["code"], lambda s, h: s == 302 and
                    h["location"] == "https://titles.example.com/page?utm_source=news&utm_medium=email")
        untitled = self.call("POST", "/v1/link/create", {
            "teamId": team_id, "domainId": "default", "noTitle": True,
            "destination": "https://titles.example.com/page"}, token)["link"]
        self.assertNotIn("title", untitled)
        # A page too slow to answer costs its create the 2 s deadline, not more, and no title; the
        # server answers other requests meanwhile (the fetch holds no thread).
        started = time.monotonic()
        answers = []
        creating = threading.Thread(target=lambda: answers.append(self.call("POST", "/v1/link/create", {
            "teamId": team_id, "domainId": "default", "destination": "https://titles.example.com/slow"},
            token)))
        creating.start()
        time.sleep(0.5)
        for _ in range(5):
            before = time.monotonic()
            self.call("GET", "/v1/team/list", token=token)
            self.assertLess(time.monotonic() - before, 0.5)
        creating.join()
        took = time.monotonic() - started
        self.assertTrue(1.9 <= took < 3.5, took)
        slow = answers[0]["link"]
        self.assertNotIn("title", slow)

        listed = self.call("GET", "/v1/link/list", {"teamId": team_id, "search": "Summer"}, token)
        self.assertEqual(listed["total"], 1)
        self.assertEqual(listed["links"][0]["id"], link_id)
        listed = self.call("GET", "/v1/link/list", {"campaignIds": str(campaign["id"]), "size": 1, "page": 0}, token)
        self.assertEqual((listed["total"], len(listed["links"])), (1, 1))
        listed = self.call("GET", "/v1/link/list", {"size": 2, "page": 1}, token)
        self.assertEqual((listed["total"], len(listed["links"]), listed["page"]), (3, 1, 1))

        # Update: title, tags, hidden.
        updated = self.call("PUT", "/v1/link/update", {"linkId": link_id, "title": "Renamed",
                                                        "tags": "spring, sale", "hide": "on"}, token)["link"]
        self.assertEqual((updated["title"], updated["tags"], updated["hidden"]), ("Renamed", ["spring", "sale"], True))
        self.assertEqual(self.call("GET", "/v1/link/list", {}, token)["total"], 2)  # hidden left out
        self.assertEqual(self.call("GET", "/v1/link/list", {"hidden": "true"}, token)["total"], 3)
        self.call("PUT", "/v1/link/update", {"linkId": link_id, "hide": "off"}, token)

        # Redirect settings: a new destination and UTM, unique clicks in 15-minute windows.
        redirected = self.call("PUT", "/v1/link/redirect", {
            "linkId": link_id, "destination": "https://example.com/new", "clickType": 1, "uniqueTime": 15,
            "utmCampaign": "spring"}, token)["link"]
        self.assertEqual((redirected["clickType"], redirected["uniqueWindowMinutes"]), ("UNIQUE", 15))
        self.served(link["code"], lambda s, h: h.get("location") == "https://example.com/new?utm_campaign=spring")

        # Mobile: an iPhone goes to the App Store, a desktop to the destination.
        self.call("PUT", "/v1/link/mobile", {"linkId": link_id, "ios": "https://apps.apple.com/app/x"}, token)
        self.served(link["code"], lambda s, h: h.get("location") == "https://apps.apple.com/app/x?utm_campaign=spring",
                    IPHONE)
        self.served(link["code"], lambda s, h: h.get("location", "").startswith("https://example.com/new"))

        # Expiration: by date (dd/MM/yyyy), and by clicks on another link, followed at the edge.
        expiring = self.call("PUT", "/v1/link/expiration", {
            "linkId": link_id, "date": "31/12/2099", "destinationByDate": "https://example.com/over"},
            token)["link"]
        self.assertEqual((expiring["expiresAt"], expiring["expiredUrl"]),
                         ("2099-12-31T00:00:00.000Z", "https://example.com/over"))
        limited = self.call("PUT", "/v1/link/expiration", {
            "linkId": untitled["id"], "click": 2, "clickType": 0, "destinationByClick": "https://example.com/full"},
            token)["link"]
        self.assertEqual(limited["maxClicks"], 2)
        self.served(untitled["code"], lambda s, h: s == 302)  # served with its limit (HEAD would not count)
        wait_until(lambda: visit(self.node, "/" + untitled["code"])[1]["location"] == "https://example.com/full",
                   timeout=10, what="the click limit")

        # A/B testing, then the password, on the third link.
        self.call("PUT", "/v1/link/testing", {"linkId": slow["id"], "testing": [
            {"link": "https://a.example.com/", "percentage": 50}, {"link": "https://b.example.com/", "percentage": 50}]},
            token)
        self.served(slow["code"], lambda s, h: h.get("location") in ("https://a.example.com/", "https://b.example.com/"))
        seen = {visit(self.node, "/" + slow["code"])[1]["location"] for _ in range(40)}
        self.assertEqual(seen, {"https://a.example.com/", "https://b.example.com/"})
        protected = self.call("PUT", "/v1/link/password", {"linkId": slow["id"], "password": "open sesame"}, token)
        self.assertTrue(protected["link"]["passwordProtected"])
        self.served(slow["code"], lambda s, h: s == 200)  # the password form
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, _ = visit(self.node, "/" + slow["code"], "POST", headers=form,
                                   body=urllib.parse.urlencode({"password": "open sesame"}))
        self.assertEqual(status, 303)

        # Analytics: metricsMap 1-9; the limited link's counted clicks are there by date and device.
        def clicks():
            status, body = self.api.json("GET", "/api/v1/urls/" + untitled["code"], None, self.key)
            return body["clicks"]

        def counted():
            body = self.call("GET", "/v1/link/analytics", {"linkId": untitled["id"]}, token)
            return clicks() >= 2 and sum(body["metricsMap"]["9"].values()) == clicks()
        wait_until(counted, timeout=30, interval=0.3, what="clicks in the analytics")
        today = datetime.datetime.now(datetime.timezone.utc)
        week_ago = today - datetime.timedelta(days=7)
        metrics = self.call("GET", "/v1/link/analytics", {
            "linkId": untitled["id"], "startTime": week_ago.strftime("%d/%m/%Y"),
            "endTime": today.strftime("%d/%m/%Y")}, token)["metricsMap"]
        self.assertEqual(len(metrics["9"]), 8)  # days, both ends included
        self.assertEqual(sorted(metrics, key=int), [str(i) for i in range(1, 10)])
        self.assertEqual(metrics["2"], {"desktop": clicks()})

        # Delete: gone from the list and the edge; a second delete is 404 in the envelope.
        deleted = self.call("DELETE", "/v1/link/delete", {"linkId": link_id}, token)
        self.assertEqual(deleted["link"]["id"], link_id)
        self.served(link["code"], lambda s, h: s == 404)
        self.call("DELETE", "/v1/link/delete", {"linkId": link_id}, token, expect=404)
        self.assertEqual(self.call("GET", "/v1/link/list", {}, token)["total"], 2)

    def test_refresh_and_revoke(self):
        token = self.login()
        renewed = self.call("POST", "/v1/authen/refresh-token", {"refreshToken": token["refresh_token"]})["token"]
        self.call("GET", "/v1/team/list", token=renewed["access_token"])
        self.call("POST", "/v1/authen/refresh-token", {"refreshToken": token["refresh_token"]}, expect=401)
        other = self.login()["access_token"]
        self.call("POST", "/v1/authen/revoke-token", token=other)
        self.call("GET", "/v1/team/list", token=other, expect=401)

    def test_refusals_carry_the_envelope(self):
        # 401: no credential, a wrong one, a wrong login.
        self.call("GET", "/v1/link/list", expect=401)
        status, headers, _ = self.api.request("GET", "/v1/link/list", key="at_v1_nonsense")
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers.get("WWW-Authenticate", ""))
        self.call("POST", "/v1/authen/token", {"username": self.username, "key": "live_v1_wrong"}, expect=401)
        # 403: another team's id; a key without the scope.
        status, other = self.api.json("POST", "/api/v1/teams", {"siteName": "sw-other"}, self.key)
        self.assertEqual(status, 201, other)
        body = self.call("GET", "/v1/link/list", {"teamId": other["id"]}, self.key, expect=403)
        self.assertIn("teamId", body["status"]["message"])
        status, scoped = self.api.json("POST", "/api/v1/keys", {"scopes": {"urls": ["GET"]}}, self.key)
        self.assertEqual(status, 201, scoped)
        self.call("GET", "/v1/link/list", {}, scoped["key"])
        status, teams = self.api.json("GET", "/api/v1/teams", key=self.key)
        team_id = [t for t in teams["items"] if t["personal"]][0]["id"]
        body = self.call("POST", "/v1/link/create", {"teamId": team_id, "domainId": "default",
                                                      "destination": "https://example.com/x"}, scoped["key"], expect=403)
        self.assertIn("urls:POST", body["status"]["message"])
        # 400: what the parameters cannot be.
        body = self.call("POST", "/v1/link/create", {"teamId": team_id, "domainId": "default"}, self.key, expect=400)
        self.assertEqual(body["status"]["message"], "destination is required.")
        self.call("PUT", "/v1/link/expiration", {"linkId": "x", "date": "2099-12-31"}, self.key, expect=400)
        self.call("PUT", "/v1/link/redirect", {"linkId": "x", "clickType": 2}, self.key, expect=400)
        self.call("POST", "/v1/link/create", {"teamId": team_id, "domainId": "default",
                                               "destination": "ftp://example.com/"}, self.key, expect=400)
        # 404: a link that is not there.
        self.call("PUT", "/v1/link/password", {"linkId": "nope-none", "password": "x"}, self.key, expect=404)


    # --- what the first version left out ---

    def personal_team(self):
        status, teams = self.api.json("GET", "/api/v1/teams", key=self.key)
        self.assertEqual(status, 200, teams)
        return [t for t in teams["items"] if t["personal"]][0]["id"]

    def test_v1_link_list_reads_every_domain_or_several(self):
        for host in ("sw-one.example.com", "sw-two.example.com"):
            status, body = self.api.json("POST", "/api/v1/domains", {"host": host}, self.key)
            self.assertEqual(status, 201, body)
        for domain, code in ((None, "swd-default"), ("sw-one.example.com", "swd-one"),
                             ("sw-two.example.com", "swd-two")):
            body = {"longUrl": "https://example.com/swd", "shortUrl": code}
            if domain:
                body["domain"] = domain
            status, made = self.api.json("POST", "/api/v1/urls", body, self.key)
            self.assertEqual(status, 200, made)

        def ids(params):
            listed = self.call("GET", "/v1/link/list", dict(params, search="swd"), self.key)
            self.assertEqual(listed["total"], len(listed["links"]))
            return sorted(link["id"] for link in listed["links"])
        everything = ["sw-one.example.com/swd-one", "sw-two.example.com/swd-two", "swd-default"]
        self.assertEqual(ids({}), everything)
        self.assertEqual(ids({"domainIds": "default"}), ["swd-default"])
        self.assertEqual(ids({"domainIds": "sw-two.example.com"}), ["sw-two.example.com/swd-two"])
        self.assertEqual(ids({"domainIds": "default,sw-two.example.com"}),
                         ["sw-two.example.com/swd-two", "swd-default"])
        self.assertEqual(ids({"domainIds": "sho.rt, sw-one.example.com,sw-two.example.com"}), everything)
        # /api/v1 as before unless asked: the default domain's; domain=* every one.
        status, plain = self.api.json("GET", "/api/v1/urls?searchText=swd", None, self.key)
        self.assertEqual([u["shortUrl"] for u in plain["urls"]], ["swd-default"])
        status, every = self.api.json("GET", "/api/v1/urls?searchText=swd&domain=*", None, self.key)
        self.assertEqual(every["count"], 3)

    def test_v1_campaign_list_reads_every_team_of_yours(self):
        status, mine = self.api.json("POST", "/api/v1/campaigns", {"name": "Sw personal"}, self.key)
        self.assertEqual(status, 201, mine)
        status, team = self.api.json("POST", "/api/v1/teams", {"siteName": "sw-campaigns"}, self.key)
        self.assertEqual(status, 201, team)
        status, team_key = self.api.json("POST", "/api/v1/keys", {"teamId": team["id"]}, self.key)
        self.assertEqual(status, 201, team_key)
        status, shared = self.api.json("POST", "/api/v1/campaigns", {"name": "Sw shared"}, team_key["key"])
        self.assertEqual(status, 201, shared)

        every = self.call("GET", "/v1/campaign/list", {}, self.key)
        self.assertEqual(every["total"], len(every["campaigns"]))
        teams = {c["name"]: c["teamId"] for c in every["campaigns"]}
        self.assertEqual(teams["Sw personal"], self.personal_team())
        self.assertEqual(teams["Sw shared"], team["id"])
        # teamId selects one team of yours, whichever team the key acts in.
        one = self.call("GET", "/v1/campaign/list", {"teamId": team["id"]}, self.key)
        self.assertEqual([c["name"] for c in one["campaigns"]], ["Sw shared"])
        paged = self.call("GET", "/v1/campaign/list", {"size": 1, "page": every["total"] - 1}, self.key)
        self.assertEqual((paged["total"], len(paged["campaigns"])), (every["total"], 1))
        body = self.call("GET", "/v1/campaign/list", {"teamId": "00000000-0000-4000-8000-000000000000"},
                         self.key, expect=404)
        self.assertEqual(body["status"]["message"], "Team not found.")

    def test_v1_trackers(self):
        team_id = self.personal_team()
        providers = self.call("GET", "/v1/tracker/list", {}, self.key)["trackers"]
        self.assertEqual(len(providers), 9)
        self.assertIn("facebook", [p["id"] for p in providers])
        status, linkedin = self.api.json("POST", f"/api/v1/teams/{team_id}/trackers",
                                         {"provider": "linkedin", "pixelId": "123456", "name": "Main"}, self.key)
        self.assertEqual(status, 201, linkedin)
        status, twitter = self.api.json("POST", f"/api/v1/teams/{team_id}/trackers",
                                        {"provider": "twitter", "pixelId": "abc12"}, self.key)
        self.assertEqual(status, 201, twitter)
        team = self.call("GET", "/v1/team/tracker/list", {"teamId": team_id}, self.key)
        self.assertEqual([t["id"] for t in team["teamTrackers"]], [linkedin["id"], twitter["id"]])
        self.assertEqual((team["total"], team["consent"]), (2, "none"))
        self.call("GET", "/v1/team/tracker/list", {"teamId": "00000000-0000-4000-8000-000000000000"},
                  self.key, expect=404)

        link = self.call("POST", "/v1/link/create", {"teamId": team_id, "domainId": "default", "noTitle": True,
                                                      "destination": "https://example.com/trk"}, self.key)["link"]
        lid = link["id"]
        empty = self.call("GET", "/v1/link/tracker/list", {"linkId": lid}, self.key)
        self.assertEqual((empty["total"], empty["linkTrackers"]), (0, []))
        create = "/v1/link/tracker/create"
        added = self.call("POST", create, {"linkId": lid, "type": 0, "trackerId": "facebook", "code": "1234567890"},
                          self.key)
        self.assertEqual(added["linkTrackers"], [{"id": lid + ":0", "position": 0, "provider": "facebook",
                                                  "pixelId": "1234567890"}])
        added = self.call("POST", create, {"linkId": lid, "type": "1", "teamTrackers": [str(twitter["id"])]}, self.key)
        self.assertEqual([t["provider"] for t in added["linkTrackers"]], ["facebook", "twitter"])
        added = self.call("POST", create, {"linkId": lid, "type": 1, "teamTrackers": "all-trackers",
                                           "teamId": team_id}, self.key)
        self.assertEqual([(t["id"], t["provider"]) for t in added["linkTrackers"]],
                         [(lid + ":0", "facebook"), (lid + ":1", "twitter"), (lid + ":2", "linkedin"),
                          (lid + ":3", "twitter")])
        page = self.call("GET", "/v1/link/tracker/list", {"linkId": lid, "size": 2, "page": 1}, self.key)
        self.assertEqual((page["total"], [t["id"] for t in page["linkTrackers"]]), (4, [lid + ":2", lid + ":3"]))
        # The link itself carries them, with the team's consent, as /api/v1 shows it.
        status, raw = self.api.json("GET", "/api/v1/urls/" + link["code"], None, self.key)
        self.assertEqual([t["provider"] for t in raw["trackers"]], ["facebook", "twitter", "linkedin", "twitter"])
        self.assertEqual(raw["trackerConsent"], "none")

        # Delete by "<linkId>:<position>", then by position and linkId: the later ones move down.
        left = self.call("DELETE", "/v1/link/tracker/delete", {"linkTrackerId": lid + ":1"}, self.key)
        self.assertEqual([(t["id"], t["provider"]) for t in left["linkTrackers"]],
                         [(lid + ":0", "facebook"), (lid + ":1", "linkedin"), (lid + ":2", "twitter")])
        left = self.call("DELETE", "/v1/link/tracker/delete", {"linkTrackerId": "0", "linkId": lid}, self.key)
        self.assertEqual([t["provider"] for t in left["linkTrackers"]], ["linkedin", "twitter"])
        body = self.call("DELETE", "/v1/link/tracker/delete", {"linkTrackerId": lid + ":5"}, self.key, expect=404)
        self.assertIn("does not exist", body["status"]["message"])

        # Refusals: a pixel id not of its provider's pattern (never HTML), a missing link, no type.
        body = self.call("POST", create, {"linkId": lid, "type": 0, "trackerId": "facebook", "code": "<script>"},
                         self.key, expect=400)
        self.assertIn("pixelId", body["status"]["message"])
        self.call("POST", create, {"linkId": "nope-none", "type": 0, "trackerId": "facebook",
                                   "code": "1234567890"}, self.key, expect=404)
        self.call("POST", create, {"linkId": lid}, self.key, expect=400)
        status, raw = self.api.json("GET", "/api/v1/urls/" + link["code"], None, self.key)
        self.assertEqual([t["provider"] for t in raw["trackers"]], ["linkedin", "twitter"])

    def test_v1_unknown_paths_and_methods_carry_the_envelope(self):
        status, headers, data = self.api.request("GET", "/v1/link/nope", key=self.key)
        self.assertEqual(status, 404)
        self.assert_envelope(json.loads(data), 404)
        status, headers, data = self.api.request("POST", "/v1/link/list", {}, key=self.key)
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "GET, HEAD")
        self.assert_envelope(json.loads(data), 405)
        # /api/v1 keeps its own shape.
        status, headers, data = self.api.request("GET", "/api/v1/nope", key=self.key)
        self.assertEqual((status, json.loads(data)), (404, {"message": "Not found."}))


if __name__ == "__main__":
    unittest.main()
