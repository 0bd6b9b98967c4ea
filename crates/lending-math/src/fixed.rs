//! `Decimal`: unsigned fixed point with 18 decimals (WAD) on a 256-bit integer.
//!
//! Representation: a `Decimal` `d` holds the integer `d.0 = value × 10^18` in a `U256`
//! (from the `uint` crate; SPL token-lending uses the same crate with 192 bits,
//! too narrow for `u64` base units × price). On chain, values are stored as the raw
//! `u128` scaled integer in fields named `*_sf` ("scaled fraction"); `u128` bounds a stored
//! value at ~3.4e20 whole units, while intermediates use the full 256 bits.
//!
//! Rounding is in the name, never a flag:
//! - `try_mul` / `try_div` truncate at the 18th decimal (an error below 1e-18 of one unit);
//! - `try_div_ceil` rounds that last digit up;
//! - `try_floor_u64` / `try_ceil_u64` convert to whole token units. Outflows to a user use
//!   the floor, amounts owed by a user use the ceiling.
//!
//! Every operation is checked and returns `MathError`, never panics.

use crate::error::{MathError, MathResult};
use core::cmp::Ordering;

#[allow(missing_docs, clippy::manual_div_ceil)]
mod wide {
    uint::construct_uint! {
        /// 256-bit unsigned integer used for intermediates.
        pub struct U256(4);
    }
}
pub use wide::U256;

mod word_div;
pub use word_div::Divisor;
use word_div::{mul_u128, POW10, POW5, WAD_DIVISOR};

/// Scale of `Decimal`: 1e18.
pub const WAD: u64 = 1_000_000_000_000_000_000; // 1e18
/// One basis point is 1/10_000.
pub const BPS_SCALE: u64 = 10_000;
/// Scale of percentages.
pub const PERCENT_SCALE: u64 = 100;

/// Unsigned fixed-point number, 18 decimals.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Decimal(pub U256);

impl core::fmt::Debug for Decimal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let wad = U256::from(WAD);
        let int = self.0 / wad;
        let frac = (self.0 % wad).as_u64();
        write!(f, "{int}.{frac:018}")
    }
}

impl core::fmt::Display for Decimal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

fn wad() -> U256 {
    U256::from(WAD)
}

/// `a × b`, `None` past 256 bits; operands of at most 128 bits take the four-product path.
pub(crate) fn checked_mul_wide(a: U256, b: U256) -> Option<U256> {
    if a.bits() <= 128 && b.bits() <= 128 {
        Some(mul_u128(a.low_u128(), b.low_u128()))
    } else {
        a.checked_mul(b)
    }
}

/// `(⌊x / d⌋, x mod d)`, exact; a divisor of one word takes the reciprocal path.
pub(crate) fn div_rem(x: U256, d: U256) -> MathResult<(U256, U256)> {
    if d.bits() <= 64 {
        let div = Divisor::new(d.low_u64()).ok_or(MathError::DivisionByZero)?;
        let (q, r) = div.div_rem(x);
        Ok((q, U256::from(r)))
    } else {
        Ok(x.div_mod(d))
    }
}

/// `(⌊x / 10^decimals⌋, x mod 10^decimals)`; decimals above 38 count as 38 (no token has them).
pub(crate) fn div_rem_pow10(x: U256, decimals: u8) -> (U256, U256) {
    match POW10.get(usize::from(decimals)) {
        Some(div) => {
            let (q, r) = div.div_rem(x);
            (q, U256::from(r))
        }
        None => x.div_mod(pow10(decimals)),
    }
}

/// `⌊x / 10^k⌋`, or `⌈x / 10^k⌉` when `ceil`, in one word division for `k ≤ 27` (`None` above).
/// `10^k = 2^k × 5^k`, and dividing in turn, each step rounded the same way, equals dividing
/// once (`⌊⌊x / m⌋ / n⌋ = ⌊x / (m × n)⌋`, likewise `⌈⌉`, for positive integers): `x` is shifted
/// right `k` bits (rounded up if a one bit drops out and `ceil`), then divided by `5^k < 2^63`.
pub(crate) fn div_pow10_shifted(x: U256, k: u32, ceil: bool) -> Option<U256> {
    let five = POW5.get(k as usize)?;
    let mut q = x >> k as usize;
    // Below 2^255 for k ≥ 1, so one more cannot overflow; k = 0 drops no bit.
    if ceil && !(x & ((U256::one() << k as usize) - U256::one())).is_zero() {
        q += U256::one();
    }
    let (q, r) = five.div_rem(q);
    // r ≠ 0 needs 5^k > 1, so q < 2^256 − 1.
    Some(if ceil && r != 0 { q + U256::one() } else { q })
}

