"""WhiteNoise serves the collected static files hashed, compressed and cached for ever."""

import io
import json

from django.core.management import call_command
from django.test import Client


def test_collected_static_files_are_hashed_compressed_and_cached_far_ahead(settings, tmp_path, db):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "main.css").write_text("body { color: #212b32; }\n" * 200)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", "--no-input", stdout=io.StringIO())

    hashed = json.loads((tmp_path / "collected" / "staticfiles.json").read_text())["paths"]["css/main.css"]
    assert hashed != "css/main.css"
    assert (tmp_path / "collected" / f"{hashed}.br").exists()
    assert (tmp_path / "collected" / f"{hashed}.gz").exists()

    client = Client()  # a new client loads WhiteNoise with the new STATIC_ROOT
    response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "br, gzip"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Vary"] == "Accept-Encoding"
    response.close()

    unhashed = client.get("/static/css/main.css")
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]
    unhashed.close()
