//! [`Table`]: an open-addressing hash table from 64-bit keys to `u32` values, stored as
//! flat little-endian arrays so a model file loads with one pass and no parsing.
//!
//! A key's slot is its low bits; the slot keeps a 32-bit fingerprint from its high bits
//! (never 0, which marks an empty slot). A lookup of an absent key can match a stored
//! fingerprint by chance with probability about 2⁻³² per probe: for features that is a
//! negligible, bounded error, and it lets a slot take 8 bytes instead of 12.

/// Keys to values, probed linearly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    mask: usize,
    /// `(fingerprint, value)`; fingerprint 0 is an empty slot.
    slots: Vec<(u32, u32)>,
}

#[inline]
fn fingerprint(key: u64) -> u32 {
    ((key >> 32) as u32) | 1
}

impl Table {
    /// A table holding `entries` (later duplicates of a key are ignored), at most 70% full.
    #[must_use]
    pub fn build(entries: &[(u64, u32)]) -> Self {
        let capacity = (entries.len() * 10 / 7 + 1).next_power_of_two().max(8);
        let mut t = Self { mask: capacity - 1, slots: vec![(0, 0); capacity] };
        for &(key, value) in entries {
            let fp = fingerprint(key);
            let mut i = key as usize & t.mask;
            loop {
                match t.slots[i].0 {
                    0 => {
                        t.slots[i] = (fp, value);
                        break;
                    }
                    f if f == fp => break,
                    _ => i = (i + 1) & t.mask,
                }
            }
        }
        t
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
        Ok(Self { mask: n.saturating_sub(1), slots })
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
    }
}
