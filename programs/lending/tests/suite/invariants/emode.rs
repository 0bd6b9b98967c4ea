//! The fuzz's e-mode groups (INV-24). Two groups: stables (USDC and the three other $1 mints:
//! LTV 90%, threshold 93%, bonus 1–3%) and SOL (SOL and the $110 9-decimal asset: 85%, 90%,
//! 2–5%); a fifth user starts in the stables group near its limit, borrowing against a stable
//! deposit what the reserves' own LTV would refuse. Every valuation of the fuzz (INV-08, 09,
//! 15, 16, 17, 20) counts members of an obligation's group with the group's parameters
//! (`valuation.rs`, from the market's raw fields).
//!
//! The move: a user joins, leaves or changes group (an unconfigured one too), or the admin
//! changes a group's parameters within the bounds or a reserve's memberships. INV-24: a group
//! change lands exactly when every position is a member of the new group and, with debt and
//! every reserve priced in the slot, the independent valuation under the new group is within
//! the borrow limit; and an admin change within the bounds lands.

use lending::error::LendingError;
use lending::state::EmodeGroup;
use rand::Rng;
use solana_sdk::signature::Signer;

use super::Fuzz;
use crate::emode::{set_emode_group_ix, set_group_ix, set_reserve_groups_ix};
use crate::fixture::*;

/// The user who starts in the stables group (`emode_borrower`).
pub(super) const EMODE_USER: usize = 4;
/// Group 1's members: USDC and the $1 mints of `moves::EXTRA` (reserves 3, 10, 12).
pub(super) const STABLES: [usize; 4] = [USDC, 3, 10, 12];
/// Group 2's members: SOL and the $110 asset (reserve 9).
pub(super) const SOLS: [usize; 2] = [SOL, 9];

fn group(ltv: u16, lt: u16, min: u16, max: u16) -> EmodeGroup {
    EmodeGroup {
        loan_to_value_bps: ltv,
        liquidation_threshold_bps: lt,
        min_liquidation_bonus_bps: min,
        max_liquidation_bonus_bps: max,
    }
}

/// The groups the fuzz starts with.
fn initial(g: u8) -> EmodeGroup {
    if g == 1 {
        group(9_000, 9_300, 100, 300)
    } else {
        group(8_500, 9_000, 200, 500)
    }
}

/// Configures both groups and their members, in `f`.
pub(super) async fn setup_groups(f: &mut TestFixture) {
    let admin = f.admin.insecure_clone();
    let mut ixs = vec![
        set_emode_group_ix(f, &admin.pubkey(), 1, initial(1)),
        set_emode_group_ix(f, &admin.pubkey(), 2, initial(2)),
    ];
    for r in STABLES {
        ixs.push(set_reserve_groups_ix(f, &admin.pubkey(), r, 0b01));
    }
    for r in SOLS {
        ixs.push(set_reserve_groups_ix(f, &admin.pubkey(), r, 0b10));
    }
    f.send(&ixs, &[&admin]).await.expect("e-mode groups");
}

/// The fifth user: 8,000 of the $1 reserve 3 in the stables group, 4,000 of reserve 12 and
/// 3,000 USDC borrowed ($7,007 at the upper price of $7,193 allowed; outside the group $6,394).
pub(super) async fn emode_borrower(f: &mut TestFixture, user: &TestUser) {
    f.deposit(user, 3, 8_000_000_000)
        .await
        .expect("stable collateral");
    let ix = set_group_ix(f, &user.keypair, &user.obligation, 1).await;
    f.send(&[ix], &[&user.keypair]).await.expect("join stables");
    f.borrow(user, 12, 4_000_000_000_000)
        .await
        .expect("e-mode borrow");
    f.borrow(user, USDC, 3_000_000_000)
        .await
        .expect("e-mode borrow");
}

