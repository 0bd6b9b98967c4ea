//! Decoder of Pyth legacy push price accounts (layout v2), as `pyth-sdk-solana` defines them
//! (`SolanaPriceAccount`, `repr(C)`). That crate does not build against the Solana 3 SDK, so the
//! lending program reads the documented little-endian layout here; a separate test workspace
//! (`crates/pyth-legacy-check`) checks this decoder against `pyth-sdk-solana`'s own loader.
//!
//! | offset | field | type |
//! |---|---|---|
//! | 0 | magic = 0xa1b2c3d4 | u32 |
//! | 4 | version = 2 | u32 |
//! | 8 | account type = 3 (price) | u32 |
//! | 20 | exponent | i32 |
//! | 48 | EMA price (`Rational.val`) | i64 |
//! | 72 | EMA confidence (`Rational.val`) | i64 |
//! | 96 | timestamp (publish time of the aggregate) | i64 |
//! | 208 | aggregate price | i64 |
//! | 216 | aggregate confidence | u64 |
//! | 224 | aggregate status (1 = Trading) | u8 (`#[repr(u8)]` enum) |
//! | 225 | corporate action | u8 (then 6 bytes of padding) |

#![deny(missing_docs)]
#![no_std]

/// Magic number of Pyth accounts.
pub const MAGIC: u32 = 0xa1b2_c3d4;
/// Supported layout version.
pub const VERSION_2: u32 = 2;
/// Account type of price accounts.
pub const ACCOUNT_TYPE_PRICE: u32 = 3;
/// Aggregate status `Trading`.
pub const STATUS_TRADING: u8 = 1;
/// Bytes up to the end of the aggregate price info, the part this decoder reads.
pub const MIN_LEN: usize = 240;

/// The fields of a legacy price account that pricing needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegacyPrice {
    /// Aggregate price mantissa.
    pub price: i64,
    /// Aggregate confidence.
    pub conf: u64,
    /// Exponent shared by all mantissas.
    pub expo: i32,
    /// EMA price mantissa.
    pub ema_price: i64,
    /// EMA confidence.
    pub ema_conf: u64,
    /// Publish time of the aggregate (unix seconds).
    pub publish_time: i64,
    /// Aggregate status (1 = Trading; 0 unknown, 2 halted, 3 auction, 4 ignored).
    pub status: u8,
}

impl LegacyPrice {
    /// True when the aggregate is `Trading`.
    pub fn is_trading(&self) -> bool {
        self.status == STATUS_TRADING
    }
}

/// Why bytes are not a legacy price account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than `MIN_LEN`.
    TooShort,
    /// Wrong magic number.
    BadMagic,
    /// A layout version other than 2.
    BadVersion,
    /// A Pyth account that is not a price account.
    NotPriceAccount,
    /// A negative EMA confidence.
    NegativeConfidence,
}

