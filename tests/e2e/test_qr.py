"""QR codes of links: GET /api/v1/urls/{shortUrl}/qr (admin-api/src/qr/).

Each image is read back as a phone would read it: the PNG by zbarimg
(Debian's zbar-tools), the SVG first rendered by rsvg-convert (librsvg2-bin),
and must hold exactly the link's short URL (the server's --public-url,
https://sho.rt, and the code; a custom domain's host and the code).
"""
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import ApiTestCase

SVG_NS = "{http://www.w3.org/2000/svg}"


def scan(png_bytes):
    """The texts zbarimg reads in a PNG, one per symbol found."""
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png_bytes)
        f.flush()
        out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f.name],
                             capture_output=True, text=True, timeout=30)
    return out.stdout.splitlines()


def png_size(png_bytes):
    """(width, height) from the IHDR chunk, which follows the signature."""
    assert png_bytes[:8] == b"\x89PNG\r\n\x1a\n", png_bytes[:16]
    assert png_bytes[12:16] == b"IHDR"
    return struct.unpack(">II", png_bytes[16:24])


class QrTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("zbarimg", "rsvg-convert"):
            if not shutil.which(tool):
                raise AssertionError(f"{tool} is missing: run scripts/install-deps.sh")
        super().setUpClass()
        status, body = cls.api.json("POST", "/api/v1/urls",
                                    {"longUrl": "https://example.com/annual-report", "shortUrl": "Qr-Report"}, cls.key)
        assert status == 200, body

    def get(self, path, key=None):
        """An image route's answer. Through the contract proxy, Prism checks
        the answer but reads it as text, which garbles a PNG: the bytes then
        come from the server directly, as the harness does for the node
        protocol's binary answers."""
        key = self.key if key is None else key
        status, headers, data = self.api.request("GET", path, key=key or None)
        if self.api.proxy and status == 200:
            status, headers, data = self.api.request("GET", path, key=key or None, direct=True)
        return status, {k.lower(): v for k, v in headers.items()}, data

    def test_the_png_scans_back_to_the_short_url(self):
        for size in (64, 256, 1000):
            status, headers, data = self.get(f"/api/v1/urls/qr-report/qr?format=png&size={size}")
            self.assertEqual(status, 200, data[:200])
            self.assertEqual(headers["content-type"], "image/png")
            self.assertEqual(headers["cache-control"], "private, max-age=300")
            self.assertEqual(png_size(data), (size, size))
            self.assertEqual(scan(data), ["https://sho.rt/qr-report"], f"size {size}")

    def test_the_svg_is_well_formed_and_scans_back_to_the_short_url(self):
        status, headers, data = self.get("/api/v1/urls/QR-REPORT/qr")  # svg and 256 by default
        self.assertEqual(status, 200, data[:200])
        self.assertEqual(headers["content-type"], "image/svg+xml")
        self.assertEqual(headers["cache-control"], "private, max-age=300")
        root = ET.fromstring(data)
        self.assertEqual(root.tag, SVG_NS + "svg")
        self.assertEqual((root.get("width"), root.get("height")), ("256", "256"))
        side = int(root.get("viewBox").split()[2])
        self.assertEqual(root.get("viewBox"), f"0 0 {side} {side}")
        path = root.find(SVG_NS + "path")
        self.assertEqual(path.get("fill"), "#000")
        self.assertTrue(path.get("d").startswith("M4 4h7v1h-7z"), path.get("d")[:40])  # the first finder's top row
        png = subprocess.run(["rsvg-convert", "--format", "png"], input=data, capture_output=True,
                             check=True, timeout=30).stdout
        self.assertEqual(png_size(png), (256, 256))
        self.assertEqual(scan(png), ["https://sho.rt/qr-report"])

    def test_a_custom_domain_link_holds_its_host(self):
        status, body = self.api.json("POST", "/api/v1/domains", {"host": "qr.example.org"}, self.key)
        self.assertEqual(status, 201, body)
        status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/other", "shortUrl": "qr-report",
                                                             "domain": "qr.example.org"}, self.key)
        self.assertEqual(status, 200, body)
        status, _, data = self.get("/api/v1/urls/qr-report/qr?format=png&domain=QR.example.org")
        self.assertEqual(status, 200, data[:200])
        self.assertEqual(scan(data), ["https://qr.example.org/qr-report"])
        # Without ?domain= the default domain's link, as the link routes read it.
        status, _, data = self.get("/api/v1/urls/qr-report/qr?format=png")
        self.assertEqual(scan(data), ["https://sho.rt/qr-report"])

    def test_bad_format_and_size_are_400_with_a_message(self):
        for query, message in (("format=gif", "format must be svg or png."),
                               ("format=PNG", "format must be svg or png."),
                               ("size=63", "size must be a whole number from 64 to 2048."),
                               ("format=png&size=2049", "size must be a whole number from 64 to 2048."),
                               ("size=12px", "size must be a whole number from 64 to 2048.")):
            status, body = self.api.json("GET", f"/api/v1/urls/qr-report/qr?{query}", key=self.key)
            self.assertEqual((status, body), (400, {"message": message}), query)

    def test_unknown_code_and_another_teams_link_are_404(self):
        status, body = self.api.json("GET", "/api/v1/urls/no-such-code/qr?format=png", key=self.key)
        self.assertEqual(status, 404, body)
        self.assertIn("message", body)
        status, body = self.api.json("GET", "/api/v1/urls/qr-report/qr?domain=nowhere.example.org", key=self.key)
        self.assertEqual(status, 404, body)
        # A user of their own team sees none of the admin's team's links.
        status, user = self.api.json("POST", "/api/v1/users", {"email": "qr-other@example.com"}, self.key)
        self.assertEqual(status, 201, user)
        status, body = self.api.json("GET", "/api/v1/urls/qr-report/qr", key=user["apiKey"]["key"])
        self.assertEqual(status, 404, body)

    def test_without_a_key_is_401(self):
        status, headers, data = self.api.request("GET", "/api/v1/urls/qr-report/qr?format=png")
        self.assertEqual(status, 401, data)
        self.assertIn("Bearer", {k.lower(): v for k, v in headers.items()}["www-authenticate"])


if __name__ == "__main__":
    unittest.main()