impl Fuzz {
    /// The e-mode move and its INV-24 checks.
    pub(super) async fn emode_move(&mut self, u: usize) {
        if self.rng.gen_bool(0.25) {
            return self.emode_admin().await;
        }
        // Half the moves are the e-mode user's (user 4): out of the stables group or back in
        // (or, one time in five, into the SOL group); half the time he first repays half of one
        // borrow, so that leaving can pass.
        let u = if self.rng.gen_bool(0.5) {
            EMODE_USER
        } else {
            u
        };
        let current = self
            .f
            .obligation(&self.users[u].obligation)
            .await
            .emode_group;
        let g: u8 = if u == EMODE_USER {
            if self.rng.gen_bool(0.8) {
                u8::from(current == 0)
            } else {
                2
            }
        } else {
            self.rng.gen_range(0..=3)
        };
        let key = self.users[u].obligation;
        if u == EMODE_USER && self.rng.gen_bool(0.5) {
            let o = self.f.obligation(&key).await;
            let borrows: Vec<_> = o.active_borrows().map(|b| b.reserve).collect();
            if !borrows.is_empty() {
                let k = borrows[self.rng.gen_range(0..borrows.len())];
                let r = self.index_of(&k);
                let debt = o.active_borrows().find(|b| b.reserve == k).map_or(0, |b| {
                    b.normalized_debt_sf.get().try_floor_u64().unwrap_or(0) / 2
                });
                self.repay_checked(u, r, debt.max(1)).await;
            }
        }
        let h = self.refreshed_health(u).await;
        let slot = self.f.slot().await;
        let o = self.f.obligation(&key).await;
        let market = self.f.market_state().await;
        let configured = g == 0 || market.emode_groups[usize::from(g) - 1].is_configured();
        let mut members = true;
        let mut priced = true;
        for k in self.f.obligation_reserves(&key).await {
            let r = self.f.reserve(self.index_of(&k)).await;
            members &= g == 0 || r.in_emode_group(g);
            priced &= r.price_slot == slot;
        }
        let within = if o.has_debt() && h.is_some() && priced {
            Some(
                self.independent_health_in(&key, g)
                    .await
                    .within_borrow_limit(),
            )
        } else {
            None
        };
        self.record(format!(
            "group {} -> {g}: configured {configured} members {members} within {within:?}",
            o.emode_group
        ));
        let mut ixs = self.refresh_ixs(&key).await;
        let kp = self.users[u].keypair.insecure_clone();
        ixs.push(set_group_ix(&mut self.f, &kp, &key, g).await);
        let res = self.send("group", &ixs, &kp).await;
        let code = error_code(&res);
        let expected = configured && members && (!o.has_debt() || within == Some(true));
        match res {
            Ok(()) => {
                if !expected {
                    self.violation(format!(
                        "INV-24 a change to group {g} landed: configured {configured}, members {members}, within {within:?}"
                    ));
                }
                if self.f.obligation(&key).await.emode_group != g {
                    self.violation("INV-24 a landed group change did not set the group".into());
                }
                if o.emode_group != g {
                    self.stats.entry("INV-24 group changes").or_default().0 += 1;
                }
            }
            Err(_) => {
                let refused = |e: LendingError| code == Some(e.into());
                if (refused(LendingError::EmodeChangeUnhealthy) && within == Some(true))
                    || (refused(LendingError::EmodeReserveNotInGroup) && members)
                    || (refused(LendingError::EmodeGroupNotConfigured) && configured)
                {
                    self.violation(format!(
                        "INV-24 a change to group {g} was refused ({code:?}): configured {configured}, members {members}, within {within:?}"
                    ));
                }
                if refused(LendingError::EmodeChangeUnhealthy) {
                    self.stats
                        .entry("INV-24 unhealthy group changes refused")
                        .or_default()
                        .0 += 1;
                }
            }
        }
    }

    /// The admin changes a group's parameters within the bounds (its threshold under the
    /// market's insolvency LTV), restores them, or moves a stable reserve in or out of group
    /// 1; the change must land.
    async fn emode_admin(&mut self) {
        let admin = self.f.admin.insecure_clone();
        let ix = if self.rng.gen_bool(0.3) {
            let r = STABLES[self.rng.gen_range(1..STABLES.len())];
            let mask = self.f.reserve(r).await.emode_groups ^ 0b01;
            self.record(format!("admin: reserve {r} groups {mask:#b}"));
            set_reserve_groups_ix(&self.f, &admin.pubkey(), r, mask)
        } else {
            let g: u8 = self.rng.gen_range(1..=2);
            let insolvency = self.f.market_state().await.insolvency_ltv_bps;
            let params = if self.rng.gen_bool(0.25) || insolvency <= 8_200 {
                initial(g)
            } else {
                let top = (insolvency / 100 - 1).min(98);
                let lt = self.rng.gen_range(80..=top) * 100;
                let ltv = lt - self.rng.gen_range(1..=10) * 100;
                let min = self.rng.gen_range(0..=3) * 100;
                let room = (100_000_000 / u32::from(lt)).saturating_sub(10_001) as u16;
                let max = (min + self.rng.gen_range(0..=3) * 100).min(room);
                group(ltv, lt, min.min(max), max)
            };
            if params.liquidation_threshold_bps >= insolvency {
                // The admin move lowered the insolvency LTV past the initial group's threshold:
                // that group is refused now (`set_emode_group`), and stays as it is.
                self.record(format!(
                    "admin: group {g} kept (insolvency LTV {insolvency})"
                ));
                return;
            }
            self.record(format!("admin: group {g} {params:?}"));
            set_emode_group_ix(&self.f, &admin.pubkey(), g, params)
        };
        if self.send("admin", &[ix], &admin).await.is_err() {
            self.violation("INV-24 an admin e-mode change within the bounds failed".into());
        }
    }
}
