//! Division of a `U256` by one 64-bit word, and the 256-bit product of two 128-bit values:
//! the two operations every valuation repeats (`× price`, `/ 1e18`, `/ 10^decimals`).
//!
//! **Division by an invariant word** (N. Möller and T. Granlund, "Improved division by
//! invariant integers", IEEE Trans. Computers 60(2), 2011, algorithm 4). For a divisor `d`
//! normalized so its top bit is set, the reciprocal `v = ⌊(2^128 − 1) / d⌋ − 2^64` turns each
//! 2-by-1 word division `⌊(u1·2^64 + u0) / d⌋` (with `u1 < d`) into one 64×64 → 128-bit
//! multiplication and at most two corrections. A `U256` is divided limb by limb from the top,
//! after shifting dividend and divisor left by the divisor's leading zeros; the remainder is
//! shifted back. The quotient and remainder are exact (the same integers as long division):
//! a test checks them against the integer library's division on random and edge values.
//!
//! The reciprocals of `10^0 … 10^19` (which includes `WAD = 10^18`) are computed at compile
//! time; other words compute theirs once per division (one 128-bit division instead of four).

use super::U256;

/// A 64-bit divisor, normalized, with its reciprocal.
#[derive(Clone, Copy, Debug)]
pub struct Divisor {
    /// `d << shift`, top bit set.
    normalized: u64,
    /// Leading zeros of `d`.
    shift: u32,
    /// `⌊(2^128 − 1) / normalized⌋ − 2^64`.
    reciprocal: u64,
}

impl Divisor {
    /// The divisor `d`; `None` for 0.
    pub const fn new(d: u64) -> Option<Divisor> {
        if d == 0 {
            None
        } else {
            Some(Divisor::nonzero(d))
        }
    }

    /// The divisor `d`, for `d ≠ 0`.
    const fn nonzero(d: u64) -> Divisor {
        let shift = d.leading_zeros();
        let normalized = d << shift;
        // The quotient lies in [2^64, 2^65): its low word is the quotient minus 2^64.
        let reciprocal = (u128::MAX / normalized as u128) as u64;
        Divisor {
            normalized,
            shift,
            reciprocal,
        }
    }

    /// `⌊(u1·2^64 + u0) / d⌋` and the remainder, for `u1 < d` (normalized).
    #[inline(always)]
    fn div_2by1(&self, u1: u64, u0: u64) -> (u64, u64) {
        let d = self.normalized;
        let q = (self.reciprocal as u128)
            .wrapping_mul(u1 as u128)
            .wrapping_add(((u1 as u128) << 64) | u0 as u128);
        let mut q1 = ((q >> 64) as u64).wrapping_add(1);
        let q0 = q as u64;
        let mut r = u0.wrapping_sub(q1.wrapping_mul(d));
        if r > q0 {
            q1 = q1.wrapping_sub(1);
            r = r.wrapping_add(d);
        }
        if r >= d {
            q1 = q1.wrapping_add(1);
            r -= d;
        }
        (q1, r)
    }

    /// `(⌊x / d⌋, x mod d)`.
    #[inline]
    pub fn div_rem(&self, x: U256) -> (U256, u64) {
        let limbs = x.0;
        let s = self.shift;
        // x << s as five words; the top one is below 2^s ≤ 2^63 ≤ normalized.
        let mut shifted = [0u64; 5];
        if s == 0 {
            shifted[..4].copy_from_slice(&limbs);
        } else {
            shifted[4] = limbs[3] >> (64 - s);
            for i in (1..4).rev() {
                shifted[i] = (limbs[i] << s) | (limbs[i - 1] >> (64 - s));
            }
            shifted[0] = limbs[0] << s;
        }
        let mut q = [0u64; 4];
        // Leading zero words give zero quotient words: start below them.
        let mut top = 4;
        while top > 0 && shifted[top] == 0 && shifted[top - 1] < self.normalized {
            top -= 1;
        }
        let mut rem = shifted[top];
        for i in (0..top).rev() {
            let (qi, r) = self.div_2by1(rem, shifted[i]);
            q[i] = qi;
            rem = r;
        }
        (U256(q), rem >> s)
    }
}

/// `base^0 … base^(N−1)` as divisors (each must fit a word).
const fn power_divisors<const N: usize>(base: u64) -> [Divisor; N] {
    let mut out = [Divisor::nonzero(1); N];
    let mut i = 1;
    let mut p = 1u64;
    while i < N {
        p *= base;
        out[i] = Divisor::nonzero(p);
        i += 1;
    }
    out
}

