//! The fuzz's independent oracle and its liveness and closure checks (INV-15..18): health
//! valued from raw account fields with `lending-math`, the same-slot reprice move, and the
//! INV-16 / INV-18 checks that drive liquidations and write-offs themselves.

use lending::error::LendingError;
use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput, Health};
use lending_math::price::Prices;
use lending_math::{shares, Decimal};
use rand::Rng;
use solana_sdk::pubkey::Pubkey;

use super::Fuzz;
use crate::fixture::*;

impl Fuzz {
    /// The obligation valued from scratch from raw account fields with `lending-math`: shares
    /// redeemed at `(available + normalized debt × index − fees) / shares`, debt as normalized
    /// debt × index, each at the reserve's cached spot, EMA and confidence.
    pub(super) async fn independent_health(&mut self, user: usize) -> Health {
        let key = self.users[user].obligation;
        self.independent_health_of(&key).await
    }

    /// As [`Self::independent_health`], for any obligation. A reserve whose oracle failure was
    /// reported in this slot (and not priced since) counts as the documented liquidation rule
    /// says, from the newest print of its feed (never the reserve's cache, which may be older):
    /// its deposits at `min(spot, EMA) − confidence` fading to zero over an hour from that
    /// print's publish time, its debts at `max(spot, EMA) + confidence`.
    pub(super) async fn independent_health_of(&mut self, key: &Pubkey) -> Health {
        let group = self.f.obligation(key).await.emode_group;
        self.independent_health_in(key, group).await
    }

    /// As [`Self::independent_health_of`], valued as if the obligation were in e-mode group
    /// `group` (0 = none): a deposit of a member of the group counts with the group's LTV and
    /// threshold, read from the market's raw fields, every other with its reserve's own.
    pub(super) async fn independent_health_in(&mut self, key: &Pubkey, group: u8) -> Health {
        let slot = self.f.slot().await;
        let o = self.f.obligation(key).await;
        let groups = self.f.market_state().await.emode_groups;
        let mut h = Health::default();
        let index_of = |f: &TestFixture, k: &Pubkey| {
            f.reserves.iter().position(|r| r.reserve == *k).unwrap_or(0)
        };
        let prices = |r: &lending::state::Reserve| Prices {
            spot: r.price_sf.get(),
            ema: r.ema_price_sf.get(),
            conf: r.price_conf_sf.get(),
        };
        let now = self.f.now().await;
        for d in o.active_deposits() {
            let r = self.f.reserve(index_of(&self.f, &d.reserve)).await;
            let failed = r.price_failed_slot == slot && r.price_slot != slot;
            let debt = r
                .total_normalized_debt_sf
                .get()
                .try_mul(r.borrow_index_sf.get())
                .unwrap_or_default();
            let assets =
                shares::total_supply_assets(r.available_amount, debt, r.protocol_fees_sf.get())
                    .unwrap_or_default();
            let amount =
                shares::assets_for_shares(d.shares, assets, r.share_supply).unwrap_or_default();
            let mut p = prices(&r);
            if failed {
                // The newest print the feed gave (what the harness last wrote), its confidence
                // capped at the configured bound: min(spot, EMA) − conf, fading linearly to
                // zero over an hour from that print's publish time.
                let (q, published) = self.feed_print(index_of(&self.f, &d.reserve)).await;
                let age = (now - published).clamp(0, 3_600) as u64;
                let low = q.spot.min(q.ema).saturating_sub(q.conf);
                let faded = low
                    .try_mul_u64(3_600 - age)
                    .and_then(|x| x.try_div_u64(3_600))
                    .unwrap_or_default();
                p = Prices {
                    spot: faded,
                    ema: faded,
                    conf: Decimal::zero(),
                };
            }
            let member = group > 0 && r.emode_groups & (1u64 << (group - 1)) != 0;
            let (ltv_bps, lt_bps) = match groups.get(usize::from(group).wrapping_sub(1)) {
                Some(g) if member => (g.loan_to_value_bps, g.liquidation_threshold_bps),
                _ => super::volatility::own_ltv_threshold(&r),
            };
            if let Ok(v) = value_deposit(&DepositInput {
                amount,
                decimals: r.decimals,
                prices: p,
                ltv: Decimal::from_bps(u64::from(ltv_bps)),
                liquidation_threshold: Decimal::from_bps(u64::from(lt_bps)),
            }) {
                let _ = h.add_deposit(&v);
            }
        }
        for b in o.active_borrows() {
            let r = self.f.reserve(index_of(&self.f, &b.reserve)).await;
            let amount = b
                .normalized_debt_sf
                .get()
                .try_mul(r.borrow_index_sf.get())
                .unwrap_or_default();
            let mut p = prices(&r);
            if r.price_failed_slot == slot && r.price_slot != slot {
                let (q, _) = self.feed_print(index_of(&self.f, &b.reserve)).await;
                let high = q.spot.max(q.ema).try_add(q.conf).unwrap_or_default();
                p = Prices {
                    spot: high,
                    ema: high,
                    conf: Decimal::zero(),
                };
            }
            if let Ok(v) = value_borrow(&BorrowInput {
                amount,
                decimals: r.decimals,
                prices: p,
                borrow_factor: Decimal::from_bps(u64::from(r.config.borrow_factor_bps)),
            }) {
                let _ = h.add_borrow(&v);
            }
        }
        h
    }

