// Answers of a demo server (issue 11), trimmed: one customer's analytics, behaviour, segment,
// recommendations, and the customer model list. Ids shortened to c-1.

export const analytics90 = {
  "customer_id": "c-1",
  "period": "90d",
  "date_range": {
    "start": "2026-09-09",
    "end": "2026-12-07",
    "days": 90
  },
  "analysed_from": "2026-09-09",
  "visitPattern": {
    "average_interval_days": 7.0,
    "visit_frequency": "weekly",
    "visit_frequency_label": "주 1회",
    "preferred_days": [
      "Tuesday",
      "Thursday"
    ],
    "preferred_days_label": [
      "화요일",
      "목요일"
    ],
    "preferred_times": [
      "12:00-14:00",
      "10:00-12:00"
    ],
    "consistency_score": 80,
    "interval_cv": 0.2,
    "visits_in_period": 18,
    "visit_days_in_period": 10,
    "weekday_distribution": [
      {
        "day": "Monday",
        "label": "월요일",
        "visits": 4,
        "share": 22.2
      },
      {
        "day": "Tuesday",
        "label": "화요일",
        "visits": 8,
        "share": 44.4
      },
      {
        "day": "Wednesday",
        "label": "수요일",
        "visits": 1,
        "share": 5.6
      },
      {
        "day": "Thursday",
        "label": "목요일",
        "visits": 5,
        "share": 27.8
      },
      {
        "day": "Friday",
        "label": "금요일",
        "visits": 0,
        "share": 0.0
      },
      {
        "day": "Saturday",
        "label": "토요일",
        "visits": 0,
        "share": 0.0
      },
      {
        "day": "Sunday",
        "label": "일요일",
        "visits": 0,
        "share": 0.0
      }
    ],
    "time_distribution": [
      {
        "slot": "10:00-12:00",
        "label": "10시~12시",
        "visits": 5,
        "share": 27.8
      },
      {
        "slot": "12:00-14:00",
        "label": "12시~14시",
        "visits": 8,
        "share": 44.4
      },
      {
        "slot": "14:00-16:00",
        "label": "14시~16시",
        "visits": 2,
        "share": 11.1
      },
      {
        "slot": "16:00-18:00",
        "label": "16시~18시",
        "visits": 3,
        "share": 16.7
      }
    ],
    "monthly_visits": [
      {
        "month": "2026-09",
        "visits": 0
      },
      {
        "month": "2026-10",
        "visits": 7
      },
      {
        "month": "2026-11",
        "visits": 9
      },
      {
        "month": "2026-12",
        "visits": 2
      }
    ],
    "unavailable": []
  },
  "serviceUsage": {
    "most_used_service": "brain",
    "most_used_service_name": "브레인 피드백",
    "service_distribution": {
      "brain": 38.9,
      "pulse": 27.8,
      "red": 33.3
    },
    "satisfaction_by_service": {
      "brain": 4.3,
      "pulse": 4.0,
      "red": 4.5
    },
    "growth_trend": {
      "ai_bike": "-100%",
      "brain": "+17%",
      "lymph": "-100%",
      "pulse": "+400%",
      "red": "+50%"
    },
    "services": [
      {
        "service": "brain",
        "name": "브레인 피드백",
        "visits": 7,
        "share": 38.9,
        "average_rating": 4.3,
        "rating_count": 7,
        "previous_visits": 6,
        "growth_rate": 16.7,
        "last_used": "2026-12-03"
      },
      {
        "service": "red",
        "name": "레드 테라피",
        "visits": 6,
        "share": 33.3,
        "average_rating": 4.5,
        "rating_count": 6,
        "previous_visits": 4,
        "growth_rate": 50.0,
        "last_used": "2026-11-10"
      },
      {
        "service": "pulse",
        "name": "펄스 케어",
        "visits": 5,
        "share": 27.8,
        "average_rating": 4.0,
        "rating_count": 5,
        "previous_visits": 1,
        "growth_rate": 400.0,
        "last_used": "2026-12-03"
      },
      {
        "service": "lymph",
        "name": "림프 순환",
        "visits": 0,
        "share": 0.0,
        "average_rating": null,
        "rating_count": 0,
        "previous_visits": 3,
        "growth_rate": -100.0,
        "last_used": null
      },
      {
        "service": "ai_bike",
        "name": "AI 바이크",
        "visits": 0,
        "share": 0.0,
        "average_rating": null,
        "rating_count": 0,
        "previous_visits": 1,
        "growth_rate": -100.0,
        "last_used": null
      }
    ],
    "total_visits": 18,
    "previous_period": {
      "start": "2026-06-11",
      "end": "2026-09-08",
      "days": 90
    },
    "unavailable": []
  },
  "revenueContribution": {
    "total_revenue": 1240000,
    "visit_revenue": 140000,
    "purchase_revenue": 1100000,
    "average_monthly_revenue": 413333,
    "revenue_trend": [
      {
        "month": "2026-09",
        "amount": 0,
        "visit_amount": 0,
        "purchase_amount": 0
      },
      {
        "month": "2026-10",
        "amount": 690000,
        "visit_amount": 140000,
        "purchase_amount": 550000
      },
      {
        "month": "2026-11",
        "amount": 550000,
        "visit_amount": 0,
        "purchase_amount": 550000
      },
      {
        "month": "2026-12",
        "amount": 0,
        "visit_amount": 0,
        "purchase_amount": 0
      }
    ],
    "lifetime_revenue": 6110000,
    "ltv_estimate": 23763320,
    "ltv": {
      "method": "누적 매출 + 월평균 매출(누적 매출 ÷ 거래 개월 수) × 예상 잔존 개월 수. 예상 잔존 개월 수 = (1 − m) ÷ m, m = 1 − (1 − 이탈 확률)^(30 ÷ 예측 기간 일수)",
      "historical_revenue": 6110000,
      "tenure_months": 20.8,
      "average_monthly_revenue": 294222,
      "monthly_churn_rate": 0.0,
      "expected_remaining_months": 60.0,
      "projected_revenue": 17653320,
      "assumptions": [
        "지금까지의 월평균 매출이 앞으로도 유지된다고 가정합니다",
        "이탈 확률이 매달 같은 비율로 나뉘어 일어난다고 가정합니다 (기하 분포)",
        "예상 잔존 기간은 최대 60개월까지만 셉니다",
        "할인율(현재 가치 환산)은 적용하지 않습니다"
      ]
    },
    "revenue_percentile": 95.0,
    "compared_customers": 300,
    "unavailable": []
  },
  "riskAssessment": {
    "churn_risk": "low",
    "churn_risk_label": "낮음",
    "churn_probability": 1.0,
    "churn_model": {
      "status": "loaded",
      "model_version": "cm-20261207-145033",
      "horizon_days": 90
    },
    "days_since_last_visit": 4,
    "usual_interval_days": 10.7,
    "risk_factors": [],
    "retention_score": 96,
    "retention": {
      "score": 96,
      "recency": 1.0,
      "frequency": 1.0,
      "satisfaction": 0.75,
      "package": 1.0,
      "formula": "100 × (0.40 × 최근성 + 0.30 × 빈도 유지 + 0.15 × 만족도 + 0.15 × 패키지 보유). 최근성 = (2T − 경과일) ÷ T를 0–1로 자름 (T = 방문 공백 기준일); 빈도 유지 = 최근 90일 방문일 ÷ 직전 90일 방문일, 최대 1 (직전 0일이면 최근 방문 있으면 1, 없으면 0); 만족도 = (최근 평점 5건 평균 − 1) ÷ 4, 평점이 없으면 0.5; 패키지 = 이용 중 1, 만료 임박 0.5, 없음 0"
    },
    "next_action_recommendation": "패키지 포함 서비스 이용 안내",
    "next_action_reason": "'웰니스 베이직' 패키지에 포함된 레드 테라피 서비스를 구매 후 아직 이용하지 않았습니다",
    "next_actions": [
      {
        "action": "use_included_service",
        "label": "패키지 포함 서비스 이용 안내",
        "priority": "medium",
        "reason": "'웰니스 베이직' 패키지에 포함된 레드 테라피 서비스를 구매 후 아직 이용하지 않았습니다",
        "service": "red",
        "service_name": "레드 테라피"
      }
    ],
    "unavailable": []
  }
};

