"""Machine Readable Zone (ICAO Doc 9303 Parts 3–6): check digits, generation and parsing.

The generator and the parser live together because each is the other's test oracle: everything the
generator writes must parse back to the same fields with every check passing, and every check the
parser runs must be one the generator satisfies. The parser never raises on bad input: a verifier
needs *all* the reasons an MRZ is wrong (the mock document provider reports them per check), so
:func:`parse_mrz` returns an :class:`MrzResult` whose ``failures`` names each failing check.

Failure names (Doc 9303 checks, in the order a verifier meets them):
``line_count``, ``line_length``, ``invalid_character``, ``invalid_document_code``,
``invalid_issuing_state``, ``invalid_nationality``, ``invalid_sex``, ``document_number_check_digit``,
``birth_date_check_digit``, ``expiry_date_check_digit``, ``optional_data_check_digit``,
``composite_check_digit``, ``invalid_birth_date``, ``invalid_expiry_date``, ``birth_date_in_future``,
``expired``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

_WEIGHTS = (7, 3, 1)
MRZ_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
FILLER = "<"


# ISO 3166-1 alpha-3 (officially assigned codes) — the issuing states and nationalities a verifier accepts,
# together with the ICAO-only codes of Doc 9303 Part 3 §5.
_ISO_ALPHA3_TEXT = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR BHS
BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV
CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM
GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN
IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE
LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS
MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK
PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR
SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY
USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
_ICAO_ONLY = (
    "D",
    "GBD",
    "GBN",
    "GBO",
    "GBP",
    "GBS",
    "UNO",
    "UNA",
    "UNK",
    "EUE",
    "XOM",
    "XPO",
    "XXA",
    "XXB",
    "XXC",
    "XXX",
    "RKS",
    "UTO",
    "XBA",
    "XIM",
    "XCC",
    "XCO",
    "XEC",
    "XES",
    "XMP",
)
ICAO_STATE_CODES = frozenset(_ISO_ALPHA3_TEXT.split()) | frozenset(_ICAO_ONLY)
_ICAO_FOR_ISO = {"DEU": "D"}


def mrz_state_code(code: str) -> str:
    """The code Doc 9303 writes for a state: ISO alpha-3, except Germany which is written ``D``."""
    upper = code.upper()
    return _ICAO_FOR_ISO.get(upper, upper)


class MrzError(ValueError):
    """Raised when an MRZ cannot be *generated* from the given data (the parser never raises)."""


def char_value(char: str) -> int:
    """Numeric value of one MRZ character: digits as themselves, A–Z as 10–35, the filler '<' as 0."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def check_digit(field: str) -> str:
    """Doc 9303 Part 3 §4.9 check digit: weights 7, 3, 1 repeating, sum modulo 10."""
    total = sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field))
    return str(total % 10)


class MrzFormat(StrEnum):
    """The three machine readable travel document layouts, named as Doc 9303 names them."""

    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"


#: (line count, line length) of each format.
FORMAT_SHAPES: dict[MrzFormat, tuple[int, int]] = {
    MrzFormat.TD1: (3, 30),
    MrzFormat.TD2: (2, 36),
    MrzFormat.TD3: (2, 44),
}

# --------------------------------------------------------------------------------------------------
# Names and transliteration (Doc 9303 Part 3 §6)

_MULTI_CHAR = {
    "Ä": "AE",
    "Ö": "OE",
    "Ü": "UE",
    "ß": "SS",
    "Å": "AA",
    "Æ": "AE",
    "Ø": "OE",
    "Þ": "TH",
    "Ĳ": "IJ",
    "Œ": "OE",
    "Ð": "D",
    "Đ": "D",
    "Ł": "L",
    "Ħ": "H",
    "Ŧ": "T",
    "Ŋ": "N",
    "Ж": "ZH",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ю": "IU",
    "Я": "IA",
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Ы": "Y",
    "Э": "E",
    "Ъ": "IE",
    "Ь": "",
    "Є": "IE",
    "І": "I",
    "Ї": "I",
    "Ґ": "G",
}


