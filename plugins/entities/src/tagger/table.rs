//! [`Table`]: an open-addressing hash table from 64-bit keys to `u32` values, stored as
//! flat little-endian arrays so a model file loads with one pass and no parsing.
//!
//! A key's slot is its low bits; the slot keeps a 32-bit fingerprint from its high bits
//! (never 0, which marks an empty slot). A lookup of an absent key can match a stored
//! fingerprint by chance with probability about 2⁻³² per probe: for features that is a
//! negligible, bounded error, and it lets a slot take 8 bytes instead of 12.
//!
//! Beside the slots a table keeps a bitmap of the fingerprints it stores (8 bits per
//! slot, indexed by a fingerprint's top bits): most keys looked up (features, phrases)
//! are not stored, and a clear bit answers for them from a small array that stays in a
//! core's cache instead of a slot of the large one. The answer is the same: a lookup only
//! ever finds a slot holding the key's fingerprint.

/// Keys to values, probed linearly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    mask: usize,
    /// `(fingerprint, value)`; fingerprint 0 is an empty slot.
    slots: Vec<(u32, u32)>,
    /// Bit `fp >> shift` is set when some slot holds fingerprint `fp` (derived from
    /// `slots`).
    present: Vec<u64>,
    /// `32 − log2(bits of present)`.
    shift: u32,
}

#[inline]
fn fingerprint(key: u64) -> u32 {
    ((key >> 32) as u32) | 1
}

impl Default for Table {
    /// An empty table.
    fn default() -> Self {
        Self::from_slots(Vec::new())
    }
}

impl Table {
    /// A table of `slots` (a power of two in number, or none), with its bitmap.
    fn from_slots(slots: Vec<(u32, u32)>) -> Self {
        let bits = (slots.len() * 8).max(64);
        let shift = 32 - bits.trailing_zeros();
        let mut present = vec![0u64; bits / 64];
        for &(fp, _) in slots.iter().filter(|s| s.0 != 0) {
            let b = (fp >> shift) as usize;
            present[b / 64] |= 1 << (b % 64);
        }
        Self { mask: slots.len().saturating_sub(1), slots, present, shift }
    }

    /// A table holding `entries` (later duplicates of a key are ignored), at most 70% full.
    #[must_use]
    pub fn build(entries: &[(u64, u32)]) -> Self {
        let capacity = (entries.len() * 10 / 7 + 1).next_power_of_two().max(8);
        let (mask, mut slots) = (capacity - 1, vec![(0, 0); capacity]);
        for &(key, value) in entries {
            let fp = fingerprint(key);
            let mut i = key as usize & mask;
            loop {
                match slots[i].0 {
                    0 => {
                        slots[i] = (fp, value);
                        break;
                    }
                    f if f == fp => break,
                    _ => i = (i + 1) & mask,
                }
            }
        }
        Self::from_slots(slots)
    }

    /// The value stored for `key`, if any.
    #[inline]
    #[must_use]
    pub fn get(&self, key: u64) -> Option<u32> {
        let slots = &self.slots[..];
        if slots.is_empty() {
            return None;
        }
        // `mask == len - 1` (a power of two); masking with `len - 1` lets the compiler see
        // that every index is in bounds.
        let mask = slots.len() - 1;
        let fp = fingerprint(key);
        let b = (fp >> self.shift) as usize;
        if self.present[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        let mut i = key as usize & mask;
        loop {
            let (f, v) = slots[i];
            if f == fp {
                return Some(v);
            }
            if f == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The slots, `(fingerprint, value)`, in probe order (slot of a key: `key & (len - 1)`,
    /// then the next ones, wrapping); fingerprint 0 is an empty slot. Lets another layout
    /// probe exactly as [`Table::get`] does.
    #[must_use]
    pub fn slots(&self) -> &[(u32, u32)] {
        &self.slots
    }

    /// Number of stored keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.0 != 0).count()
    }

    /// True when nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the table: slot count (u32), then `(fingerprint, value)` pairs.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.slots.len() as u32).to_le_bytes());
        for &(f, v) in &self.slots {
            out.extend_from_slice(&f.to_le_bytes());
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// Reads a table written by [`Table::write`].
    ///
    /// # Errors
    /// Truncated input or a slot count that is not a power of two.
    pub fn read(r: &mut super::model::Reader<'_>) -> Result<Self, String> {
        let n = r.u32()? as usize;
        if n != 0 && !n.is_power_of_two() {
            return Err(format!("table size {n} is not a power of two"));
        }
        let bytes = r.take(n.checked_mul(8).ok_or("table too large")?)?;
        let slots = bytes
            .chunks_exact(8)
            .map(|c| {
                (u32::from_le_bytes([c[0], c[1], c[2], c[3]]), u32::from_le_bytes([c[4], c[5], c[6], c[7]]))
            })
            .collect();
        Ok(Self::from_slots(slots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_finds_and_round_trips() {
        let entries: Vec<(u64, u32)> =
            (0..1000u64).map(|k| (super::super::hash::mix(k, 7), k as u32)).collect();
        let t = Table::build(&entries);
        assert_eq!(t.len(), 1000);
        for &(k, v) in &entries {
            assert_eq!(t.get(k), Some(v));
        }
        assert_eq!(t.get(super::super::hash::mix(5000, 7)), None);
        let mut buf = Vec::new();
        t.write(&mut buf);
        let back = Table::read(&mut super::super::model::Reader::new(&buf)).unwrap();
        assert_eq!(back, t);
        assert_eq!(Table::default().get(1), None);
        assert_eq!(Table::build(&[]).get(1), None);
        let one = Table::build(&[(7, 3)]);
        assert_eq!((one.get(7), one.get(8), one.get(7 | 1 << 40)), (Some(3), None, None));
    }
}
