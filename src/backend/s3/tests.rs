//! The settings, the requests and the answers, natively.
