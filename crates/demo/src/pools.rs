//! The raw material of the demo data set: Korean names, places, occupations, staff, notes and
//! the clinic's package line-up. Plain data; the generator draws from it with a seeded RNG.

use clinicdesk_domain::ServiceType;

/// Surnames with their approximate share of Korea's population (per 10,000), and a
/// romanisation for e-mail addresses.
pub const SURNAMES: &[(&str, u32, &str)] = &[
    ("김", 2150, "kim"),
    ("이", 1470, "lee"),
    ("박", 840, "park"),
    ("최", 470, "choi"),
    ("정", 430, "jung"),
    ("강", 240, "kang"),
    ("조", 210, "cho"),
    ("윤", 210, "yoon"),
    ("장", 200, "jang"),
    ("임", 170, "lim"),
    ("한", 150, "han"),
    ("오", 150, "oh"),
    ("서", 150, "seo"),
    ("신", 140, "shin"),
    ("권", 140, "kwon"),
    ("황", 140, "hwang"),
    ("안", 140, "ahn"),
    ("송", 130, "song"),
    ("류", 120, "ryu"),
    ("전", 110, "jeon"),
    ("홍", 110, "hong"),
    ("고", 90, "ko"),
    ("문", 90, "moon"),
    ("양", 90, "yang"),
    ("손", 90, "son"),
    ("배", 80, "bae"),
    ("백", 80, "baek"),
    ("허", 70, "heo"),
    ("유", 70, "yoo"),
    ("남", 60, "nam"),
    ("심", 50, "sim"),
    ("노", 45, "noh"),
    ("하", 45, "ha"),
    ("곽", 40, "kwak"),
    ("성", 40, "sung"),
    ("차", 40, "cha"),
    ("주", 40, "joo"),
    ("우", 40, "woo"),
    ("구", 40, "koo"),
    ("민", 30, "min"),
    ("진", 30, "jin"),
    ("나", 30, "na"),
    ("지", 30, "ji"),
    ("엄", 30, "eom"),
    ("채", 25, "chae"),
    ("원", 25, "won"),
    ("천", 20, "cheon"),
    ("방", 20, "bang"),
    ("공", 20, "kong"),
    ("현", 20, "hyun"),
    ("함", 15, "ham"),
    ("변", 15, "byun"),
    ("염", 12, "yeom"),
    ("여", 10, "yeo"),
    ("추", 10, "choo"),
    ("도", 10, "do"),
    ("석", 8, "seok"),
    ("선우", 2, "sunwoo"),
    ("남궁", 2, "namgung"),
];

/// Given-name syllables: (first syllables, second syllables) per gender and generation.
pub const MALE_YOUNG: (&[&str], &[&str]) = (
    &[
        "민", "서", "도", "예", "시", "주", "하", "지", "준", "건", "우", "현", "은", "선", "유",
        "정", "승", "태", "재", "동",
    ],
    &[
        "준", "우", "호", "민", "현", "윤", "훈", "진", "혁", "빈", "규", "원", "율", "한", "성",
        "찬", "석", "수", "영", "환",
    ],
);
pub const MALE_OLD: (&[&str], &[&str]) = (
    &[
        "영", "성", "상", "정", "동", "재", "종", "승", "광", "병", "기", "명", "진", "경", "용",
        "창", "대", "현",
    ],
    &[
        "수", "호", "철", "민", "식", "진", "훈", "석", "우", "기", "현", "환", "규", "남", "섭",
        "국", "태", "희",
    ],
);
pub const FEMALE_YOUNG: (&[&str], &[&str]) = (
    &[
        "서", "지", "하", "수", "민", "예", "채", "유", "은", "다", "소", "윤", "혜", "가", "나",
        "아", "시", "연", "주", "세",
    ],
    &[
        "연", "윤", "은", "아", "린", "희", "진", "영", "현", "빈", "원", "서", "나", "지", "우",
        "민", "율", "하",
    ],
);
pub const FEMALE_OLD: (&[&str], &[&str]) = (
    &[
        "영", "정", "미", "경", "은", "혜", "선", "현", "숙", "명", "순", "옥", "진", "수", "지",
        "희", "성", "연",
    ],
    &[
        "숙", "희", "자", "순", "미", "경", "정", "영", "옥", "선", "주", "란", "애", "진", "례",
        "화", "은", "남",
    ],
);

