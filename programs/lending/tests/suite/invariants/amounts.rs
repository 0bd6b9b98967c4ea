//! The fuzz's amounts: borrowing headroom, debts and a user's equity, from account fields.

use lending_math::health::Health;
use lending_math::Decimal;
use rand::Rng;

use super::Fuzz;

impl Fuzz {
    /// 70–100% of the tokens of reserve `r` the obligation could still borrow at cached prices.
    pub(super) async fn headroom_tokens(&mut self, h: &Health, r: usize) -> u64 {
        let reserve = self.f.reserve(r).await;
        let price = reserve.prices().debt_price().unwrap_or_default();
        let room = h
            .borrow_headroom()
            .try_div(reserve.config.borrow_factor())
            .unwrap_or_default();
        let tokens = lending_math::health::amount_for_value(room, price, reserve.decimals)
            .and_then(|t| t.try_floor_u64())
            .unwrap_or(0);
        (u128::from(tokens) * u128::from(self.rng.gen_range(70..=100u64)) / 100) as u64
    }

    /// Debt of `user` in reserve `r`, in tokens (0 without a borrow there).
    pub(super) async fn debt_tokens(&mut self, user: usize, r: usize) -> u64 {
        let o = self
            .f
            .obligation(&self.users[user].obligation.clone())
            .await;
        let reserve = self.f.reserve(r).await;
        o.find_borrow(&self.f.reserves[r].reserve)
            .and_then(|i| {
                o.borrows[i]
                    .normalized_debt_sf
                    .get()
                    .try_mul(reserve.borrow_index_sf.get())
                    .ok()
            })
            .and_then(|d| d.try_ceil_u64().ok())
            .unwrap_or(0)
    }

    /// Wallet value + collateral − debt of a user at current cached prices.
    pub(super) async fn equity(&mut self, user: usize) -> Option<Decimal> {
        let h = self.refreshed_health(user).await?;
        let mut wallet = Decimal::zero();
        for i in 0..self.f.reserves.len() {
            let r = self.f.reserve(i).await;
            let bal = self.f.balance(&self.users[user].tokens[i].clone()).await;
            wallet = wallet
                .try_add(
                    lending_math::health::market_value(
                        Decimal::from_u64(bal),
                        r.price_sf.get(),
                        r.decimals,
                    )
                    .ok()?,
                )
                .ok()?;
        }
        // Limited liability: an insolvent obligation's shortfall is not the owner's to pay,
        // so it counts as zero equity, not negative (a write-off forgives nothing he holds).
        wallet
            .try_add(h.deposited_value.saturating_sub(h.borrowed_value))
            .ok()
    }
}
