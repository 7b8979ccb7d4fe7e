//! A generated, always decodable TagEntitiesRequest (see
//! `zhtext_fuzz::structured`), through the same path as `tag_entities_raw`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhtext_fuzz::structured::FuzzTagEntities;

fuzz_target!(
    init: zhtext_fuzz::init(),
    |input: FuzzTagEntities| zhtext_fuzz::tag_entities_bytes(&input.encode())
);