    /// The newest price that reserve `idx`'s feed published (the harness wrote it), normalized
    /// from the raw mantissas, its confidence capped at the reserve's configured bound; and
    /// its publish time.
    pub(super) async fn feed_print(&mut self, idx: usize) -> (Prices, i64) {
        let spec = self.f.reserves[idx].price;
        let scale = |m: i64| {
            Decimal::from_u64(m.max(0) as u64)
                .try_div_u64(10u64.pow((-spec.expo) as u32))
                .unwrap_or_default()
        };
        let spot = scale(spec.price);
        let bound = self.f.oracle_config(idx).await.max_confidence_bps;
        let cap = spot
            .try_mul(Decimal::from_bps(u64::from(bound)))
            .unwrap_or_default();
        let conf = scale(spec.conf.max(spec.ema_conf) as i64).min(cap);
        let prices = Prices {
            spot,
            ema: scale(spec.ema_price),
            conf,
        };
        (prices, spec.publish_time)
    }

    /// The adversarial move of INV-15: with some probability, a newer price for one of the
    /// user's reserves arrives inside the slot (log-normal move, no slot advance) and that
    /// reserve alone is refreshed again, after the obligation was refreshed.
    pub(super) async fn maybe_reprice_in_slot(&mut self, user: usize) {
        if self.outage || !self.rng.gen_bool(0.35) {
            return;
        }
        let o = self
            .f
            .obligation(&self.users[user].obligation.clone())
            .await;
        let keys: Vec<Pubkey> = o
            .active_deposits()
            .map(|d| d.reserve)
            .chain(o.active_borrows().map(|b| b.reserve))
            .collect();
        let idx = if keys.is_empty() {
            self.rng.gen_range(0..self.f.reserves.len())
        } else {
            let k = keys[self.rng.gen_range(0..keys.len())];
            self.f
                .reserves
                .iter()
                .position(|r| r.reserve == k)
                .unwrap_or(0)
        };
        let z: f64 = (0..12).map(|_| self.rng.gen_range(0.0..1.0)).sum::<f64>() - 6.0;
        let price = self.f.reserves[idx].price.price as f64 / 1e8 * (0.25 * z).exp();
        self.f.set_price(idx, price.max(self.floor(idx))).await;
        let ix = self.f.refresh_reserve_ix(idx);
        let payer = self.f.ctx.payer.insecure_clone();
        self.send("reprice", &[ix], &payer).await.ok();
        self.same_slot_reprices += 1;
    }

