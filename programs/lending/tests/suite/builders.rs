//! Instruction builders and multi-step helpers of `TestFixture`.

use anchor_lang::prelude::AccountMeta;
use anchor_lang::{InstructionData, ToAccountMetas};
use lending::constants::{ORACLE_CONFIG_SEED, VAULT_SEED};
use lending::state::{MarketParams, OracleParams, ReserveConfig};
use solana_program_test::BanksClientError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

/// Reserves as read-only remaining accounts, in the order given.
pub fn reserve_metas(reserves: &[Pubkey]) -> impl Iterator<Item = AccountMeta> + '_ {
    reserves
        .iter()
        .map(|r| AccountMeta::new_readonly(*r, false))
}

impl TestFixture {
    // ----- instruction builders -------------------------------------------------------------

    /// `init_market`.
    pub fn init_market_ix(&self, market: &Pubkey, params: MarketParams) -> Instruction {
        let mut quote = [0u8; 32];
        quote[..3].copy_from_slice(b"USD");
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitMarket {
                admin: self.admin.pubkey(),
                lending_market: *market,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitMarket {
                quote_currency: quote,
                params,
            }
            .data(),
        }
    }

    /// `update_market` signed by `admin`.
    pub fn update_market_ix(&self, admin: &Pubkey, params: MarketParams) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::UpdateMarket {
                admin: *admin,
                lending_market: self.market,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::UpdateMarket { params }.data(),
        }
    }

    /// `init_reserve` for the reserve at `idx` (already pushed).
    pub fn init_reserve_ix(
        &self,
        idx: usize,
        config: ReserveConfig,
        oracle: OracleParams,
        seed: u64,
    ) -> Instruction {
        let r = &self.reserves[idx];
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitReserve {
                admin: self.admin.pubkey(),
                lending_market: self.market,
                mint: r.mint,
                reserve: r.reserve,
                vault: r.vault,
                oracle_config: r.oracle_config,
                price_account: r.price_account,
                admin_token_account: self.admin_tokens[idx],
                token_program: r.token_program,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitReserve {
                config,
                oracle,
                seed_amount: seed,
                allow_freeze_authority: false,
            }
            .data(),
        }
    }

    /// `update_reserve_config` signed by `admin`.
    pub fn update_reserve_config_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        config: ReserveConfig,
    ) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::UpdateReserveConfig {
                admin: *admin,
                lending_market: self.market,
                reserve: self.reserves[idx].reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::UpdateReserveConfig { config }.data(),
        }
    }

    /// `update_oracle_config` signed by `admin`.
    pub fn update_oracle_config_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        params: OracleParams,
    ) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::UpdateOracleConfig {
                admin: *admin,
                lending_market: self.market,
                reserve: self.reserves[idx].reserve,
                oracle_config: self.reserves[idx].oracle_config,
                price_account: Some(params.price_account),
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::UpdateOracleConfig { params }.data(),
        }
    }

    /// `init_obligation` for `owner` (payer = owner).
    pub fn init_obligation_ix(&self, owner: &Pubkey, id: u16) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitObligation {
                owner: *owner,
                payer: *owner,
                lending_market: self.market,
                obligation: obligation_pda(&self.market, owner, id),
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitObligation { id }.data(),
        }
    }

    /// `refresh_reserve` for `idx` with its pinned price account.
    pub fn refresh_reserve_ix(&self, idx: usize) -> Instruction {
        self.refresh_reserve_ix_with(idx, &self.reserves[idx].price_account)
    }

    /// `refresh_reserve` with an arbitrary price account.
    pub fn refresh_reserve_ix_with(&self, idx: usize, price_account: &Pubkey) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::RefreshReserve {
                reserve: self.reserves[idx].reserve,
                oracle_config: self.reserves[idx].oracle_config,
                price_account: *price_account,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::RefreshReserve {}.data(),
        }
    }

    /// `report_oracle_failure` for `idx` with its pinned price account.
    pub fn report_oracle_failure_ix(&self, idx: usize) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::ReportOracleFailure {
                reserve: self.reserves[idx].reserve,
                oracle_config: self.reserves[idx].oracle_config,
                price_account: self.reserves[idx].price_account,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::ReportOracleFailure {}.data(),
        }
    }

    /// `refresh_obligation` with explicit reserve accounts.
    pub fn refresh_obligation_ix_with(
        &self,
        obligation: &Pubkey,
        reserves: &[Pubkey],
    ) -> Instruction {
        let mut accounts = lending::accounts::RefreshObligation {
            lending_market: self.market,
            obligation: *obligation,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None);
        accounts.extend(reserve_metas(reserves));
        Instruction {
            program_id: lending::ID,
            accounts,
            data: lending::instruction::RefreshObligation {}.data(),
        }
    }

    /// The obligation's reserves in refresh order (deposits, then borrows).
    pub async fn obligation_reserves(&mut self, obligation: &Pubkey) -> Vec<Pubkey> {
        let o = self.obligation(obligation).await;
        o.active_deposits()
            .map(|d| d.reserve)
            .chain(o.active_borrows().map(|b| b.reserve))
            .collect()
    }

    /// Refresh instructions for every reserve, then the obligation. Past six reserves they
    /// would not fit in one legacy transaction (38 account keys): the reserves are then
    /// refreshed at once, in this slot, four to a transaction, and only the obligation's
    /// refresh is returned.
    pub async fn refresh_ixs(&mut self, obligation: &Pubkey) -> Vec<Instruction> {
        let mut ixs: Vec<Instruction> = (0..self.reserves.len())
            .map(|i| self.refresh_reserve_ix(i))
            .collect();
        if ixs.len() > 6 {
            self.send_refreshes(&ixs).await;
            ixs.clear();
        }
        let reserves = self.obligation_reserves(obligation).await;
        ixs.push(self.refresh_obligation_ix_with(obligation, &reserves));
        ixs
    }

    /// Sends reserve refreshes (or failure reports) in this slot, four to a transaction (a
    /// legacy transaction holds 38 account keys). A chunk that fails is sent again one by one,
    /// so that one failing refresh leaves only its own reserve stale.
    pub async fn send_refreshes(&mut self, ixs: &[Instruction]) {
        for chunk in ixs.chunks(4) {
            if self.send(chunk, &[]).await.is_err() {
                for ix in chunk {
                    let _ = self.send(std::slice::from_ref(ix), &[]).await;
                }
            }
        }
    }

    /// Refreshes every reserve and the obligation in one transaction.
    pub async fn refresh(&mut self, obligation: &Pubkey) -> Result<(), BanksClientError> {
        let ixs = self.refresh_ixs(obligation).await;
        self.send(&ixs, &[]).await
    }

    fn user_accounts(&self, user: &TestUser, idx: usize) -> (Pubkey, Pubkey, Pubkey, Pubkey) {
        let r = &self.reserves[idx];
        (r.reserve, r.vault, r.mint, user.tokens[idx])
    }

    /// `deposit` of `amount` from the user's token account into reserve `idx`.
    pub fn deposit_ix(&self, user: &TestUser, idx: usize, amount: u64) -> Instruction {
        let (reserve, vault, mint, source) = self.user_accounts(user, idx);
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::Deposit {
                owner: user.keypair.pubkey(),
                lending_market: self.market,
                obligation: user.obligation,
                reserve,
                vault,
                mint,
                source,
                token_program: self.reserves[idx].token_program,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::Deposit { amount }.data(),
        }
    }

    /// `withdraw` of `amount` from reserve `idx` to the user's token account, with the
    /// obligation's reserves as remaining accounts.
    pub async fn withdraw_ix(&mut self, user: &TestUser, idx: usize, amount: u64) -> Instruction {
        let reserves = self.obligation_reserves(&user.obligation).await;
        let (reserve, vault, mint, destination) = self.user_accounts(user, idx);
        let mut accounts = lending::accounts::Withdraw {
            owner: user.keypair.pubkey(),
            lending_market: self.market,
            obligation: user.obligation,
            reserve,
            vault,
            mint,
            destination,
            token_program: self.reserves[idx].token_program,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None);
        accounts.extend(reserve_metas(&reserves));
        Instruction {
            program_id: lending::ID,
            accounts,
            data: lending::instruction::Withdraw { amount }.data(),
        }
    }

    /// `borrow` of `amount` from reserve `idx` to the user's token account, with the
    /// obligation's reserves as remaining accounts.
    pub async fn borrow_ix(&mut self, user: &TestUser, idx: usize, amount: u64) -> Instruction {
        let reserves = self.obligation_reserves(&user.obligation).await;
        let (reserve, vault, mint, destination) = self.user_accounts(user, idx);
        let mut accounts = lending::accounts::Borrow {
            owner: user.keypair.pubkey(),
            lending_market: self.market,
            obligation: user.obligation,
            reserve,
            vault,
            mint,
            destination,
            token_program: self.reserves[idx].token_program,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None);
        accounts.extend(reserve_metas(&reserves));
        Instruction {
            program_id: lending::ID,
            accounts,
            data: lending::instruction::Borrow { amount }.data(),
        }
    }

    /// `repay` of `amount` into reserve `idx`, paid by the user for their own obligation.
    pub fn repay_ix(&self, user: &TestUser, idx: usize, amount: u64) -> Instruction {
        let (reserve, vault, mint, source) = self.user_accounts(user, idx);
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::Repay {
                payer: user.keypair.pubkey(),
                lending_market: self.market,
                obligation: user.obligation,
                reserve,
                vault,
                mint,
                source,
                token_program: self.reserves[idx].token_program,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::Repay { amount }.data(),
        }
    }

    /// Deposits as the user.
    pub async fn deposit(
        &mut self,
        user: &TestUser,
        idx: usize,
        amount: u64,
    ) -> Result<(), BanksClientError> {
        let ix = self.deposit_ix(user, idx, amount);
        self.send(&[ix], &[&user.keypair]).await
    }

    /// Refreshes, then withdraws, in one transaction.
    pub async fn withdraw(
        &mut self,
        user: &TestUser,
        idx: usize,
        amount: u64,
    ) -> Result<(), BanksClientError> {
        let mut ixs = self.refresh_ixs(&user.obligation).await;
        ixs.push(self.withdraw_ix(user, idx, amount).await);
        self.send(&ixs, &[&user.keypair]).await
    }

    /// Refreshes, then borrows, in one transaction.
    pub async fn borrow(
        &mut self,
        user: &TestUser,
        idx: usize,
        amount: u64,
    ) -> Result<(), BanksClientError> {
        let mut ixs = self.refresh_ixs(&user.obligation).await;
        ixs.push(self.borrow_ix(user, idx, amount).await);
        self.send(&ixs, &[&user.keypair]).await
    }

    /// Repays as the user.
    pub async fn repay(
        &mut self,
        user: &TestUser,
        idx: usize,
        amount: u64,
    ) -> Result<(), BanksClientError> {
        let ix = self.repay_ix(user, idx, amount);
        self.send(&[ix], &[&user.keypair]).await
    }

    // ----- cross-market and snapshots ---------------------------------------------------------

    /// Creates a second market with its own admin and lists reserve `idx`'s mint in it with the
    /// same price account. Returns (market, reserve, vault, oracle config, admin).
    pub async fn second_market(&mut self, idx: usize) -> (Pubkey, Pubkey, Pubkey, Pubkey, Keypair) {
        let admin_b = Keypair::new();
        self.airdrop(&admin_b.pubkey(), 10_000_000_000).await;
        let market_b = Keypair::new();
        let mut ix = self.init_market_ix(&market_b.pubkey(), default_market_params());
        ix.accounts[0].pubkey = admin_b.pubkey();
        self.send(&[ix], &[&admin_b, &market_b])
            .await
            .expect("second market");
        let mint = self.reserves[idx].mint;
        let token_b = self.create_token_account(&mint, &admin_b.pubkey()).await;
        self.mint_to(&mint, &token_b, 10_000_000).await;
        let reserve = reserve_pda(&market_b.pubkey(), &mint);
        let vault = Pubkey::find_program_address(&[VAULT_SEED, reserve.as_ref()], &lending::ID).0;
        let oracle_config =
            Pubkey::find_program_address(&[ORACLE_CONFIG_SEED, reserve.as_ref()], &lending::ID).0;
        let r = &self.reserves[idx];
        let ix = Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitReserve {
                admin: admin_b.pubkey(),
                lending_market: market_b.pubkey(),
                mint,
                reserve,
                vault,
                oracle_config,
                price_account: r.price_account,
                admin_token_account: token_b,
                token_program: r.token_program,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitReserve {
                config: reserve_config(8_000, 8_500, 10_000),
                oracle: oracle_params(r.kind, r.price_account, r.feed_id),
                seed_amount: 1_000_000,
                allow_freeze_authority: false,
            }
            .data(),
        };
        self.send(&[ix], &[&admin_b])
            .await
            .expect("second market reserve");
        (market_b.pubkey(), reserve, vault, oracle_config, admin_b)
    }

    /// Raw data of each account, for before/after comparisons.
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for k in keys {
            out.push(self.data(k).await);
        }
        out
    }

    /// Copies `src`'s data into a new account owned by `owner`; returns its key.
    pub async fn clone_account_with_owner(&mut self, src: &Pubkey, owner: &Pubkey) -> Pubkey {
        let data = self.data(src).await;
        let key = Pubkey::new_unique();
        self.set_account(&key, &crate::pyth::account(data, *owner));
        key
    }

    /// `socialize_bad_debt` of `obligation`'s debt in reserve `idx`.
    pub fn socialize_bad_debt_ix(&self, obligation: &Pubkey, idx: usize) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SocializeBadDebt {
                lending_market: self.market,
                obligation: *obligation,
                reserve: self.reserves[idx].reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SocializeBadDebt {}.data(),
        }
    }

    /// Registers `mint` as a reserve about to be listed (PDAs derived, USDC's price account),
    /// funded from `admin_token`; returns its index for `init_reserve_ix`.
    pub fn unlisted_reserve(&mut self, mint: Pubkey, decimals: u8, admin_token: Pubkey) -> usize {
        let reserve = reserve_pda(&self.market, &mint);
        let usdc = self.reserves[USDC].clone();
        self.reserves.push(TestReserve {
            mint,
            reserve,
            vault: Pubkey::find_program_address(&[VAULT_SEED, reserve.as_ref()], &lending::ID).0,
            oracle_config: Pubkey::find_program_address(
                &[ORACLE_CONFIG_SEED, reserve.as_ref()],
                &lending::ID,
            )
            .0,
            price_account: usdc.price_account,
            kind: lending::state::OracleKind::PythPull,
            feed_id: usdc.feed_id,
            decimals,
            token_program: spl_token_interface::ID,
            price: usdc.price,
        });
        self.admin_tokens.push(admin_token);
        self.reserves.len() - 1
    }

    /// `collect_protocol_fees` of reserve `idx` to `destination`, signed by `admin`.
    pub fn collect_protocol_fees_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        destination: &Pubkey,
        amount: u64,
    ) -> Instruction {
        let r = &self.reserves[idx];
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::CollectProtocolFees {
                admin: *admin,
                lending_market: self.market,
                reserve: r.reserve,
                vault: r.vault,
                mint: r.mint,
                destination: *destination,
                token_program: r.token_program,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::CollectProtocolFees { amount }.data(),
        }
    }
}