export const behavior = {
  "customer_id": "c-1",
  "behavior_score": 91.1,
  "score_components": {
    "recency": 0.96,
    "frequency": 0.83,
    "monetary": 0.95,
    "engagement": 0.91,
    "formula": "100 × (0.30 × 최근성 + 0.30 × 빈도 + 0.25 × 금액 + 0.15 × 참여). 최근성 = max(0, 1 − 마지막 방문 후 일수 ÷ 90); 빈도 = min(1, 최근 90일 방문일 ÷ 12); 금액 = 전체 고객 중 누적 매출 백분위 ÷ 100; 참여 = 최근 1년(가입 기간이 짧으면 그 기간) 방문 중 평점을 남긴 비율"
  },
  "purchase_history": {
    "total_visits": 95,
    "total_purchases": 6,
    "total_spent": 6110000,
    "visit_spent": 1910000,
    "package_spent": 4200000,
    "average_purchase_value": 700000,
    "last_purchase_date": "2026-11-23",
    "last_visit_date": "2026-12-03",
    "purchase_frequency": "medium",
    "purchase_frequency_label": "월 1회 이상"
  },
  "favorite_services": [
    {
      "service": "brain",
      "service_name": "브레인 피드백",
      "visit_count": 46,
      "share": 48.4,
      "average_rating": 4.1,
      "last_used": "2026-12-03"
    },
    {
      "service": "red",
      "service_name": "레드 테라피",
      "visit_count": 23,
      "share": 24.2,
      "average_rating": 4.4,
      "last_used": "2026-11-10"
    },
    {
      "service": "pulse",
      "service_name": "펄스 케어",
      "visit_count": 11,
      "share": 11.6,
      "average_rating": 4.0,
      "last_used": "2026-12-03"
    }
  ],
  "engagement": {
    "window_days": 365,
    "visits": 66,
    "visits_per_month": 5.4,
    "ratings_given": 60,
    "rated_visit_share": 90.9,
    "average_rating_given": 4.1,
    "distinct_services": 5
  },
  "churn_prediction": {
    "risk_level": "low",
    "risk_label": "낮음",
    "probability": 0.01,
    "last_activity_days": 4,
    "model": {
      "status": "loaded",
      "model_version": "cm-20261207-145033",
      "horizon_days": 90
    }
  },
  "next_best_actions": [
    {
      "action": "use_included_service",
      "label": "패키지 포함 서비스 이용 안내",
      "priority": "medium",
      "reason": "'웰니스 베이직' 패키지에 포함된 레드 테라피 서비스를 구매 후 아직 이용하지 않았습니다",
      "service": "red",
      "service_name": "레드 테라피"
    }
  ],
  "unavailable": []
};