/// Syllable pairs that are words rather than names (지진 = earthquake, …).
pub const ODD_NAMES: &[(&str, &str)] = &[
    ("지", "진"),
    ("주", "우"),
    ("수", "수"),
    ("시", "민"),
    ("유", "서"),
    ("성", "남"),
    ("기", "수"),
];

/// Romanisation of every given-name syllable above (for e-mail handles).
pub fn romanize(syllable: &str) -> &'static str {
    match syllable {
        "민" => "min",
        "서" => "seo",
        "도" => "do",
        "예" => "ye",
        "시" => "si",
        "주" => "ju",
        "하" => "ha",
        "지" => "ji",
        "준" => "jun",
        "건" => "geon",
        "우" => "woo",
        "현" => "hyun",
        "은" => "eun",
        "선" => "sun",
        "유" => "yu",
        "정" => "jung",
        "승" => "seung",
        "태" => "tae",
        "재" => "jae",
        "동" => "dong",
        "호" => "ho",
        "윤" => "yoon",
        "훈" => "hoon",
        "진" => "jin",
        "혁" => "hyuk",
        "빈" => "bin",
        "규" => "gyu",
        "원" => "won",
        "율" => "yul",
        "한" => "han",
        "성" => "sung",
        "찬" => "chan",
        "석" => "seok",
        "수" => "su",
        "영" => "young",
        "환" => "hwan",
        "상" => "sang",
        "종" => "jong",
        "광" => "kwang",
        "병" => "byung",
        "기" => "ki",
        "명" => "myung",
        "경" => "kyung",
        "용" => "yong",
        "창" => "chang",
        "대" => "dae",
        "철" => "chul",
        "식" => "sik",
        "남" => "nam",
        "섭" => "seop",
        "국" => "kook",
        "희" => "hee",
        "채" => "chae",
        "소" => "so",
        "혜" => "hye",
        "가" => "ga",
        "나" => "na",
        "아" => "a",
        "연" => "yeon",
        "세" => "se",
        "린" => "rin",
        "숙" => "sook",
        "미" => "mi",
        "순" => "soon",
        "옥" => "ok",
        "자" => "ja",
        "란" => "ran",
        "애" => "ae",
        "례" => "rye",
        "화" => "hwa",
        "다" => "da",
        _ => "k",
    }
}

pub const EMAIL_DOMAINS: &[(&str, u32)] = &[
    ("naver.com", 40),
    ("gmail.com", 30),
    ("daum.net", 10),
    ("hanmail.net", 8),
    ("kakao.com", 7),
    ("nate.com", 5),
];