    /// INV-16: if the independent valuation finds the obligation liquidatable, some pair of
    /// validly priced reserves admits a liquidation by the funded keeper (simulated).
    pub(super) async fn check_liveness(&mut self, target: usize) {
        let key = self.users[target].obligation;
        if !self.f.obligation(&key).await.has_debt() {
            return;
        }
        // The reserves are refreshed where they are not fresh in this slot; the valuation reads
        // them raw, so the obligation's own refresh goes only with a simulated liquidation.
        let ixs = self.refresh_ixs(&key).await;
        if ixs.len() > 1 && self.f.send(&ixs, &[]).await.is_err() {
            return;
        }
        if !self.reserves_usable(&key).await {
            return;
        }
        let h = self.independent_health_of(&key).await;
        if !h.is_liquidatable() {
            if self.failed_reserve.is_some() {
                self.check_no_liquidation_while_healthy(target).await;
            }
            return;
        }
        let slot = self.f.slot().await;
        let o = self.f.obligation(&key).await;
        if o.liquidation_slot == slot {
            // The close factor counts per slot: after a liquidation in this slot, the next
            // may have to wait for the next slot. Not a lack of liveness.
            return;
        }
        let priced = |f: &mut Self, k: &Pubkey| {
            let i = f.f.reserves.iter().position(|r| r.reserve == *k);
            i.map(|i| (i, f.f.reserves[i].reserve))
        };
        let mut pairs = Vec::new();
        for b in o.active_borrows() {
            for d in o.active_deposits() {
                if let (Some((bi, _)), Some((di, _))) =
                    (priced(self, &b.reserve), priced(self, &d.reserve))
                {
                    pairs.push((bi, di));
                }
            }
        }
        let mut usable = Vec::new();
        for (bi, di) in pairs {
            let (rb, rd) = (self.f.reserve(bi).await, self.f.reserve(di).await);
            if rb.price_slot == slot && rd.price_slot == slot {
                usable.push((bi, di));
            }
        }
        if usable.is_empty() {
            return; // every pair needs a price that is failing: documented, not a hole
        }
        // A deposit whose oracle fails cannot be seized. When it is the one of lowest
        // threshold, every pair left may lower the health factor and is refused
        // (`LiquidationPairWorsensHealth`) until its price returns or fades out of the
        // valuation: a documented gap of liveness during an outage, not a hole.
        // The same holds when the improving pair would repay a debt whose oracle fails, and
        // the only priced debt left is too small to seize anything (seed 1170 of the soak).
        let mut failing_deposit = false;
        let keys: Vec<Pubkey> = o
            .active_deposits()
            .map(|d| d.reserve)
            .chain(o.active_borrows().map(|b| b.reserve))
            .collect();
        for k in keys {
            let r = self.f.reserve(self.index_of(&k)).await;
            failing_deposit |= r.price_slot != slot;
        }
        let mut errors = Vec::new();
        let mut only_pair_refusals = true;
        for (bi, di) in usable {
            let receiver = Some(self.keeper.obligation);
            let mut sim = self
                .simulate_keeper_liquidation(&key, (bi, di), receiver)
                .await;
            if full_receiver(&sim) {
                // The keeper's own obligation holds 8 other deposits: paid in tokens instead.
                sim = self.simulate_keeper_liquidation(&key, (bi, di), None).await;
            }
            match sim {
                Ok(Some(Ok(()))) => return,
                other => {
                    // A pair that would lower the health factor, or one whose debt is so small
                    // (a dust borrow beside the failing one) that it seizes nothing.
                    let gap: [u32; 2] = [
                        LendingError::LiquidationPairWorsensHealth.into(),
                        LendingError::LiquidationTooSmall.into(),
                    ];
                    only_pair_refusals &= matches!(
                        &other,
                        Ok(Some(Err(solana_sdk::transaction::TransactionError::InstructionError(
                            _,
                            solana_sdk::instruction::InstructionError::Custom(c),
                        )))) if gap.contains(c)
                    );
                    errors.push(format!("({bi},{di}): {other:?}"))
                }
            }
        }
        if failing_deposit && only_pair_refusals {
            self.outage_pair_gaps += 1;
            return;
        }
        if self.dust_write_off_admitted(&key).await {
            return;
        }
        if self.coarse_unit_beyond_bound(&o).await {
            self.coarse_unit_gaps += 1;
            return;
        }
        let positions = self.describe_positions(&o).await;
        self.violation(format!(
            "INV-16 a liquidatable obligation admits no liquidation: {h:?}; {}; {positions}",
            errors.join("; ")
        ));
    }

    /// Whether a reserve of `o` has a base unit worth more than the listing bound ($0.01) at
    /// its cached spot price: a coarse unit that appreciated after listing, the documented
    /// gap where unit rounding may block or worsen a liquidation of a few units.
    pub(super) async fn coarse_unit_beyond_bound(
        &mut self,
        o: &lending::state::Obligation,
    ) -> bool {
        let keys: Vec<Pubkey> = o
            .active_deposits()
            .map(|d| d.reserve)
            .chain(o.active_borrows().map(|b| b.reserve))
            .collect();
        let bound = Decimal::from_bps(lending_math::liquidation::MAX_ROUNDING_UNIT_VALUE_BPS);
        for k in keys {
            let r = self.f.reserve(self.index_of(&k)).await;
            let unit = r
                .price_sf
                .get()
                .try_div_u64(10u64.pow(u32::from(r.decimals)))
                .unwrap_or_default();
            if unit > bound {
                return true;
            }
        }
        false
    }