export const segment = {
  "characteristic_notes": [
    "방문 횟수가 95회로 같은 세그먼트 중앙값(29회)보다 많습니다 (같은 세그먼트 상위 약 1%).",
    "누적 매출이 6,110,000원으로 같은 세그먼트 중앙값(2,860,000원)보다 많습니다 (같은 세그먼트 상위 약 12%).",
    "마지막 방문이 4일 전으로 같은 세그먼트 고객과 비슷합니다 (중앙값 7일 전).",
    "평균 평점이 4.1점으로 같은 세그먼트 중앙값(4.3점)보다 낮습니다 (같은 세그먼트 하위 약 15%)."
  ],
  "characteristics": {
    "loyalty_level": "strong",
    "service_diversity": "high",
    "spending_level": "premium",
    "visit_frequency": "high"
  },
  "characteristics_label": {
    "loyalty_level": "강함",
    "service_diversity": "높음",
    "spending_level": "프리미엄",
    "visit_frequency": "높음"
  },
  "cluster_id": 0,
  "customer_id": "c-1",
  "customer_values": {
    "average_rating": 4.1,
    "days_since_last_visit": 4,
    "revenue": 6110000,
    "services_used": 5,
    "tenure_days": 623,
    "visits": 95
  },
  "distance": 3.512316963178164,
  "model_version": "cm-20261207-145033",
  "overall_comparison": {
    "customers": 300,
    "group": "all",
    "group_label": "전체 고객",
    "median_days_since_last_visit": 31.0,
    "median_rating": 4.3,
    "median_revenue": 1295000,
    "median_visits": 16.0,
    "recency_percentile": 84.6,
    "satisfaction_percentile": 29.2,
    "spending_percentile": 95.0,
    "unavailable": [],
    "visit_frequency_percentile": 99.8
  },
  "peer_comparison": {
    "customers": 129,
    "group": "segment",
    "group_label": "같은 세그먼트",
    "median_days_since_last_visit": 7.0,
    "median_rating": 4.3,
    "median_revenue": 2860000,
    "median_visits": 29.0,
    "recency_percentile": 72.9,
    "satisfaction_percentile": 15.1,
    "spending_percentile": 88.4,
    "unavailable": [],
    "visit_frequency_percentile": 99.6
  },
  "primary_segment": "regular",
  "primary_segment_name": "정기 방문 고객",
  "secondary_segments": [
    "high_value",
    "regular_visitor",
    "recently_active"
  ],
  "secondary_segments_label": [
    "고매출 고객",
    "단골 방문 고객",
    "최근 활동 고객"
  ],
  "segment_description": "최근 90일 방문(7.6회, 전체 평균 3.9회)이 많고 월평균 방문(3.6회, 전체 평균 2.1회)이 많고 최근 1년 결제액(2,384,263원, 전체 평균 1,290,467원)이 큰 고객군입니다.",
  "unavailable": []
};

