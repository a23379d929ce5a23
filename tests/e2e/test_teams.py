"""End-to-end tests of teams and scoped keys (issue 19): the real admin-api
over TLS with a real redis-server and RocksDB in a temp dir.

Covers: personal teams, shared teams and their members and roles, another
team's objects answering 404, roles answering 403 in one's own team, keys
scoped per endpoint and per method, the 10-key cap per team, GoGoWorx's
x-api-key / x-account-uuid, and that a Go API client sees no change."""
import unittest

from harness import ApiTestCase

UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class TeamsTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {}
        for name in ("ann", "bob", "cat", "dan"):
            status, body = cls.api.json("POST", "/api/v1/users", {"email": f"{name}@example.com"}, cls.key)
            assert status == 201, body
            cls.users[name] = (body["id"], body["apiKey"]["key"])

    def key_of(self, name):
        return self.users[name][1]

    def new_team(self, owner, site_name):
        status, body = self.api.json("POST", "/api/v1/teams", {"siteName": site_name}, self.key_of(owner))
        self.assertEqual(status, 201, body)
        return body

    def add(self, team, by, name, role):
        status, body = self.api.json("POST", f"/api/v1/teams/{team['id']}/members",
                                     {"email": f"{name}@example.com", "role": role}, self.key_of(by))
        self.assertEqual(status, 201, body)

    def team_key(self, team, name, scopes=None):
        body = {"teamId": team["id"]}
        if scopes is not None:
            body["scopes"] = scopes
        status, made = self.api.json("POST", "/api/v1/keys", body, self.key_of(name))
        self.assertEqual(status, 201, made)
        return made["key"]

    def test_every_user_has_a_personal_team_it_owns(self):
        status, body = self.api.json("GET", "/api/v1/teams", key=self.key_of("ann"))
        self.assertEqual(status, 200, body)
        personal = [t for t in body["items"] if t["personal"]]
        self.assertEqual(len(personal), 1)
        self.assertRegex(personal[0]["id"], UUID)
        self.assertEqual(personal[0]["role"], "owner")
        self.assertEqual(personal[0]["accountUuid"], personal[0]["siteName"] + "/" + personal[0]["id"])
        status, body = self.api.json("DELETE", f"/api/v1/teams/{personal[0]['id']}", key=self.key_of("ann"))
        self.assertEqual(status, 400, body)

    def test_a_shared_team_its_members_and_their_roles(self):
        team = self.new_team("ann", "roles-team")
        self.assertEqual((team["role"], team["memberCount"], team["personal"]), ("owner", 1, False))
        self.add(team, "ann", "bob", "viewer")
        self.add(team, "ann", "cat", "member")
        bob = self.team_key(team, "bob")
        cat = self.team_key(team, "cat")

        # A member writes links in the team, a viewer reads them but writes none (403, own team).
        status, link = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/t"}, cat)
        self.assertEqual(status, 200, link)
        status, body = self.api.json("GET", f"/api/v1/urls/{link['shortUrl']}", key=bob)
        self.assertEqual(status, 200, body)
        status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/v"}, bob)
        self.assertEqual(status, 403, body)
        self.assertIn("viewer", body["message"])
        status, body = self.api.json("DELETE", f"/api/v1/urls/{link['shortUrl']}", key=bob)
        self.assertEqual(status, 403, body)
        # The team's link is no one else's, not even its creator's personal key.
        status, body = self.api.json("GET", f"/api/v1/urls/{link['shortUrl']}", key=self.key_of("cat"))
        self.assertEqual(status, 404, body)

        # A member cannot manage members; an admin can, but makes no owners.
        status, body = self.api.json("POST", f"/api/v1/teams/{team['id']}/members",
                                     {"email": "dan@example.com"}, self.key_of("cat"))
        self.assertEqual(status, 403, body)
        status, body = self.api.json("PATCH", f"/api/v1/teams/{team['id']}/members/{self.users['cat'][0]}",
                                     {"role": "admin"}, self.key_of("ann"))
        self.assertEqual((status, body["role"]), (200, "admin"), body)
        status, body = self.api.json("POST", f"/api/v1/teams/{team['id']}/members",
                                     {"email": "dan@example.com", "role": "owner"}, self.key_of("cat"))
        self.assertEqual(status, 403, body)
        self.add(team, "cat", "dan", "member")

        # The last owner neither steps down nor leaves.
        ann_id = self.users["ann"][0]
        status, body = self.api.json("PATCH", f"/api/v1/teams/{team['id']}/members/{ann_id}", {"role": "admin"},
                                     self.key_of("ann"))
        self.assertEqual(status, 409, body)
        status, body = self.api.json("DELETE", f"/api/v1/teams/{team['id']}/members/{ann_id}", key=self.key_of("ann"))
        self.assertEqual(status, 409, body)

        # Members are listed with their roles, paged either way.
        status, body = self.api.json("GET", f"/api/v1/teams/{team['id']}/members?page=0&size=2", key=self.key_of("bob"))
        self.assertEqual((status, body["total"], len(body["items"]), body["page"], body["size"]), (200, 4, 2, 0, 2))
        status, body = self.api.json("GET", f"/api/v1/teams/{team['id']}/members?limit=10&offset=3", key=self.key_of("bob"))
        self.assertEqual([m["email"] for m in body["items"]], ["dan@example.com"])
        status, body = self.api.json("GET", f"/api/v1/teams/{team['id']}/members?page=0&limit=3", key=self.key_of("bob"))
        self.assertEqual(status, 400, body)

        # Removed, bob's team key opens nothing.
        status, body = self.api.json("DELETE", f"/api/v1/teams/{team['id']}/members/{self.users['bob'][0]}",
                                     key=self.key_of("cat"))
        self.assertEqual(status, 200, body)
        status, body = self.api.json("GET", "/api/v1/urls", key=bob)
        self.assertEqual(status, 401, body)

        # A team that holds links is not deleted; an admin may not delete it at all.
        status, body = self.api.json("DELETE", f"/api/v1/teams/{team['id']}", key=self.key_of("cat"))
        self.assertEqual(status, 403, body)
        status, body = self.api.json("DELETE", f"/api/v1/teams/{team['id']}", key=self.key_of("ann"))
        self.assertEqual(status, 409, body)
        ann_team_key = self.team_key(team, "ann")
        status, body = self.api.json("DELETE", f"/api/v1/urls/{link['shortUrl']}", key=ann_team_key)
        self.assertEqual(status, 200, body)
        status, body = self.api.json("DELETE", f"/api/v1/teams/{team['id']}", key=self.key_of("ann"))
        self.assertEqual(status, 200, body)
        status, body = self.api.json("GET", "/api/v1/urls", key=cat)
        self.assertEqual(status, 401, body)  # its keys went with it

    def test_another_teams_objects_answer_404(self):
        team = self.new_team("ann", "private-team")
        for method, path, body in [("GET", f"/api/v1/teams/{team['id']}", None),
                                   ("PATCH", f"/api/v1/teams/{team['id']}", {"siteName": "stolen"}),
                                   ("DELETE", f"/api/v1/teams/{team['id']}", None),
                                   ("GET", f"/api/v1/teams/{team['id']}/members", None),
                                   ("POST", f"/api/v1/teams/{team['id']}/members", {"email": "dan@example.com"}),
                                   ("DELETE", f"/api/v1/teams/{team['id']}/members/{self.users['ann'][0]}", None)]:
            status, answer = self.api.json(method, path, body, self.key_of("dan"))
            self.assertEqual((status, answer), (404, {"message": "Team not found."}), (method, path))
        status, body = self.api.json("POST", "/api/v1/keys", {"teamId": team["id"]}, self.key_of("dan"))
        self.assertEqual(status, 404, body)
        status, body = self.api.json("GET", "/api/v1/teams", key=self.key_of("dan"))
        self.assertNotIn(team["id"], [t["id"] for t in body["items"]])

    def test_site_names_are_checked_and_unique(self):
        self.new_team("ann", "unique-name")
        for name in ("unique-name", "UPPER", "a_b", "-dash", "ab", "x" * 64):
            status, body = self.api.json("POST", "/api/v1/teams", {"siteName": name}, self.key_of("bob"))
            self.assertEqual(status, 400, (name, body))
            self.assertIn("message", body)
        status, body = self.api.json("POST", "/api/v1/teams", {"siteName": "ok-name", "extra": 1}, self.key_of("bob"))
        self.assertEqual(status, 400, body)
        team = self.new_team("bob", "rename-me")
        status, body = self.api.json("PATCH", f"/api/v1/teams/{team['id']}", {"siteName": "renamed"}, self.key_of("bob"))
        self.assertEqual((status, body["siteName"], body["id"]), (200, "renamed", team["id"]))

    def test_scopes_per_endpoint_and_method(self):
        team = self.new_team("cat", "scoped-team")
        reader = self.team_key(team, "cat", {"urls": ["GET"]})
        status, body = self.api.json("GET", "/api/v1/urls", key=reader)
        self.assertEqual(status, 200, body)
        for method, path, payload, scope in [
                ("POST", "/api/v1/urls", {"longUrl": "https://example.com/s"}, "urls:POST"),
                ("PATCH", "/api/v1/urls/nothing", {"longUrl": "https://example.com/s"}, "urls:PUT/PATCH"),
                ("DELETE", "/api/v1/urls/nothing", None, "urls:DELETE"),
                ("POST", "/api/v1/urls/bulk", [], "bulk:POST"),
                ("GET", "/api/v1/keys", None, "keys:GET"),
                ("GET", "/api/v1/teams", None, "teams:GET")]:
            status, body = self.api.json(method, path, payload, reader)
            self.assertEqual(status, 403, (method, path, body))
            self.assertIn(scope, body["message"])
        # The scopes are shown on the key; a key cannot mint a wider one.
        status, body = self.api.json("POST", "/api/v1/keys", {"scopes": {"urls": ["GET", "POST"]}},
                                     self.team_key(team, "cat", {"keys": ["POST"], "urls": ["GET"]}))
        self.assertEqual(status, 403, body)
        status, made = self.api.json("POST", "/api/v1/keys",
                                     {"teamId": team["id"], "scopes": {"urls": ["GET", "PATCH"], "teams": ["GET"]}},
                                     self.key_of("cat"))
        self.assertEqual(status, 201, made)
        self.assertEqual(made["scopes"], {"urls": ["GET", "PUT/PATCH"], "teams": ["GET"]})
        self.assertEqual(made["teamId"], team["id"])
        for bad in ({"links": ["GET"]}, {"urls": ["FETCH"]}, {"urls": "GET"}, ["urls"]):
            status, body = self.api.json("POST", "/api/v1/keys", {"scopes": bad}, self.key_of("cat"))
            self.assertEqual(status, 400, (bad, body))

    def test_at_most_ten_live_keys_per_team(self):
        team = self.new_team("dan", "ten-keys")
        keys = []
        status, listed = self.api.json("GET", "/api/v1/keys", key=self.team_key(team, "dan"))
        live = len([k for k in listed["keys"] if not k["revoked"]])
        while live < 10:
            keys.append(self.team_key(team, "dan"))
            live += 1
        status, body = self.api.json("POST", "/api/v1/keys", {"teamId": team["id"]}, self.key_of("dan"))
        self.assertEqual(status, 400, body)
        self.assertIn("10", body["message"])
        status, listed = self.api.json("GET", "/api/v1/keys", key=keys[0])
        revoke = listed["keys"][-1]["id"]
        status, body = self.api.json("DELETE", f"/api/v1/keys/{revoke}", key=keys[0])
        self.assertEqual(status, 200, body)
        self.team_key(team, "dan")  # room again

    def test_gogoworx_headers(self):
        status, teams = self.api.json("GET", "/api/v1/teams", key=self.key_of("bob"))
        personal = [t for t in teams["items"] if t["personal"]][0]
        key = self.key_of("bob")
        status, _, _ = self.api.request("GET", "/api/v1/urls", headers={"x-api-key": key})
        self.assertEqual(status, 200)
        status, _, _ = self.api.request("GET", "/api/v1/urls",
                                        headers={"x-api-key": key, "x-account-uuid": personal["accountUuid"]})
        self.assertEqual(status, 200)
        other = self.new_team("bob", "bob-other")
        status, headers, _ = self.api.request("GET", "/api/v1/urls",
                                              headers={"x-api-key": key, "x-account-uuid": other["accountUuid"]})
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers.get("WWW-Authenticate", ""))

    def login(self, username, key):
        return self.api.json("POST", "/api/v1/auth/token", {"username": username, "key": key})

    def test_token_auth_login_refresh_reuse_and_revoke(self):
        status, teams = self.api.json("GET", "/api/v1/teams", key=self.key_of("cat"))
        username = [t for t in teams["items"] if t["personal"]][0]["siteName"]
        status, pair = self.login(username, self.key_of("cat"))
        self.assertEqual(status, 200, pair)
        self.assertEqual((pair["expires_in"], pair["refresh_expires_in"], pair["token_type"]), (3600, 604800, "Bearer"))
        access, refresh = pair["access_token"], pair["refresh_token"]
        # The access token works wherever the key does, in the key's team.
        status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/tok"}, access)
        self.assertEqual(status, 200, body)
        status, body = self.api.json("GET", f"/api/v1/urls/{body['shortUrl']}", key=self.key_of("cat"))
        self.assertEqual(status, 200, body)
        # The email works as username too.
        status, _ = self.login("cat@example.com", self.key_of("cat"))
        self.assertEqual(status, 200)

        # Refresh: a new pair; the spent refresh token presented again revokes the login.
        status, renewed = self.api.json("POST", "/api/v1/auth/refresh", {"refreshToken": refresh})
        self.assertEqual(status, 200, renewed)
        status, _ = self.api.json("GET", "/api/v1/urls", key=renewed["access_token"])
        self.assertEqual(status, 200)
        status, body = self.api.json("POST", "/api/v1/auth/refresh", {"refreshToken": refresh})
        self.assertEqual(status, 401, body)
        status, _ = self.api.json("GET", "/api/v1/urls", key=renewed["access_token"])
        self.assertEqual(status, 401)

        # Revoke: the login's tokens stop working; an API key is not revoked this way.
        status, pair = self.login(username, self.key_of("cat"))
        status, body = self.api.json("POST", "/api/v1/auth/revoke", key=pair["access_token"])
        self.assertEqual(status, 200, body)
        status, _ = self.api.json("GET", "/api/v1/urls", key=pair["access_token"])
        self.assertEqual(status, 401)
        status, body = self.api.json("POST", "/api/v1/auth/revoke", key=self.key_of("cat"))
        self.assertEqual(status, 400, body)

        # A token keeps its key's scopes, and dies with its key.
        team = self.new_team("cat", "token-scopes")
        scoped = self.team_key(team, "cat", {"urls": ["GET"]})
        status, pair = self.login(username, scoped)
        self.assertEqual(status, 200, pair)
        status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/x"}, pair["access_token"])
        self.assertEqual(status, 403, body)
        status, listed = self.api.json("GET", "/api/v1/keys", key=self.team_key(team, "cat"))
        scoped_id = [k["id"] for k in listed["keys"] if k["scopes"] == {"urls": ["GET"]}][0]
        status, _ = self.api.json("DELETE", f"/api/v1/keys/{scoped_id}", key=self.team_key(team, "cat"))
        status, _ = self.api.json("GET", "/api/v1/urls", key=pair["access_token"])
        self.assertEqual(status, 401)

        # Tokens never reach the log.
        log = self.group.log("admin.log") if hasattr(self.group, "log") else b""
        log = log.decode() if isinstance(log, bytes) else log
        for token in (access, refresh, renewed["access_token"], renewed["refresh_token"]):
            self.assertNotIn(token, log)

    def test_failed_logins_are_throttled(self):
        for _ in range(5):
            status, body = self.login("dan@example.com", "live_v1_wrong-key")
            self.assertEqual(status, 401, body)
        status, headers, data = self.api.request("POST", "/api/v1/auth/token",
                                                 {"username": "dan@example.com", "key": self.key_of("dan")})
        self.assertEqual(status, 429, data)
        self.assertIn(b"Login too many failed", data)
        self.assertGreater(int(headers["Retry-After"]), 0)
        # Another user is not locked out by dan's failures (the address is under its own limit).
        status, _ = self.login("ann@example.com", self.key_of("ann"))
        self.assertEqual(status, 200)
        # A key of another user is no login for dan.
        status, _ = self.login("bob@example.com", self.key_of("ann"))
        self.assertEqual(status, 401)

    def test_a_locked_user_is_locked_out(self):
        status, body = self.api.json("POST", "/api/v1/users", {"email": "eve@example.com"}, self.key)
        eve_id, eve_key = body["id"], body["apiKey"]["key"]
        status, pair = self.login("eve@example.com", eve_key)
        self.assertEqual(status, 200, pair)
        # Only a site admin locks; a member's try is as if the route did not exist.
        status, body = self.api.json("PATCH", f"/api/v1/users/{eve_id}", {"locked": True}, self.key_of("ann"))
        self.assertEqual(status, 404, body)
        status, body = self.api.json("PATCH", f"/api/v1/users/{eve_id}", {"locked": True}, self.key)
        self.assertEqual((status, body["locked"]), (200, True), body)
        status, _ = self.api.json("GET", "/api/v1/urls", key=eve_key)
        self.assertEqual(status, 401)
        status, _ = self.api.json("GET", "/api/v1/urls", key=pair["access_token"])
        self.assertEqual(status, 401)
        status, body = self.login("eve@example.com", eve_key)
        self.assertEqual((status, body), (403, {"message": "Your account is locked."}))
        for bad in ({}, {"locked": "yes"}, {"locked": True, "role": "admin"}):
            status, body = self.api.json("PATCH", f"/api/v1/users/{eve_id}", bad, self.key)
            self.assertEqual(status, 400, (bad, body))
        status, body = self.api.json("PATCH", f"/api/v1/users/{eve_id}", {"locked": False}, self.key)
        self.assertEqual((status, body["locked"]), (200, False), body)
        status, _ = self.api.json("GET", "/api/v1/urls", key=eve_key)
        self.assertEqual(status, 200)

    def test_a_go_api_client_sees_no_change(self):
        # A key made before it knew of teams: its links, as the Go API shows them.
        status, link = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/go", "shortUrl": "go-plain"},
                                     self.key)
        self.assertEqual(status, 200, link)
        self.assertEqual(set(link), {"shortUrl", "longUrl", "state", "clicks", "createdAt", "updatedAt", "isFile"})
        status, body = self.api.json("GET", "/api/v1/urls/go-plain", key=self.key)
        self.assertEqual((status, body["longUrl"]), (200, "https://example.com/go"))


if __name__ == "__main__":
    unittest.main()
