"""Column and sheet names of import files in Chinese as well as English, and the Chinese words for the values
of the ``kind`` and ``visibility`` columns.

The template a Chinese user downloads has Chinese headers (站点编号, 物料, 数量 …) and sheets (站点, 供需信息);
an English one the format's own names (PRODUCT.md section 4). Either imports: :func:`canonical_column` reads
a header in either language, whatever its case, so the rest of the import sees one set of names.
"""
from __future__ import annotations

import re
import unicodedata

LISTING_COLUMNS_ZH = {
    "site_id": "站点编号", "kind": "类型", "material": "物料名称", "quantity": "数量", "unit": "单位",
    "quality": "质量指标", "price_cny": "价格(元/单位)", "available_from": "起始日期", "available_to": "截止日期",
    "hazard_code": "危险废物代码", "visibility": "公开方式", "note": "备注",
    "material_code": "物料代码", "hazardous": "是否危险废物",
}
SITE_COLUMNS_ZH = {
    "site_id": "站点编号", "name": "站点名称", "org": "单位名称", "sector": "行业", "lon": "经度", "lat": "纬度",
    "name_en": "英文名称", "credit_code": "统一社会信用代码", "transport_access": "运输条件", "crs": "坐标系",
    "park": "园区代码", "city": "行政区划代码", "hw_permit": "危险废物经营许可类别",
    "hw_capacity_t": "许可能力(吨/年)", "hw_permit_expiry": "许可有效期至", "battery_listing": "动力电池规范企业",
}
# Other headers people write for the same columns, in Chinese and English (compared folded, brackets dropped).
OTHER_NAMES_ZH = {
    "站点": "site_id", "站点代码": "site_id", "场址编号": "site_id", "厂区编号": "site_id", "编号": "site_id",
    "物料": "material", "材料": "material", "废物名称": "material", "固废名称": "material", "副产品名称": "material",
    "固体废物名称": "material", "危废名称": "material", "产品名称": "material", "名称(物料)": "material",
    "物料/废物名称": "material", "资源名称": "material",
    "产生量": "quantity", "年产生量": "quantity", "年产量": "quantity", "需求量": "quantity", "年需求量": "quantity",
    "年用量": "quantity", "数量(年)": "quantity", "规模": "quantity",
    "计量单位": "unit", "供需类型": "kind", "供/需": "kind", "供需": "kind",
    "价格": "price_cny", "单价": "price_cny", "价格(元/吨)": "price_cny", "开始日期": "available_from",
    "结束日期": "available_to", "可供起始日期": "available_from", "可供截止日期": "available_to",
    "危废代码": "hazard_code", "废物代码": "hazard_code", "危险废物类别": "hazard_code", "公开": "visibility",
    "质量": "quality", "成分": "quality", "主要成分": "quality", "理化性质": "quality", "说明": "note",
    "企业名称": "org", "公司名称": "org", "企业": "org", "统一社会信用代码(选填)": "credit_code",
    "信用代码": "credit_code", "场址名称": "name", "厂区名称": "name", "工厂名称": "name", "设施名称": "name",
    "所属行业": "sector", "行业类别": "sector", "行业代码": "sector", "国民经济行业": "sector",
    "园区": "park", "所在园区": "park", "园区名称": "park", "城市": "city", "所在城市": "city", "所在地市": "city",
    "运输方式": "transport_access", "交通条件": "transport_access", "东经": "lon", "北纬": "lat",
}
OTHER_NAMES_EN = {
    "site": "site_id", "site ref": "site_id", "site code": "site_id", "plant id": "site_id", "facility id": "site_id",
    "site name": "name", "plant": "name", "plant name": "name", "facility": "name", "facility name": "name",
    "organisation": "org", "organization": "org", "company": "org", "company name": "org", "operator": "org",
    "owner": "org", "industry": "sector", "sector code": "sector", "nace": "sector", "isic": "sector",
    "longitude": "lon", "lng": "lon", "long": "lon", "latitude": "lat",
    "coordinate system": "crs", "datum": "crs", "industrial park": "park", "estate": "park",
    "transport": "transport_access",
    "type": "kind", "offer/want": "kind", "supply/demand": "kind", "stream": "material", "waste": "material",
    "by-product": "material", "byproduct": "material", "resource": "material", "material name": "material",
    "amount": "quantity", "annual quantity": "quantity", "volume": "quantity", "tonnage": "quantity",
    "units": "unit", "unit of measure": "unit", "specification": "quality", "composition": "quality",
    "price": "price_cny", "price (cny)": "price_cny", "from": "available_from", "start": "available_from",
    "available from": "available_from", "to": "available_to", "until": "available_to", "end": "available_to",
    "available to": "available_to", "hazardous waste code": "hazard_code", "hw code": "hazard_code",
    "ewc code": "hazard_code", "notes": "note", "remarks": "note", "comment": "note", "comments": "note",
    "description": "note",
}
SHEETS_ZH = {"sites": "站点", "listings": "供需信息", "instructions": "填写说明"}
OTHER_SHEETS = {"供需": "listings", "挂牌": "listings", "挂牌信息": "listings", "供应与需求": "listings",
                "sites": "sites", "listings": "listings"}