export const serviceRecs = {
  "algorithm": "hybrid",
  "customer_id": "c-1",
  "recommendation_metadata": {
    "customers_in_model": 300,
    "data_as_of": "2026-12-07",
    "factors_considered": [
      "service_history",
      "satisfaction_ratings",
      "peer_patterns",
      "health_goals",
      "preferred_times",
      "feedback"
    ],
    "generated_at": "2026-12-07T14:51:12.412Z"
  },
  "recommendations": [
    {
      "algorithm": "hybrid",
      "item": {
        "code": "brain",
        "name": "브레인 피드백"
      },
      "reasons": [
        "최근 180일 동안 브레인 피드백 13회 이용 (평균 만족도 4.1점) — 가장 많이 이용하신 서비스",
        "건강 관심사 '집중력'에 맞는 서비스 (브레인 피드백 주요 효과: 집중력·수면)",
        "건강 목표 '불면증 개선'의 불면에 도움",
        "선호 서비스로 등록된 서비스"
      ],
      "recommendation_id": "rec_c40c36e4ed58",
      "score": 0.867,
      "service_details": {
        "category": "cognitive",
        "duration_minutes": 40,
        "intensity": "low",
        "price": 60000,
        "service_type": "brain",
        "suggested_schedule": {
          "best_times": [
            "화요일 오후",
            "목요일 오후"
          ],
          "duration": "40분",
          "frequency": "주 1회"
        }
      },
      "type": "service"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "pulse",
        "name": "펄스 케어"
      },
      "reasons": [
        "최근 180일 동안 펄스 케어 6회 이용 (평균 만족도 4.0점)",
        "선호 강도 '보통'에 맞는 중강도 서비스",
        "수락하신 '브레인 피드백' 추천과 비슷함 (유사도 57%)"
      ],
      "recommendation_id": "rec_20ae58562070",
      "score": 0.799,
      "service_details": {
        "category": "recovery",
        "duration_minutes": 30,
        "intensity": "medium",
        "price": 50000,
        "service_type": "pulse",
        "suggested_schedule": {
          "best_times": [
            "화요일 오후",
            "목요일 오후"
          ],
          "duration": "30분",
          "frequency": "2주 1회"
        }
      },
      "type": "service"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "red",
        "name": "레드 테라피"
      },
      "reasons": [
        "최근 180일 동안 레드 테라피 10회 이용 (평균 만족도 4.3점)",
        "선호 서비스로 등록된 서비스",
        "수락하신 '브레인 피드백' 추천과 비슷함 (유사도 41%)"
      ],
      "recommendation_id": "rec_5ea9a300b2e7",
      "score": 0.765,
      "service_details": {
        "category": "skin",
        "duration_minutes": 30,
        "intensity": "low",
        "price": 40000,
        "service_type": "red",
        "suggested_schedule": {
          "best_times": [
            "화요일 오후",
            "목요일 오후"
          ],
          "duration": "30분",
          "frequency": "주 1회"
        }
      },
      "type": "service"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "lymph",
        "name": "림프 순환"
      },
      "reasons": [
        "최근 180일 동안 림프 순환 3회 이용 (평균 만족도 4.2점)",
        "건강 관심사 '면역력'에 맞는 서비스 (림프 순환 주요 효과: 면역)",
        "수락하신 '브레인 피드백' 추천과 비슷함 (유사도 42%)"
      ],
      "recommendation_id": "rec_d692cd8fbc8e",
      "score": 0.687,
      "service_details": {
        "category": "circulation",
        "duration_minutes": 45,
        "intensity": "low",
        "price": 70000,
        "service_type": "lymph",
        "suggested_schedule": {
          "best_times": [
            "화요일 오후",
            "목요일 오후"
          ],
          "duration": "45분",
          "frequency": "월 1회"
        }
      },
      "type": "service"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "ai_bike",
        "name": "AI 바이크"
      },
      "reasons": [
        "최근 180일 동안 AI 바이크 1회 이용 (평균 만족도 3.6점)",
        "이용 패턴에서 드러난 관심 효과(체력·체중·혈액순환)를 가진 서비스 — 최근 180일 1회 이용",
        "수락하신 '브레인 피드백' 추천과 비슷함 (유사도 37%)"
      ],
      "recommendation_id": "rec_ab8165e94cfe",
      "score": 0.531,
      "service_details": {
        "category": "fitness",
        "duration_minutes": 30,
        "intensity": "high",
        "price": 30000,
        "service_type": "ai_bike",
        "suggested_schedule": {
          "best_times": [
            "화요일 오후",
            "목요일 오후"
          ],
          "duration": "30분",
          "frequency": "2주 1회"
        }
      },
      "type": "service"
    }
  ],
  "type": "service"
};

