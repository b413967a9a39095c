"""Content filter: keyword fallback (documented), provenance, bad method."""

import importlib.util

import pytest

from warmth.conversation import Conversation, Message
from warmth.errors import ConfigError
from warmth.styledata.filters import ContentFilter


def _conv(text):
    return Conversation("c", [Message("user", text), Message("assistant", "ok")])


def test_keyword_filter_drops_whole_words_only(tmp_path):
    f = ContentFilter("keywords")
    assert f.keep(_conv("Write an erotic story")) == (False, "keyword:erotic")
    assert f.keep(_conv("Summa cum laude, naked eye, explain eroticism?"))[0]
    extra = tmp_path / "terms.txt"
    extra.write_text("# mine\nbanana split\n")
    assert not ContentFilter("keywords", keywords_file=str(extra)).keep(_conv("A Banana Split please"))[0]
    assert f.provenance()["method"] == "keywords"


def test_auto_falls_back_and_says_why():
    f = ContentFilter("auto")
    prov = f.provenance()
    if importlib.util.find_spec("detoxify") is None:
        assert prov["method"] == "keywords" and "not installed" in prov["note"]
        with pytest.raises(ConfigError, match="detoxify"):
            ContentFilter("detoxify")
    else:
        assert prov["method"] in ("detoxify", "keywords") and prov["note"]


def test_bad_method_names_key():
    with pytest.raises(ConfigError, match="filter.method"):
        ContentFilter("vibes")
    assert ContentFilter("none").keep(_conv("porn"))[0]
