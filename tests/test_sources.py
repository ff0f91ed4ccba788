"""The repository states the Asia tour's facts in its own words: it copies no run of the source.

The example's facts (``examples/asia_tour_2025_facts.md``) come from a news article that the
repository does not hold. ``tests/data/source_shingles.txt`` holds, instead, a hash of every
run of ``RUN`` consecutive words of that article, normalised by ``words`` (generated once from
the article; the hashes cannot give the text back). No text file in the repository may hold a
run of words whose hash is in that set: quote nothing, say the fact in your own words.

One exception is data the example's files and the tests pin: a string value of an example
scenario (``examples/*.toml``) that holds a run of the article is allowed, wherever it
appears, if its hash is in ``PINNED_DATA``; any other such value fails the test.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import subprocess
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SHINGLES = Path(__file__).parent / "data" / "source_shingles.txt"
RUN = 7  # words in a run: long enough that a common phrase does not collide by chance

# The scenario's obligation (its ``what``), seven words close to the article's: kept as it
# is because the scenario files, docs/cli.md, docs/simulation.md and the tests pin it.
PINNED_DATA = frozenset({"1dcf3e0b7f6a48c4"})

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the typographic apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u00a0": " ",  # no-break space
    }
)


def words(text: str) -> list[str]:
    """The text's words: lower case, apostrophes dropped, anything not a letter or digit a break.

    Typographic quotes and dashes (U+2018, U+2019, U+201C, U+201D, U+2012 to U+2014, U+2212)
    count as their ASCII forms, so ``Japan's`` is ``japans`` and ``U.S.-Japan`` is
    ``u s japan`` however they are typed.
    """
    text = text.translate(_TYPOGRAPHIC).lower().replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def digest(run: Iterable[str]) -> str:
    """The hash of a run of words: the first 16 hex digits of the SHA-256 of them, space-joined."""
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def source_hashes() -> frozenset[str]:
    """The frozen hashes of the article's runs (``#`` lines are comments)."""
    lines = SHINGLES.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def runs(found: list[str], hashes: frozenset[str], masked: Iterable[list[str]] = ()) -> list[str]:
    """The runs of ``found`` whose hash is in ``hashes``, skipping any that touch a masked phrase."""
    hidden = [False] * len(found)
    for phrase in masked:
        for i in range(len(found) - len(phrase) + 1):
            if found[i : i + len(phrase)] == phrase:
                hidden[i : i + len(phrase)] = [True] * len(phrase)
    return [
        " ".join(found[i : i + RUN])
        for i in range(len(found) - RUN + 1)
        if not any(hidden[i : i + RUN]) and digest(found[i : i + RUN]) in hashes
    ]


def copied_runs(
    paths: Iterable[Path], hashes: frozenset[str], masked: Iterable[list[str]] = ()
) -> dict[Path, list[str]]:
    """Each text file of ``paths`` that holds a run of the article, with the runs it holds.

    Binary files (a NUL byte, or not UTF-8) are skipped.
    """
    masked = list(masked)
    hits = {}
    for path in paths:
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if found := runs(words(text), hashes, masked):
            hits[path] = found
    return hits


def strings(value: object) -> Iterator[str]:
    """Every string in a parsed TOML value, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def data_with_runs(hashes: frozenset[str]) -> dict[str, list[str]]:
    """The example scenarios' string values that hold a run of the article, by their hash."""
    found = {}
    for path in sorted((ROOT / "examples").glob("*.toml")):
        for value in strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            if runs(words(value), hashes):
                found[digest(words(value))] = words(value)
    return found


def repository_files() -> list[Path]:
    """The repository's files: tracked, and new ones not ignored (the hash file left out)."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the repository's files are not known")
    names = [name for name in done.stdout.decode().split("\0") if name]
    paths = [ROOT / name for name in names]
    return [p for p in paths if p.is_file() and not p.is_symlink() and p != SHINGLES]


def test_the_frozen_hashes_cover_the_whole_article() -> None:
    """One hash per run of the article: over a thousand, each 16 hex digits."""
    hashes = source_hashes()
    assert len(hashes) > 1000
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)


def test_typographic_quotes_and_dashes_count_as_their_ascii_forms() -> None:
    """Case, punctuation, curly quotes and dashes do not hide a copied run."""
    assert words("Japan’s “U.S.–Japan” Summit—") == words('japan\'s "u.s.-japan" summit -')
    assert words("Japan’s U.S.–Japan") == ["japans", "u", "s", "japan"]


def test_only_pinned_data_values_repeat_the_article() -> None:
    """A scenario's string value may hold a run of the article only if it is pinned above."""
    assert set(data_with_runs(source_hashes())) == PINNED_DATA


def test_a_file_with_one_copied_sentence_fails(tmp_path: Path) -> None:
    """The check can fail: one sentence of the article, in any case or quoting, is found.

    The sentence is stored ROT13-encoded so that this file does not itself copy it.
    """
    sentence = codecs.decode(
        "Gehzc’f cebtenz va Wncna ortna jvgu gur H.F.–Wncna fhzzvg uryq ng gur Nxnfnxn Fgngr "
        "Thrfg Ubhfr va Gbxlb.",
        "rot13",
    )
    copied, shouted, own = tmp_path / "copied.md", tmp_path / "shouted.txt", tmp_path / "own.md"
    copied.write_text(f"# Notes\n\nAs the article puts it: {sentence}\n", encoding="utf-8")
    shouted.write_text(sentence.upper().replace("’", "'").replace("–", "-"), encoding="utf-8")
    own.write_text(
        "On 28 October Trump and Takaichi hold their summit in Tokyo.\n", encoding="utf-8"
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0" + sentence.encode())
    hits = copied_runs(sorted(tmp_path.iterdir()), source_hashes())
    assert set(hits) == {copied, shouted}
    assert len(hits[copied]) == len(words(sentence)) - RUN + 1  # every run of it
    assert hits[copied][0] == " ".join(words(sentence)[:RUN])


def test_a_masked_data_phrase_is_allowed_where_it_stands() -> None:
    """A pinned data value is skipped with the runs that touch it, and nothing else is."""
    hashes = frozenset({digest(["a", "b", "c", "d", "e", "f", "g"])})
    text = words("x a b c d e f g y")
    assert runs(text, hashes) == ["a b c d e f g"]
    assert runs(text, hashes, masked=[["c", "d"]]) == []
    assert runs(text, hashes, masked=[["x"], ["y"]]) == ["a b c d e f g"]


def test_no_file_in_the_repository_copies_the_article() -> None:
    """No text file of the repository holds a run of the article (pinned data values aside)."""
    hashes = source_hashes()
    masked = [phrase for h, phrase in data_with_runs(hashes).items() if h in PINNED_DATA]
    hits = copied_runs(repository_files(), hashes, masked)
    assert {str(path.relative_to(ROOT)): found for path, found in hits.items()} == {}