export const packageRecs = {
  "algorithm": "hybrid",
  "customer_id": "c-1",
  "recommendation_metadata": {
    "customers_in_model": 300,
    "data_as_of": "2026-12-07",
    "factors_considered": [
      "service_history",
      "satisfaction_ratings",
      "peer_patterns",
      "health_goals",
      "preferred_times",
      "feedback"
    ],
    "generated_at": "2026-12-07T14:51:12.547Z"
  },
  "recommendations": [
    {
      "algorithm": "hybrid",
      "item": {
        "code": "01930422-a680-748b-bd29-5c4ee13eac38",
        "name": "프리미엄 케어"
      },
      "package_details": {
        "list_price": 2200000,
        "package_id": "01930422-a680-748b-bd29-5c4ee13eac38",
        "price": 1500000,
        "savings": 700000,
        "sessions": {
          "brain": 10,
          "lymph": 10,
          "pulse": 10,
          "red": 10
        },
        "total_sessions": 40,
        "validity_days": 90
      },
      "reasons": [
        "최근 180일 이용 33회 중 32회(97%)가 이 패키지 서비스(브레인 피드백·펄스 케어·림프 순환·레드 테라피)",
        "포함된 브레인 피드백: 건강 관심사 '집중력'에 맞는 서비스 (브레인 피드백 주요 효과: 집중력·수면)",
        "웰니스 베이직 구매 후 다음 구매 83건 중 15건(18%)이 이 패키지",
        "단품 2,200,000원 대비 700,000원 절약 (회당 37,500원)",
        "현재 이용 속도(주 1.3회)로는 유효기간 90일 동안 40회 중 약 17회 이용 예상"
      ],
      "recommendation_id": "rec_becf273f2a73",
      "score": 0.569,
      "type": "package"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "01930428-24c0-770a-83ec-4a32cbb2353b",
        "name": "VIP 올케어 연간"
      },
      "package_details": {
        "list_price": 6000000,
        "package_id": "01930428-24c0-770a-83ec-4a32cbb2353b",
        "price": 5400000,
        "savings": 600000,
        "sessions": {
          "ai_bike": 24,
          "brain": 24,
          "lymph": 24,
          "pulse": 24,
          "red": 24
        },
        "total_sessions": 120,
        "validity_days": 365
      },
      "reasons": [
        "최근 180일 이용 33회 중 33회(100%)가 이 패키지 서비스(브레인 피드백·펄스 케어·림프 순환·레드 테라피·AI 바이크)",
        "포함된 브레인 피드백: 건강 관심사 '집중력'에 맞는 서비스 (브레인 피드백 주요 효과: 집중력·수면)",
        "단품 6,000,000원 대비 600,000원 절약 (회당 45,000원)",
        "현재 이용 속도(주 1.3회)로는 유효기간 365일 동안 120회 중 약 67회 이용 예상"
      ],
      "recommendation_id": "rec_7896ac1f55ad",
      "score": 0.423,
      "type": "package"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "01930426-5000-7b24-903e-8359f197b3d6",
        "name": "림프 케어 10회"
      },
      "package_details": {
        "list_price": 700000,
        "package_id": "01930426-5000-7b24-903e-8359f197b3d6",
        "price": 600000,
        "savings": 100000,
        "sessions": {
          "lymph": 10
        },
        "total_sessions": 10,
        "validity_days": 90
      },
      "reasons": [
        "최근 180일 이용 33회 중 3회(9%)가 이 패키지 서비스(림프 순환)",
        "포함된 림프 순환: 건강 관심사 '면역력'에 맞는 서비스 (림프 순환 주요 효과: 면역)",
        "웰니스 베이직 구매 후 다음 구매 83건 중 10건(12%)이 이 패키지",
        "단품 700,000원 대비 100,000원 절약 (회당 60,000원)"
      ],
      "recommendation_id": "rec_af625b93cc8e",
      "score": 0.27,
      "type": "package"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "01930425-65a0-7eec-9e96-a78a6bac915d",
        "name": "AI 바이크 10회"
      },
      "package_details": {
        "holding": {
          "days_remaining": -563,
          "expiry_date": "2025-05-23",
          "remaining_sessions": 4,
          "status": "expired"
        },
        "list_price": 300000,
        "package_id": "01930425-65a0-7eec-9e96-a78a6bac915d",
        "price": 250000,
        "savings": 50000,
        "sessions": {
          "ai_bike": 10
        },
        "total_sessions": 10,
        "validity_days": 60
      },
      "reasons": [
        "최근 180일 이용 33회 중 1회(3%)가 이 패키지 서비스(AI 바이크)",
        "웰니스 베이직 구매 후 다음 구매 83건 중 7건(8%)이 이 패키지",
        "단품 300,000원 대비 50,000원 절약 (회당 25,000원)"
      ],
      "recommendation_id": "rec_61643a058db0",
      "score": 0.217,
      "type": "package"
    }
  ],
  "type": "package"
};

