"""The pack's Korean font: Noto Sans KR from the `justmytype-intl-cjk` package (SIL OFL 1.1).

The package ships a variable font (`NotoSansKR[wght].ttf`, 10 MB, weight axis 100-900) whose
default instance is Thin (wght 100). fpdf2 2.8 can instance it itself (`add_font(...,
variations={"wght": 400})`) and matplotlib cannot at all (FreeType draws the default, Thin),
and fpdf2's own instancing of the whole font takes about 20 s per weight. So the pack does it
once, cheaply, for both:

1. subset the variable font to the characters the pack uses (fontTools, ~1.5 s; the outlines
   keep their variations);
2. instance the subset at Regular (400) and Bold (700) (fontTools varLib.instancer, < 1 s);
3. name the instances `Noto Sans KR` Regular / Bold (what a PDF reader shows as the embedded
   font) with a family name unique to the character set for matplotlib's font manager.

The two static fonts are written to a content-addressed cache (the same characters give the
same files, byte for byte) that matplotlib can keep referring to; fpdf2 then embeds a subset of
them in the PDF, and matplotlib draws the charts with them (font_manager.addfont)."""

from __future__ import annotations

import hashlib
import io
import os
import string
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

FONT_PACKAGE = "justmytype_intl_cjk"
FONT_RESOURCE = ("fonts", "ofl", "notosanskr", "NotoSansKR[wght].ttf")
POSTSCRIPT_NAME = "NotoSansKR"
WEIGHTS = {"Regular": 400, "Bold": 700}
CACHE_VERSION = "3"

# Always in the subset: everything a number, a date or an axis can show.
BASE_CHARACTERS = set(string.printable) - set("\t\n\r\x0b\x0c") | set("·•…—–−×±≥≤‰°→←↑↓▲▼■□●○※’‘“”%~")


class FontUnavailable(RuntimeError):
    """The Korean font package is not installed."""


def variable_font_path() -> Path:
    """Where the installed package keeps the variable font (never a hard-coded path)."""
    try:
        font = resources.files(FONT_PACKAGE).joinpath(*FONT_RESOURCE)
    except ModuleNotFoundError as exc:
        raise FontUnavailable(
            f"The Korean font package is missing: install `justmytype-intl-cjk` (it is in "
            f"requirements.lock) to build the advisory pack."
        ) from exc
    path = Path(str(font))
    if not path.is_file():
        raise FontUnavailable(f"{path} is missing from the installed `justmytype-intl-cjk` package.")
    return path


@dataclass(frozen=True)
class KoreanFont:
    regular: Path
    bold: Path
    family: str  # the family name matplotlib knows the two files by
    characters: str  # what the two files can draw

    def missing(self, text: str) -> set[str]:
        """Characters of `text` the fonts cannot draw: outside the character set they were cut
        to (a bug), or not in Noto Sans KR at all (e.g. an emoji in a unit name)."""
        return {c for c in set(text) - set(self.characters) if c.isprintable() and not c.isspace()}


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"axmeter-fonts-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def korean_font(text: str, cache_dir: Path | None = None) -> KoreanFont:
    """Static Regular and Bold instances of Noto Sans KR covering `text` (plus digits,
    Latin letters and punctuation)."""
    source = variable_font_path()
    characters = "".join(sorted((set(text) | BASE_CHARACTERS) - {"\x00"}))
    stat = source.stat()
    key = hashlib.sha256(
        "\n".join([CACHE_VERSION, source.name, str(stat.st_size), _font_tools_version(), characters]).encode()
    ).hexdigest()[:16]
    family = f"Noto Sans KR axmeter {key[:8]}"
    directory = (cache_dir or default_cache_dir()) / key
    paths = {style: directory / f"{POSTSCRIPT_NAME}-{style}.ttf" for style in WEIGHTS}
    if not all(p.is_file() for p in paths.values()):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for style, data in _instances(source, characters, family).items():
            temporary = paths[style].with_name(f".{paths[style].name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, paths[style])
    return KoreanFont(regular=paths["Regular"], bold=paths["Bold"], family=family,
                      characters=_covered(paths["Regular"]))


def _covered(path: Path) -> str:
    """The characters the instance can draw (its cmap): what the caller asked for, less any
    character Noto Sans KR does not have."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return "".join(sorted(chr(code) for code in font.getBestCmap()))


def _font_tools_version() -> str:
    import fontTools

    return fontTools.version


def _instances(source: Path, characters: str, family: str) -> dict[str, bytes]:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    buffer = io.BytesIO()
    with TTFont(str(source), recalcTimestamp=False, lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        font.save(buffer)

    out = {}
    for style, weight in WEIGHTS.items():
        variable = TTFont(io.BytesIO(buffer.getvalue()), recalcTimestamp=False)
        static = instancer.instantiateVariableFont(variable, {"wght": weight})
        static["OS/2"].usWeightClass = weight
        _rename(static, family, style)
        data = io.BytesIO()
        static.save(data)
        out[style] = data.getvalue()
    return out


def _rename(font, family: str, style: str) -> None:
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17, 21, 22, 25):
            name.removeNames(nameID=record.nameID)
    full = f"Noto Sans KR {style}"  # what fpdf2 names the embedded font after
    name.setName(family, 1, 3, 1, 0x409)
    name.setName(style, 2, 3, 1, 0x409)
    name.setName(f"axmeter subset;{POSTSCRIPT_NAME}-{style}", 3, 3, 1, 0x409)
    name.setName(full, 4, 3, 1, 0x409)
    name.setName(f"{POSTSCRIPT_NAME}-{style}", 6, 3, 1, 0x409)
    # WWS names: fontTools' getBestFullName (and so fpdf2's embedded font name) reads them
    # first; FreeType (matplotlib) ignores them and uses the unique family above.
    name.setName("Noto Sans KR", 21, 3, 1, 0x409)
    name.setName(style, 22, 3, 1, 0x409)
    font["head"].macStyle = 0x01 if style == "Bold" else 0x00
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (0b100000 if style == "Bold" else 0b1000000)


_REGISTERED: set[Path] = set()


def register_with_matplotlib(font: KoreanFont) -> str:
    """Add both files to matplotlib's font manager (once per process); returns the family."""
    from matplotlib import font_manager

    for path in (font.regular, font.bold):
        if path not in _REGISTERED:
            font_manager.fontManager.addfont(str(path))
            _REGISTERED.add(path)
    return font.family