/// (region, district, roads, weight). Seoul first, then the capital area and other cities.
pub const PLACES: &[(&str, &str, &[&str], u32)] = &[
    (
        "서울시",
        "강남구",
        &[
            "테헤란로",
            "강남대로",
            "도산대로",
            "논현로",
            "선릉로",
            "봉은사로",
            "압구정로",
        ],
        16,
    ),
    (
        "서울시",
        "서초구",
        &["서초대로", "반포대로", "강남대로", "방배로", "사평대로"],
        10,
    ),
    (
        "서울시",
        "송파구",
        &["올림픽로", "송파대로", "잠실로", "백제고분로", "석촌호수로"],
        9,
    ),
    ("서울시", "강동구", &["천호대로", "양재대로", "성내로"], 4),
    (
        "서울시",
        "마포구",
        &["월드컵로", "양화로", "마포대로", "독막로"],
        5,
    ),
    (
        "서울시",
        "용산구",
        &["한강대로", "이태원로", "녹사평대로"],
        3,
    ),
    ("서울시", "종로구", &["종로", "세종대로", "율곡로"], 2),
    ("서울시", "중구", &["을지로", "퇴계로", "다산로"], 2),
    (
        "서울시",
        "영등포구",
        &["여의대로", "영등포로", "국제금융로"],
        4,
    ),
    ("서울시", "성동구", &["왕십리로", "뚝섬로", "성수일로"], 3),
    ("서울시", "광진구", &["능동로", "자양로", "아차산로"], 3),
    ("서울시", "강서구", &["공항대로", "화곡로", "강서로"], 3),
    ("서울시", "양천구", &["목동로", "오목로", "목동동로"], 3),
    ("서울시", "노원구", &["동일로", "노해로", "상계로"], 2),
    ("서울시", "동작구", &["동작대로", "상도로", "노량진로"], 2),
    ("서울시", "관악구", &["관악로", "남부순환로", "봉천로"], 2),
    ("서울시", "성북구", &["보문로", "동소문로", "정릉로"], 1),
    ("서울시", "은평구", &["통일로", "연서로"], 1),
    (
        "경기도",
        "성남시",
        &["판교역로", "분당로", "황새울로", "정자일로"],
        6,
    ),
    ("경기도", "용인시", &["포은대로", "수지로", "죽전로"], 3),
    ("경기도", "수원시", &["광교중앙로", "월드컵로", "인계로"], 2),
    ("경기도", "고양시", &["중앙로", "일산로", "호수로"], 2),
    ("경기도", "하남시", &["미사대로", "위례대로"], 2),
    ("경기도", "과천시", &["중앙로", "별양로"], 1),
    (
        "인천시",
        "연수구",
        &["컨벤시아대로", "송도과학로", "해돋이로"],
        2,
    ),
    (
        "부산시",
        "해운대구",
        &["해운대로", "센텀중앙로", "달맞이길"],
        1,
    ),
    ("대구시", "수성구", &["달구벌대로", "동대구로"], 1),
    ("대전시", "유성구", &["대학로", "계룡로"], 1),
];

pub const OCCUPATIONS: &[(&str, u32)] = &[
    ("회사원", 30),
    ("자영업", 10),
    ("주부", 10),
    ("공무원", 5),
    ("교사", 5),
    ("개발자", 5),
    ("디자이너", 3),
    ("프리랜서", 4),
    ("의사", 2),
    ("간호사", 3),
    ("약사", 1),
    ("변호사", 1),
    ("회계사", 1),
    ("연구원", 3),
    ("금융업", 3),
    ("영업직", 3),
    ("엔지니어", 3),
    ("대학생", 3),
    ("대학원생", 1),
    ("운동 강사", 1),
    ("요리사", 1),
    ("예술가", 1),
    ("은퇴", 5),
];

/// Clinic staff who run sessions and answer calls (the demo users' display names among them).
pub const STAFF: &[&str] = &["최유나", "정하늘", "강도윤", "한지민", "오세린", "이수진"];

pub const HEALTH_GOALS: &[&str] = &[
    "스트레스 해소, 수면 개선",
    "만성 피로 회복",
    "집중력 향상",
    "어깨·목 통증 완화",
    "부종 관리와 혈액순환 개선",
    "체중 감량 및 체력 향상",
    "면역력 강화",
    "불면증 개선",
    "허리 통증 완화",
    "피부 톤 개선",
    "갱년기 컨디션 관리",
    "두통 완화, 숙면",
    "알레르기 증상 관리",
    "운동 후 근육 회복",
    "업무 스트레스 관리",
];

