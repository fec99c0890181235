// A diagnosis as the server answers it (trimmed from a real answer of the built-in knowledge
// version): peanut 4, milk 2.1 kU/L, egg 0, house dust mite 3.

import type { DiagnosisResult, Prescription } from '../src/allergyTypes';

export const diagnosisFixture: { results: DiagnosisResult[]; summary: { total_tested: number; high_risk_count: number; max_grade: number | null }; prescription: Prescription; knowledge_version: string; diagnosis_date: string } = {
  "results": [
    {
      "allergen": "peanut",
      "grade": 4,
      "grade_description": "매우 높은 수준의 감작입니다. 증상이 나타날 가능성이 높으므로 의사의 안내에 따라 피하세요.",
      "grade_label": "매우 높음",
      "ku_l": null,
      "name_ko": "땅콩",
      "risk_level": "high_risk"
    },
    {
      "allergen": "milk",
      "grade": 2,
      "grade_description": "중간 정도의 감작입니다. 이 항목을 먹거나 접촉했을 때 증상이 있었는지에 따라 관리 방법이 달라집니다.",
      "grade_label": "중간",
      "ku_l": 2.1,
      "name_ko": "우유",
      "risk_level": "moderate_risk"
    },
    {
      "allergen": "egg",
      "grade": 0,
      "grade_description": "이 항목에 대한 특이 IgE가 검출되지 않았습니다. 다만 이 항목으로 증상을 겪은 적이 있다면 의사에게 꼭 알려 주세요.",
      "grade_label": "음성",
      "ku_l": null,
      "name_ko": "알류(달걀)",
      "risk_level": "low_risk"
    },
    {
      "allergen": "house_dust_mite",
      "grade": 3,
      "grade_description": "높은 수준의 감작입니다. 의사와 상의하여 피해야 할지, 추가 검사가 필요한지 정하세요.",
      "grade_label": "높음",
      "ku_l": null,
      "name_ko": "집먼지진드기",
      "risk_level": "moderate_risk"
    }
  ],
  "summary": {
    "high_risk_count": 1,
    "max_grade": 4,
    "total_tested": 4
  },
  "prescription": {
    "high_risk": [
      {
        "allergen": "peanut",
        "avoid_foods": [
          "땅콩, 땅콩버터, 땅콩기름",
          "땅콩이 든 과자·초콜릿·강정",
          "땅콩 소스(사테 소스 등)"
        ],
        "category": "food",
        "cross_reactivity": [
          {
            "allergen": "walnut",
            "basis": "published_rate",
            "mechanism": "공동 알레르기(co-allergy) 포함, 기전 다양 — 출처 표에 기전 미기재",
            "name_ko": "호두",
            "note": "견과류 전체를 한 그룹으로 본 수치입니다(개별 견과별 수치 아님).",
            "probability": "medium",
            "rate": "30–40%",
            "related_foods": [
              "호두·호두 기름",
              "호두과자·호두파이·호두 강정",
              "호두가 든 빵·쿠키·견과 믹스"
            ],
            "source": "francis2020",
            "tested_grade": null
          },
          {
            "allergen": "almond",
            "basis": "published_rate",
            "mechanism": "공동 알레르기(co-allergy) 포함, 기전 다양 — 출처 표에 기전 미기재",
            "name_ko": "아몬드",
            "note": "견과류 전체를 한 그룹으로 본 수치입니다(개별 견과별 수치 아님).",
            "probability": "medium",
            "rate": "30–40%",
            "related_foods": [
              "아몬드·아몬드 슬라이스",
              "아몬드 음료(아몬드 우유)",
              "아몬드 가루 과자(마카롱·피낭시에)"
            ],
            "source": "francis2020",
            "tested_grade": null
          }
        ],
        "grade": 4,
        "grade_description": "매우 높은 수준의 감작입니다. 증상이 나타날 가능성이 높으므로 의사의 안내에 따라 피하세요.",
        "grade_label": "매우 높음",
        "hidden_sources": [
          "멸치볶음·조림 등 견과 고명",
          "쿠키·초코바·시리얼",
          "중식·동남아 요리(땅콩 소스, 땅콩 고명)"
        ],
        "lifestyle_tips": [],
        "name_en": "Peanut",
        "name_ko": "땅콩",
        "risk_tier": "high_risk",
        "sources": [
          "mfds_labelling_standard",
          "mfds_press_2015"
        ],
        "substitutes": [],
        "symptoms": [
          "두드러기, 피부가 붉어지거나 가려운 증상",
          "입술·얼굴·눈 주위가 붓는 증상"
        ]
      }
    ],
    "moderate_risk": [
      {
        "allergen": "house_dust_mite",
        "avoid_foods": [],
        "category": "inhalant",
        "cross_reactivity": [
          {
            "allergen": "shrimp",
            "basis": "published_rate",
            "mechanism": "트로포미오신(Der p 10) 및 기타 단백질",
            "name_ko": "새우",
            "note": "이탈리아 진드기 알레르기 환자 526명 자료입니다. 트로포미오신에 감작된 사람 중에서도 약 절반만 실제 새우 알레르기가 있었습니다.",
            "probability": "low",
            "rate": "9%",
            "related_foods": [
              "새우(튀김·볶음·새우볶음밥 등)",
              "새우젓·새우 액젓",
              "건새우·새우가루"
            ],
            "source": "celi2020_hdm_shrimp",
            "tested_grade": null
          },
          {
            "allergen": "crab",
            "basis": "qualitative",
            "mechanism": "트로포미오신",
            "name_ko": "게",
            "probability": "low",
            "rate": null,
            "related_foods": [
              "게(꽃게·대게·킹크랩 등)",
              "간장게장·양념게장",
              "게살 요리·게살 수프"
            ],
            "source": "cockroach_tropomyosin",
            "tested_grade": null
          }
        ],
        "grade": 3,
        "grade_description": "높은 수준의 감작입니다. 의사와 상의하여 피해야 할지, 추가 검사가 필요한지 정하세요.",
        "grade_label": "높음",
        "hidden_sources": [],
        "lifestyle_tips": [
          "침구(시트·베갯잇)는 매주 55°C 이상의 뜨거운 물로 세탁하세요.",
          "매트리스·베개·이불에 집먼지진드기 차단 커버를 씌우세요."
        ],
        "name_en": "House dust mite",
        "name_ko": "집먼지진드기",
        "risk_tier": "moderate_risk",
        "sources": [
          "ascia_allergen_minimisation",
          "nac_dust_mites"
        ],
        "substitutes": [],
        "symptoms": [
          "재채기, 맑은 콧물, 코막힘",
          "눈 가려움, 충혈, 눈물"
        ]
      },
      {
        "allergen": "milk",
        "avoid_foods": [
          "우유·치즈·요구르트·버터·생크림·아이스크림",
          "분유·연유·유청단백 함유 제품",
          "염소젖(산양유)·양젖 등 다른 포유류의 젖 — 우유 알레르기가 있는 분의 90% 이상이 반응하므로 대체품이 될 수 없습니다"
        ],
        "category": "food",
        "cross_reactivity": [
          {
            "allergen": "goat_milk",
            "basis": "published_rate",
            "mechanism": "포유류 젖 단백질(카제인 등) 상동성",
            "name_ko": "염소젖(산양유)",
            "note": "출처 표기는 ‘>90%’입니다. 양·물소 젖도 피해야 하며, 당나귀·낙타·말 젖은 대개 먹을 수 있다고 보고됩니다(말 젖 4%).",
            "probability": "high",
            "rate": ">90%",
            "related_foods": [
              "산양유·산양분유",
              "염소젖 치즈(셰브르 등)"
            ],
            "source": "francis2020",
            "tested_grade": null
          },
          {
            "allergen": "beef",
            "basis": "published_rate",
            "mechanism": "소 혈청알부민 등 소 유래 단백질(기전은 출처 표에 명시되지 않음)",
            "name_ko": "쇠고기",
            "note": "충분히 가열·가공한 쇠고기는 덜 익힌 쇠고기보다 대개 잘 견딘다고 보고됩니다.",
            "probability": "medium",
            "rate": "~10%",
            "related_foods": [
              "쇠고기(구이·불고기·장조림·육회)",
              "사골·양지 육수(설렁탕·곰탕·소고기뭇국)"
            ],
            "source": "francis2020",
            "tested_grade": null
          }
        ],
        "grade": 2,
        "grade_description": "중간 정도의 감작입니다. 이 항목을 먹거나 접촉했을 때 증상이 있었는지에 따라 관리 방법이 달라집니다.",
        "grade_label": "중간",
        "hidden_sources": [
          "빵·케이크·과자·초콜릿",
          "캐러멜·누가 등 사탕류",
          "햄·소시지 등 육가공품(제품에 따라)"
        ],
        "ku_l": 2.1,
        "lifestyle_tips": [],
        "name_en": "Cow's milk",
        "name_ko": "우유",
        "risk_tier": "moderate_risk",
        "sources": [
          "mfds_labelling_standard",
          "mfds_press_2015"
        ],
        "substitutes": [
          "두유 등 식물성 음료 — 영유아·어린이는 영양이 부족할 수 있으니 반드시 의사·영양사와 상의하세요"
        ],
        "symptoms": [
          "두드러기, 피부가 붉어지거나 가려운 증상",
          "입술·얼굴·눈 주위가 붓는 증상"
        ]
      }
    ],
    "low_risk": [
      {
        "allergen": "egg",
        "avoid_foods": [],
        "category": "food",
        "cross_reactivity": [],
        "grade": 0,
        "grade_description": "이 항목에 대한 특이 IgE가 검출되지 않았습니다. 다만 이 항목으로 증상을 겪은 적이 있다면 의사에게 꼭 알려 주세요.",
        "grade_label": "음성",
        "hidden_sources": [],
        "lifestyle_tips": [],
        "name_en": "Egg (hen's egg)",
        "name_ko": "알류(달걀)",
        "risk_tier": "low_risk",
        "sources": [
          "mfds_labelling_standard",
          "mfds_press_2015"
        ],
        "substitutes": [],
        "symptoms": []
      }
    ],
    "cross_reactive_cautions": [
      {
        "advice": "검사하지 않은 항목입니다. 우유 양성 결과와 교차반응이 보고되어 있으니, 주의가 필요한지 의사와 상의하세요.",
        "allergen": "goat_milk",
        "because_of": [
          "milk"
        ],
        "mechanism": "포유류 젖 단백질(카제인 등) 상동성",
        "name_ko": "염소젖(산양유)",
        "probability": "high",
        "rate": ">90%",
        "related_foods": [
          "산양유·산양분유",
          "염소젖 치즈(셰브르 등)"
        ],
        "tested_grade": null
      },
      {
        "advice": "검사하지 않은 항목입니다. 땅콩 양성 결과와 교차반응이 보고되어 있으니, 주의가 필요한지 의사와 상의하세요.",
        "allergen": "walnut",
        "because_of": [
          "peanut"
        ],
        "mechanism": "공동 알레르기(co-allergy) 포함, 기전 다양 — 출처 표에 기전 미기재",
        "name_ko": "호두",
        "probability": "medium",
        "rate": "30–40%",
        "related_foods": [
          "호두·호두 기름",
          "호두과자·호두파이·호두 강정",
          "호두가 든 빵·쿠키·견과 믹스"
        ],
        "tested_grade": null
      },
      {
        "advice": "검사하지 않은 항목입니다. 우유 양성 결과와 교차반응이 보고되어 있으니, 주의가 필요한지 의사와 상의하세요.",
        "allergen": "beef",
        "because_of": [
          "milk"
        ],
        "mechanism": "소 혈청알부민 등 소 유래 단백질(기전은 출처 표에 명시되지 않음)",
        "name_ko": "쇠고기",
        "probability": "medium",
        "rate": "~10%",
        "related_foods": [
          "쇠고기(구이·불고기·장조림·육회)",
          "사골·양지 육수(설렁탕·곰탕·소고기뭇국)"
        ],
        "tested_grade": null
      }
    ],
    "disclaimer": [
      "특이 IgE 수치는 몸에 해당 항목에 대한 항체가 있다는 ‘감작’을 뜻하며, 실제로 알레르기 증상이 생긴다는 뜻은 아닙니다.",
      "수치가 높을수록 증상이 나타날 가능성은 대체로 커지지만, 반응이 얼마나 심할지는 수치만으로 예측할 수 없습니다."
    ],
    "knowledge_version": "2026-12-07.1",
    "emergency_plan": {
      "level": "anaphylaxis_plan",
      "emergency_number": "119",
      "action_plan": {
        "action_plans": {
          "severe": {
            "actions": [
              "환자를 눕히고 일어서거나 걷지 못하게 하세요. 의식이 없거나 임신부라면 옆으로 눕히고(임신부는 왼쪽), 숨쉬기 힘들어하면 다리를 앞으로 뻗고 앉게 하세요. 어린 아이는 세워 안지 말고 눕혀서 안으세요.",
              "에피네프린 자가주사기를 허벅지 바깥쪽 중간 부위에 즉시 주사하세요.",
              "119에 전화해 ‘아나필락시스’라고 알리고 구급차를 요청하세요."
            ],
            "always": [
              "아나필락시스인지 확실하지 않을 때도 에피네프린을 주사하세요.",
              "피부 증상이 없더라도 갑자기 심하게 숨쉬기 힘들어하면(쌕쌕거림, 계속되는 기침, 쉰 목소리) 에피네프린을 먼저 주사한 뒤 도움을 요청하세요.",
              "가능하면 원인 물질(먹던 음식 등)을 즉시 치우세요."
            ],
            "epinephrine_instructions": [
              "주사 부위는 허벅지 바깥쪽 중간의 근육입니다.",
              "사용 방법은 제품마다 다르므로, 처방받을 때 제품 설명서와 연습용 기구로 미리 익혀 두세요.",
              "한 번 사용한 자가주사기는 약이 남아 있어도 다시 쓸 수 없습니다."
            ],
            "intro": "아래 증상 중 하나라도 나타나면 아나필락시스입니다.",
            "symptoms": [
              "숨쉬기 힘들거나 숨소리가 거칠어짐",
              "혀가 부음",
              "목이 붓거나 조이는 느낌"
            ],
            "title": "아나필락시스(중증 알레르기 반응)"
          },
          "mild": {
            "actions": [
              "환자 곁을 떠나지 말고 주변에 도움을 요청하세요.",
              "벌에 쏘였다면 보이는 침을 손톱 등으로 긁어 제거하세요."
            ],
            "symptoms": [
              "두드러기 또는 피부가 부풀어 오르는 발진",
              "입안이 따끔거리거나 가려움"
            ],
            "title": "가벼운~중간 정도의 알레르기 반응"
          }
        },
        "after_reaction": [
          "증상이 가라앉아도 응급실 진료를 받으세요. 몇 시간 뒤 다시 반응이 나타날 수 있습니다."
        ],
        "emergency_contacts": {
          "description": "아나필락시스가 의심되면 즉시 119에 전화해 ‘아나필락시스’라고 알리고 구급차를 요청하세요.",
          "emergency": "119",
          "label": "119 (화재·구조·구급)"
        },
        "sources": [
          {
            "citation": "ASCIA First Aid Plan for Anaphylaxis (orange, general), Australasian Society of Clinical Immunology and Allergy.",
            "id": "ascia_first_aid_plan",
            "url": "https://allergy.org.au/hp/anaphylaxis/first-aid-for-anaphylaxis/"
          }
        ]
      },
      "epinephrine": {
        "how_to_use": {
          "steps": [
            "주사 부위는 허벅지 바깥쪽 중간의 근육입니다.",
            "사용 방법은 제품마다 다르므로, 처방받을 때 제품 설명서와 연습용 기구로 미리 익혀 두세요."
          ]
        },
        "what_is_epinephrine": {
          "description": "에피네프린(아드레날린)은 아나필락시스의 1차 치료제이며, 허벅지 근육에 주사합니다."
        },
        "dose": {
          "bands": [
            {
              "dose_mcg": [
                150
              ],
              "text": "체중 7.5~20 kg 어린이: 150 마이크로그램",
              "weight_kg_max": 20.0,
              "weight_kg_min": 7.5,
              "weight_kg_min_exclusive": null
            }
          ],
          "notes": [
            "용량은 의사가 체중에 맞춰 처방합니다. 임의로 바꾸지 마세요."
          ]
        },
        "storage": [
          "15~25°C의 서늘하고 어두운 곳(실온)에 보관하세요."
        ]
      }
    }
  },
  "knowledge_version": "2026-12-07.1",
  "diagnosis_date": "2026-12-07"
};
