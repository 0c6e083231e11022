"""Organisation chart of the synthetic ministry and its mid-year reorganisation."""

from dataclasses import dataclass, replace
from datetime import date

MINISTRY = ("산업통상자원부", "Ministry of Trade, Industry and Energy", "planning")

# Office (실 / agency) Korean name -> English name, function.
OFFICES: dict[str, tuple[str, str]] = {
    "기획조정실": ("Planning and Coordination Office", "planning"),
    "산업정책실": ("Industrial Policy Office", "industry_resources"),
    "무역투자실": ("Trade and Investment Office", "trade"),
    "통상교섭실": ("Trade Negotiations Office", "trade"),
    "에너지자원실": ("Energy and Resources Office", "industry_resources"),
    "국가기술표준원": ("Korean Agency for Technology and Standards", "standards_certification"),
}


@dataclass(frozen=True)
class _BureauSpec:
    ko: str
    en: str
    office: str | None  # None: directly under the ministry
    divisions: tuple[tuple[str, str], ...]
    function: str | None = None  # only for bureaus without an office
    is_unit: bool = True  # False: a group of divisions hanging directly off the ministry


BUREAUS: tuple[_BureauSpec, ...] = (
    _BureauSpec("정책기획관", "Policy Planning Bureau", "기획조정실", (
        ("정보관리담당관", "Information Management Division"),
        ("기획재정담당관", "Planning and Budget Division"),
        ("혁신행정담당관", "Innovation and Administration Division"),
        ("규제개혁법무담당관", "Regulatory Reform and Legal Affairs Division"))),
    _BureauSpec("비상안전기획관", "Emergency Planning and Safety Bureau", "기획조정실", (
        ("비상계획담당관", "Emergency Planning Division"),
        ("안전관리담당관", "Safety Management Division"))),
    _BureauSpec("산업정책관", "Industrial Policy Bureau", "산업정책실", (
        ("산업정책과", "Industrial Policy Division"),
        ("산업일자리혁신과", "Industrial Jobs Innovation Division"),
        ("산업환경과", "Industrial Environment Division"),
        ("기업정책과", "Corporate Policy Division"))),
    _BureauSpec("제조산업정책관", "Manufacturing Industry Policy Bureau", "산업정책실", (
        ("철강세라믹과", "Steel and Ceramics Division"),
        ("화학산업과", "Chemical Industry Division"),
        ("섬유탄소나노과", "Textiles and Carbon Nano Division"),
        ("바이오융합산업과", "Bio-convergence Industry Division"))),
    _BureauSpec("첨단산업정책관", "Advanced Industry Policy Bureau", "산업정책실", (
        ("반도체과", "Semiconductor Division"),
        ("자동차과", "Automobile Division"),
        ("디스플레이과", "Display Division"),
        ("조선해양플랜트과", "Shipbuilding and Offshore Plant Division"),
        ("기계로봇항공과", "Machinery, Robotics and Aerospace Division"),
        ("전자전기과", "Electronics and Electrical Division"))),
    _BureauSpec("산업기반정책관", "Industrial Base Policy Bureau", "산업정책실", (
        ("산업기술정책과", "Industrial Technology Policy Division"),
        ("산업기술개발과", "Industrial Technology Development Division"),
        ("산업공급망정책과", "Industrial Supply Chain Policy Division"))),
    _BureauSpec("무역정책관", "Trade Policy Bureau", "무역투자실", (
        ("무역정책과", "Trade Policy Division"),
        ("수출입과", "Export and Import Division"),
        ("무역안보정책과", "Trade Security Policy Division"),
        ("무역진흥과", "Trade Promotion Division"))),
    _BureauSpec("투자정책관", "Investment Policy Bureau", "무역투자실", (
        ("투자정책과", "Investment Policy Division"),
        ("투자유치과", "Investment Attraction Division"),
        ("해외투자과", "Overseas Investment Division"))),
    _BureauSpec("통상정책국", "Trade Negotiation Policy Bureau", "통상교섭실", (
        ("통상정책총괄과", "Trade Policy Coordination Division"),
        ("통상법무과", "Trade Legal Affairs Division"),
        ("디지털통상과", "Digital Trade Division"),
        ("통상협력과", "Trade Cooperation Division"))),
    _BureauSpec("지역통상국", "Regional Trade Bureau", "통상교섭실", (
        ("미주통상과", "Americas Trade Division"),
        ("유럽통상과", "Europe Trade Division"),
        ("아시아통상과", "Asia Trade Division"),
        ("중국통상과", "China Trade Division"))),
    _BureauSpec("에너지정책관", "Energy Policy Bureau", "에너지자원실", (
        ("에너지정책과", "Energy Policy Division"),
        ("에너지효율과", "Energy Efficiency Division"),
        ("에너지수요관리과", "Energy Demand Management Division"))),
    _BureauSpec("자원산업정책관", "Resource Industry Policy Bureau", "에너지자원실", (
        ("자원개발전략과", "Resource Development Strategy Division"),
        ("석유산업과", "Petroleum Industry Division"),
        ("가스산업과", "Gas Industry Division"),
        ("광물자원과", "Mineral Resources Division"))),
    _BureauSpec("전력정책관", "Electric Power Policy Bureau", "에너지자원실", (
        ("전력산업정책과", "Electric Power Industry Policy Division"),
        ("전력시장과", "Electricity Market Division"),
        ("원전산업정책과", "Nuclear Power Industry Policy Division"))),
    _BureauSpec("표준정책국", "Standards Policy Bureau", "국가기술표준원", (
        ("표준정책과", "Standards Policy Division"),
        ("국제표준협력과", "International Standards Cooperation Division"),
        ("디지털표준과", "Digital Standards Division"))),
    _BureauSpec("제품안전정책국", "Product Safety Policy Bureau", "국가기술표준원", (
        ("제품안전정책과", "Product Safety Policy Division"),
        ("생활제품안전과", "Consumer Product Safety Division"),
        ("전기통신제품안전과", "Electrical and Telecommunication Product Safety Division"))),
    _BureauSpec("적합성정책국", "Conformity Policy Bureau", "국가기술표준원", (
        ("적합성정책과", "Conformity Assessment Policy Division"),
        ("인증산업진흥과", "Certification Industry Promotion Division"),
        ("기술규제대응과", "Technical Regulation Response Division"))),
    _BureauSpec("대변인", "Spokesperson's Bureau", None, (
        ("홍보담당관", "Public Relations Division"),
        ("정책홍보팀", "Policy Communications Team")), function="support"),
    _BureauSpec("감사관", "Inspector General", None, (
        ("감사담당관", "Audit and Inspection Division"),), function="support"),
    _BureauSpec("장관직속", "Directly under the Minister", None, (
        ("운영지원과", "General Services Division"),), function="support", is_unit=False),
)

