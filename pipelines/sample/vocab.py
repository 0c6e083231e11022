"""Korean vocabulary for the synthetic ministry: names, prompts, titles, comments."""

# Surnames with rough population shares (Statistics Korea 2015 census), romanised for e-mails.
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("김", "kim", 21.5), ("이", "lee", 14.7), ("박", "park", 8.4), ("최", "choi", 4.7),
    ("정", "jung", 4.3), ("강", "kang", 2.4), ("조", "cho", 2.1), ("윤", "yoon", 2.1),
    ("장", "jang", 2.0), ("임", "lim", 1.7), ("한", "han", 1.5), ("오", "oh", 1.5),
    ("서", "seo", 1.5), ("신", "shin", 1.4), ("권", "kwon", 1.4), ("황", "hwang", 1.4),
    ("안", "ahn", 1.3), ("송", "song", 1.3), ("류", "ryu", 1.2), ("전", "jeon", 1.1),
    ("홍", "hong", 1.0), ("고", "ko", 0.9), ("문", "moon", 0.9), ("양", "yang", 0.8),
)

GIVEN_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("민", "min"), ("서", "seo"), ("준", "jun"), ("지", "ji"), ("현", "hyun"), ("우", "woo"),
    ("도", "do"), ("하", "ha"), ("윤", "yun"), ("연", "yeon"), ("수", "su"), ("영", "young"),
    ("진", "jin"), ("성", "sung"), ("은", "eun"), ("혜", "hye"), ("정", "jeong"), ("재", "jae"),
    ("희", "hee"), ("호", "ho"), ("경", "kyung"), ("동", "dong"), ("상", "sang"), ("태", "tae"),
    ("승", "seung"), ("유", "yu"), ("아", "a"), ("원", "won"), ("석", "seok"), ("미", "mi"),
    ("나", "na"), ("선", "sun"), ("기", "ki"), ("주", "ju"), ("형", "hyung"), ("예", "ye"),
    ("다", "da"), ("채", "chae"), ("규", "kyu"), ("훈", "hoon"),
)

EMAIL_DOMAIN = "motie.go.kr"

# Portal prompts per service; the texts are synthetic and contain no real personal data.
PORTAL_PROMPTS: dict[str, tuple[str, ...]] = {
    "chat": (
        "반도체 수출 동향을 세 줄로 정리해 줘",
        "국정감사 예상 질의에 대한 답변 방향을 제안해 줘",
        "공급망 리스크 점검 회의 안건을 정리해 줘",
        "RE100 관련 기업 애로사항을 분류해 줘",
        "통상 협상 쟁점별 대응 논리를 알려 줘",
        "산업단지 디지털 전환 사례를 찾아 줘",
    ),
    "translate": (
        "다음 보도자료를 영어로 번역해 줘: 정부는 첨단산업 투자를 확대한다",
        "Translate into Korean: The parties shall consult on supply chain resilience",
        "다음 문단을 일본어로 번역해 줘: 수출 규제 완화 방안",
        "WTO 통보문 요지를 한국어로 번역해 줘",
    ),
    "summarize": (
        "첨부한 연구용역 보고서를 1쪽으로 요약해 줘",
        "회의 녹취록의 결정사항만 요약해 줘",
        "업계 간담회 건의사항을 항목별로 요약해 줘",
        "국제표준 개정안의 주요 변경점을 요약해 줘",
    ),
    "draft": (
        "장관 말씀자료 초안을 작성해 줘: 수출 점검회의",
        "보도자료 초안을 써 줘: 소재부품장비 경쟁력 강화",
        "국회 서면질의 답변서 초안을 작성해 줘",
        "민원 회신문 초안을 정중한 문체로 작성해 줘",
        "업무보고 자료의 추진배경 부분을 작성해 줘",
    ),
    "code": (
        "엑셀 수출입 통계를 피벗하는 파이썬 코드를 작성해 줘",
        "이 SQL 쿼리가 느린 이유를 알려 줘",
        "CSV 파일 두 개를 사업자번호로 병합하는 코드를 알려 줘",
    ),
    "search": (
        "산업발전법 시행령 제5조 내용 찾아 줘",
        "2025년 무역안보 관련 고시 목록을 찾아 줘",
        "전기용품 안전인증 면제 기준을 찾아 줘",
    ),
    "image": (
        "수출 실적 인포그래픽 배경 이미지를 만들어 줘",
        "정책 홍보 카드뉴스 표지 이미지를 그려 줘",
    ),
}

PORTAL_RESPONSES: dict[str, tuple[str, ...]] = {
    "chat": ("요청하신 내용을 정리했습니다. 주요 사항은 다음과 같습니다.",
             "검토 결과 세 가지 대응 방향을 제안드립니다."),
    "translate": ("번역 결과는 다음과 같습니다.", "Here is the translation."),
    "summarize": ("핵심 내용을 다섯 줄로 요약했습니다.", "결정사항은 총 네 건입니다."),
    "draft": ("초안을 작성했습니다. 검토 후 수정해 주십시오.", "요청하신 문서 초안입니다."),
    "code": ("아래 코드를 참고하십시오.", "원인은 인덱스가 없는 조인입니다."),
    "search": ("관련 조문과 고시를 찾았습니다.", "검색 결과 세 건이 있습니다."),
    "image": ("이미지를 생성했습니다.",),
}

# A blocked request's prompt: the guardrail caught (synthetic) personal data.
BLOCKED_PROMPT = "민원인 연락처 010-0000-0000 과 주소를 포함해서 회신문을 써 줘"
BLOCKED_RESPONSE = "개인정보가 포함된 요청은 정책에 따라 차단되었습니다."

EMBEDDING_INPUTS = ("산업발전법 시행령 조문 색인", "민원 답변 사례 문서 색인", "통상 협정문 단락 색인")

TRAINING_TITLES: dict[str, tuple[str, ...]] = {
    "lecture": ("생성형 AI의 이해와 행정 활용 (외부 전문가 특강)",
                "AI 시대의 산업정책 (초청 강연)",
                "공공분야 AI 윤리와 보안 (외부 전문가 특강)"),
    "hands_on": ("프롬프트 작성 실습", "보고서 초안 작성 AI 실습",
                 "OnAI 회의록 요약·문서검색 실습", "AI 데이터분석 실습"),
    "online": ("온라인 생성형 AI 기초 과정", "온라인 AI 포털 활용 가이드"),
}

SURVEY_COMMENTS: dict[str, tuple[str, ...]] = {
    "positive": (
        "보고서 초안 작성 시간이 크게 줄었습니다",
        "번역 기능이 특히 유용합니다, 해외 자료 검토가 빨라졌어요",
        "회의록 요약 덕분에 야근이 줄었습니다",
        "자료 검색이 편해졌고 \"검토 의견\" 정리도 수월합니다",
    ),
    "neutral": (
        "아직 업무에 맞는 활용법을 찾는 중입니다",
        "보안 때문에 쓸 수 있는 자료가 제한적입니다",
        "교육을 더 받고 싶습니다",
    ),
    "negative": (
        "결과를 다시 확인하느라 시간이 더 걸립니다",
        "내부망에서 접속이 느립니다, 개선이 필요합니다",
        "답변이 부정확한 경우가 많습니다.\n법령 인용은 꼭 확인해야 합니다",
    ),
}

CLOSURE_REASONS = (
    "정부청사 전기설비 정기점검 (building electrical maintenance)",
    "청사 보안시스템 교체 공사 (security system replacement)",
    "정부청사 비상대비 훈련 휴무 (emergency drill closure)",
)