pub const MEMOS: &[&str] = &[
    "주차 등록 필요",
    "오전 일찍 방문 선호",
    "강도 약하게 시작 요청",
    "지인 소개로 방문",
    "알레르기 체질 - 상담 시 참고",
    "카카오톡 예약 선호",
    "보호자 동반 방문",
    "평일 점심시간 이용",
    "허리 디스크 병력 있음",
    "조용한 룸 선호",
    "회사 제휴 할인 대상",
    "예약 변경이 잦음 - 전날 확인 연락",
];

pub const VISIT_NOTES_GENERIC: &[&str] = &[
    "컨디션 양호, 다음 회차 강도 유지",
    "만족도 높음, 재예약 완료",
    "피로감 호소 - 강도 낮춰 진행",
    "지난 회차 대비 개선 느낌 있다고 함",
    "일정 변경으로 10분 늦게 시작",
    "수면 질이 좋아졌다고 함",
    "다음 방문 시 상담 희망",
    "특이사항 없음",
];

pub fn visit_notes(service: ServiceType) -> &'static [&'static str] {
    match service {
        ServiceType::Brain => &[
            "집중력 향상 체감, 뇌파 안정적",
            "알파파 비율 개선, 이완 반응 양호",
            "두통 빈도 감소했다고 함",
            "세션 중 수면 - 깊은 이완 상태",
        ],
        ServiceType::Pulse => &[
            "어깨 뭉침 완화",
            "허리 부위 집중 케어 진행",
            "강도 한 단계 올림",
            "목 통증 많이 줄었다고 함",
        ],
        ServiceType::Lymph => &[
            "하체 부종 감소 확인",
            "얼굴 붓기 관리 병행",
            "순환 개선, 손발 차가움 줄어듦",
            "종아리 집중 관리",
        ],
        ServiceType::Red => &[
            "피부 톤 밝아졌다고 함",
            "관절 통증 부위 집중 조사",
            "눈 보호구 착용 안내",
            "온열감 편안하다고 함",
        ],
        ServiceType::AiBike => &[
            "목표 심박수 도달, 20분 유지",
            "운동 강도 레벨 상향",
            "체력 향상 뚜렷함",
            "무릎 불편감으로 강도 조절",
        ],
    }
}

pub const CANCEL_REASONS: &[&str] = &[
    "고객 요청으로 취소",
    "중복 입력",
    "서비스 종류 잘못 입력",
    "당일 컨디션 난조로 미진행",
    "기기 점검으로 미진행",
];

pub const PAYMENT_METHODS: &[(&str, u32)] = &[("card", 70), ("transfer", 20), ("cash", 10)];

/// (type, weight, notes, outcomes)
pub const INTERACTIONS: &[(&str, u32, &[&str], &[&str])] = &[
    (
        "call",
        35,
        &[
            "예약 일정 확인 전화",
            "패키지 잔여 횟수 안내",
            "재방문 권유 전화",
            "패키지 만료 예정 안내",
            "예약 변경 요청 접수",
            "신규 프로그램 안내",
        ],
        &[
            "예약 완료",
            "재방문 의사 있음",
            "부재중 - 문자 발송",
            "검토 후 연락 주기로 함",
            "안내 완료",
        ],
    ),
    (
        "message",
        25,
        &[
            "카카오톡 예약 리마인드 발송",
            "이벤트 안내 문자 발송",
            "방문 후 만족도 설문 발송",
            "패키지 만료 안내 문자",
            "생일 축하 쿠폰 발송",
        ],
        &["확인함", "답장 없음", "예약 완료", "수신 확인"],
    ),
    (
        "consultation",
        20,
        &[
            "초기 상담 - 건강 목표와 선호 서비스 확인",
            "패키지 추천 상담",
            "수면 개선 프로그램 상담",
            "통증 관리 계획 상담",
            "알레르기 검사 관련 상담",
        ],
        &["패키지 구매", "추가 상담 예정", "프로그램 조정", "검토 중"],
    ),
    (
        "visit_note",
        15,
        &[
            "방문 시 컨디션 좋음, 서비스 만족 표현",
            "대기 시간 길었다는 의견",
            "다음 달 해외 출장으로 방문 어려움",
            "가족 동반 방문 문의",
            "주차 공간 부족 의견",
        ],
        &["기록", "전달 완료", "개선 요청 접수"],
    ),
    (
        "complaint",
        5,
        &[
            "예약 시간 지연에 대한 불만",
            "서비스 강도가 너무 강했다는 의견",
            "환불 규정 문의 및 불만",
            "직원 응대 관련 불만",
        ],
        &[
            "사과 및 재예약",
            "해결 완료",
            "매니저 확인 중",
            "보상 쿠폰 제공",
        ],
    ),
];