    /// Whether every reserve of obligation `key` is priced, or its failure reported, in this
    /// slot.
    pub(super) async fn reserves_usable(&mut self, key: &Pubkey) -> bool {
        let slot = self.f.slot().await;
        for k in self.f.obligation_reserves(key).await {
            let r = self.f.reserve(self.index_of(&k)).await;
            if r.price_slot != slot && r.price_failed_slot != slot {
                return false;
            }
        }
        true
    }

    /// The obligation's positions with their reserves' figures, for a violation report.
    async fn describe_positions(&mut self, o: &lending::state::Obligation) -> String {
        let mut out = Vec::new();
        for d in o.active_deposits() {
            let i = self.index_of(&d.reserve);
            let r = self.f.reserve(i).await;
            out.push(format!(
                "deposit {i}: {} of {} shares, available {}, price {}, {} decimals",
                d.shares,
                r.share_supply,
                r.available_amount,
                r.price_sf.get(),
                r.decimals
            ));
        }
        for b in o.active_borrows() {
            let i = self.index_of(&b.reserve);
            let r = self.f.reserve(i).await;
            out.push(format!(
                "borrow {i}: {} normalized at index {}, price {}, {} decimals",
                b.normalized_debt_sf.get(),
                r.borrow_index_sf.get(),
                r.price_sf.get(),
                r.decimals
            ));
        }
        out.join("; ")
    }

    /// The reserve whose oracle the single-outage move stops: mostly one of the collaterals of a
    /// borrower with debt and two or more deposits (where a failure can expose the other
    /// collateral), who first borrows USDC up to his limit, where health is thinnest; else `r`.
    pub(super) async fn outage_target(&mut self, r: usize) -> usize {
        let mut candidates = Vec::new();
        for u in 2..self.users.len() {
            let o = self.f.obligation(&self.users[u].obligation.clone()).await;
            if o.has_debt() && o.active_deposits().count() >= 2 {
                candidates.extend(o.active_deposits().map(|d| (u, d.reserve)));
            }
        }
        if candidates.is_empty() || !self.rng.gen_bool(0.7) {
            return r;
        }
        let (u, k) = candidates[self.rng.gen_range(0..candidates.len())];
        let o = self.users[u].obligation;
        let ixs = self.refresh_ixs(&o).await;
        if self.f.send(&ixs, &[]).await.is_ok() {
            let h = self.independent_health(u).await;
            let available = self.f.reserve(USDC).await.available_amount;
            let room = self.headroom_tokens(&h, USDC).await.min(available / 10 * 9);
            if room > 0 {
                let mut ixs = self.refresh_ixs(&o).await;
                let user = &self.users[u];
                ixs.push(self.f.borrow_ix(user, USDC, room).await);
                let kp = user.keypair.insecure_clone();
                self.f.send(&ixs, &[&kp]).await.ok();
            }
        }
        self.index_of(&k)
    }

    /// Simulates the obligation's refresh + the funded keeper's liquidation of all it may of pair `(repay,
    /// withdraw)` of `key`, paid in tokens or, with a `receiver`, in shares.
    async fn simulate_keeper_liquidation(
        &mut self,
        key: &Pubkey,
        pair: (usize, usize),
        receiver: Option<Pubkey>,
    ) -> Result<
        Option<Result<(), solana_sdk::transaction::TransactionError>>,
        solana_program_test::BanksClientError,
    > {
        // The caller refreshed the reserves in this slot: the obligation's refresh goes with
        // the liquidation.
        let reserves = self.f.obligation_reserves(key).await;
        let mut ixs = vec![self.f.refresh_obligation_ix_with(key, &reserves)];
        ixs.push(
            crate::liquidation::liquidate_ix_with(
                &mut self.f,
                &self.keeper,
                key,
                pair,
                u64::MAX,
                0,
                receiver,
            )
            .await,
        );
        let tx = self.f.transaction(&ixs, &[&self.keeper.keypair]).await;
        let sim = self.f.ctx.banks_client.simulate_transaction(tx).await;
        sim.map(|s| s.result)
    }