# Small configurations take bureaus in this order; the first three carry the reorganisation.
PRIORITY = (
    "첨단산업정책관", "제조산업정책관", "정책기획관", "무역정책관", "표준정책국", "장관직속",
    "에너지정책관", "통상정책국", "산업정책관", "대변인", "자원산업정책관", "제품안전정책국",
    "투자정책관", "감사관", "산업기반정책관", "지역통상국", "적합성정책국", "전력정책관",
    "비상안전기획관",
)

SPLIT_BUREAU = "첨단산업정책관"
SPLIT_INTO = (("반도체디스플레이정책관", "Semiconductor and Display Policy Bureau"),
              ("미래모빌리티정책관", "Future Mobility Policy Bureau"))
SPLIT_FIRST_SIDE = {"반도체과", "디스플레이과", "전자전기과"}  # the rest go to the second bureau
MERGED_DIVISIONS = ("철강세라믹과", "화학산업과")
MERGED_INTO = ("소재산업과", "Materials Industry Division")
RENAMED_DIVISION = "정보관리담당관"
RENAMED_TO = ("디지털혁신담당관", "Digital Innovation Division")

DIVISIONS_PER_EMPLOYEE = 1 / 25
MIN_DIVISIONS = 6


@dataclass(frozen=True)
class Unit:
    code: str
    name_ko: str
    name_en: str
    parent: str | None
    level: str
    function: str


@dataclass(frozen=True)
class Reorg:
    date: date
    split_from: str
    split_into: tuple[str, str]
    reparented: dict[str, str]  # division code -> its new bureau
    merged_from: tuple[str, str]
    merged_into: str
    renamed: str
    old_name: tuple[str, str]
    new_name: tuple[str, str]

    def person_map(self) -> dict[str, str]:
        """Where the direct members of a removed unit go (the split bureau's director: the first half)."""
        return {self.split_from: self.split_into[0],
                self.merged_from[0]: self.merged_into, self.merged_from[1]: self.merged_into}

    def as_truth(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "bureau_split": {"from": self.split_from, "into": list(self.split_into),
                             "divisions_moved": dict(sorted(self.reparented.items()))},
            "divisions_merged": {"from": list(self.merged_from), "into": self.merged_into},
            "division_renamed": {"unit_code": self.renamed,
                                 "old_name_ko": self.old_name[0], "old_name_en": self.old_name[1],
                                 "new_name_ko": self.new_name[0], "new_name_en": self.new_name[1]},
            "units_removed": sorted([self.split_from, *self.merged_from]),
            "units_created": sorted([*self.split_into, self.merged_into]),
            "units_renamed": [self.renamed],
        }