def transliterate(text: str) -> str:
    """Map a name as printed (any case, with diacritics) to the MRZ alphabet.

    Doc 9303 Part 3 §6: the special Latin letters with a recommended multi-letter form (Ä→AE, ß→SS …)
    and the Cyrillic table come first; every other diacritic is dropped (Č→C, Ř→R, Ľ→L). Spaces and
    hyphens separate name components and become '<'; apostrophes and other punctuation vanish.
    """
    out: list[str] = []
    for raw in text.upper():
        if raw in _MULTI_CHAR:
            out.append(_MULTI_CHAR[raw])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(c))
        for c in base:
            if "A" <= c <= "Z" or (c.isdigit() and c.isascii()):
                out.append(c)
            elif c in " -,\t":
                out.append(FILLER)
    joined = "".join(out)
    while "<<" in joined:
        joined = joined.replace("<<", "<")
    return joined.strip(FILLER)


def format_name(primary: str, secondary: str, width: int) -> str:
    """The name field: ``PRIMARY<<SECONDARY<NAMES`` padded with '<' or truncated to ``width``.

    Truncation (Doc 9303 Part 3 §4.6): secondary identifiers are cut first, then the primary one, so
    that at least one character of the secondary identifier survives when there is one. A truncated
    field ends in a letter, never in '<' — which is how a reader recognises possible truncation.
    """
    p = transliterate(primary)
    s = transliterate(secondary)
    if not p:
        raise MrzError("the primary identifier (surname) transliterates to nothing")
    full = f"{p}<<{s}" if s else p
    if len(full) <= width:
        return full.ljust(width, FILLER)
    if not s:
        return p[:width]
    room = width - len(p) - 2
    if room >= 1:
        return f"{p}<<{s[:room]}"
    return f"{p[: width - 3]}<<{s[0]}"


def split_name(name_field: str) -> tuple[str, str]:
    """Primary and secondary identifiers of a name field, with '<' turned back into spaces."""
    primary, _, secondary = name_field.partition("<<")
    return primary.replace(FILLER, " ").strip(), secondary.replace(FILLER, " ").strip()


# --------------------------------------------------------------------------------------------------
# Generation


@dataclass(frozen=True)
class MrzData:
    """What goes into an MRZ, independent of the layout.

    ``issuing_state`` and ``nationality`` take ISO 3166-1 alpha-3 codes (``DEU``) or ICAO codes (``D``,
    ``UTO``); the ICAO form is what is written. ``document_number`` may be longer than nine characters
    (TD1/TD2 long-number rule). Dates are written as YYMMDD.
    """

    document_code: str
    issuing_state: str
    document_number: str
    primary_identifier: str
    secondary_identifier: str
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date
    optional_data: str = ""
    optional_data_2: str = ""


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def _field(value: str, width: int, what: str) -> str:
    text = value.upper().replace(" ", FILLER)
    if any(c not in MRZ_ALPHABET for c in text):
        raise MrzError(f"{what} {value!r} has characters outside the MRZ alphabet")
    if len(text) > width:
        raise MrzError(f"{what} {value!r} is longer than {width} characters")
    return text.ljust(width, FILLER)


def _sex(value: str) -> str:
    sex = {"M": "M", "F": "F", "X": FILLER, "<": FILLER, "": FILLER}.get(value.upper())
    if sex is None:
        raise MrzError(f"sex must be M, F or X, not {value!r}")
    return sex


def _code(value: str) -> str:
    return _field(value, 2, "document code")


def _state(value: str, what: str) -> str:
    return _field(mrz_state_code(value), 3, what)


def _number_with_check(number: str, opt_width: int, optional: str) -> tuple[str, str, str]:
    """Document number field, its check position and the optional field (long-number rule)."""
    num = number.upper().replace(" ", "")
    if any(c not in MRZ_ALPHABET for c in num) or not num:
        raise MrzError(f"document number {number!r} is empty or outside the MRZ alphabet")
    if len(num) <= 9:
        padded = num.ljust(9, FILLER)
        return padded, check_digit(padded), _field(optional, opt_width, "optional")
    overflow = num[9:] + check_digit(num)
    if optional:
        overflow += FILLER + optional.upper()
    return num[:9], FILLER, _field(overflow, opt_width, "document number overflow")


