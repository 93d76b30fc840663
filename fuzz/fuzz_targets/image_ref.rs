//! `image_ref`: see `stage_action_fuzz::image_ref` for what is checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stage_action_fuzz::image_ref(data));
