//! Raw bytes decoded as the request of this RPC the way the server does; a
//! request that decodes goes to the real handler and its response is
//! checked (see `zhtext_fuzz::normalize_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: zhtext_fuzz::init(),
    |data: &[u8]| zhtext_fuzz::normalize_bytes(data)
);
