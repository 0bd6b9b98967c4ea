//! `Sf`: a stored scaled fraction (`Decimal` × 1e18 as a little-endian u128).
//!
//! Stored as 16 bytes rather than `u128` so every zero-copy struct keeps an 8-byte alignment
//! and the same layout on SBF (u128 aligned to 8) and on x86_64 (u128 aligned to 16).

use anchor_lang::prelude::*;
use lending_math::{Decimal, MathResult};

/// A `Decimal` as stored in `*_sf` fields: value × 1e18, u128 little-endian.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Sf {
    /// value × 1e18, little-endian.
    pub le: [u8; 16],
}

impl Sf {
    /// Zero.
    pub const ZERO: Sf = Sf { le: [0; 16] };

    /// The stored value.
    pub fn get(&self) -> Decimal {
        Decimal::from_scaled_val(u128::from_le_bytes(self.le))
    }

    /// Stores `d`; fails when it exceeds u128 (about 3.4e20 whole units).
    pub fn set(&mut self, d: Decimal) -> MathResult<()> {
        self.le = d.to_scaled_val()?.to_le_bytes();
        Ok(())
    }

    /// Builds from a value.
    pub fn from_decimal(d: Decimal) -> MathResult<Sf> {
        let mut s = Sf::ZERO;
        s.set(d)?;
        Ok(s)
    }

    /// The raw scaled integer.
    pub fn raw(&self) -> u128 {
        u128::from_le_bytes(self.le)
    }
}
