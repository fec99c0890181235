//! Masking of personal data for roles that may not see it whole (PRODUCT.md: staff see
//! `010-****-5678`, a masked e-mail and a shortened address).

/// `010-1234-5678` → `010-****-5678`. Anything that is not a recognisable number keeps only
/// its last four characters.
pub fn mask_phone(phone: &str) -> String {
    let parts: Vec<&str> = phone.split('-').collect();
    if parts.len() == 3 {
        return format!(
            "{}-{}-{}",
            parts[0],
            "*".repeat(parts[1].chars().count()),
            parts[2]
        );
    }
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    "*".repeat(hidden) + &chars[hidden..].iter().collect::<String>()
}

/// `kim@example.com` → `k***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Keeps the first two words of an address (city and district), hides the rest:
/// `서울시 강남구 테헤란로 123` → `서울시 강남구 ***`.
pub fn mask_address(address: &str) -> String {
    let words: Vec<&str> = address.split_whitespace().collect();
    if words.len() <= 2 {
        return "***".to_string();
    }
    format!("{} {} ***", words[0], words[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_keeps_prefix_and_last_four() {
        assert_eq!(mask_phone("010-1234-5678"), "010-****-5678");
        assert_eq!(mask_phone("02-123-4567"), "02-***-4567");
        assert_eq!(mask_phone("01012345678"), "*******5678");
        assert_eq!(mask_phone("12"), "12");
    }

    #[test]
    fn email_keeps_first_letter_and_domain() {
        assert_eq!(mask_email("kim@example.com"), "k***@example.com");
        assert_eq!(mask_email("김@예시.kr"), "김***@예시.kr");
        assert_eq!(mask_email("broken"), "***");
    }

    #[test]
    fn address_keeps_city_and_district() {
        assert_eq!(
            mask_address("서울시 강남구 테헤란로 123"),
            "서울시 강남구 ***"
        );
        assert_eq!(mask_address("서울시"), "***");
    }
}