export const scheduleRecs = {
  "algorithm": "hybrid",
  "customer_id": "c-1",
  "recommendation_metadata": {
    "customers_in_model": 300,
    "data_as_of": "2026-12-07",
    "factors_considered": [
      "service_history",
      "satisfaction_ratings",
      "peer_patterns",
      "health_goals",
      "preferred_times",
      "feedback"
    ],
    "generated_at": "2026-12-07T14:51:12.704Z"
  },
  "recommendations": [
    {
      "algorithm": "hybrid",
      "item": {
        "code": "2026-12-08T11",
        "name": "12월 8일 (화) 오전 11시 · 브레인 피드백·레드 테라피·펄스 케어"
      },
      "reasons": [
        "다음 방문 추천: 12월 8일 (화) 오전 11시",
        "주로 화요일에 방문 (최근 방문 20일 중 6일)",
        "화요일에는 주로 오전 11시 시작 (6일 중 3일)",
        "웰니스 베이직 잔여 9회가 2027년 1월 22일 (금) 만료 — 남은 46일 안에 모두 쓰려면 주 1.4회 방문 필요"
      ],
      "recommendation_id": "rec_72eca80d80d6",
      "schedule": {
        "date": "2026-12-08",
        "duration_minutes": 100,
        "hour": 11,
        "service_names": [
          "브레인 피드백",
          "레드 테라피",
          "펄스 케어"
        ],
        "services": [
          "brain",
          "red",
          "pulse"
        ],
        "time": "11:00",
        "weekday": "화"
      },
      "score": 1.0,
      "type": "schedule"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "2026-12-14T11",
        "name": "12월 14일 (월) 오전 11시 · 브레인 피드백·펄스 케어·레드 테라피"
      },
      "reasons": [
        "2번째 방문 추천: 12월 14일 (월) 오전 11시",
        "주로 월요일에 방문 (최근 방문 20일 중 2일)",
        "월요일에는 주로 오전 11시 시작 (2일 중 2일)",
        "웰니스 베이직 잔여 6회가 2027년 1월 22일 (금) 만료 — 남은 46일 안에 모두 쓰려면 주 1.4회 방문 필요"
      ],
      "recommendation_id": "rec_5488c8715dd9",
      "schedule": {
        "date": "2026-12-14",
        "duration_minutes": 100,
        "hour": 11,
        "service_names": [
          "브레인 피드백",
          "펄스 케어",
          "레드 테라피"
        ],
        "services": [
          "brain",
          "pulse",
          "red"
        ],
        "time": "11:00",
        "weekday": "월"
      },
      "score": 0.635,
      "type": "schedule"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "2026-12-19T16",
        "name": "12월 19일 (토) 오후 4시 · 레드 테라피"
      },
      "reasons": [
        "3번째 방문 추천: 12월 19일 (토) 오후 4시",
        "주로 토요일에 방문 (최근 방문 20일 중 2일)",
        "토요일에는 주로 오후 4시 시작 (2일 중 1일)",
        "웰니스 베이직 잔여 3회가 2027년 1월 22일 (금) 만료 — 남은 46일 안에 모두 쓰려면 주 1.4회 방문 필요"
      ],
      "recommendation_id": "rec_bd5173a57aa9",
      "schedule": {
        "date": "2026-12-19",
        "duration_minutes": 30,
        "hour": 16,
        "service_names": [
          "레드 테라피"
        ],
        "services": [
          "red"
        ],
        "time": "16:00",
        "weekday": "토"
      },
      "score": 0.572,
      "type": "schedule"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "2026-12-24T16",
        "name": "12월 24일 (목) 오후 4시 · 레드 테라피"
      },
      "reasons": [
        "4번째 방문 추천: 12월 24일 (목) 오후 4시",
        "주로 목요일에 방문 (최근 방문 20일 중 6일)",
        "목요일에는 주로 오후 4시 시작 (6일 중 2일)",
        "웰니스 베이직 잔여 2회가 2027년 1월 22일 (금) 만료 — 남은 46일 안에 모두 쓰려면 주 1.4회 방문 필요"
      ],
      "recommendation_id": "rec_cc9c08fe4940",
      "schedule": {
        "date": "2026-12-24",
        "duration_minutes": 30,
        "hour": 16,
        "service_names": [
          "레드 테라피"
        ],
        "services": [
          "red"
        ],
        "time": "16:00",
        "weekday": "목"
      },
      "score": 0.763,
      "type": "schedule"
    },
    {
      "algorithm": "hybrid",
      "item": {
        "code": "2026-12-29T11",
        "name": "12월 29일 (화) 오전 11시 · 펄스 케어"
      },
      "reasons": [
        "5번째 방문 추천: 12월 29일 (화) 오전 11시",
        "주로 화요일에 방문 (최근 방문 20일 중 6일)",
        "화요일에는 주로 오전 11시 시작 (6일 중 3일)",
        "웰니스 베이직 잔여 1회가 2027년 1월 22일 (금) 만료 — 남은 46일 안에 모두 쓰려면 주 1.4회 방문 필요"
      ],
      "recommendation_id": "rec_b94d986015c9",
      "schedule": {
        "date": "2026-12-29",
        "duration_minutes": 30,
        "hour": 11,
        "service_names": [
          "펄스 케어"
        ],
        "services": [
          "pulse"
        ],
        "time": "11:00",
        "weekday": "화"
      },
      "score": 0.716,
      "type": "schedule"
    }
  ],
  "type": "schedule"
};

