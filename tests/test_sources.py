"""The repository states the Asia tour's facts in its own words: it copies no run of the source.

The example's facts (``examples/asia_tour_2025_facts.md``) come from a news article that the
repository does not hold. ``tests/data/source_shingles.txt`` holds, instead, a hash of every
run of ``RUN`` consecutive words of that article, normalised by ``words`` (generated once from
the article; the hashes cannot give the text back). No text file in the repository may hold a
run of words whose hash is in that set, data included: quote nothing, say the fact in your
own words.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).parent.parent
SHINGLES = Path(__file__).parent / "data" / "source_shingles.txt"
RUN = 7  # words in a run: long enough that a common phrase does not collide by chance

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


def runs(found: list[str], hashes: frozenset[str]) -> list[str]:
    """The runs of ``found`` whose hash is in ``hashes``."""
    return [
        " ".join(found[i : i + RUN])
        for i in range(len(found) - RUN + 1)
        if digest(found[i : i + RUN]) in hashes
    ]


def copied_runs(paths: Iterable[Path], hashes: frozenset[str]) -> dict[Path, list[str]]:
    """Each text file of ``paths`` that holds a run of the article, with the runs it holds.

    Binary files (a NUL byte, or not UTF-8) are skipped.
    """
    hits = {}
    for path in paths:
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if found := runs(words(text), hashes):
            hits[path] = found
    return hits


def repository_files() -> list[Path]:
    """The repository's files, the hash file left out.

    Git's files (tracked, and new ones not ignored), or outside a git checkout every file
    under the root but for hidden folders, virtual environments and built docs.
    """
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
        paths = [ROOT / name for name in done.stdout.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist, say)
        skipped = {"_build", "node_modules", "__pycache__"}
        paths = [
            p
            for p in ROOT.rglob("*")
            if not any(
                part.startswith(".") or part in skipped for part in p.relative_to(ROOT).parts
            )
            and not any(parent.joinpath("pyvenv.cfg").exists() for parent in p.parents)
        ]
    return [p for p in paths if p.is_file() and not p.is_symlink() and p != SHINGLES]


def test_the_frozen_hashes_cover_the_whole_article() -> None:
    """One hash per run of the article: over a thousand, each 16 hex digits."""
    hashes = source_hashes()
    assert len(hashes) > 1000
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)


def test_no_file_in_the_repository_copies_the_article() -> None:
    """No text file of the repository holds a run of the article, data included."""
    hits = copied_runs(repository_files(), source_hashes())
    assert {str(path.relative_to(ROOT)): found for path, found in hits.items()} == {}
