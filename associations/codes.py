"""Official statistical division codes (统计用区划代码): level and parent from the code alone."""

from associations.models import PREFIX_LENGTH, AreaLevel


class BadCode(ValueError):
    pass


def normalise(code: str) -> str:
    """Accept the published 12-digit form of every level and return the short form.

    The statistics bureau publishes every level padded to 12 digits (620123000000 for 榆中县,
    620123100000 for a township); the tree stores 6 digits for province/city/county and 9 for
    townships. Village sequence numbers start at 001, so a trailing 000 always means township.
    """
    code = (code or "").strip()
    if not code.isdigit() or not code.isascii():
        raise BadCode("digits")
    if len(code) == 12 and code.endswith("000000"):
        return code[:6]
    if len(code) == 12 and code.endswith("000"):
        return code[:9]
    if len(code) not in (2, 6, 9, 12):
        raise BadCode("length")
    return code


def level_of(code: str) -> AreaLevel:
    if len(code) == 2:
        return AreaLevel.PROVINCE
    if len(code) == 9:
        return AreaLevel.TOWNSHIP
    if len(code) == 12:
        return AreaLevel.VILLAGE
    if code.endswith("0000"):
        return AreaLevel.PROVINCE
    if code.endswith("00"):
        return AreaLevel.CITY
    return AreaLevel.COUNTY


def prefix_of(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[AreaLevel(level)]]


def parent_candidates(code: str, level: str) -> list[str]:
    """Codes the parent may have, nearest first.

    Counties directly under a province (省直辖县级行政区划, codes xx90xx) have no city of their
    own, so only they fall back to the province.
    """
    level = AreaLevel(level)
    if level == AreaLevel.PROVINCE:
        return []
    if level == AreaLevel.CITY:
        return [code[:2] + "0000", code[:2]]
    if level == AreaLevel.COUNTY:
        if code[2:4] == "90":
            return [code[:4] + "00", code[:2] + "0000", code[:2]]
        return [code[:4] + "00"]
    if level == AreaLevel.TOWNSHIP:
        return [code[:6]]
    return [code[:9]]