pub const FOLLOW_UP_NOTES: &[(&str, &[&str])] = &[
    (
        "call",
        &["예약 확인 전화", "만족도 확인 전화", "재방문 의사 확인"],
    ),
    ("message", &["리마인드 문자 발송", "이벤트 안내 발송"]),
    (
        "visit",
        &["방문 시 상담 진행", "다음 방문 때 프로그램 재조정"],
    ),
    ("consultation", &["패키지 연장 상담", "원장 상담 예약"]),
];

pub struct TemplateSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub price: i64,
    pub validity_days: i64,
    pub sessions: &'static [(ServiceType, i64)],
}

pub const TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        name: "프리미엄 케어",
        description: "브레인·펄스·림프·레드 각 10회 종합 관리 프로그램",
        price: 1_500_000,
        validity_days: 90,
        sessions: &[
            (ServiceType::Brain, 10),
            (ServiceType::Pulse, 10),
            (ServiceType::Lymph, 10),
            (ServiceType::Red, 10),
        ],
    },
    TemplateSpec {
        name: "브레인 집중 20회",
        description: "브레인 피드백 20회 집중 과정 (집중력·수면 개선)",
        price: 1_000_000,
        validity_days: 120,
        sessions: &[(ServiceType::Brain, 20)],
    },
    TemplateSpec {
        name: "웰니스 베이직",
        description: "브레인·펄스·레드 각 4회로 시작하는 입문 패키지",
        price: 550_000,
        validity_days: 60,
        sessions: &[
            (ServiceType::Brain, 4),
            (ServiceType::Pulse, 4),
            (ServiceType::Red, 4),
        ],
    },
    TemplateSpec {
        name: "AI 바이크 10회",
        description: "AI 바이크 맞춤 운동 10회",
        price: 250_000,
        validity_days: 60,
        sessions: &[(ServiceType::AiBike, 10)],
    },
    TemplateSpec {
        name: "림프 케어 10회",
        description: "림프 순환 관리 10회 (부종·순환 개선)",
        price: 600_000,
        validity_days: 90,
        sessions: &[(ServiceType::Lymph, 10)],
    },
    TemplateSpec {
        name: "펄스·레드 콤보",
        description: "펄스 케어와 레드 테라피 각 8회 통증·회복 관리",
        price: 650_000,
        validity_days: 90,
        sessions: &[(ServiceType::Pulse, 8), (ServiceType::Red, 8)],
    },
    TemplateSpec {
        name: "VIP 올케어 연간",
        description: "전 서비스 각 24회, 1년 멤버십 프로그램",
        price: 5_400_000,
        validity_days: 365,
        sessions: &[
            (ServiceType::Brain, 24),
            (ServiceType::Pulse, 24),
            (ServiceType::Lymph, 24),
            (ServiceType::Red, 24),
            (ServiceType::AiBike, 24),
        ],
    },
];

pub const PURCHASE_NOTES: &[&str] = &[
    "재구매 할인 적용",
    "지인 소개 이벤트 할인",
    "VIP 회원 할인",
    "오픈 기념 프로모션",
    "회사 제휴 할인",
];