KIND_VALUES_ZH = {"offer": "供应", "want": "需求"}
VISIBILITY_VALUES_ZH = {"named": "公开", "anonymous": "匿名"}
_OTHER_KIND_WORDS = {"供给": "offer", "出售": "offer", "产生": "offer", "供": "offer", "产出": "offer", "外售": "offer",
                     "求购": "want", "采购": "want", "收购": "want", "需": "want", "接收": "want", "利用": "want",
                     "supply": "offer", "output": "offer", "sell": "offer", "source": "offer", "have": "offer",
                     "demand": "want", "input": "want", "need": "want", "buy": "want", "accept": "want",
                     "accepts": "want", "sink": "want"}

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


_COLUMN_BY_KEY: dict[str, str] = {}
for _names in (LISTING_COLUMNS_ZH, SITE_COLUMNS_ZH):
    for _column, _zh in _names.items():
        _COLUMN_BY_KEY.setdefault(_key(_column), _column)
        _COLUMN_BY_KEY.setdefault(_key(_zh), _column)
        _COLUMN_BY_KEY.setdefault(_key(_BRACKETS.sub("", _zh)), _column)
for _other, _column in (*OTHER_NAMES_ZH.items(), *OTHER_NAMES_EN.items()):
    _COLUMN_BY_KEY.setdefault(_key(_other), _column)
    _COLUMN_BY_KEY.setdefault(_key(_BRACKETS.sub("", _other)), _column)


def canonical_column(header: str) -> str:
    """The format's name of a header written in Chinese or English (any case, full-width or not, with or without
    a bracketed unit); an unknown header comes back as written, for the column check to report.

    >>> canonical_column("物料名称"), canonical_column("价格（元/单位）"), canonical_column("Site_ID")
    ('material', 'price_cny', 'site_id')
    """
    key = _key(header)
    found = _COLUMN_BY_KEY.get(key) or _COLUMN_BY_KEY.get(_key(_BRACKETS.sub("", header or "")))
    return found or (header or "").strip()


def header_units(headers: list[str]) -> dict[str, str]:
    """The unit a quantity header writes in brackets ("年产生量（万吨/年）", "Quantity (t/a)"), by column.

    >>> header_units(["物料名称", "年产生量（万吨/年）", "价格(元/吨)"])
    {'quantity': '万吨/年'}
    """
    from matching.knowledge.units import UnitError, parse_unit

    found = {}
    for header in headers:
        column = canonical_column(header)
        bracket = _BRACKETS.search(unicodedata.normalize("NFKC", header or ""))
        if column != "quantity" or bracket is None:
            continue
        unit = bracket.group(0)[1:-1].strip()
        try:
            parse_unit(unit)
        except UnitError:
            continue
        found[column] = unit
    return found


def canonical_sheet(name: str) -> str:
    """``sites``, ``listings`` or ``instructions`` for a sheet named in either language; else the name folded."""
    key = _key(name)
    for sheet, zh in SHEETS_ZH.items():
        if key in (sheet, _key(zh)):
            return sheet
    return OTHER_SHEETS.get(key, key)


def canonical_value(column: str, value: str) -> str:
    """A ``kind`` or ``visibility`` written in Chinese (供应, 需求, 公开, 匿名) as the format's word."""
    text = (value or "").strip()
    if column == "kind":
        for word, zh in KIND_VALUES_ZH.items():
            if text == zh:
                return word
        return _OTHER_KIND_WORDS.get(text.casefold(), text)
    if column == "visibility":
        for word, zh in VISIBILITY_VALUES_ZH.items():
            if text == zh:
                return word
    return text