@dataclass(frozen=True)
class Organisation:
    before: tuple[Unit, ...]
    after: tuple[Unit, ...]
    reorg: Reorg | None

    def units_on(self, day: date) -> tuple[Unit, ...]:
        return self.after if self.reorg and day >= self.reorg.date else self.before

    def all_units(self) -> dict[str, Unit]:
        """Every unit that ever existed, newest name last wins."""
        return {u.code: u for u in (*self.before, *self.after)}


def division_count(employees: int) -> int:
    return max(MIN_DIVISIONS, round(employees * DIVISIONS_PER_EMPLOYEE))


def build_organisation(employees: int, reorg_date: date | None) -> Organisation:
    chosen = _choose_divisions(division_count(employees))
    units = _number_units(chosen)
    reorg = _plan_reorg(units, reorg_date) if reorg_date else None
    after = _apply_reorg(units, reorg) if reorg else units
    return Organisation(tuple(units), tuple(after), reorg)


def _choose_divisions(n_divisions: int) -> dict[str, list[tuple[str, str]]]:
    """Round-robin over the first bureaus in priority order; past the catalogue, numbered teams."""
    by_name = {b.ko: b for b in BUREAUS}
    n_bureaus = min(len(PRIORITY), max(3, round(n_divisions / 3.2)))
    names = PRIORITY[:n_bureaus]
    chosen: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    extra = 0
    while sum(map(len, chosen.values())) < n_divisions:
        progressed = False
        for name in names:
            pool = by_name[name].divisions
            if len(chosen[name]) < len(pool) and sum(map(len, chosen.values())) < n_divisions:
                chosen[name].append(pool[len(chosen[name])])
                progressed = True
        if not progressed:
            bureau = by_name[names[extra % len(names)]]
            extra += 1
            chosen[bureau.ko].append((f"{bureau.ko} 제{extra}팀", f"{bureau.en} Team {extra}"))
    return chosen


def _number_units(chosen: dict[str, list[tuple[str, str]]]) -> list[Unit]:
    """Codes U0001.. in catalogue (depth-first) order: ministry, offices, bureaus, divisions."""
    units: list[Unit] = []

    def add(name_ko: str, name_en: str, parent: str | None, level: str, function: str) -> str:
        code = f"U{len(units) + 1:04d}"
        units.append(Unit(code, name_ko, name_en, parent, level, function))
        return code

    root = add(MINISTRY[0], MINISTRY[1], None, "ministry", MINISTRY[2])
    office_codes: dict[str, str] = {}
    for spec in BUREAUS:
        if spec.ko not in chosen:
            continue
        parent, function = root, spec.function
        if spec.office:
            en, function = OFFICES[spec.office]
            if spec.office not in office_codes:
                office_codes[spec.office] = add(spec.office, en, root, "office", function)
            parent = office_codes[spec.office]
        if spec.is_unit:
            parent = add(spec.ko, spec.en, parent, "bureau", function)
        for ko, en in chosen[spec.ko]:
            add(ko, en, parent, "division", function)
    return units


def _plan_reorg(units: list[Unit], reorg_date: date) -> Reorg:
    by_name = {u.name_ko: u for u in units}
    bureau = by_name[SPLIT_BUREAU]
    next_code = len(units) + 1
    split_into = (f"U{next_code:04d}", f"U{next_code + 1:04d}")
    reparented = {u.code: split_into[0 if u.name_ko in SPLIT_FIRST_SIDE else 1]
                  for u in units if u.parent == bureau.code}
    renamed = by_name[RENAMED_DIVISION]
    return Reorg(
        date=reorg_date, split_from=bureau.code, split_into=split_into, reparented=reparented,
        merged_from=(by_name[MERGED_DIVISIONS[0]].code, by_name[MERGED_DIVISIONS[1]].code),
        merged_into=f"U{next_code + 2:04d}", renamed=renamed.code,
        old_name=(renamed.name_ko, renamed.name_en), new_name=RENAMED_TO,
    )


def _apply_reorg(units: list[Unit], reorg: Reorg) -> list[Unit]:
    by_code = {u.code: u for u in units}
    bureau = by_code[reorg.split_from]
    merged = by_code[reorg.merged_from[0]]
    removed = {reorg.split_from, *reorg.merged_from}
    after = []
    for u in units:
        if u.code in removed:
            continue
        if u.code in reorg.reparented:
            u = replace(u, parent=reorg.reparented[u.code])
        if u.code == reorg.renamed:
            u = replace(u, name_ko=reorg.new_name[0], name_en=reorg.new_name[1])
        after.append(u)
    for code, (ko, en) in zip(reorg.split_into, SPLIT_INTO):
        after.append(Unit(code, ko, en, bureau.parent, "bureau", bureau.function))
    after.append(Unit(reorg.merged_into, MERGED_INTO[0], MERGED_INTO[1], merged.parent,
                      "division", merged.function))
    return after
