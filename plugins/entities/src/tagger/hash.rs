//! Stable 64-bit hashing for feature keys: the same bytes hash the same on every
//! platform and build, so a model file trained on one machine works on another.

/// Mixes `value` into `seed` (splitmix64 finaliser): cheap and well distributed.
#[inline]
#[must_use]
pub fn mix(seed: u64, value: u64) -> u64 {
    let mut z = seed ^ value.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An incremental FNV-1a hasher over bytes, finished with [`mix`].
#[derive(Debug, Clone, Copy)]
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Self {
        Self(0xCBF2_9CE4_8422_2325)
    }
}

impl Hasher {
    /// Adds one byte.
    #[inline]
    pub fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
    }

    /// Adds bytes.
    #[inline]
    pub fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }

    /// Adds one char (its UTF-8 bytes).
    #[inline]
    pub fn char(&mut self, c: char) {
        let mut buf = [0; 4];
        self.bytes(c.encode_utf8(&mut buf).as_bytes());
    }

    /// The hash so far.
    #[inline]
    #[must_use]
    pub fn finish(&self) -> u64 {
        mix(self.0, 0x5151)
    }
}

/// Hash of a string's bytes.
#[must_use]
pub fn hash_str(s: &str) -> u64 {
    let mut h = Hasher::default();
    h.bytes(s.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_spread() {
        // Fixed values: a change here breaks every shipped model.
        assert_eq!(hash_str(""), mix(0xCBF2_9CE4_8422_2325, 0x5151));
        assert_ne!(hash_str("a"), hash_str("b"));
        assert_ne!(mix(1, 2), mix(2, 1));
        let mut h = Hasher::default();
        h.char('é');
        assert_eq!(h.finish(), hash_str("é"));
    }
}
