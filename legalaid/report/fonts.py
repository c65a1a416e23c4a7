"""Chinese text in matplotlib charts: pick an installed CJK font by family name.

Fonts are chosen by family name, never by file path (a Noto CJK .ttc registered by path
yields its Japanese face). If a CJK font was installed after matplotlib built its font cache,
the cache is rebuilt once. With no CJK font at all, ``use_cjk_font`` warns in Chinese and
English (charts would show boxes) and returns None; ``scripts/setup.sh`` installs one.
"""

from __future__ import annotations

import warnings

#: Families tried in order (Simplified Chinese faces first).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)

_chosen: list[str | None] = []


def pick_family(installed) -> str | None:
    """The first of ``CJK_FAMILIES`` among the ``installed`` family names (e.g. Windows: Microsoft YaHei, SimHei)."""
    names = set(installed)
    return next((fam for fam in CJK_FAMILIES if fam in names), None)


def find_cjk_family() -> str | None:
    """The first installed CJK family matplotlib can use, rebuilding its cache once if needed.

    matplotlib lists the system's fonts itself on every platform (on Windows the fonts folder,
    where Microsoft YaHei and SimHei live), so no bash, apt or compiler is involved.
    """
    from matplotlib import font_manager

    def present() -> str | None:
        return pick_family(f.name for f in font_manager.fontManager.ttflist)

    family = present()
    if family is None:
        font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)
        family = present()
    return family


def use_cjk_font() -> str | None:
    """Configure matplotlib (Agg) to render Chinese; return the family, or None with a warning."""
    import matplotlib

    matplotlib.use("Agg")
    if not _chosen:
        _chosen.append(find_cjk_family())
    family = _chosen[0]
    if family is None:
        warnings.warn(
            "未找到中文字体，图表中的汉字将显示为方框。请运行 scripts/setup.sh 或安装 fonts-noto-cjk / "
            "fonts-wqy-microhei。 (No CJK font found: Chinese text in charts would render as boxes.)",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