/// `10^decimals` as an integer; decimals above 38 are not token decimals.
pub(crate) fn pow10(decimals: u8) -> U256 {
    U256::from(10u128.pow(u32::from(decimals.min(38))))
}

/// `(⌊x / 1e18⌋, x mod 1e18)`.
fn div_rem_wad(x: U256) -> (U256, u64) {
    WAD_DIVISOR.div_rem(x)
}

/// `q + 1` when the remainder is not zero.
fn round_up(q: U256, remainder_is_zero: bool) -> MathResult<U256> {
    if remainder_is_zero {
        Ok(q)
    } else {
        q.checked_add(U256::one()).ok_or(MathError::Overflow)
    }
}

impl Decimal {
    /// 0.
    pub fn zero() -> Self {
        Decimal(U256::zero())
    }

    /// 1.
    pub fn one() -> Self {
        Decimal(wad())
    }

    /// Whole units: `n` → `n.0`.
    pub fn from_u64(n: u64) -> Self {
        Decimal(mul_u128(u128::from(n), u128::from(WAD)))
    }

    /// Whole units from a u128 (checked: the scaled value must fit 256 bits, which it always does).
    pub fn from_u128(n: u128) -> Self {
        Decimal(mul_u128(n, u128::from(WAD)))
    }

    /// Basis points: `bps / 10_000`.
    pub fn from_bps(bps: u64) -> Self {
        // `bps × 1e18 / 1e4` is exactly `bps × 1e14`.
        Decimal(mul_u128(u128::from(bps), u128::from(WAD / BPS_SCALE)))
    }

    /// Percent: `pct / 100`.
    pub fn from_percent(pct: u64) -> Self {
        // `pct × 1e18 / 100` is exactly `pct × 1e16`.
        Decimal(mul_u128(u128::from(pct), u128::from(WAD / PERCENT_SCALE)))
    }

    /// The stored form: the raw scaled integer (`value × 1e18`) as kept in `*_sf` fields.
    pub fn from_scaled_val(sf: u128) -> Self {
        Decimal(U256::from(sf))
    }

    /// Raw scaled integer for storage in a `*_sf` field; `Overflow` past u128.
    pub fn to_scaled_val(&self) -> MathResult<u128> {
        if self.0.bits() > 128 {
            return Err(MathError::Overflow);
        }
        Ok(self.0.as_u128())
    }

    /// Raw scaled integer for an event's `*_sf` figure: `u128::MAX` past u128 (a debt grown
    /// past about 3.4e20 base units by interest), so reporting it never fails an instruction.
    pub fn to_scaled_val_saturating(&self) -> u128 {
        self.to_scaled_val().unwrap_or(u128::MAX)
    }

    /// `num / den`, truncated at 18 decimals.
    pub fn from_ratio(num: u128, den: u128) -> MathResult<Self> {
        Decimal::from_u128(num).try_div(Decimal::from_u128(den))
    }

    /// True when exactly zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// `self + rhs`.
    pub fn try_add(self, rhs: Decimal) -> MathResult<Decimal> {
        self.0
            .checked_add(rhs.0)
            .map(Decimal)
            .ok_or(MathError::Overflow)
    }

    /// `self - rhs`; `Underflow` if `rhs > self`.
    pub fn try_sub(self, rhs: Decimal) -> MathResult<Decimal> {
        self.0
            .checked_sub(rhs.0)
            .map(Decimal)
            .ok_or(MathError::Underflow)
    }

    /// `max(self - rhs, 0)`.
    pub fn saturating_sub(self, rhs: Decimal) -> Decimal {
        Decimal(self.0.saturating_sub(rhs.0))
    }

    /// `self × rhs`, truncated at 18 decimals.
    pub fn try_mul(self, rhs: Decimal) -> MathResult<Decimal> {
        let prod = checked_mul_wide(self.0, rhs.0).ok_or(MathError::Overflow)?;
        Ok(Decimal(div_rem_wad(prod).0))
    }

