"""The import template, built for the user who downloads it: example rows on the user's own sites, headers in
the user's language (Chinese headers import as well as English ones: imports/headers.py), and in the workbook
a sheet that says what each column means, which values it takes, and an example.

A user whose organisation has no site yet gets the sites sheet too, with one example site under the user's
organisation, so the workbook imports as it is and shows how a site is written.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask import has_app_context
from flask_babel import force_locale, gettext
from geo.messages import Message, N_

from ..errors import FieldError
from ..listing_check import UNITS
from .export import SITE_EXPORT_COLUMNS, write_csv, write_xlsx
from .headers import KIND_VALUES_ZH, LISTING_COLUMNS_ZH, SHEETS_ZH, SITE_COLUMNS_ZH, VISIBILITY_VALUES_ZH
from .listings import LISTING_OPTIONAL, LISTING_REQUIRED
from .sites import SITE_REQUIRED

LISTING_TEMPLATE_COLUMNS = ("site_id", *LISTING_REQUIRED, *(c for c in LISTING_OPTIONAL if c != "site_id"))
EXAMPLE_SITE_REF = "WH-CEM-01"
EXAMPLE_ORGANISATION = "示例建材有限公司"
TEMPLATE_SITES = [{"site_id": EXAMPLE_SITE_REF, "name": "芜湖示例水泥厂", "name_en": "Example cement works",
                   "org": EXAMPLE_ORGANISATION,
                   # a sector as forms print it (several: "C3011 水泥制造|热电厂"); transport besides road
                   "credit_code": "", "sector": "C3011 水泥制造", "transport_access": "quay",
                   "lon": "118.3760", "lat": "31.3260", "crs": "WGS84",
                   "park": "", "city": "340200"}]
# Example rows; site_id is filled with the user's own sites in turn.
TEMPLATE_LISTINGS = [
    {"kind": "want", "material": "粉煤灰|fly ash", "quantity": "50000", "unit": "t/yr",
     "quality": "grade=II", "price_cny": "60", "available_from": "2027-01-01", "available_to": "2027-12-31",
     "visibility": "named", "note": "汽运散装，含税价"},
    {"kind": "offer", "material": "废耐火材料", "quantity": "1200", "unit": "t/yr",
     "price_cny": "-30", "visibility": "anonymous"},
    # A generic name and a unit of another kind are fine: any gypsum, and steam in GJ.
    {"kind": "want", "material": "石膏", "quantity": "3", "unit": "万吨/年", "quality": "caso4_2h2o_pct_min=85"},
    {"kind": "want", "material": "低压蒸汽", "quantity": "80000", "unit": "GJ/yr", "note": "0.8 MPa"},
]


def _(text: str, **params) -> str:
    """The text in the template's language; outside the app (a script), as written."""
    if has_app_context():
        return gettext(text, **params)
    return text % params if params else text


def import_template(fmt: str, *, site_refs: Sequence[str] = (), organisation_name: str | None = None,
                    language: str = "zh") -> bytes:
    """The template for a user whose sites are ``site_refs`` (none: the example site, in the workbook's sites
    sheet under ``organisation_name``), with headers and words in ``language`` (``zh`` or ``en``)."""
    if not has_app_context():
        return _template(fmt, site_refs, organisation_name, language)
    with force_locale(language):
        return _template(fmt, site_refs, organisation_name, language)


def _template(fmt: str, site_refs: Sequence[str], organisation_name: str | None, language: str) -> bytes:
    chinese = language != "en"
    refs = list(site_refs) or [EXAMPLE_SITE_REF]
    rows = [_in_language({**row, "site_id": refs[i % len(refs)]}, chinese) for i, row in enumerate(TEMPLATE_LISTINGS)]
    listing_columns = _headers(LISTING_TEMPLATE_COLUMNS, LISTING_COLUMNS_ZH, chinese)
    listing_rows = [_headed(row, LISTING_COLUMNS_ZH, chinese) for row in rows]
    if fmt == "csv":
        return write_csv(listing_columns, listing_rows)
    if fmt != "xlsx":
        raise FieldError("format", Message(N_("the template comes as csv or xlsx")))
    sheets = {}
    with_sites = not site_refs
    if with_sites:
        site_rows = [{**row, "org": organisation_name or row["org"]} for row in TEMPLATE_SITES]
        sheets[_sheet("sites", chinese)] = (_headers(SITE_EXPORT_COLUMNS, SITE_COLUMNS_ZH, chinese),
                                            [_headed(row, SITE_COLUMNS_ZH, chinese) for row in site_rows])
    sheets[_sheet("listings", chinese)] = (listing_columns, listing_rows)
    guide = column_guide(site_refs=refs, with_sites=with_sites, chinese=chinese)
    headers = (_("Column"), _("Required"), _("Meaning"), _("Allowed values"), _("Example"))
    sheets[_sheet("instructions", chinese)] = (headers, [dict(zip(headers, (
        line.header if line.sheet == "listings" else f"{_sheet(line.sheet, chinese)}: {line.header}",
        _("yes") if line.required else _("no"), line.meaning, line.allowed, line.example))) for line in guide])
    return write_xlsx(sheets)