    /// Collateral whose shares redeem for no token cannot be seized, however liquidatable its
    /// fractional value makes the obligation: when all of it is such dust, the remedy is the
    /// write-off, which sweeps it (`socialize_bad_debt` with the deposit reserves). True when
    /// that write-off of the first debt succeeds (simulated).
    async fn dust_write_off_admitted(&mut self, key: &Pubkey) -> bool {
        let o = self.f.obligation(key).await;
        let mut deposits = Vec::new();
        for d in o.active_deposits() {
            let r = self.f.reserve(self.index_of(&d.reserve)).await;
            let assets = r.total_supply_assets().unwrap_or_default();
            if shares::redeem_amount(d.shares, assets, r.share_supply).unwrap_or(1) != 0 {
                return false;
            }
            deposits.push(d.reserve);
        }
        let Some(b) = o.active_borrows().next() else {
            return false;
        };
        let mut ix = self.f.socialize_bad_debt_ix(key, self.index_of(&b.reserve));
        ix.accounts.extend(
            deposits
                .into_iter()
                .map(|k| solana_sdk::instruction::AccountMeta::new(k, false)),
        );
        let tx = self.f.transaction(&[ix], &[]).await;
        let sim = self.f.ctx.banks_client.simulate_transaction(tx).await;
        let ok = matches!(sim.map(|s| s.result), Ok(Some(Ok(()))));
        if ok {
            self.dust_write_offs += 1;
        }
        ok
    }

    /// INV-19: while one oracle fails (its failure reported), an obligation that is healthy
    /// when that reserve is valued from its feed's newest print admits no liquidation of any
    /// pair, paid in tokens or in shares (simulated).
    async fn check_no_liquidation_while_healthy(&mut self, target: usize) {
        let key = self.users[target].obligation;
        let o = self.f.obligation(&key).await;
        if !o.has_debt() {
            return;
        }
        let borrows: Vec<usize> = o
            .active_borrows()
            .map(|b| self.index_of(&b.reserve))
            .collect();
        let deposits: Vec<usize> = o
            .active_deposits()
            .map(|d| self.index_of(&d.reserve))
            .collect();
        for &bi in &borrows {
            for &di in &deposits {
                for receiver in [None, Some(self.keeper.obligation)] {
                    let sim = self
                        .simulate_keeper_liquidation(&key, (bi, di), receiver)
                        .await;
                    if let Ok(Some(Ok(()))) = sim {
                        self.violation(format!(
                            "INV-19 a liquidation ({bi},{di}) during an oracle failure lands on \
                             an obligation healthy at its feeds' newest prices"
                        ));
                        return;
                    }
                }
            }
        }
        self.no_liquidation_checks += 1;
    }

    /// INV-18: every collateral price crashes; liquidations (paid in shares) and write-offs
    /// alone must bring every obligation's debt to zero.
    pub(super) async fn check_closure(&mut self) {
        self.f.next_slot().await;
        self.f.advance_time(1).await;
        self.failed_reserve = None;
        self.outage = false;
        for i in 0..self.f.reserves.len() {
            let p = self.f.reserves[i].price.price as f64 / 1e8;
            self.f.set_price(i, (p * 0.02).max(self.floor(i))).await;
        }
        for target in 0..self.users.len() {
            let key = self.users[target].obligation;
            let mut last_errors = String::new();
            for _ in 0..60 {
                let o = self.f.obligation(&key).await;
                if !o.has_debt() {
                    break;
                }
                if o.active_deposits().next().is_none() {
                    for b in 0..self.f.reserves.len() {
                        let ix = self.f.socialize_bad_debt_ix(&key, b);
                        let payer = self.f.ctx.payer.insecure_clone();
                        let _ = self.f.send(&[ix], &[&payer]).await;
                    }
                    continue;
                }
                let bi = self.index_of(&o.borrows[0].reserve);
                let di = self.index_of(&o.deposits[0].reserve);
                self.fund_keeper(bi).await;
                let mut receiver = Some(self.keeper.obligation);
                let mut res = self
                    .closure_liquidation(&key, (bi, di), u64::MAX, receiver)
                    .await;
                if error_code(&res) == Some(LendingError::TooManyDeposits.into()) {
                    // The keeper's own obligation holds 8 other deposits: paid in tokens.
                    receiver = None;
                    res = self
                        .closure_liquidation(&key, (bi, di), u64::MAX, receiver)
                        .await;
                }
                if error_code(&res) == Some(TOKEN_INSUFFICIENT_FUNDS) {
                    // Interest took the debt past what the keeper can hold (seed 70056: 3.4e19
                    // base units): an insolvent position is liquidated in parts it can pay.
                    let held = self.f.balance(&self.keeper.tokens[bi]).await;
                    res = self
                        .closure_liquidation(&key, (bi, di), held, receiver)
                        .await;
                }
                if res.is_err() {
                    last_errors = format!("liquidation ({bi},{di}): {:?}", error_code(&res));
                    // Not liquidatable at these prices (every price fell alike): the owner is
                    // solvent and repays, funded first if his wallet is short.
                    let debt = self.debt_tokens(target, bi).await;
                    let account = self.users[target].tokens[bi];
                    self.top_up(bi, &account, debt.saturating_add(1)).await;
                    // What he holds: all of the debt when the mint could supply it.
                    let held = self.f.balance(&account).await;
                    let ix = self.f.repay_ix(&self.users[target], bi, held);
                    let owner = self.users[target].keypair.insecure_clone();
                    let res = self.f.send(&[ix], &[&owner]).await;
                    if res.is_err() {
                        last_errors.push_str(&format!("; repayment: {:?}", error_code(&res)));
                        break;
                    }
                }
                self.f.next_slot().await;
            }
            let o = self.f.obligation(&key).await;
            if o.has_debt() {
                let positions = self.describe_positions(&o).await;
                self.violation(format!(
                    "INV-18 user {target}'s debt could not be brought to zero: {last_errors}; \
                     {positions}"
                ));
            }
        }
        self.check_global(true).await;
    }