    /// `self × rhs`, the 18th decimal rounded up.
    pub fn try_mul_ceil(self, rhs: Decimal) -> MathResult<Decimal> {
        let prod = checked_mul_wide(self.0, rhs.0).ok_or(MathError::Overflow)?;
        let (q, r) = div_rem_wad(prod);
        Ok(Decimal(round_up(q, r == 0)?))
    }

    /// `self × n` for an integer `n` (exact).
    pub fn try_mul_u64(self, n: u64) -> MathResult<Decimal> {
        checked_mul_wide(self.0, U256::from(n))
            .map(Decimal)
            .ok_or(MathError::Overflow)
    }

    /// `self / rhs`, truncated at 18 decimals.
    pub fn try_div(self, rhs: Decimal) -> MathResult<Decimal> {
        if rhs.is_zero() {
            return Err(MathError::DivisionByZero);
        }
        let num = checked_mul_wide(self.0, wad()).ok_or(MathError::Overflow)?;
        Ok(Decimal(div_rem(num, rhs.0)?.0))
    }

    /// `self / rhs`, the 18th decimal rounded up.
    pub fn try_div_ceil(self, rhs: Decimal) -> MathResult<Decimal> {
        if rhs.is_zero() {
            return Err(MathError::DivisionByZero);
        }
        let num = checked_mul_wide(self.0, wad()).ok_or(MathError::Overflow)?;
        let (q, r) = div_rem(num, rhs.0)?;
        Ok(Decimal(round_up(q, r.is_zero())?))
    }

    /// `self / n` for an integer `n`, truncated.
    pub fn try_div_u64(self, n: u64) -> MathResult<Decimal> {
        let div = Divisor::new(n).ok_or(MathError::DivisionByZero)?;
        Ok(self.div_by(&div))
    }

    /// `self / d` for a word divisor prepared once (many divisions by one integer), truncated:
    /// the same as [`Self::try_div_u64`].
    pub fn div_by(self, d: &Divisor) -> Decimal {
        Decimal(d.div_rem(self.0).0)
    }

    /// `self^exp` by squaring; each multiplication truncates.
    pub fn try_pow(self, mut exp: u64) -> MathResult<Decimal> {
        let mut base = self;
        let mut acc = Decimal::one();
        while exp > 0 {
            if exp & 1 == 1 {
                acc = acc.try_mul(base)?;
            }
            exp >>= 1;
            if exp > 0 {
                base = base.try_mul(base)?;
            }
        }
        Ok(acc)
    }

    /// Whole units rounded down (outflows to a user: withdrawals, seized collateral).
    pub fn try_floor_u64(&self) -> MathResult<u64> {
        let int = div_rem_wad(self.0).0;
        if int.bits() > 64 {
            return Err(MathError::Overflow);
        }
        Ok(int.as_u64())
    }

    /// Whole units rounded up (amounts owed by a user: repayments, debt).
    pub fn try_ceil_u64(&self) -> MathResult<u64> {
        let (q, r) = div_rem_wad(self.0);
        let int = round_up(q, r == 0)?;
        if int.bits() > 64 {
            return Err(MathError::Overflow);
        }
        Ok(int.as_u64())
    }

    /// Whole units rounded up, at most `u64::MAX`: no token amount is larger, so a figure past
    /// it (a debt grown by years of interest) is paid in parts of at most `u64::MAX` tokens.
    pub fn ceil_u64_saturating(&self) -> u64 {
        self.try_ceil_u64().unwrap_or(u64::MAX)
    }

    /// `√self`, rounded down at the 18th decimal: `⌊√(self.0 × 10^18)⌋` by Newton's method
    /// from above (it decreases to the floor root; at most a few dozen steps for 256 bits).
    pub fn try_sqrt_floor(&self) -> MathResult<Decimal> {
        let n = checked_mul_wide(self.0, wad()).ok_or(MathError::Overflow)?;
        if n.is_zero() {
            return Ok(Decimal::zero());
        }
        // 2^⌈bits/2⌉ ≥ √n: a start from above.
        let mut x = U256::one() << n.bits().div_ceil(2);
        for _ in 0..256 {
            let y = (x + n / x) >> 1;
            if y >= x {
                return Ok(Decimal(x));
            }
            x = y;
        }
        Ok(Decimal(x))
    }

