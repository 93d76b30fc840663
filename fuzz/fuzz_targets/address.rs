//! `address`: see `stage_action_fuzz::address` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stage_action_fuzz::address(data));
