"""End-to-end tests of campaigns (issue 19, Shorten World's campaigns): the
real admin-api over TLS with a real redis-server, RocksDB in a temp dir, and
a real redirector.

Shown here: CRUD of a team's campaigns with search and both pagings;
roles (a viewer reads, a member writes) and another team's campaign
answering 404 like a missing one; unique names ignoring case; links naming
a campaign on create and PATCH (null clears; another team's campaign is
400); GET /api/v1/urls?campaignIds= with several ids; a campaign that links
still name answering 409; a link in no campaign answering exactly what it
did before campaigns; campaigns and links' campaigns surviving a kill -9 of
admin-api; a redirect node serving a link in a campaign as any other."""
import signal
import unittest

from harness import ApiTestCase, wait_until
from test_domains import get
from test_sync import Redirector, redirector_is_wired


class CampaignsTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {}
        for name in ("ann", "bob", "vic"):
            status, body = cls.api.json("POST", "/api/v1/users", {"email": f"{name}@example.com"}, cls.key)
            assert status == 201, body
            cls.users[name] = body["apiKey"]["key"]
        # A shared team of ann's, where vic is a viewer.
        status, team = cls.api.json("POST", "/api/v1/teams", {"siteName": "campaign-team"}, cls.users["ann"])
        assert status == 201, team
        cls.team = team
        status, body = cls.api.json("POST", f"/api/v1/teams/{team['id']}/members",
                                    {"email": "vic@example.com", "role": "viewer"}, cls.users["ann"])
        assert status == 201, body
        cls.team_keys = {}
        for name in ("ann", "vic"):
            status, made = cls.api.json("POST", "/api/v1/keys", {"teamId": team["id"]}, cls.users[name])
            assert status == 201, made
            cls.team_keys[name] = made["key"]

    def call(self, method, path, body=None, key=None, expect=200):
        status, answer = self.api.json(method, path, body, key)
        self.assertEqual(status, expect, answer)
        return answer

    def campaign(self, name, key):
        return self.call("POST", "/api/v1/campaigns", {"name": name}, key, expect=201)

    def codes(self, query, key):
        answer = self.call("GET", "/api/v1/urls?" + query, key=key)
        return sorted(u["shortUrl"] for u in answer["urls"])

    def test_crud_search_and_paging(self):
        ann = self.team_keys["ann"]
        spring = self.campaign("Spring SALE", ann)
        self.assertEqual(set(spring), {"id", "name", "teamId", "createdAt", "updatedAt"})
        self.assertEqual(spring["teamId"], self.team["id"])
        summer = self.campaign("Summer sale", ann)
        self.campaign("Newsletter", ann)
        self.assertGreater(summer["id"], spring["id"])

        got = self.call("GET", f"/api/v1/campaigns/{spring['id']}", key=ann)
        self.assertEqual(got, spring)
        listed = self.call("GET", "/api/v1/campaigns?search=sale", key=ann)
        self.assertEqual([c["id"] for c in listed["items"]], [spring["id"], summer["id"]])
        self.assertEqual((listed["total"], listed["page"], listed["size"]), (2, 0, 20))
        page = self.call("GET", "/api/v1/campaigns?search=SALE&page=1&size=1", key=ann)
        self.assertEqual([c["id"] for c in page["items"]], [summer["id"]])
        offsets = self.call("GET", "/api/v1/campaigns?search=sale&limit=1&offset=0", key=ann)
        self.assertEqual((offsets["limit"], offsets["offset"], offsets["total"]), (1, 0, 2))

        renamed = self.call("PATCH", f"/api/v1/campaigns/{summer['id']}", {"name": "Summer 2031"}, ann)
        self.assertEqual(renamed["name"], "Summer 2031")
        # Unique in the team, ignoring case; bad names are 400.
        self.call("POST", "/api/v1/campaigns", {"name": "spring sale"}, ann, expect=409)
        self.call("PATCH", f"/api/v1/campaigns/{summer['id']}", {"name": "NEWSLETTER"}, ann, expect=409)
        for bad in ({}, {"name": ""}, {"name": "x" * 101}, {"name": "ok", "color": "red"}):
            self.call("POST", "/api/v1/campaigns", bad, ann, expect=400)

        self.call("DELETE", f"/api/v1/campaigns/{summer['id']}", key=ann)
        self.call("GET", f"/api/v1/campaigns/{summer['id']}", key=ann, expect=404)

    def test_roles_and_other_teams(self):
        ann, vic = self.team_keys["ann"], self.team_keys["vic"]
        mine = self.campaign("Roles", ann)
        # A viewer reads them and writes none (403 in its own team).
        self.call("GET", f"/api/v1/campaigns/{mine['id']}", key=vic)
        self.assertIn("Roles", [c["name"] for c in self.call("GET", "/api/v1/campaigns?size=100", key=vic)["items"]])
        denied = self.call("POST", "/api/v1/campaigns", {"name": "by a viewer"}, vic, expect=403)
        self.assertIn("viewer", denied["message"])
        self.call("DELETE", f"/api/v1/campaigns/{mine['id']}", key=vic, expect=403)
        # Another team's campaign is a missing one, to read, rename and delete alike.
        bob = self.users["bob"]
        self.campaign("Roles", bob)  # names are per team
        missing = mine["id"] + 100000
        for method, body in (("GET", None), ("PATCH", {"name": "taken"}), ("DELETE", None)):
            foreign = self.call(method, f"/api/v1/campaigns/{mine['id']}", body, bob, expect=404)
            absent = self.call(method, f"/api/v1/campaigns/{missing}", body, bob, expect=404)
            self.assertEqual(foreign["message"].replace(str(mine["id"]), "ID"),
                             absent["message"].replace(str(missing), "ID"))
        self.assertEqual(self.call("GET", f"/api/v1/campaigns/{mine['id']}", key=ann)["name"], "Roles")

    def test_links_name_campaigns_and_lists_filter_by_them(self):
        ann = self.team_keys["ann"]
        a, b, c = (self.campaign(n, ann)["id"] for n in ("Filter A", "Filter B", "Filter C"))
        bobs = self.campaign("Bob's own", self.users["bob"])["id"]

        # A link in no campaign: exactly the Go API's fields, as before campaigns.
        plain = self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/plain", "shortUrl": "cmp-plain"}, ann)
        self.assertEqual(set(plain), {"shortUrl", "longUrl", "state", "clicks", "createdAt", "updatedAt", "isFile"})
        for code, campaign in (("cmp-a1", a), ("cmp-a2", a), ("cmp-b1", b), ("cmp-c1", c)):
            link = self.call("POST", "/api/v1/urls", {"longUrl": f"https://example.com/{code}", "shortUrl": code,
                                                      "campaignId": campaign}, ann)
            self.assertEqual(link["campaignId"], campaign)
        refused = self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/x", "shortUrl": "cmp-x",
                                                     "campaignId": bobs}, ann, expect=400)
        self.assertEqual(refused["message"], f"campaignId {bobs} is not one of your team's campaigns.")
        self.call("GET", "/api/v1/urls/cmp-x", key=ann, expect=404)

        self.assertEqual(self.codes(f"campaignIds={a}", ann), ["cmp-a1", "cmp-a2"])
        self.assertEqual(self.codes(f"campaignIds={a},{b}", ann), ["cmp-a1", "cmp-a2", "cmp-b1"])
        self.assertEqual(self.codes(f"campaignIds={b},{c}&searchText=c1", ann), ["cmp-c1"])
        self.assertEqual(self.codes(f"campaignIds={a},{b}", self.users["bob"]), [])
        self.call("GET", "/api/v1/urls?campaignIds=1,x", key=ann, expect=400)

        # PATCH moves a link to another campaign, null takes it out of any.
        moved = self.call("PATCH", "/api/v1/urls/cmp-plain", {"campaignId": str(c)}, ann)
        self.assertEqual(moved["campaignId"], c)
        self.assertEqual(self.codes(f"campaignIds={c}", ann), ["cmp-c1", "cmp-plain"])
        cleared = self.call("PATCH", "/api/v1/urls/cmp-plain", {"campaignId": None}, ann)
        self.assertNotIn("campaignId", cleared)

        # A campaign links still name is kept (409) until they leave it.
        busy = self.call("DELETE", f"/api/v1/campaigns/{a}", key=ann, expect=409)
        self.assertIn("still named by 2 links", busy["message"])
        for code in ("cmp-a1", "cmp-a2"):
            self.call("PATCH", f"/api/v1/urls/{code}", {"campaignId": b}, ann)
        self.call("DELETE", f"/api/v1/campaigns/{a}", key=ann)
        self.assertEqual(self.codes(f"campaignIds={b}", ann), ["cmp-a1", "cmp-a2", "cmp-b1"])


