//! `state_reader`: see `stage_action_fuzz::state_reader` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stage_action_fuzz::state_reader(data));