class GuideLine:
    """One column explained: on which sheet, its header, whether it is required, what it means, what it takes."""

    def __init__(self, sheet: str, header: str, required: bool, meaning: str, allowed: str, example: str) -> None:
        self.sheet, self.header, self.required = sheet, header, required
        self.meaning, self.allowed, self.example = meaning, allowed, example


def column_guide(*, site_refs: Sequence[str], with_sites: bool = False, chinese: bool = True) -> list[GuideLine]:
    """What each column of the listings sheet (and of the sites sheet, if included) means; the import page
    shows the same lines."""
    kinds = _("%(offer)s (a stream your site generates) or %(want)s (one it could take in)",
              offer=_word("kind", "offer", chinese), want=_word("kind", "want", chinese))
    visibilities = _("%(named)s (show your company) or %(anonymous)s (hide it until you answer an enquiry)",
                     named=_word("visibility", "named", chinese), anonymous=_word("visibility", "anonymous", chinese))
    refs = ", ".join(site_refs)
    listing = [
        ("site_id", True, _("Your site's reference: which of your sites generates or takes in the stream."),
         _("One of your sites: %(refs)s", refs=refs), site_refs[0]),
        ("kind", True, _("Offer or want."), kinds, _word("kind", "offer", chinese)),
        ("material", True, _("The material in your own words: a Chinese or English name, a synonym or a code. "
                             "A want may list several, separated by |. An unknown name is kept as written."),
         _("Any name; the listing form suggests the knowledge base's names."), "粉煤灰|fly ash"),
        ("quantity", True, _("How much, in the unit of the next column."), _("A number greater than zero"), "50000"),
        ("unit", False, _("The unit of the quantity; t/yr when empty."),
         _("%(units)s, or units such as 万吨/年 and kWh/month", units=", ".join(UNITS)), "t/yr"),
        ("quality", False, _("Quality as key=value pairs separated by semicolons; keys in any case. A want may give "
                             "limits as key_min or key_max. The listing form shows each material's keys, units "
                             "and standard grades."),
         _("Keys of the material, e.g. fly ash: grade (I, II, III), loi_pct, fineness_45um_pct"),
         "grade=II; loi_pct=6.5"),
        ("price_cny", False, _("Price in CNY per unit; negative when you pay a gate fee. For a want, the maximum "
                               "price."), _("A number; empty: negotiable"), "-30"),
        ("available_from", False, _("First day the stream is available (or wanted)."), "YYYY-MM-DD", "2027-01-01"),
        ("available_to", False, _("Last day; empty: open-ended."), "YYYY-MM-DD", "2027-12-31"),
        ("hazard_code", False, _("The hazardous-waste code, if the stream is hazardous waste."),
         _("NNN-NNN-CC or a category HW01-HW50"), "900-052-31"),
        ("visibility", False, _("Whether others see your company's name; named when empty."), visibilities,
         _word("visibility", "named", chinese)),
        ("note", False, _("Anything else buyers or suppliers should know; kept exactly as written."),
         _("Free text, at most 2000 characters"), "汽运散装，含税价"),
    ]
    lines = [GuideLine("listings", _header(column, LISTING_COLUMNS_ZH, chinese), required, meaning, allowed, example)
             for column, required, meaning, allowed, example in listing]
    if with_sites:
        site = [
            ("site_id", _("Your own reference for the site; listings refer to it."), EXAMPLE_SITE_REF),
            ("name", _("The site's name."), "芜湖示例水泥厂"),
            ("org", _("Your organisation's name, as registered."), EXAMPLE_ORGANISATION),
            ("sector", _("Industry: a GB/T 4754 code, its name or a trade name; several separated by |."),
             "C3011 水泥制造"),
            ("lon", _("Longitude (WGS-84, or GCJ-02 / BD09 (Baidu) / CGCS2000 with the crs column)."), "118.3760"),
            ("lat", _("Latitude."), "31.3260"),
        ]
        lines += [GuideLine("sites", _header(column, SITE_COLUMNS_ZH, chinese), column in SITE_REQUIRED, meaning,
                            "", example) for column, meaning, example in site]
    return lines


def _word(column: str, value: str, chinese: bool) -> str:
    words = KIND_VALUES_ZH if column == "kind" else VISIBILITY_VALUES_ZH
    return words[value] if chinese else value


def _in_language(row: dict, chinese: bool) -> dict:
    if not chinese:
        return row
    translated = dict(row)
    for column in ("kind", "visibility"):
        if translated.get(column):
            translated[column] = _word(column, translated[column], True)
    return translated


def _header(column: str, names_zh: dict, chinese: bool) -> str:
    return names_zh[column] if chinese else column


def _headers(columns, names_zh: dict, chinese: bool) -> tuple[str, ...]:
    return tuple(_header(column, names_zh, chinese) for column in columns)


def _headed(row: dict, names_zh: dict, chinese: bool) -> dict:
    return {_header(column, names_zh, chinese): value for column, value in row.items()}


def _sheet(name: str, chinese: bool) -> str:
    return SHEETS_ZH[name] if chinese else name
