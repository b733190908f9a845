"""One setting's declaration and the checks of its value (a leaf module).

:class:`Setting` declares a setting as data (name, default, help, allowed
choices, type, minimum); :func:`check_value` and :func:`parse_env` are the
one validation every value goes through, from the TOML file, the
environment or a flag, before anything runs.  A bad value is a
:class:`~oncometrics.errors.SettingError` of one line naming the setting,
the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncometrics.errors import SettingError

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_KIND_NAMES = {bool: "true or false", int: "an integer", float: "a number",
               str: "a string"}  # fmt: skip


@dataclass(frozen=True)
class Setting:
    """One configuration setting.

    ``choices`` lists the allowed values (of each item for a list setting;
    ``None``: any value of the type); ``kind`` is the expected type of the
    value (of each item for a tuple default), inferred from ``default`` when
    ``None``; ``minimum`` is the smallest allowed number.  A setting whose
    default is None may be left unset (None).
    """

    name: str
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    kind: type | None = None
    minimum: float | None = None

    @property
    def value_kind(self) -> type:
        """The type of the value (of each item of a list setting)."""
        if self.kind is not None:
            return self.kind
        if isinstance(self.default, tuple) or self.default is None:
            return str
        return type(self.default)

    @property
    def is_list(self) -> bool:
        """Whether the value is a list (a tuple default)."""
        return isinstance(self.default, tuple)

    def allowed(self) -> str:
        """What a value may be, in words (for messages and the docs)."""
        if self.choices is not None:
            what = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            what = _KIND_NAMES.get(self.value_kind, self.value_kind.__name__)
            if self.minimum is not None:
                what += f" >= {self.minimum:g}"
        return f"a list of {_plural(what)}" if self.is_list else what


def _plural(what: str) -> str:
    return {"a string": "strings", "an integer": "integers"}.get(what, what)


def bad(setting: Setting, value: Any, why: str, origin: str = "") -> SettingError:
    """The one-line error for `value` of `setting` (`origin`: where it came from)."""
    where = f" (from {origin})" if origin else ""
    return SettingError(f"setting {setting.name}: {value!r} {why}{where}")


def check_value(setting: Setting, value: Any, origin: str = "") -> Any:
    """`value` checked against `setting` (type, choices, minimum), normalised.

    Lists become tuples, integers given for a number become floats.
    """
    if value is None:
        if setting.default is None:
            return None
        raise bad(setting, value, f"is not {setting.allowed()}", origin)
    if setting.is_list:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise bad(setting, value, f"is not {setting.allowed()}", origin)
        return tuple(_one(setting, v, origin) for v in value)
    return _one(setting, value, origin)


def _one(setting: Setting, value: Any, origin: str) -> Any:
    kind = setting.value_kind
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = number and float(value).is_integer()
        value = int(value) if ok else value
    elif kind is float:
        ok = number
        value = float(value) if ok else value
    elif kind is str and isinstance(value, int) and not isinstance(value, bool):
        ok, value = True, str(value)  # e.g. period = 2020 in TOML
    else:
        ok = isinstance(value, kind)
    if not ok:
        expected = _KIND_NAMES.get(kind, kind.__name__)
        raise bad(setting, value, f"is not {expected}", origin)
    if setting.choices is not None and value not in setting.choices:
        allowed = ", ".join(repr(c) for c in setting.choices)
        raise bad(setting, value, f"is not one of {allowed}", origin)
    if setting.minimum is not None and value < setting.minimum:
        raise bad(setting, value, f"is not >= {setting.minimum:g}", origin)
    return value


def parse_env(setting: Setting, raw: str, origin: str) -> Any:
    """The value of an environment variable, parsed by the setting's type.

    Lists are comma-separated; an empty value leaves an optional setting
    unset.  The result still goes through :func:`check_value`.
    """
    text = raw.strip()
    if setting.is_list:
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    if text == "" and setting.default is None:
        return None
    kind = setting.value_kind
    if kind is bool:
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise bad(setting, raw, "is not true or false (1/0, yes/no, on/off)", origin)
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise bad(setting, raw, f"is not {_KIND_NAMES[kind]}", origin) from None
    return raw


def parse_period(text: str | None) -> tuple[int, int] | None:
    """'2014-2023' -> (2014, 2023); '2020' -> (2020, 2020); None stays None.

    >>> parse_period("2014-2023")
    (2014, 2023)
    """
    if text in (None, ""):
        return None
    assert text is not None
    parts = str(text).replace("–", "-").split("-")
    try:
        nums = [int(p) for p in parts if p.strip()]
    except ValueError:
        raise ValueError(f"bad period {text!r}: expected YEAR or FIRST-LAST") from None
    if len(nums) == 1:
        nums = nums * 2
    if len(nums) == 2 and nums[0] > nums[1]:
        raise ValueError(
            f"bad period {text!r}: years reversed (did you mean {nums[1]}-{nums[0]}?)"
        )
    if len(nums) != 2 or not (1000 <= nums[0] <= 9999):
        raise ValueError(f"bad period {text!r}: expected YEAR or FIRST-LAST")
    return nums[0], nums[1]


def check_periods(values: dict[str, Any], origins: dict[str, str]) -> None:
    """``period`` is a year or span and ``periods`` two of them."""
    by_name = {"period": "YEAR or FIRST-LAST", "periods": "two periods 'A-B,C-D'"}
    for name, expected in by_name.items():
        text = values.get(name)
        if text in (None, ""):
            continue
        parts = [p.strip() for p in str(text).split(",")]
        ok = len(parts) == (2 if name == "periods" else 1)
        where = f" (from {origins[name]})" if origins.get(name) else ""
        try:
            ok = ok and all(parse_period(p) is not None for p in parts)
        except ValueError as exc:
            if "reversed" in str(exc):
                raise SettingError(f"setting {name}: {exc}{where}") from None
            ok = False
        if not ok:
            raise SettingError(f"setting {name}: {text!r} is not {expected}{where}")
