//! Record ids are UUIDv7 made by the writer, so two offline desktops never collide and ids
//! sort by creation time.

/// A new UUIDv7 id in its canonical text form.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when `s` is a canonical UUID (any version); ids from URLs are checked with this
/// before they reach a query, so a malformed id is simply "not found".
pub fn is_valid_id(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_v7_and_increase() {
        let a = new_id();
        let b = new_id();
        assert!(is_valid_id(&a));
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
        assert!(a < b, "v7 ids sort by creation time");
        assert!(!is_valid_id("123"));
        assert!(!is_valid_id("'; drop table customers; --"));
    }
}
