"""End-to-end tests of the optional link fields of issue 6 through admin-api:
the real binary over real TLS, RocksDB in a temp dir. Set on create, bulk
rows and PATCH, shown by GET and lists, refused with 400 when wrong or
inconsistent, and a password stored only as an argon2id hash (read back from
the change log the nodes follow)."""
import unittest

from harness import ApiTestCase, read_varint, split_frames

LINK_FIELDS = {"shortUrl", "longUrl", "state", "clicks", "createdAt", "updatedAt", "isFile"}
PASSWORD_HASH_TAG = 18  # common/src/link.cc

EVERY_FIELD = {
    "title": "Spring sale \u00e9t\u00e9",
    "tags": ["Sale", "spring", "SALE"],
    "hidden": True,
    "expiresAt": "2030-01-31T00:00:00Z",
    "expiredUrl": "https://example.com/over",
    "maxClicks": 1000,
    "clickLimitUrl": "https://example.com/full",
    "clickType": "UNIQUE",
    "uniqueWindowMinutes": 15,
    "password": "open sesame",
    "deviceTargets": {"ios": "https://apps.apple.com/x", "android": "https://play.google.com/x",
                      "windows": "https://ms.example.com/x", "mobile": "https://m.example.com/"},
    "abTargets": [{"url": "https://a.example.com/", "percentage": 30},
                  {"url": "https://b.example.com/", "percentage": 70}],
    "utm": {"source": "news letter", "medium": "email", "campaign": "spring", "term": "shoes", "content": "top"},
    "forwardQuery": True,
    "redirectType": 308,
}


def expected_answer(fields):
    """What GET shows of EVERY_FIELD-like input: the password as passwordProtected, tags deduplicated."""
    out = {k: v for k, v in fields.items() if k != "password"}
    if "expiresAt" in out:
        out["expiresAt"] = out["expiresAt"].replace("Z", ".000Z")
    if "tags" in out:
        seen, tags = set(), []
        for t in out["tags"]:
            if t.lower() not in seen:
                seen.add(t.lower())
                tags.append(t)
        out["tags"] = tags
    if fields.get("password"):
        out["passwordProtected"] = True
    return out


def link_fields(data):
    """Every field of an encoded link (common/include/common/link.h) as (tag, bytes)."""
    fields, pos = [], 0
    while pos < len(data):
        tag = data[pos]
        n, pos = read_varint(data, pos + 1)
        fields.append((tag, data[pos:pos + n]))
        pos += n
    return fields


def changes_of(api, code):
    """The encoded links of every change of `code` in the change log, oldest first."""
    status, _, data = api.request("GET", "/internal/v1/changes?after=0&limit=10000",
                                  headers={"Authorization": "Bearer " + api.node_token})
    assert status == 200
    out = []
    for frame in split_frames(data):
        seq, pos = read_varint(frame, 0)
        fields = link_fields(frame[pos + 1:])
        if (1, code.encode()) in fields:
            out.append((seq, fields))
    return out


