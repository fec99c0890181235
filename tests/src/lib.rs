//! End-to-end suites live in `tests/tests/`: the API contract on both databases.