fn u32_at(d: &[u8], o: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&d[o..o + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(d: &[u8], o: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[o..o + 8]);
    u64::from_le_bytes(b)
}

fn i64_at(d: &[u8], o: usize) -> i64 {
    u64_at(d, o) as i64
}

/// Decodes the pricing fields of a legacy price account.
pub fn decode(data: &[u8]) -> Result<LegacyPrice, DecodeError> {
    if data.len() < MIN_LEN {
        return Err(DecodeError::TooShort);
    }
    if u32_at(data, 0) != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    if u32_at(data, 4) != VERSION_2 {
        return Err(DecodeError::BadVersion);
    }
    if u32_at(data, 8) != ACCOUNT_TYPE_PRICE {
        return Err(DecodeError::NotPriceAccount);
    }
    let ema_conf = i64_at(data, 72);
    if ema_conf < 0 {
        return Err(DecodeError::NegativeConfidence);
    }
    Ok(LegacyPrice {
        price: i64_at(data, 208),
        conf: u64_at(data, 216),
        expo: u32_at(data, 20) as i32,
        ema_price: i64_at(data, 48),
        ema_conf: ema_conf as u64,
        publish_time: i64_at(data, 96),
        status: data[224],
    })
}

/// Size of a v2 price account with 32 publisher slots, as the oracle program allocates it.
pub const ACCOUNT_LEN: usize = 3_312;

/// Writes a v2 price account holding `p` (the inverse of `decode`), for tests and simulations.
/// The EMA rationals are `val / 1`, the previous price is one second older, the other
/// header fields take plausible values.
pub fn encode(p: &LegacyPrice) -> [u8; ACCOUNT_LEN] {
    let mut d = [0u8; ACCOUNT_LEN];
    let mut put = |o: usize, b: &[u8]| d[o..o + b.len()].copy_from_slice(b);
    put(0, &MAGIC.to_le_bytes());
    put(4, &VERSION_2.to_le_bytes());
    put(8, &ACCOUNT_TYPE_PRICE.to_le_bytes());
    put(12, &(ACCOUNT_LEN as u32).to_le_bytes());
    put(16, &1u32.to_le_bytes());
    put(20, &p.expo.to_le_bytes());
    put(32, &1u64.to_le_bytes());
    put(40, &1u64.to_le_bytes());
    put(48, &p.ema_price.to_le_bytes());
    put(56, &p.ema_price.to_le_bytes());
    put(64, &1i64.to_le_bytes());
    put(72, &(p.ema_conf as i64).to_le_bytes());
    put(80, &(p.ema_conf as i64).to_le_bytes());
    put(88, &1i64.to_le_bytes());
    put(96, &p.publish_time.to_le_bytes());
    put(184, &p.price.to_le_bytes());
    put(192, &p.conf.to_le_bytes());
    put(200, &(p.publish_time - 1).to_le_bytes());
    put(208, &p.price.to_le_bytes());
    put(216, &p.conf.to_le_bytes());
    put(224, &[p.status]);
    put(232, &1u64.to_le_bytes());
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> [u8; MIN_LEN] {
        let mut d = [0u8; MIN_LEN];
        d[0..4].copy_from_slice(&MAGIC.to_le_bytes());
        d[4..8].copy_from_slice(&VERSION_2.to_le_bytes());
        d[8..12].copy_from_slice(&ACCOUNT_TYPE_PRICE.to_le_bytes());
        d[20..24].copy_from_slice(&(-8i32).to_le_bytes());
        d[48..56].copy_from_slice(&99i64.to_le_bytes());
        d[72..80].copy_from_slice(&3i64.to_le_bytes());
        d[96..104].copy_from_slice(&1_700_000_000i64.to_le_bytes());
        d[208..216].copy_from_slice(&100i64.to_le_bytes());
        d[216..224].copy_from_slice(&2u64.to_le_bytes());
        d[224] = STATUS_TRADING;
        d[226] = 0xff; // padding is not read
        d
    }

    #[test]
    fn successful_decode_of_documented_offsets() {
        let p = decode(&sample()).unwrap();
        assert_eq!(
            p,
            LegacyPrice {
                price: 100,
                conf: 2,
                expo: -8,
                ema_price: 99,
                ema_conf: 3,
                publish_time: 1_700_000_000,
                status: 1
            }
        );
        assert!(p.is_trading());
    }

    #[test]
    fn successful_encode_decode_round_trip() {
        let p = LegacyPrice {
            price: -7,
            conf: 9,
            expo: 3,
            ema_price: 11,
            ema_conf: 2,
            publish_time: 42,
            status: 2,
        };
        assert_eq!(decode(&encode(&p)), Ok(p));
    }

    #[test]
    fn fail_decode_when_header_is_wrong() {
        assert_eq!(decode(&[0u8; 10]), Err(DecodeError::TooShort));
        let mut d = sample();
        d[0] = 0;
        assert_eq!(decode(&d), Err(DecodeError::BadMagic));
        let mut d = sample();
        d[4] = 3;
        assert_eq!(decode(&d), Err(DecodeError::BadVersion));
        let mut d = sample();
        d[8] = 1;
        assert_eq!(decode(&d), Err(DecodeError::NotPriceAccount));
        let mut d = sample();
        d[72..80].copy_from_slice(&(-1i64).to_le_bytes());
        assert_eq!(decode(&d), Err(DecodeError::NegativeConfidence));
    }
}
