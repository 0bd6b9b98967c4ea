//! The `pyth-legacy` decoder reads exactly what `pyth-sdk-solana` reads, on accounts built with
//! `pyth-sdk-solana`'s own `SolanaPriceAccount` type.

use proptest::prelude::*;
use pyth_sdk_solana::state::{
    load_price_account, AccountType, CorpAction, PriceInfo, PriceStatus, Rational,
    SolanaPriceAccount, MAGIC, VERSION_2,
};
use solana_program::pubkey::Pubkey;

struct Fields {
    price: i64,
    conf: u64,
    expo: i32,
    ema_price: i64,
    ema_conf: i64,
    timestamp: i64,
    status: PriceStatus,
}

fn account(f: &Fields) -> SolanaPriceAccount {
    let mut a: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
    a.magic = MAGIC;
    a.ver = VERSION_2;
    a.atype = AccountType::Price as u32;
    a.size = std::mem::size_of::<SolanaPriceAccount>() as u32;
    a.expo = f.expo;
    a.ema_price = Rational { val: f.ema_price, numer: f.ema_price, denom: 1 };
    a.ema_conf = Rational { val: f.ema_conf, numer: f.ema_conf, denom: 1 };
    a.timestamp = f.timestamp;
    a.prev_price = f.price.wrapping_sub(1);
    a.prev_conf = f.conf.wrapping_add(1);
    a.prev_timestamp = f.timestamp - 1;
    a.agg = PriceInfo {
        price: f.price,
        conf: f.conf,
        status: f.status,
        corp_act: CorpAction::NoCorpAct,
        pub_slot: 7,
    };
    a
}

fn status_of(i: u8) -> PriceStatus {
    match i % 5 {
        0 => PriceStatus::Unknown,
        1 => PriceStatus::Trading,
        2 => PriceStatus::Halted,
        3 => PriceStatus::Auction,
        _ => PriceStatus::Ignored,
    }
}

fn assert_same(f: &Fields) {
    let acc = account(f);
    let bytes = bytemuck::bytes_of(&acc);
    let sdk = load_price_account::<32, ()>(bytes).expect("pyth-sdk-solana loads it");
    let ours = pyth_legacy::decode(bytes).expect("pyth-legacy decodes it");
    let feed = sdk.to_price_feed(&Pubkey::new_unique());

    assert_eq!(ours.expo, sdk.expo);
    assert_eq!(ours.is_trading(), sdk.agg.status == PriceStatus::Trading);
    if ours.is_trading() {
        let p = feed.get_price_unchecked();
        assert_eq!((ours.price, ours.conf, ours.expo, ours.publish_time), (p.price, p.conf, p.expo, p.publish_time));
    } else {
        // pyth-sdk-solana falls back to the previous price; Sentinel refuses a non-Trading price.
        assert_eq!((ours.price, ours.conf), (sdk.agg.price, sdk.agg.conf));
    }
    let ema = feed.get_ema_price_unchecked();
    assert_eq!((ours.ema_price, ours.ema_conf, ours.publish_time), (ema.price, ema.conf, sdk.timestamp));
}

#[test]
fn successful_decode_matches_sdk_for_a_sol_price() {
    assert_same(&Fields {
        price: 14_523_000_000,
        conf: 7_100_000,
        expo: -8,
        ema_price: 14_400_000_000,
        ema_conf: 9_000_000,
        timestamp: 1_700_000_123,
        status: PriceStatus::Trading,
    });
}

#[test]
fn successful_encoded_account_loads_in_the_sdk() {
    let p = pyth_legacy::LegacyPrice { price: 123, conf: 4, expo: -5, ema_price: 120, ema_conf: 6, publish_time: 99, status: 1 };
    let bytes = pyth_legacy::encode(&p);
    let sdk = load_price_account::<32, ()>(&bytes).expect("pyth-sdk-solana loads the encoded account");
    assert_eq!((sdk.agg.price, sdk.agg.conf, sdk.expo, sdk.timestamp), (123, 4, -5, 99));
    assert_eq!((sdk.ema_price.val, sdk.ema_conf.val), (120, 6));
    assert_eq!(sdk.agg.status, PriceStatus::Trading);
}

#[test]
fn successful_size_matches_sdk_account() {
    assert_eq!(std::mem::size_of::<SolanaPriceAccount>(), pyth_legacy::ACCOUNT_LEN);
}

#[test]
fn fail_both_decoders_on_bad_headers() {
    let base = Fields { price: 1, conf: 1, expo: -8, ema_price: 1, ema_conf: 1, timestamp: 1, status: PriceStatus::Trading };
    for edit in [
        |a: &mut SolanaPriceAccount| a.magic = 0xdead_beef,
        |a: &mut SolanaPriceAccount| a.ver = 1,
        |a: &mut SolanaPriceAccount| a.atype = AccountType::Product as u32,
    ] {
        let mut acc = account(&base);
        edit(&mut acc);
        let bytes = bytemuck::bytes_of(&acc);
        assert!(load_price_account::<32, ()>(bytes).is_err());
        assert!(pyth_legacy::decode(bytes).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn decode_matches_sdk_on_random_accounts(
        price in any::<i64>(),
        conf in any::<u64>(),
        expo in -20i32..=20,
        ema_price in any::<i64>(),
        ema_conf in 0i64..=i64::MAX,
        timestamp in 1i64..=i64::MAX,
        status in any::<u8>(),
    ) {
        assert_same(&Fields { price, conf, expo, ema_price, ema_conf, timestamp, status: status_of(status) });
    }
}
