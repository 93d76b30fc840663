//! `stages_file`: see `stage_action_fuzz::stages_file` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stage_action_fuzz::stages_file(data));