class CampaignsRestartTest(ApiTestCase):
    def test_campaigns_survive_kill_9_and_nodes_serve_their_links(self):
        kept = self.api.json("POST", "/api/v1/campaigns", {"name": "Durable"}, self.key)[1]
        status, link = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/durable",
                                                              "shortUrl": "durable", "campaignId": kept["id"]},
                                     self.key)
        self.assertEqual(status, 200, link)
        self.api.stop(signal.SIGKILL)
        self.api.start()
        status, got = self.api.json("GET", f"/api/v1/campaigns/{kept['id']}", key=self.key)
        self.assertEqual((status, got), (200, kept))
        status, again = self.api.json("GET", "/api/v1/urls/durable", key=self.key)
        self.assertEqual((status, again["campaignId"]), (200, kept["id"]))
        status, listed = self.api.json("GET", f"/api/v1/urls?campaignIds={kept['id']}", key=self.key)
        self.assertEqual([u["shortUrl"] for u in listed["urls"]], ["durable"])
        # Ids go on past the last one made, never reused.
        status, fresh = self.api.json("POST", "/api/v1/campaigns", {"name": "After"}, self.key)
        self.assertEqual(status, 201, fresh)
        self.assertGreater(fresh["id"], kept["id"])

        if not redirector_is_wired():
            return
        # A node carries the campaign and never uses it: it redirects as for any link.
        node = Redirector(self.group, "node1", self.api, self.redis).start()
        wait_until(lambda: get(node.port, "/durable", "127.0.0.1") == (302, "https://example.com/durable"),
                   timeout=10, what="node1 redirects /durable")


if __name__ == "__main__":
    unittest.main()
