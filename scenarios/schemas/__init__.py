"""One schema mechanism for every TOML file a user writes: plans, budget scenarios, subsidy
schedules, simulation parameters.

Each file's shape is a pydantic v2 model (``extra="forbid"``, strict types, no NaN/inf); this
module reads the text (UTF-8 with or without BOM, or GBK/GB18030 as Notepad saves it), parses
it, validates it and turns every problem of the file into one Chinese sentence: where (``第3个
[[regions]] 的 short``), what was expected, what was found, and a did-you-mean for an unknown
key. Cross-field rules (unique ids, sums, dates in the plan year …) are checked by each file's
loader after the shape is right and added to the same list.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError


class Strict(BaseModel):
    """Base of every file model: unknown keys refused, no type coercion, no NaN/inf."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, populate_by_name=True)


def read_text(path: Path) -> str:
    """A TOML file's text: UTF-8 (a BOM is dropped) or GBK/GB18030; ValueError (Chinese) otherwise."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("无法按文本读取（既不是UTF-8也不是GBK编码）；请用记事本“另存为”UTF-8编码")


def parse(text: str) -> dict:
    """Parsed TOML; ValueError with a Chinese message naming the line and column otherwise."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = ""
        if "(at line" in message:
            tail = message.rsplit("(at line", 1)[1].rstrip(")").split(",")
            line = tail[0].strip()
            column = tail[1].replace("column", "").strip() if len(tail) > 1 else ""
            where = f"第{line}行" + (f"第{column}列" if column else "")
        raise ValueError(f"不是有效的TOML格式{('（' + where + '）') if where else ''}：请检查引号、等号和方括号是否成对"
                         f"（{message.split(' (at line')[0]}）") from None


def where(loc: tuple) -> str:
    """A pydantic location as a reader of the file finds it: ``第3个 [[regions]] short``,
    ``[base] month``, ``[rules.lawyer_yearly_cap] values 第1项 value``."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        key, nxt = loc[i], loc[i + 1] if i + 1 < len(loc) else None
        if not parts and isinstance(key, str) and isinstance(nxt, int):
            parts.append(f"第{nxt + 1}个 [[{key}]]")
            i += 2
            continue
        if not parts and isinstance(key, str) and nxt is not None:
            if key == "rules" and isinstance(nxt, str):
                parts.append(f"[rules.{nxt}]")
                i += 2
                continue
            parts.append(f"[{key}]")
        elif isinstance(key, int):
            parts.append(f"第{key + 1}项")
        else:
            parts.append(str(key))
        i += 1
    return " ".join(parts)


_TYPES = {
    "string_type": "应为文字（用英文双引号括起）", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "float_type": "应为数字", "float_parsing": "应为数字", "bool_type": "应为 true 或 false",
    "date_type": "应为日期（如 2023-01-01，不加引号）", "list_type": "应为列表（如 [\"甲\", \"乙\"]）",
    "dict_type": "应为表", "model_type": "应为表", "finite_number": "不能是 nan 或 inf",
    "string_too_short": "不能为空",
}
_RANGES = {"greater_than": "应大于 {gt}", "greater_than_equal": "应不小于 {ge}", "less_than": "应小于 {lt}",
           "less_than_equal": "应不大于 {le}", "too_short": "至少需要 {min_length} 项", "too_long": "最多 {max_length} 项",
           "literal_error": "应为 {expected} 之一"}


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a model allows at ``loc`` (for a did-you-mean)."""
    current: type[BaseModel] | None = model
    dict_key_next = False
    for key in loc:
        if isinstance(key, int):
            continue
        if dict_key_next:
            dict_key_next = False
            continue
        field = current.model_fields.get(key) if current is not None else None
        if field is None:
            return []
        current = _model_in(field.annotation)
        dict_key_next = _is_dict(field.annotation)
    return sorted(current.model_fields) if current is not None else []


def _is_dict(annotation) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_dict(arg) for arg in typing.get_args(annotation))


def _model_in(annotation) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[Model]``, ``dict[str, Model]``, ``Model | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def problems(error: ValidationError, model: type[BaseModel]) -> list[str]:
    """Every error of a validation as a Chinese sentence."""
    out = []
    for e in error.errors(include_url=False):
        loc, kind, ctx = tuple(e["loc"]), e["type"], e.get("ctx") or {}
        place = where(loc) or "文件顶层"
        found = e.get("input")
        if kind == "missing":
            out.append(f"{where(loc[:-1]) or '文件顶层'} 缺少 {loc[-1]}")
        elif kind == "extra_forbidden":
            names = _field_names(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.5)
            hint = f"，是否要写 {close[0]}？" if close else (f"（可用：{'、'.join(names)}）" if names else "")
            out.append(f"{where(loc[:-1]) or '文件顶层'} 有未知字段“{loc[-1]}”{hint}")
        elif kind in _TYPES:
            out.append(f"{place} {_TYPES[kind]}，实为 {found!r}")
        elif kind in _RANGES:
            out.append(f"{place} {_RANGES[kind].format(**ctx)}，实为 {found!r}")
        elif kind == "value_error":
            out.append(f"{place}：{str(e['msg']).removeprefix('Value error, ')}")
        else:
            out.append(f"{place}：{e['msg']}（实为 {found!r}）")
    return out


def validate(model: type[BaseModel], data: dict) -> tuple[BaseModel | None, list[str]]:
    """The validated model (None when invalid) and the Chinese problems found."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems(exc, model)


__all__ = ["Strict", "parse", "problems", "read_text", "validate", "where"]