export const related = {
  "related_services": [
    {
      "confidence": 0.075,
      "lift": 0.745,
      "reasons": [
        "림프 순환이 AI 바이크와 효과가 비슷함 (공통 효과: 혈액순환, 유사도 54%)"
      ],
      "relation_type": "similar_effect",
      "service": {
        "code": "ai_bike",
        "name": "AI 바이크"
      },
      "service_type": "ai_bike",
      "similarity_score": 0.539,
      "support": 8
    },
    {
      "confidence": 0.15,
      "lift": 0.47,
      "reasons": [
        "림프 순환이 레드 테라피와 효과가 비슷함 (공통 효과: 혈액순환·피로 회복·피부, 유사도 54%)"
      ],
      "relation_type": "similar_effect",
      "service": {
        "code": "red",
        "name": "레드 테라피"
      },
      "service_type": "red",
      "similarity_score": 0.535,
      "support": 16
    },
    {
      "confidence": 0.439,
      "lift": 0.709,
      "reasons": [
        "림프 순환이 펄스 케어와 효과가 비슷함 (공통 효과: 혈액순환·피로 회복, 유사도 42%)"
      ],
      "relation_type": "similar_effect",
      "service": {
        "code": "pulse",
        "name": "펄스 케어"
      },
      "service_type": "pulse",
      "similarity_score": 0.416,
      "support": 47
    }
  ],
  "service_code": "lymph",
  "service_name": "림프 순환"
};