def td1_lines(data: MrzData) -> tuple[str, str, str]:
    """TD1 (ID-1 card, 3 × 30) per Doc 9303 Part 5."""
    num, num_cd, opt1 = _number_with_check(data.document_number, 15, data.optional_data)
    line1 = _code(data.document_code) + _state(data.issuing_state, "issuing state") + num + num_cd + opt1
    dob = _yymmdd(data.birth_date)
    exp = _yymmdd(data.expiry_date)
    opt2 = _field(data.optional_data_2, 11, "optional data 2")
    head = dob + check_digit(dob) + _sex(data.sex) + exp + check_digit(exp)
    head += _state(data.nationality, "nationality") + opt2
    composite = check_digit(line1[5:30] + head[0:7] + head[8:15] + head[18:29])
    line2 = head + composite
    line3 = format_name(data.primary_identifier, data.secondary_identifier, 30)
    return line1, line2, line3


def td3_lines(data: MrzData) -> tuple[str, str]:
    """TD3 (passport data page, 2 × 44) per Doc 9303 Part 4."""
    line1 = (
        _code(data.document_code)
        + _state(data.issuing_state, "issuing state")
        + format_name(data.primary_identifier, data.secondary_identifier, 39)
    )
    num = data.document_number.upper()
    if len(num) > 9:
        raise MrzError("TD3 generation supports document numbers of at most 9 characters")
    num_f = _field(num, 9, "document number")
    dob = _yymmdd(data.birth_date)
    exp = _yymmdd(data.expiry_date)
    personal = _field(data.optional_data, 14, "personal number")
    personal_cd = check_digit(personal)
    line2 = (
        num_f
        + check_digit(num_f)
        + _state(data.nationality, "nationality")
        + dob
        + check_digit(dob)
        + _sex(data.sex)
        + exp
        + check_digit(exp)
        + personal
        + personal_cd
    )
    composite = check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    return line1, line2 + composite


def td2_lines(data: MrzData) -> tuple[str, str]:
    """TD2 (ID-2, 2 × 36) per Doc 9303 Part 6."""
    line1 = (
        _code(data.document_code)
        + _state(data.issuing_state, "issuing state")
        + format_name(data.primary_identifier, data.secondary_identifier, 31)
    )
    num, num_cd, opt = _number_with_check(data.document_number, 7, data.optional_data)
    dob = _yymmdd(data.birth_date)
    exp = _yymmdd(data.expiry_date)
    line2 = (
        num
        + num_cd
        + _state(data.nationality, "nationality")
        + dob
        + check_digit(dob)
        + _sex(data.sex)
        + exp
        + check_digit(exp)
        + opt
    )
    composite = check_digit(line2[0:10] + line2[13:20] + line2[21:35])
    return line1, line2 + composite


def mrz_information(document_number: str, birth_date: date, expiry_date: date) -> str:
    """The "MRZ information" of Doc 9303-11 §4.3 (number+cd, birth+cd, expiry+cd) — the BAC key seed.

    The document image security pattern is also seeded from it, so a verifier that has read the MRZ can
    recompute what the page must look like.
    """
    num = document_number.upper()
    num_f = num.ljust(9, FILLER)
    dob = _yymmdd(birth_date)
    exp = _yymmdd(expiry_date)
    return num_f + check_digit(num_f) + dob + check_digit(dob) + exp + check_digit(exp)


# --------------------------------------------------------------------------------------------------
# Parsing and validation


@dataclass(frozen=True)
class MrzFields:
    """Fields of a parsed MRZ, as written (raw strings) plus decoded dates where they decode."""

    document_code: str
    issuing_state: str
    document_number: str
    primary_identifier: str
    secondary_identifier: str
    nationality: str
    birth_date_raw: str
    birth_date: date | None
    sex: str
    expiry_date_raw: str
    expiry_date: date | None
    optional_data: str
    optional_data_2: str
    name_truncated: bool

    @property
    def mrz_information(self) -> str:
        """BAC/pattern seed built from the fields as written (full document number).

        Raises :class:`MrzError` when those fields hold characters outside the MRZ alphabet.
        """
        num_f = self.document_number.ljust(9, FILLER)
        if any(c not in MRZ_ALPHABET for c in num_f + self.birth_date_raw + self.expiry_date_raw):
            raise MrzError("document number or dates hold characters outside the MRZ alphabet")
        return (
            num_f
            + check_digit(num_f)
            + self.birth_date_raw
            + check_digit(self.birth_date_raw)
            + self.expiry_date_raw
            + check_digit(self.expiry_date_raw)
        )