/// `10^0 … 10^19` as divisors.
pub const POW10: [Divisor; 20] = power_divisors(10);

/// `5^0 … 5^27` as divisors (`5^27 < 2^63`): with a shift by `k` bits they divide by
/// `10^k = 2^k × 5^k` in one word division for `k ≤ 27`.
pub const POW5: [Divisor; 28] = power_divisors(5);

/// `WAD = 10^18` as a divisor.
pub const WAD_DIVISOR: Divisor = POW10[18];

/// `a × b` as a `U256` for `a, b < 2^128`: four 64×64 → 128-bit products, never overflows.
#[inline]
pub fn mul_u128(a: u128, b: u128) -> U256 {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let ll = a0 * b0;
    let lh = a0 * b1;
    let hl = a1 * b0;
    let hh = a1 * b1;
    // middle = lh + hl + (ll >> 64) may exceed 128 bits by one carry.
    let (mid, carry1) = lh.overflowing_add(hl);
    let (mid, carry2) = mid.overflowing_add(ll >> 64);
    let carry = (carry1 as u128) + (carry2 as u128);
    let w0 = ll as u64;
    let w1 = mid as u64;
    let high = hh + (mid >> 64) + (carry << 64);
    U256([w0, w1, high as u64, (high >> 64) as u64])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(x: &mut u64) -> u64 {
        // xorshift64*: deterministic test values.
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn samples() -> Vec<U256> {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let mut out = vec![
            U256::zero(),
            U256::one(),
            U256::MAX,
            U256::from(u64::MAX),
            U256::from(u128::MAX),
            U256::from(10u64.pow(18)),
            U256::from(10u64.pow(18)) - U256::one(),
        ];
        for _ in 0..4_000 {
            let words = [
                next(&mut seed),
                next(&mut seed),
                next(&mut seed),
                next(&mut seed),
            ];
            // Vary the length so short and long dividends are both covered.
            let len = (next(&mut seed) % 5) as usize;
            let mut w = [0u64; 4];
            w[..len].copy_from_slice(&words[..len]);
            out.push(U256(w));
        }
        out
    }

    #[test]
    fn successful_word_division_matches_long_division() {
        let mut seed = 7u64;
        let mut divisors: Vec<u64> = (0..20).map(|i| 10u64.pow(i)).collect();
        divisors.extend([1, 2, 3, 7, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) + 1]);
        divisors.extend((0..40).map(|_| next(&mut seed) >> (next(&mut seed) % 64)));
        for d in divisors.into_iter().filter(|d| *d != 0) {
            let div = Divisor::new(d).expect("non-zero");
            for x in samples() {
                let (q, r) = div.div_rem(x);
                let (eq, er) = x.div_mod(U256::from(d));
                assert_eq!((q, U256::from(r)), (eq, er), "{x} / {d}");
            }
        }
    }

    #[test]
    fn successful_compile_time_powers_of_ten() {
        for (i, div) in POW10.iter().enumerate() {
            let p = 10u64.pow(i as u32);
            let rt = Divisor::new(p).expect("non-zero");
            assert_eq!(
                (div.normalized, div.shift, div.reciprocal),
                (rt.normalized, rt.shift, rt.reciprocal)
            );
            assert_eq!(div.normalized >> div.shift, p);
        }
        assert!(Divisor::new(0).is_none());
    }

    #[test]
    fn successful_wide_product_matches_the_integer_library() {
        let mut seed = 11u64;
        let mut values = vec![
            0u128,
            1,
            u128::MAX,
            u64::MAX as u128,
            1 << 64,
            10u128.pow(36),
        ];
        for _ in 0..400 {
            let v = ((next(&mut seed) as u128) << 64) | next(&mut seed) as u128;
            values.push(v >> (next(&mut seed) % 128));
        }
        for &a in &values {
            for &b in values.iter().step_by(7) {
                assert_eq!(mul_u128(a, b), U256::from(a) * U256::from(b), "{a} × {b}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn word_division_is_long_division(words: [u64; 4], d in 1u64.., shift in 0u32..64) {
            let d = d >> shift;
            proptest::prop_assume!(d != 0);
            let x = U256(words);
            let (q, r) = Divisor::new(d).expect("non-zero").div_rem(x);
            proptest::prop_assert_eq!((q, U256::from(r)), x.div_mod(U256::from(d)));
        }

        #[test]
        fn wide_product_is_the_library_product(a: u128, b: u128) {
            proptest::prop_assert_eq!(mul_u128(a, b), U256::from(a) * U256::from(b));
        }
    }
}