class LinkRulesApiTest(ApiTestCase):

    def create(self, code, key=None, **fields):
        body = {"longUrl": f"https://example.com/{code}", "shortUrl": code, **fields}
        return self.api.json("POST", "/api/v1/urls", body, key or self.key)

    def patch(self, code, body, key=None):
        return self.api.json("PATCH", f"/api/v1/urls/{code}", body, key or self.key)

    def get(self, code):
        status, body = self.api.json("GET", f"/api/v1/urls/{code}", None, self.key)
        self.assertEqual(status, 200, body)
        return body

    def new_user(self, email):
        status, user = self.api.json("POST", "/api/v1/users", {"email": email}, self.key)
        self.assertEqual(status, 201, user)
        return user["apiKey"]["key"]

    # --- create and read ---

    def test_create_with_every_field_and_get_shows_them(self):
        status, body = self.create("every-field", **EVERY_FIELD)
        self.assertEqual(status, 200, body)
        want = expected_answer(EVERY_FIELD)
        self.assertEqual({k: body[k] for k in want}, want)
        self.assertEqual(set(body), LINK_FIELDS | set(want))
        self.assertEqual(body["tags"], ["Sale", "spring"])
        self.assertTrue(body["passwordProtected"])
        self.assertNotIn("password", body)
        self.assertNotIn("open sesame", str(body))
        self.assertNotIn("argon2", str(body))
        self.assertEqual(self.get("every-field"), body)
        status, listed = self.api.json("GET", "/api/v1/urls?hidden=true&searchText=every-field", None, self.key)
        self.assertEqual(listed["urls"], [body])

    def test_a_link_without_the_new_fields_looks_as_before(self):
        status, body = self.create("no-new-fields")
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), LINK_FIELDS)
        defaults = {"title": "", "tags": [], "hidden": False, "clickType": "ALL", "forwardQuery": False,
                    "password": "", "deviceTargets": {}, "abTargets": [], "utm": {}, "redirectType": None}
        status, body = self.create("default-fields", **defaults)
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body), LINK_FIELDS)

    # --- PATCH ---

    def test_patch_sets_and_clears_each_field(self):
        self.assertEqual(self.create("patch-each")[0], 200)
        cases = [
            {"title": "A title"},
            {"tags": ["one", "two"]},
            {"hidden": True},
            {"expiresAt": "2031-05-06T07:08:09.123Z", "expiredUrl": "https://example.com/expired"},
            {"maxClicks": 5, "clickLimitUrl": "https://example.com/limit"},
            {"clickType": "UNIQUE", "uniqueWindowMinutes": 60},
            {"deviceTargets": {"ios": "https://ios.example.com/", "mobile": "https://m.example.com/"}},
            {"abTargets": [{"url": "https://a.example.com/", "percentage": 50},
                           {"url": "https://b.example.com/", "percentage": 50}]},
            {"utm": {"source": "s", "campaign": "c"}},
            {"forwardQuery": True},
            {"redirectType": 301},
        ]
        for fields in cases:
            with self.subTest(fields=fields):
                status, body = self.patch("patch-each", fields)
                self.assertEqual(status, 200, body)
                for k, v in fields.items():
                    self.assertEqual(body[k], v)
                self.assertEqual(self.get("patch-each"), body)
                status, body = self.patch("patch-each", {k: None for k in fields})
                self.assertEqual(status, 200, body)
                self.assertEqual(set(body), LINK_FIELDS, body)
        # The empty values clear as null does.
        self.patch("patch-each", {"title": "t", "tags": ["x"], "abTargets": [{"url": "https://a.example.com/",
                                                                               "percentage": 100}]})
        status, body = self.patch("patch-each", {"title": "", "tags": [], "abTargets": []})
        self.assertEqual((status, set(body)), (200, LINK_FIELDS))

    def test_patch_password_set_and_remove(self):
        self.assertEqual(self.create("patch-password")[0], 200)
        status, body = self.patch("patch-password", {"password": "hunter2"})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["passwordProtected"])
        self.assertNotIn("hunter2", str(body))
        status, body = self.patch("patch-password", {"password": ""})
        self.assertEqual((status, set(body)), (200, LINK_FIELDS))
        self.patch("patch-password", {"password": "again"})
        status, body = self.patch("patch-password", {"password": None})
        self.assertEqual((status, set(body)), (200, LINK_FIELDS))

    def test_patch_replaces_present_fields_and_leaves_absent_ones(self):
        status, created = self.create("patch-merge", title="Keep me", tags=["keep"],
                                      deviceTargets={"ios": "https://ios.example.com/"},
                                      utm={"source": "a", "medium": "b"})
        self.assertEqual(status, 200, created)
        status, body = self.patch("patch-merge", {"deviceTargets": {"android": "https://an.example.com/"},
                                                  "utm": {"campaign": "c"}, "longUrl": "https://example.com/new"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["title"], "Keep me")
        self.assertEqual(body["tags"], ["keep"])
        self.assertEqual(body["deviceTargets"], {"android": "https://an.example.com/"})  # replaced whole
        self.assertEqual(body["utm"], {"campaign": "c"})
        self.assertEqual(body["longUrl"], "https://example.com/new")
        self.assertEqual(body["createdAt"], created["createdAt"])
        status, body = self.patch("patch-merge", {"title": None})
        self.assertEqual(status, 200, body)  # a clear alone is something to update
        self.assertNotIn("title", body)
        status, body = self.patch("patch-merge", {})
        self.assertEqual(status, 400)
        self.assertIn("Nothing to update", body["message"])
        status, body = self.patch("patch-merge", {"someFutureField": 1})
        self.assertEqual(status, 400)

    # --- refusals ---

    def test_each_bad_field_is_400_naming_it_and_changes_nothing(self):
        self.assertEqual(self.create("bad-fields", title="Before")[0], 200)
        before = self.get("bad-fields")
        cases = [
            ({"title": 5}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": "a\nb"}, "title"),
            ({"tags": "sale"}, "tags"),
            ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
            ({"tags": [""]}, "tags[0]"),
            ({"tags": ["x" * 51]}, "tags[0]"),
            ({"tags": ["ok", 1]}, "tags[1]"),
            ({"hidden": "yes"}, "hidden"),
            ({"expiresAt": "tomorrow"}, "expiresAt"),
            ({"expiresAt": "2030-01-31T00:00:00+08:00"}, "expiresAt"),
            ({"expiresAt": "2030-01-31T00:00:00Z", "expiredUrl": "http://example.com/"}, "expiredUrl"),
            ({"maxClicks": 0}, "maxClicks"),
            ({"maxClicks": 10 ** 12 + 1}, "maxClicks"),
            ({"maxClicks": 1.5}, "maxClicks"),
            ({"maxClicks": 3, "clickLimitUrl": "https://bit.ly/x"}, "clickLimitUrl"),
            ({"clickType": "SOME"}, "clickType"),
            ({"clickType": "UNIQUE", "uniqueWindowMinutes": 0}, "uniqueWindowMinutes"),
            ({"clickType": "UNIQUE", "uniqueWindowMinutes": 366 * 24 * 60 + 1}, "uniqueWindowMinutes"),
            ({"password": "p" * 129}, "password"),
            ({"password": 1234}, "password"),
            ({"deviceTargets": "https://a.example.com/"}, "deviceTargets"),
            ({"deviceTargets": {"desktop": "https://a.example.com/"}}, "deviceTargets"),
            ({"deviceTargets": {"ios": "https://sho.rt/loop"}}, "deviceTargets.ios"),
            ({"abTargets": [{"url": "https://a.example.com/", "percentage": 100, "weight": 1}]}, "abTargets[0]"),
            ({"abTargets": [{"url": "https://a.example.com/", "percentage": 0}]}, "abTargets[0].percentage"),
            ({"abTargets": [{"url": "https://a.example.com/"}]}, "abTargets[0]"),
            ({"abTargets": [{"url": "https://a.example.com/", "percentage": 9}] * 11}, "abTargets"),
            ({"abTargets": [{"url": "ftp://a.example.com/", "percentage": 100}]}, "abTargets[0].url"),
            ({"utm": {"source": ""}}, "utm.source"),
            ({"utm": {"source": "x" * 101}}, "utm.source"),
            ({"utm": {"id": "x"}}, "utm"),
            ({"utm": {"term": "a\u0000b"}}, "utm.term"),
            ({"forwardQuery": 1}, "forwardQuery"),
            ({"redirectType": 303}, "redirectType"),
            ({"redirectType": "301"}, "redirectType"),
        ]
        for fields, name in cases:
            with self.subTest(fields=fields):
                status, body = self.create("bad-create", **fields)
                self.assertEqual(status, 400, body)
                self.assertTrue(body["message"].startswith(name), body["message"])
                status, body = self.patch("bad-fields", fields)
                self.assertEqual(status, 400, body)
                self.assertTrue(body["message"].startswith(name), body["message"])
        self.assertEqual(self.api.json("GET", "/api/v1/urls/bad-create", None, self.key)[0], 404)
        self.assertEqual(self.get("bad-fields"), before)

    def test_an_expires_at_in_the_past_is_refused_on_create_but_a_patch_may_expire_a_link(self):
        for when in ("2001-09-09T01:46:40Z", "2020-06-01T00:00:00Z"):
            with self.subTest(when=when):
                status, body = self.create("born-dead", expiresAt=when)
                self.assertEqual(status, 400, body)
                self.assertIn("expiresAt is in the past", body["message"])
                status, body = self.api.json("POST", "/api/v1/urls/bulk", {"urls": [
                    {"longUrl": "https://example.com/", "shortUrl": "born-dead", "expiresAt": when}]}, self.key)
                self.assertEqual((status, body["results"][0]["status"]), (200, 400), body)
                self.assertIn("expiresAt is in the past", body["results"][0]["message"])
        self.assertEqual(self.api.json("GET", "/api/v1/urls/born-dead", None, self.key)[0], 404)
        # Expiring a live link on purpose: a PATCH to a past instant is taken.
        self.assertEqual(self.create("expire-now", expiresAt="2030-01-31T00:00:00Z")[0], 200)
        status, body = self.patch("expire-now", {"expiresAt": "2020-06-01T00:00:00Z"})
        self.assertEqual((status, body.get("expiresAt")), (200, "2020-06-01T00:00:00.000Z"), body)

    def test_inconsistent_combinations_are_400(self):
        ab90 = [{"url": "https://a.example.com/", "percentage": 60},
                {"url": "https://b.example.com/", "percentage": 30}]
        for fields, words in (({"expiredUrl": "https://example.com/x"}, "expiredUrl needs expiresAt"),
                              ({"clickLimitUrl": "https://example.com/x"}, "clickLimitUrl needs maxClicks"),
                              ({"uniqueWindowMinutes": 5}, "uniqueWindowMinutes needs clickType UNIQUE"),
                              ({"uniqueWindowMinutes": 5, "clickType": "ALL"}, "uniqueWindowMinutes needs"),
                              ({"abTargets": ab90}, "sum to 100 (they sum to 90)")):
            with self.subTest(fields=fields):
                status, body = self.create("inconsistent", **fields)
                self.assertEqual(status, 400, body)
                self.assertIn(words, body["message"])
        self.assertEqual(self.api.json("GET", "/api/v1/urls/inconsistent", None, self.key)[0], 404)

        # PATCH is judged on the link as it will be: a stored half counts.
        status, body = self.create("pairs", expiresAt="2030-01-01T00:00:00Z", maxClicks=10, clickType="UNIQUE")
        self.assertEqual(status, 200, body)
        for fields in ({"expiredUrl": "https://example.com/late"}, {"clickLimitUrl": "https://example.com/full"},
                       {"uniqueWindowMinutes": 30}):
            status, body = self.patch("pairs", fields)
            self.assertEqual(status, 200, body)
        before = self.get("pairs")
        for fields, words in (({"expiresAt": None}, "expiredUrl needs expiresAt"),
                              ({"maxClicks": None}, "clickLimitUrl needs maxClicks"),
                              ({"clickType": "ALL"}, "uniqueWindowMinutes needs clickType UNIQUE"),
                              ({"password": "pw", "maxClicks": None}, "clickLimitUrl needs maxClicks")):
            with self.subTest(fields=fields):
                status, body = self.patch("pairs", fields)
                self.assertEqual(status, 400, body)
                self.assertIn(words, body["message"])
        self.assertEqual(self.get("pairs"), before)
        status, body = self.patch("pairs", {"expiresAt": None, "expiredUrl": None, "maxClicks": None,
                                            "clickLimitUrl": None, "clickType": "ALL", "uniqueWindowMinutes": None})
        self.assertEqual((status, set(body)), (200, LINK_FIELDS))

    def test_other_users_links_stay_not_found(self):
        self.assertEqual(self.create("not-yours")[0], 200)
        other = self.new_user("rules-other@example.com")
        for fields in ({"title": "x"}, {"password": "pw"}):
            status, body = self.patch("not-yours", fields, key=other)
            self.assertEqual(status, 404, body)

    # --- bulk ---

    def test_bulk_rows_with_rules(self):
        rows = [
            {"longUrl": "https://example.com/b0", "shortUrl": "bulk-rules-0", "title": "Row 0", "tags": ["bulk"],
             "password": "row zero", "maxClicks": 3, "clickLimitUrl": "https://example.com/full"},
            {"longUrl": "https://example.com/b1", "shortUrl": "bulk-rules-1", "expiredUrl": "https://example.com/x"},
            {"longUrl": "https://example.com/b2", "shortUrl": "bulk-rules-2", "redirectType": 999},
            {"longUrl": "https://example.com/b3", "shortUrl": "bulk-rules-3", "hidden": True,
             "abTargets": [{"url": "https://a.example.com/", "percentage": 100}], "password": "row three"},
            {"longUrl": "https://example.com/b4", "shortUrl": "bulk-rules-4"},
        ]
        status, body = self.api.json("POST", "/api/v1/urls/bulk", {"urls": rows}, self.key)
        self.assertEqual(status, 200, body)
        self.assertEqual([r["status"] for r in body["results"]], [200, 400, 400, 200, 200])
        self.assertEqual((body["created"], body["failed"]), (3, 2))
        self.assertIn("expiredUrl needs expiresAt", body["results"][1]["message"])
        self.assertIn("redirectType", body["results"][2]["message"])
        first = body["results"][0]["url"]
        self.assertEqual((first["title"], first["tags"], first["maxClicks"], first["passwordProtected"]),
                         ("Row 0", ["bulk"], 3, True))
        self.assertTrue(body["results"][3]["url"]["hidden"])
        self.assertEqual(set(body["results"][4]["url"]), LINK_FIELDS)
        self.assertEqual(self.get("bulk-rules-3"), body["results"][3]["url"])
        for code in ("bulk-rules-0", "bulk-rules-3"):
            hashes = [v for _, fields in changes_of(self.api, code) for t, v in fields if t == PASSWORD_HASH_TAG]
            self.assertEqual(len(hashes), 1)
            self.assertTrue(hashes[0].startswith(b"$argon2id$"))
        too_many = {"urls": [{"longUrl": "https://example.com/p", "password": "pw"}] * 101}
        status, body = self.api.json("POST", "/api/v1/urls/bulk", too_many, self.key)
        self.assertEqual(status, 400, body)
        self.assertIn("password", body["message"])

    # --- lists ---

    def test_list_hidden_tag_and_search_text(self):
        key = self.new_user("rules-lister@example.com")
        self.assertEqual(self.create("ls-plain", key=key)[0], 200)
        self.assertEqual(self.create("ls-hidden", key=key, hidden=True, tags=["Promo"])[0], 200)
        self.assertEqual(self.create("ls-titled", key=key, title="Quarterly Report", tags=["promo", "q3"])[0], 200)
        self.assertEqual(self.create("ls-promos", key=key, tags=["promos"])[0], 200)

        def codes(query):
            status, body = self.api.json("GET", "/api/v1/urls" + query, None, key)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["count"], len(body["urls"]))
            return sorted(u["shortUrl"] for u in body["urls"])

        self.assertEqual(codes(""), ["ls-plain", "ls-promos", "ls-titled"])
        self.assertEqual(codes("?hidden=false"), ["ls-plain", "ls-promos", "ls-titled"])
        self.assertEqual(codes("?hidden=true"), ["ls-hidden", "ls-plain", "ls-promos", "ls-titled"])
        self.assertEqual(codes("?orderBy=clicks"), ["ls-plain", "ls-promos", "ls-titled"])
        self.assertEqual(codes("?tag=PROMO"), ["ls-titled"])
        self.assertEqual(codes("?tag=promo&hidden=true"), ["ls-hidden", "ls-titled"])
        self.assertEqual(codes("?tag=Q3"), ["ls-titled"])
        self.assertEqual(codes("?tag=pro"), [])
        self.assertEqual(codes("?searchText=quarterly%20REPORT"), ["ls-titled"])
        self.assertEqual(codes("?searchText=promo"), ["ls-promos", "ls-titled"])
        self.assertEqual(codes("?searchText=promo&hidden=true"), ["ls-hidden", "ls-promos", "ls-titled"])
        self.assertEqual(codes("?searchText=q3&state=ACTIVE"), ["ls-titled"])
        # Hidden links are still theirs to get and change.
        status, body = self.api.json("GET", "/api/v1/urls/ls-hidden", None, key)
        self.assertEqual((status, body["hidden"]), (200, True))
        status, body = self.api.json("PATCH", "/api/v1/urls/ls-hidden", {"hidden": False}, key)
        self.assertEqual(status, 200, body)
        self.assertEqual(codes(""), ["ls-hidden", "ls-plain", "ls-promos", "ls-titled"])
        for bad in ("hidden=yes", "hidden=1", "tag=", "tag=" + "x" * 51):
            status, body = self.api.json("GET", "/api/v1/urls?" + bad, None, key)
            self.assertEqual(status, 400, bad)
            self.assertTrue(body["message"].startswith(bad.split("=")[0]), body)

    # --- the stored password ---

    def test_password_is_stored_only_as_an_argon2id_hash(self):
        status, body = self.create("hashed", password="correct horse")
        self.assertEqual(status, 200, body)
        changes = changes_of(self.api, "hashed")
        self.assertEqual(len(changes), 1)
        hashes = [v for t, v in changes[0][1] if t == PASSWORD_HASH_TAG]
        self.assertEqual(len(hashes), 1)
        self.assertRegex(hashes[0].decode(), r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
        raw = b"".join(v for _, v in changes[0][1])
        self.assertNotIn(b"correct horse", raw)
        # The same in the snapshot a new node loads.
        status, _, data = self.api.request("GET", "/internal/v1/snapshot",
                                           headers={"Authorization": "Bearer " + self.api.node_token})
        self.assertEqual(status, 200)
        snap = [link_fields(f) for f in split_frames(data)]
        record = next(f for f in snap if (1, b"hashed") in f)
        self.assertIn((PASSWORD_HASH_TAG, hashes[0]), record)
        # A new password is a new hash (a new salt); removing it drops the field.
        self.patch("hashed", {"password": "correct horse"})
        second = [v for t, v in changes_of(self.api, "hashed")[-1][1] if t == PASSWORD_HASH_TAG]
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second[0], hashes[0])
        self.patch("hashed", {"password": None})
        self.assertNotIn(PASSWORD_HASH_TAG, [t for t, _ in changes_of(self.api, "hashed")[-1][1]])
        self.assertNotIn("correct horse", self.group.log("admin.log"))


if __name__ == "__main__":
    unittest.main()