@dataclass(frozen=True)
class MrzResult:
    """Outcome of :func:`parse_mrz`. ``fields`` is None when the layout itself is unusable."""

    lines: tuple[str, ...]
    format: MrzFormat | None
    fields: MrzFields | None
    failures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return not self.failures


_ALLOWED_CODES: dict[MrzFormat, tuple[str, ...]] = {
    MrzFormat.TD1: ("I", "A", "C"),
    MrzFormat.TD2: ("I", "A", "C", "V"),
    MrzFormat.TD3: ("P", "V"),
}


def _decode_date(raw: str, *, birth: bool, today: date) -> date | None:
    if len(raw) != 6 or not raw.isdigit():
        return None
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    if birth:
        year = 1900 + yy if yy > today.year % 100 else 2000 + yy
    else:
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def _detect_format(lines: tuple[str, ...]) -> MrzFormat | None:
    for fmt, (count, length) in FORMAT_SHAPES.items():
        if len(lines) == count and all(len(line) == length for line in lines):
            return fmt
    return None


def _split_lines(mrz: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    parts = mrz.replace("\r", "\n").split("\n") if isinstance(mrz, str) else list(mrz)
    return tuple(p.strip().replace(" ", "") for p in parts if p.strip())


def _digit_check(value: str, cd: str, *, filler_ok: bool = False) -> bool:
    if filler_ok and cd == FILLER and set(value) <= {FILLER}:
        return True
    if any(c not in MRZ_ALPHABET for c in value):
        return False
    return cd.isdigit() and check_digit(value) == cd


def parse_mrz(
    mrz: str | list[str] | tuple[str, ...],
    reference_date: date | None = None,
) -> MrzResult:
    """Parse and verify an MRZ given as newline-separated text or a sequence of lines.

    ``reference_date`` enables the time-dependent checks (``expired``, ``birth_date_in_future``) and fixes
    the century window for two-digit years; without it, today's date decides the century only.
    """
    lines = _split_lines(mrz)
    fmt = _detect_format(lines)
    if fmt is None:
        shapes = {count for count, _ in FORMAT_SHAPES.values()}
        reason = "line_count" if len(lines) not in shapes else "line_length"
        return MrzResult(lines=lines, format=None, fields=None, failures=(reason,))
    failures: list[str] = []
    if any(c not in MRZ_ALPHABET for line in lines for c in line):
        failures.append("invalid_character")
    today = reference_date or date.today()
    if fmt is MrzFormat.TD1:
        fields, checks = _parse_td1(lines, today)
    else:
        fields, checks = _parse_two_line(lines, fmt, today)
    failures.extend(_code_failures(fields, fmt))
    failures.extend(name for name, ok in checks if not ok)
    failures.extend(_date_failures(fields, reference_date))
    return MrzResult(lines=lines, format=fmt, fields=fields, failures=tuple(dict.fromkeys(failures)))


def _code_failures(fields: MrzFields, fmt: MrzFormat) -> list[str]:
    failures = []
    code = fields.document_code
    if not code or code[0] not in _ALLOWED_CODES[fmt] or (code[0] in "IAC" and code[1:] == "V"):
        failures.append("invalid_document_code")
    if fields.issuing_state not in ICAO_STATE_CODES:
        failures.append("invalid_issuing_state")
    if fields.nationality not in ICAO_STATE_CODES:
        failures.append("invalid_nationality")
    if fields.sex not in ("M", "F", FILLER):
        failures.append("invalid_sex")
    return failures


def _date_failures(fields: MrzFields, reference_date: date | None) -> list[str]:
    failures = []
    if fields.birth_date is None:
        failures.append("invalid_birth_date")
    if fields.expiry_date is None:
        failures.append("invalid_expiry_date")
    if reference_date is not None:
        if fields.birth_date is not None and fields.birth_date > reference_date:
            failures.append("birth_date_in_future")
        if fields.expiry_date is not None and fields.expiry_date < reference_date:
            failures.append("expired")
    return failures


def _state_field(raw: str) -> str:
    return raw.rstrip(FILLER) or raw


def _parse_td1(lines: tuple[str, ...], today: date) -> tuple[MrzFields, list[tuple[str, bool]]]:
    l1, l2, l3 = lines
    number, number_cd, opt1 = l1[5:14], l1[14], l1[15:30]
    checks: list[tuple[str, bool]] = []
    if number_cd == FILLER and opt1[0] != FILLER:
        # Long document number: the rest of it and its check digit open optional data 1.
        rest, _, tail = opt1.partition(FILLER)
        full_number = number + rest[:-1]
        checks.append(("document_number_check_digit", len(rest) >= 2 and _digit_check(full_number, rest[-1])))
        opt1_value = tail.strip(FILLER)
    else:
        full_number = number.rstrip(FILLER)
        checks.append(("document_number_check_digit", _digit_check(number, number_cd)))
        opt1_value = opt1.rstrip(FILLER)
    dob, dob_cd, sex, exp, exp_cd = l2[0:6], l2[6], l2[7], l2[8:14], l2[14]
    checks.append(("birth_date_check_digit", _digit_check(dob, dob_cd)))
    checks.append(("expiry_date_check_digit", _digit_check(exp, exp_cd)))
    composite_src = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    checks.append(("composite_check_digit", _digit_check(composite_src, l2[29])))
    primary, secondary = split_name(l3)
    fields = MrzFields(
        document_code=l1[0:2].rstrip(FILLER),
        issuing_state=_state_field(l1[2:5]),
        document_number=full_number,
        primary_identifier=primary,
        secondary_identifier=secondary,
        nationality=_state_field(l2[15:18]),
        birth_date_raw=dob,
        birth_date=_decode_date(dob, birth=True, today=today),
        sex=sex,
        expiry_date_raw=exp,
        expiry_date=_decode_date(exp, birth=False, today=today),
        optional_data=opt1_value,
        optional_data_2=l2[18:29].rstrip(FILLER),
        name_truncated=l3[-1] != FILLER,
    )
    return fields, checks


def _parse_two_line(
    lines: tuple[str, ...], fmt: MrzFormat, today: date
) -> tuple[MrzFields, list[tuple[str, bool]]]:
    l1, l2 = lines
    width = len(l1)
    number, number_cd = l2[0:9], l2[9]
    dob, dob_cd, sex, exp, exp_cd = l2[13:19], l2[19], l2[20], l2[21:27], l2[27]
    checks: list[tuple[str, bool]] = []
    if fmt is MrzFormat.TD3:
        optional = l2[28:42]
        checks.append(("document_number_check_digit", _digit_check(number, number_cd)))
        full_number = number.rstrip(FILLER)
        optional_value = optional.rstrip(FILLER)
    else:
        optional = l2[28:35]
        if number_cd == FILLER and optional[0] != FILLER:
            rest, _, tail = optional.partition(FILLER)
            full_number = number + rest[:-1]
            checks.append(
                ("document_number_check_digit", len(rest) >= 2 and _digit_check(full_number, rest[-1]))
            )
            optional_value = tail.strip(FILLER)
        else:
            full_number = number.rstrip(FILLER)
            checks.append(("document_number_check_digit", _digit_check(number, number_cd)))
            optional_value = optional.rstrip(FILLER)
    checks.append(("birth_date_check_digit", _digit_check(dob, dob_cd)))
    checks.append(("expiry_date_check_digit", _digit_check(exp, exp_cd)))
    if fmt is MrzFormat.TD3:
        checks.append(("optional_data_check_digit", _digit_check(l2[28:42], l2[42], filler_ok=True)))
        composite_src = l2[0:10] + l2[13:20] + l2[21:43]
    else:
        composite_src = l2[0:10] + l2[13:20] + l2[21:35]
    checks.append(("composite_check_digit", _digit_check(composite_src, l2[width - 1])))
    primary, secondary = split_name(l1[5:])
    fields = MrzFields(
        document_code=l1[0:2].rstrip(FILLER),
        issuing_state=_state_field(l1[2:5]),
        document_number=full_number,
        primary_identifier=primary,
        secondary_identifier=secondary,
        nationality=_state_field(l2[10:13]),
        birth_date_raw=dob,
        birth_date=_decode_date(dob, birth=True, today=today),
        sex=sex,
        expiry_date_raw=exp,
        expiry_date=_decode_date(exp, birth=False, today=today),
        optional_data=optional_value,
        optional_data_2="",
        name_truncated=l1[-1] != FILLER,
    )
    return fields, checks
