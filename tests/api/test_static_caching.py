"""Static files and plotly.js: cacheable, and revalidated with ETag / Last-Modified (304)."""

import pytest


@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/js/main.js", "/styles.css", "/vendor/plotly.min.js"]
)
def test_static_files_revalidate_with_etag(client, path):
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"  # kept, but checked on every load
    etag = first.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    changed = client.get(path, headers={"If-None-Match": '"not-this-one"'})
    assert changed.status_code == 200 and changed.content == first.content


def test_plotly_is_served_as_javascript(client):
    response = client.get("/vendor/plotly.min.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert client.head("/vendor/plotly.min.js").headers["etag"] == response.headers["etag"]