    /// The value in basis points, rounded down (for reports and events).
    pub fn try_floor_bps(&self) -> MathResult<u64> {
        self.try_mul_u64(BPS_SCALE)?.try_floor_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: `⌊x / 10^k⌋` or `⌈x / 10^k⌉` by long division.
    fn by_long_division(x: U256, k: u32, ceil: bool) -> U256 {
        let (q, r) = x.div_mod(U256::from(10u128.pow(k)));
        if ceil && !r.is_zero() {
            q + U256::one()
        } else {
            q
        }
    }

    #[test]
    fn successful_shifted_power_of_ten_division_at_the_edges() {
        let edges = [
            U256::zero(),
            U256::one(),
            U256::MAX,
            U256::MAX - U256::one(),
            U256::from(u128::MAX),
            U256::from(10u128.pow(27)),
            U256::from(10u128.pow(27)) - U256::one(),
            U256::from(10u128.pow(27)) + U256::one(),
        ];
        for k in 0..=27 {
            for x in edges {
                for ceil in [false, true] {
                    let want = by_long_division(x, k, ceil);
                    assert_eq!(div_pow10_shifted(x, k, ceil), Some(want), "{x} / 10^{k}");
                }
            }
        }
        assert_eq!(div_pow10_shifted(U256::one(), 28, false), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// One shift and one division by `5^k` equal a division by `10^k`, both roundings.
        #[test]
        fn successful_shifted_power_of_ten_division_is_exact(
            words in proptest::array::uniform4(any::<u64>()), len in 0usize..=4, k in 0u32..=27,
            ceil in any::<bool>(),
        ) {
            let mut w = [0u64; 4];
            w[..len].copy_from_slice(&words[..len]);
            let x = U256(w);
            prop_assert_eq!(div_pow10_shifted(x, k, ceil), Some(by_long_division(x, k, ceil)));
        }
    }

    #[test]
    fn successful_basic_arithmetic() {
        let a = Decimal::from_u64(3);
        let b = Decimal::from_u64(2);
        assert_eq!(a.try_add(b).unwrap(), Decimal::from_u64(5));
        assert_eq!(a.try_sub(b).unwrap(), Decimal::one());
        assert_eq!(a.try_mul(b).unwrap(), Decimal::from_u64(6));
        assert_eq!(a.try_div(b).unwrap(), Decimal::from_ratio(3, 2).unwrap());
        assert_eq!(Decimal::from_bps(2_500), Decimal::from_percent(25));
    }

    #[test]
    fn successful_rounding_is_in_the_name() {
        let third = Decimal::one().try_div(Decimal::from_u64(3)).unwrap();
        let third_up = Decimal::one().try_div_ceil(Decimal::from_u64(3)).unwrap();
        assert_eq!(third_up.0 - third.0, U256::one());
        let x = Decimal::from_ratio(7, 2).unwrap();
        assert_eq!(x.try_floor_u64().unwrap(), 3);
        assert_eq!(x.try_ceil_u64().unwrap(), 4);
        assert_eq!(Decimal::from_u64(4).try_ceil_u64().unwrap(), 4);
    }

    #[test]
    fn fail_sub_when_underflow_and_div_when_zero() {
        assert_eq!(
            Decimal::one().try_sub(Decimal::from_u64(2)),
            Err(MathError::Underflow)
        );
        assert_eq!(
            Decimal::one().try_div(Decimal::zero()),
            Err(MathError::DivisionByZero)
        );
    }

    #[test]
    fn fail_conversion_when_out_of_range() {
        let big = Decimal::from_u128(1u128 << 70);
        assert_eq!(big.try_floor_u64(), Err(MathError::Overflow));
        assert_eq!(big.to_scaled_val(), Err(MathError::Overflow));
        let max = Decimal(U256::MAX);
        assert_eq!(max.try_mul(max), Err(MathError::Overflow));
    }

    #[test]
    fn successful_pow_matches_repeated_mul() {
        let x = Decimal::from_ratio(101, 100).unwrap();
        let mut acc = Decimal::one();
        for _ in 0..13 {
            acc = acc.try_mul(x).unwrap();
        }
        assert_eq!(x.try_pow(13).unwrap(), acc);
        assert_eq!(x.try_pow(0).unwrap(), Decimal::one());
    }

    #[test]
    fn successful_scaled_round_trip() {
        let x = Decimal::from_ratio(123_456_789, 1_000).unwrap();
        assert_eq!(Decimal::from_scaled_val(x.to_scaled_val().unwrap()), x);
        assert_eq!(
            format!("{}", Decimal::from_ratio(3, 2).unwrap()),
            "1.500000000000000000"
        );
    }
}
