"""Backup and restore of admin-api's database (docs/operations.md).

POST /api/v1/backups makes a RocksDB checkpoint while admin-api serves,
writes going on; a second admin-api started on a copy of it answers with
every link committed before the backup, and none made after it.
"""
import os
import shutil
import threading
import time
import unittest

from harness import AdminApi, ProcessGroup, Repeating


class BackupTest(unittest.TestCase):
    def setUp(self):
        self.group = ProcessGroup()
        self.addCleanup(self.group.close)
        self.api = AdminApi(self.group, extra=["--rate-limit", "100000"])
        self.key = self.api.bootstrap()
        self.api.start()

    def create(self, code):
        status, body = self.api.json("POST", "/api/v1/urls",
                                     {"longUrl": "https://example.com/%s" % code, "shortUrl": code}, key=self.key)
        self.assertEqual(status, 200, body)  # the Go API answers a create with 200

    def codes(self, api):
        status, body = api.json("GET", "/api/v1/urls?limit=1000", key=self.key)
        self.assertEqual(status, 200, body)
        return {u["shortUrl"]: u["longUrl"] for u in body["urls"]}

    def test_a_backup_taken_while_writing_restores_every_link_committed_before_it(self):
        for i in range(50):
            self.create("before-%d" % i)
        # Writes go on from two threads while the checkpoint is taken.
        made, lock = [], threading.Lock()

        def write(index, n):
            code = "during-%d-%d" % (index, n)
            self.create(code)
            with lock:
                made.append(code)

        with Repeating(write) as writers:
            time.sleep(0.2)
            status, backup = self.api.json("POST", "/api/v1/backups", key=self.key)
        self.assertEqual(writers.errors, [])
        self.assertEqual(status, 201, backup)
        self.assertEqual(os.path.dirname(backup["path"]), self.api.data_dir + "-backups")
        self.assertEqual(os.path.basename(backup["path"]), backup["name"])
        self.assertGreater(backup["sequence"], 0)
        self.assertGreater(len(made), 0, "no write went on during the backup")
        self.create("after")

        # Restore: a copy of the backup as the data dir of a second server,
        # beside the first (the backup is a complete data dir, of its own).
        # Its own group: its own directory, certificate and port.
        elsewhere = ProcessGroup()
        self.addCleanup(elsewhere.close)
        restored_dir = elsewhere.path("restored")
        shutil.copytree(backup["path"], restored_dir)
        restored = AdminApi(elsewhere, extra=["--rate-limit", "100000"], data_dir=restored_dir)
        restored.start()
        links = self.codes(restored)
        for i in range(50):
            self.assertEqual(links.get("before-%d" % i), "https://example.com/before-%d" % i)
        self.assertNotIn("after", links)
        # Of the writes racing the backup, a prefix per writer: each thread's
        # codes are made in order, so a later one never lands without an earlier.
        for index in range(2):
            mine = sorted((int(c.split("-")[2]) for c in links if c.startswith("during-%d-" % index)))
            self.assertEqual(mine, list(range(len(mine))))
        # The original went on: it has everything.
        self.assertEqual(len(self.codes(self.api)), 50 + len(made) + 1)

    def test_only_site_admins_may_back_up(self):
        status, user = self.api.json("POST", "/api/v1/users", {"email": "ana@example.com", "role": "member"},
                                     key=self.key)
        self.assertEqual(status, 201, user)
        status, body = self.api.json("POST", "/api/v1/backups", key=user["apiKey"]["key"])
        self.assertEqual((status, body["message"]), (404, "Not found."))
        status, _ = self.api.json("POST", "/api/v1/backups")
        self.assertEqual(status, 401)
        self.assertFalse(os.path.exists(self.api.data_dir + "-backups"))

    def test_a_field_in_the_body_is_refused_by_name(self):
        status, body = self.api.json("POST", "/api/v1/backups", {"dir": "/tmp/x"}, key=self.key)
        self.assertEqual(status, 400, body)
        self.assertIn("dir", body["message"])
        status, body = self.api.json("POST", "/api/v1/backups", {}, key=self.key)
        self.assertEqual(status, 201, body)


if __name__ == "__main__":
    unittest.main()
