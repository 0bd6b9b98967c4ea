//! Market and reserve administration.

use crate::fixture::*;

#[tokio::test]
async fn successful_market_and_reserves_created() {
    let mut f = TestFixture::new().await;
    let m = f.market_state().await;
    assert_eq!(m.admin, solana_sdk::signature::Signer::pubkey(&f.admin));
    assert_eq!(m.close_factor_bps, 2_000);
    assert_eq!(m.reserves_count, 3);
    assert_eq!(&m.quote_currency[..3], b"USD");
    for i in 0..3 {
        let r = f.reserve(i).await;
        assert_eq!(r.available_amount, 1_000_000);
        assert_eq!(r.share_supply, 1_000_000);
        assert_eq!(r.borrow_index_sf.get(), lending_math::Decimal::one());
        let vault = f.reserves[i].vault;
        assert_eq!(f.balance(&vault).await, 1_000_000);
    }
}