    /// Sends the obligation's refreshes and the keeper's liquidation of `requested` debt tokens
    /// of pair `(repay, seize)`, paid in shares to `receiver` or, without one, in tokens.
    async fn closure_liquidation(
        &mut self,
        key: &Pubkey,
        pair: (usize, usize),
        requested: u64,
        receiver: Option<Pubkey>,
    ) -> Result<(), solana_program_test::BanksClientError> {
        let mut ixs = self.refresh_ixs(key).await;
        let (f, keeper) = (&mut self.f, &self.keeper);
        ixs.push(
            crate::liquidation::liquidate_ix_with(f, keeper, key, pair, requested, 0, receiver)
                .await,
        );
        let kp = self.keeper.keypair.insecure_clone();
        self.f.send(&ixs, &[&kp]).await
    }

    /// Tops the keeper's tokens of reserve `i` up to `u64::MAX / 4` (liquidations through the
    /// closure spend them).
    async fn fund_keeper(&mut self, i: usize) {
        let account = self.keeper.tokens[i];
        self.top_up(i, &account, u64::MAX / 4).await;
    }

    /// Mints tokens of reserve `i` into `account` until it holds `target`, as far as the mint's
    /// supply allows (a debt grown past it by interest cannot be paid in full by anyone).
    async fn top_up(&mut self, i: usize, account: &Pubkey, target: u64) {
        let mint = self.f.reserves[i].mint;
        let data = self.f.data(&mint).await;
        // The supply: bytes 36..44 of the mint, in both token programs' layout.
        let supply = data
            .get(36..44)
            .and_then(|b| b.try_into().ok())
            .map_or(u64::MAX, u64::from_le_bytes);
        let held = self.f.balance(account).await;
        let want = target.saturating_sub(held).min(u64::MAX - supply);
        if want > 0 {
            self.f.mint_to(&mint, account, want).await;
            self.token_totals = self.token_totals_now().await;
        }
    }

    pub(super) fn index_of(&self, k: &Pubkey) -> usize {
        self.f
            .reserves
            .iter()
            .position(|r| r.reserve == *k)
            .unwrap_or(0)
    }
}

/// SPL Token's `InsufficientFunds` (both token programs number it 1).
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

/// Whether a simulated share-paid liquidation was refused because the receiving obligation
/// has no deposit slot left (`TooManyDeposits`).
fn full_receiver(
    sim: &Result<
        Option<Result<(), solana_sdk::transaction::TransactionError>>,
        solana_program_test::BanksClientError,
    >,
) -> bool {
    let code: u32 = LendingError::TooManyDeposits.into();
    matches!(
        sim,
        Ok(Some(Err(solana_sdk::transaction::TransactionError::InstructionError(
            _,
            solana_sdk::instruction::InstructionError::Custom(c),
        )))) if *c == code
    )
}