export const models = {
  "items": [
    {
      "report": {
        "churn": {
          "auc": 0.8874364560639071,
          "baseline": "recency_days",
          "baseline_auc": 0.8284313725490197,
          "beats_baseline": true,
          "n_test": 171,
          "n_train": 166,
          "positives_test": 18,
          "positives_train": 18,
          "precision_at_threshold": 0.8,
          "recall_at_threshold": 0.4444444444444444,
          "test_cutoff": "2026-09-08",
          "train_cutoff": "2026-06-10"
        },
        "churn_unavailable": null,
        "clusters": [
          {
            "cluster_id": 0,
            "description": "최근 90일 방문(7.6회, 전체 평균 3.9회)이 많고 월평균 방문(3.6회, 전체 평균 2.1회)이 많고 최근 1년 결제액(2,384,263원, 전체 평균 1,290,467원)이 큰 고객군입니다.",
            "persona": "정기 방문 고객",
            "persona_en": "Regular visitor",
            "share": 0.43,
            "size": 129
          },
          {
            "cluster_id": 1,
            "description": "최근 90일 방문(1.1회, 전체 평균 3.9회)이 적고 월평균 방문(1.0회, 전체 평균 2.1회)이 적고 최근 1년 결제액(465,321원, 전체 평균 1,290,467원)이 작은 고객군입니다.",
            "persona": "가끔 방문 고객",
            "persona_en": "Occasional visitor",
            "share": 0.57,
            "size": 171
          }
        ],
        "criterion": "k in 2..=8 with the highest mean silhouette on a deterministic sample of 300 rows (ties to the smaller k); k-means++ with 10 runs, seed 20260301; a k leaving a cluster empty is skipped. Inertia (sum of squared distances to the nearest centroid, scaled space) is reported per k for the elbow but does not decide.",
        "data_as_of": "2026-12-07",
        "data_fingerprint": "f0746c10bd3ab9af083c63424661527d819d9809dce21cfa0029ca1ecd6f583a",
        "k": 2,
        "model_version": "cm-20261207-145033",
        "n_customers": 300,
        "n_excluded_future": 0,
        "silhouette": 0.24395175196215707
      },
      "trained_at": "2026-12-07T14:50:33.409Z",
      "trained_by": "01a250f0-0413-71da-a254-0bce99da832a",
      "version": "cm-20261207-145033"
    },
    {
      "report": {
        "churn": {
          "auc": 0.8874364560639071,
          "baseline": "recency_days",
          "baseline_auc": 0.8284313725490197,
          "beats_baseline": true,
          "n_test": 171,
          "n_train": 166,
          "positives_test": 18,
          "positives_train": 18,
          "precision_at_threshold": 0.8,
          "recall_at_threshold": 0.4444444444444444,
          "test_cutoff": "2026-09-08",
          "train_cutoff": "2026-06-10"
        },
        "churn_unavailable": null,
        "clusters": [
          {
            "cluster_id": 0,
            "description": "최근 90일 방문(7.6회, 전체 평균 3.9회)이 많고 월평균 방문(3.6회, 전체 평균 2.1회)이 많고 최근 1년 결제액(2,384,263원, 전체 평균 1,290,467원)이 큰 고객군입니다.",
            "persona": "정기 방문 고객",
            "persona_en": "Regular visitor",
            "share": 0.43,
            "size": 129
          },
          {
            "cluster_id": 1,
            "description": "최근 90일 방문(1.1회, 전체 평균 3.9회)이 적고 월평균 방문(1.0회, 전체 평균 2.1회)이 적고 최근 1년 결제액(465,321원, 전체 평균 1,290,467원)이 작은 고객군입니다.",
            "persona": "가끔 방문 고객",
            "persona_en": "Occasional visitor",
            "share": 0.57,
            "size": 171
          }
        ],
        "criterion": "k in 2..=8 with the highest mean silhouette on a deterministic sample of 300 rows (ties to the smaller k); k-means++ with 10 runs, seed 20260301; a k leaving a cluster empty is skipped. Inertia (sum of squared distances to the nearest centroid, scaled space) is reported per k for the elbow but does not decide.",
        "data_as_of": "2026-12-07",
        "data_fingerprint": "f0746c10bd3ab9af083c63424661527d819d9809dce21cfa0029ca1ecd6f583a",
        "k": 2,
        "model_version": "cm-20261207-143729",
        "n_customers": 300,
        "n_excluded_future": 0,
        "silhouette": 0.24395175196215707
      },
      "trained_at": "2026-12-07T14:37:29.136Z",
      "trained_by": null,
      "version": "cm-20261207-143729"
    }
  ],
  "refused": [],
  "serving": "cm-20261207-145033"
};
