//! `version_file`: see `stage_action_fuzz::version_file` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stage_action_fuzz::version_file(data));
