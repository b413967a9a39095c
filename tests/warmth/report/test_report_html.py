"""Must hold: headless Chromium shows every figure of DIR/index.html (each image decodes)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian package 'chromium')")
def test_every_figure_decodes_in_chromium(synthetic_report, tmp_path):
    rep, _ = synthetic_report
    page = rep.out_dir / "index.html"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--allow-file-access-from-files", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    imgs = re.findall(r"<img [^>]*>", dom)
    assert len(imgs) == len(rep.figures) == 6
    widths = [int(re.search(r'data-natural-width="(\d+)"', tag).group(1)) for tag in imgs]
    assert all(w > 100 for w in widths), widths  # 0 would mean the browser could not decode it
    assert 'data-images-loaded="6/6"' in dom
    for f in rep.figures:  # each figure has its legend next to it
        assert f.legend[:40] in dom.replace("&amp;", "&")
