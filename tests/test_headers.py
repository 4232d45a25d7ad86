"""Every response carries the hardening headers and a nonce-based CSP."""

from __future__ import annotations

import re

import pytest

from tests.conftest import join_citizen


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_security_headers_on_public_responses(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    if response.mimetype == "text/html" and response.status_code == 200:
        body = response.get_data(as_text=True)
        assert f'nonce="{nonce}"' in body
        assert "<script>" not in body  # no inline scripts at all


def test_nonce_differs_per_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_no_hsts_over_plain_http_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_signed_in_pages_are_not_cached(client, make_world):
    world = make_world()
    join_citizen(client, world.course_code, world.citizens[0][1])
    assert client.get("/me").headers["Cache-Control"] == "no-store"


def test_htmx_is_configured_safely(client):
    page = client.get("/").get_data(as_text=True)
    config = re.search(r'name="htmx-config" content=\'([^\']+)\'', page).group(1)
    import json

    settings = json.loads(config)
    assert settings["allowEval"] is False and settings["allowScriptTags"] is False
    assert settings["historyCacheSize"] == 0 and settings["includeIndicatorStyles"] is False
    # settling copies attributes onto the swapped-in element; a style attribute set from script
    # is inline style, which the CSP refuses (an empty style="" left by a tool included)
    assert "style" not in settings["attributesToSettle"]


def test_static_assets_are_vendored(client):
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    assert any("htmx-2.0." in src for src in scripts)
    for src in scripts:
        response = client.get(src)
        assert response.status_code == 200
        response.close()
