//! The simulated world: the lending program in the in-process bank (solana-program-test, native
//! processor), a market with four reserves, lenders, and many borrowers with seeded random
//! positions. Mints and token balances are written directly as account state (they are not what
//! is being simulated); every protocol action goes through the program's instructions.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::constants::{OBLIGATION_SEED, ORACLE_CONFIG_SEED, RESERVE_SEED, VAULT_SEED};
use lending::state::{CurvePoint, MarketParams, OracleKind, OracleParams, ReserveConfig};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sentinel_testkit::PriceSpec;
use solana_program_test::ProgramTestContext;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::program_option::COption;
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

use crate::bank::Bank;
use crate::ix::{associated_token_address, event_authority, reserve_metas};
use crate::program_test;

/// Genesis time of the simulated clock.
pub const START_TS: i64 = 1_760_000_000;
/// Price mantissa exponent used for every feed.
pub const PRICE_EXPO: i32 = -8;

/// Market parameters of the simulation: klend's defaults, a 10-minute auction and liquidations
/// sized to a health factor of 1.05.
pub fn market_params() -> MarketParams {
    MarketParams {
        close_factor_bps: 2_000,
        insolvency_ltv_bps: 9_500,
        target_health_bps: 10_500,
        liquidation_auction_secs: 600,
        dust_threshold_value: 2,
        borrow_paused: false,
        withdraw_paused: false,
    }
}

/// A listed asset.
#[derive(Clone, Debug)]
pub struct AssetSpec {
    /// Ticker.
    pub symbol: &'static str,
    /// Mint decimals.
    pub decimals: u8,
    /// Starting price (quote units).
    pub price: f64,
    /// Oracle kind.
    pub kind: OracleKind,
    /// Risk and interest config.
    pub config: ReserveConfig,
    /// Liquidity supplied by the lender (whole tokens).
    pub supply: f64,
    /// Whether borrowers use it as collateral.
    pub collateral: bool,
    /// A Token-2022 mint (no extensions; accounts of its holders carry `ImmutableOwner`, as
    /// associated token accounts of Token-2022 do) rather than an SPL Token one.
    pub token_2022: bool,
}

impl AssetSpec {
    /// The mint's token program.
    pub fn token_program(&self) -> Pubkey {
        if self.token_2022 {
            spl_token_2022_interface::ID
        } else {
            spl_token_interface::ID
        }
    }
}

fn curve(points: &[(u32, u32)]) -> [CurvePoint; 11] {
    let last = points[points.len() - 1];
    let mut c = [CurvePoint {
        utilization_bps: last.0,
        borrow_rate_bps: last.1,
    }; 11];
    for (i, (u, r)) in points.iter().enumerate() {
        c[i] = CurvePoint {
            utilization_bps: *u,
            borrow_rate_bps: *r,
        };
    }
    c
}

fn config(ltv: u16, lt: u16, min_bonus: u16, max_bonus: u16, bf: u16) -> ReserveConfig {
    ReserveConfig {
        loan_to_value_bps: ltv,
        liquidation_threshold_bps: lt,
        min_liquidation_bonus_bps: min_bonus,
        max_liquidation_bonus_bps: max_bonus,
        protocol_liquidation_fee_bps: 2_000,
        reserve_factor_bps: 1_000,
        borrow_factor_bps: bf,
        borrow_paused: 0,
        withdraw_paused: 0,
        deposit_cap: u64::MAX / 4,
        borrow_cap: u64::MAX / 4,
        borrow_rate_curve: curve(&[
            (0, 0),
            (5_000, 300),
            (8_000, 800),
            (9_000, 3_000),
            (10_000, 15_000),
        ]),
    }
}

/// USDC, SOL, ETH and a volatile token on a legacy Pyth feed, with klend-like parameters.
pub fn default_assets() -> Vec<AssetSpec> {
    vec![
        AssetSpec {
            symbol: "USDC",
            decimals: 6,
            price: 1.0,
            kind: OracleKind::PythPull,
            config: config(8_000, 8_500, 200, 800, 10_000),
            supply: 200_000_000.0,
            collateral: false,
            token_2022: false,
        },
        AssetSpec {
            symbol: "SOL",
            decimals: 9,
            price: 150.0,
            kind: OracleKind::PythPull,
            config: config(7_000, 7_800, 300, 1_000, 10_000),
            supply: 500_000.0,
            collateral: true,
            token_2022: false,
        },
        AssetSpec {
            symbol: "ETH",
            decimals: 8,
            price: 3_000.0,
            kind: OracleKind::PythPull,
            config: config(7_000, 7_800, 300, 1_000, 10_000),
            supply: 20_000.0,
            collateral: true,
            token_2022: false,
        },
        AssetSpec {
            symbol: "JUP",
            decimals: 6,
            price: 0.8,
            kind: OracleKind::PythLegacy,
            config: config(4_500, 5_500, 500, 1_500, 12_500),
            supply: 50_000_000.0,
            collateral: true,
            token_2022: false,
        },
    ]
}

/// One listed asset in the world.
#[derive(Clone, Debug)]
pub struct SimAsset {
    /// Its spec.
    pub spec: AssetSpec,
    /// Mint.
    pub mint: Pubkey,
    /// Reserve.
    pub reserve: Pubkey,
    /// Vault.
    pub vault: Pubkey,
    /// Pinned price account.
    pub price_account: Pubkey,
    /// Pyth feed id.
    pub feed_id: [u8; 32],
    /// Current spot price.
    pub price: f64,
    /// Current EMA price.
    pub ema: f64,
}

/// The simulated world.
pub struct World {
    /// Program-test context (bank, clock, account writes).
    pub ctx: ProgramTestContext,
    /// Chain backend over the same bank.
    pub chain: Bank,
    /// Market admin.
    pub admin: Keypair,
    /// Market.
    pub market: Pubkey,
    /// Listed assets.
    pub assets: Vec<SimAsset>,
    /// Borrowers' obligations.
    pub obligations: Vec<Pubkey>,
}

fn whole(amount: f64, decimals: u8) -> u64 {
    (amount * 10f64.powi(i32::from(decimals))).round() as u64
}

impl World {
    /// Starts the bank with its clock at `START_TS`, creates the market and lists the assets.
    pub async fn new(assets: Vec<AssetSpec>, market_params: MarketParams) -> anyhow::Result<World> {
        let ctx = program_test().start_with_context().await;
        let mut clock: Clock = ctx.banks_client.get_sysvar().await?;
        clock.unix_timestamp = START_TS;
        ctx.set_sysvar(&clock);
        World::bootstrap(ctx, assets, market_params).await
    }

    /// Creates the market and lists the assets in a bank already running the program (at its
    /// own clock). The local node's demo market is made this way.
    pub async fn bootstrap(
        ctx: ProgramTestContext,
        assets: Vec<AssetSpec>,
        market_params: MarketParams,
    ) -> anyhow::Result<World> {
        let chain = Bank::new(ctx.banks_client.clone());
        let mut world = World {
            ctx,
            chain,
            admin: Keypair::new(),
            market: Pubkey::default(),
            assets: Vec::new(),
            obligations: Vec::new(),
        };
        world.fund(&world.admin.pubkey());

        let market = Keypair::new();
        world.market = market.pubkey();
        let mut quote = [0u8; 32];
        quote[..3].copy_from_slice(b"USD");
        let ix = Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitMarket {
                admin: world.admin.pubkey(),
                lending_market: market.pubkey(),
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitMarket {
                quote_currency: quote,
                params: market_params,
            }
            .data(),
        };
        let admin = world.admin.insecure_clone();
        world.send(&[ix], &[&admin, &market]).await?;
        for (i, spec) in assets.into_iter().enumerate() {
            world.list(i, spec).await?;
        }
        Ok(world)
    }

    /// Gives `key` 1,000 SOL of lamports.
    pub fn fund(&mut self, key: &Pubkey) {
        let acc = Account {
            lamports: 1_000_000_000_000,
            data: vec![],
            owner: anchor_lang::system_program::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.ctx.set_account(key, &AccountSharedData::from(acc));
    }

    /// The token program of a listed `mint` (SPL Token for one not listed).
    fn program_of(&self, mint: &Pubkey) -> Pubkey {
        self.assets
            .iter()
            .find(|a| a.mint == *mint)
            .map_or(spl_token_interface::ID, |a| a.spec.token_program())
    }

    /// Writes a token account of `mint` owned by `owner` holding `amount`.
    pub fn token_account(&mut self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let program = self.program_of(mint);
        self.token_account_at(Pubkey::new_unique(), mint, owner, amount, program)
    }

    /// Writes `owner`'s associated token account of `mint` holding `amount`.
    pub fn associated_token_account(
        &mut self,
        mint: &Pubkey,
        owner: &Pubkey,
        amount: u64,
    ) -> Pubkey {
        let program = self.program_of(mint);
        let key = associated_token_address(owner, mint, &program);
        self.token_account_at(key, mint, owner, amount, program)
    }

    fn token_account_at(
        &mut self,
        key: Pubkey,
        mint: &Pubkey,
        owner: &Pubkey,
        amount: u64,
        program: Pubkey,
    ) -> Pubkey {
        let state = spl_token_interface::state::Account {
            mint: *mint,
            owner: *owner,
            amount,
            delegate: COption::None,
            state: spl_token_interface::state::AccountState::Initialized,
            is_native: COption::None,
            delegated_amount: 0,
            close_authority: COption::None,
        };
        let mut data = vec![0u8; spl_token_interface::state::Account::LEN];
        spl_token_interface::state::Account::pack(state, &mut data).expect("pack token account");
        if program == spl_token_2022_interface::ID {
            // The base state, its account type, then the empty `ImmutableOwner` extension.
            data.push(spl_token_2022_interface::extension::AccountType::Account as u8);
            let immutable_owner =
                spl_token_2022_interface::extension::ExtensionType::ImmutableOwner as u16;
            data.extend_from_slice(&immutable_owner.to_le_bytes());
            data.extend_from_slice(&0u16.to_le_bytes());
        }
        let acc = Account {
            lamports: 10_000_000,
            data,
            owner: program,
            executable: false,
            rent_epoch: 0,
        };
        self.ctx.set_account(&key, &AccountSharedData::from(acc));
        self.chain.track([key]);
        key
    }

    /// Sends a transaction paid by the context payer (through the chain backend, which indexes it).
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> anyhow::Result<()> {
        let payer = self.ctx.payer.insecure_clone();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend_from_slice(signers);
        let blockhash = self.chain.latest_blockhash().await?;
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &keys, blockhash);
        self.chain.send_and_confirm(&tx.into()).await?;
        Ok(())
    }

    async fn list(&mut self, i: usize, spec: AssetSpec) -> anyhow::Result<()> {
        let mint = Pubkey::new_unique();
        let mint_state = spl_token_interface::state::Mint {
            mint_authority: COption::Some(self.admin.pubkey()),
            supply: 0,
            decimals: spec.decimals,
            is_initialized: true,
            freeze_authority: COption::None,
        };
        let mut data = vec![0u8; spl_token_interface::state::Mint::LEN];
        spl_token_interface::state::Mint::pack(mint_state, &mut data).expect("pack mint");
        let program = spec.token_program();
        self.ctx.set_account(
            &mint,
            &AccountSharedData::from(Account {
                lamports: 10_000_000,
                data,
                owner: program,
                executable: false,
                rent_epoch: 0,
            }),
        );
        let admin_pk = self.admin.pubkey();
        let admin_tokens =
            self.token_account_at(Pubkey::new_unique(), &mint, &admin_pk, 1_000_000, program);
        let reserve = Pubkey::find_program_address(
            &[RESERVE_SEED, self.market.as_ref(), mint.as_ref()],
            &lending::ID,
        )
        .0;
        let mut feed_id = [0u8; 32];
        feed_id[0] = i as u8 + 1;
        let asset = SimAsset {
            mint,
            reserve,
            vault: Pubkey::find_program_address(&[VAULT_SEED, reserve.as_ref()], &lending::ID).0,
            price_account: Pubkey::new_unique(),
            feed_id,
            price: spec.price,
            ema: spec.price,
            spec,
        };
        self.assets.push(asset);
        self.publish_prices(0.001).await?;
        let a = &self.assets[i];
        let ix = Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitReserve {
                admin: admin_pk,
                lending_market: self.market,
                mint,
                reserve,
                vault: a.vault,
                oracle_config: Pubkey::find_program_address(
                    &[ORACLE_CONFIG_SEED, reserve.as_ref()],
                    &lending::ID,
                )
                .0,
                price_account: a.price_account,
                admin_token_account: admin_tokens,
                token_program: program,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitReserve {
                config: a.spec.config,
                oracle: OracleParams {
                    kind: a.spec.kind,
                    price_account: a.price_account,
                    feed_id,
                    max_age_secs: 120,
                    max_confidence_bps: 200,
                    max_ema_divergence_bps: 1_000,
                },
                seed_amount: 1_000_000,
                allow_freeze_authority: false,
            }
            .data(),
        };
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await
    }

    /// Writes every asset's price account at the current time with confidence `conf_ratio`.
    pub async fn publish_prices(&mut self, conf_ratio: f64) -> anyhow::Result<()> {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await?;
        for a in &self.assets {
            let scale = 10f64.powi(-PRICE_EXPO);
            let mut spec = PriceSpec::from_mantissa(
                (a.price * scale).round() as i64,
                a.feed_id,
                clock.unix_timestamp,
            );
            spec.ema_price = (a.ema * scale).round() as i64;
            spec.conf = ((a.price * conf_ratio) * scale).round() as u64;
            spec.ema_conf = spec.conf;
            let (data, owner) = match a.spec.kind {
                OracleKind::PythPull => (
                    sentinel_testkit::pull_account_data(&spec),
                    lending::constants::PYTH_RECEIVER_PROGRAM,
                ),
                OracleKind::PythLegacy => (
                    sentinel_testkit::legacy_account_data(&spec),
                    lending::constants::PYTH_LEGACY_PROGRAM_MAINNET,
                ),
            };
            let acc = Account {
                lamports: 1_000_000_000,
                data,
                owner,
                executable: false,
                rent_epoch: 0,
            };
            self.ctx
                .set_account(&a.price_account, &AccountSharedData::from(acc));
        }
        Ok(())
    }

    /// Advances the clock by `secs` and the slot by `slots`.
    pub async fn advance(&mut self, secs: i64, slots: u64) -> anyhow::Result<()> {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await?;
        self.ctx
            .warp_to_slot(clock.slot + slots)
            .map_err(|e| anyhow::anyhow!("warp: {e:?}"))?;
        let mut after: Clock = self.ctx.banks_client.get_sysvar().await?;
        after.unix_timestamp = clock.unix_timestamp + secs;
        self.ctx.set_sysvar(&after);
        Ok(())
    }

    fn obligation_pda(&self, owner: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(
            &[
                OBLIGATION_SEED,
                self.market.as_ref(),
                owner.as_ref(),
                &0u16.to_le_bytes(),
            ],
            &lending::ID,
        )
        .0
    }

    fn deposit_accounts(
        &self,
        owner: &Pubkey,
        obligation: Pubkey,
        a: &SimAsset,
        tokens: Pubkey,
    ) -> Vec<anchor_lang::prelude::AccountMeta> {
        lending::accounts::Deposit {
            owner: *owner,
            lending_market: self.market,
            obligation,
            reserve: a.reserve,
            vault: a.vault,
            mint: a.mint,
            source: tokens,
            token_program: a.spec.token_program(),
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None)
    }

    fn init_obligation_ix(&self, owner: &Pubkey, obligation: Pubkey) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::InitObligation {
                owner: *owner,
                payer: *owner,
                lending_market: self.market,
                obligation,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::InitObligation { id: 0 }.data(),
        }
    }

    fn deposit_ix(
        &mut self,
        user: &Pubkey,
        obligation: Pubkey,
        i: usize,
        amount: f64,
    ) -> Instruction {
        let a = self.assets[i].clone();
        let units = whole(amount, a.spec.decimals);
        let tokens = self.token_account(&a.mint, user, units);
        Instruction {
            program_id: lending::ID,
            accounts: self.deposit_accounts(user, obligation, &a, tokens),
            data: lending::instruction::Deposit { amount: units }.data(),
        }
    }

    /// `borrow` of `amount` whole tokens of asset `i`, valued on the obligation's `reserves`.
    fn borrow_ix(
        &mut self,
        user: &Pubkey,
        obligation: Pubkey,
        (i, amount): (usize, f64),
        reserves: &[Pubkey],
    ) -> Instruction {
        let a = self.assets[i].clone();
        let tokens = self.token_account(&a.mint, user, 0);
        let mut accounts = lending::accounts::Borrow {
            owner: *user,
            lending_market: self.market,
            obligation,
            reserve: a.reserve,
            vault: a.vault,
            mint: a.mint,
            destination: tokens,
            token_program: a.spec.token_program(),
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None);
        accounts.extend(reserve_metas(reserves));
        Instruction {
            program_id: lending::ID,
            accounts,
            data: lending::instruction::Borrow {
                amount: whole(amount, a.spec.decimals),
            }
            .data(),
        }
    }

    fn refresh_ix_of(&self, reserve: &Pubkey) -> Instruction {
        let asset = self
            .assets
            .iter()
            .find(|x| x.reserve == *reserve)
            .expect("listed");
        self.refresh_reserve_ix(asset)
    }

    /// Opens an obligation for a new user, deposits, refreshes and borrows in one transaction.
    /// `deposits` and `borrow` are (asset index, whole tokens).
    pub async fn open_position(
        &mut self,
        deposits: &[(usize, f64)],
        borrow: Option<(usize, f64)>,
    ) -> anyhow::Result<Pubkey> {
        let user = Keypair::new();
        self.fund(&user.pubkey());
        let obligation = self.obligation_pda(&user.pubkey());
        let mut ixs = vec![self.init_obligation_ix(&user.pubkey(), obligation)];
        let mut order = Vec::new();
        for (i, amount) in deposits {
            ixs.push(self.deposit_ix(&user.pubkey(), obligation, *i, *amount));
            order.push(self.assets[*i].reserve);
        }
        if let Some((i, amount)) = borrow {
            for r in order.iter().chain(std::iter::once(&self.assets[i].reserve)) {
                ixs.push(self.refresh_ix_of(r));
            }
            ixs.push(self.borrow_ix(&user.pubkey(), obligation, (i, amount), &order));
        }
        self.send(&ixs, &[&user]).await?;
        self.chain.track([obligation]);
        Ok(obligation)
    }

    /// As [`Self::open_position`] with any number of deposits and borrows (up to the program's
    /// 8 + 5), over as many transactions as they need, all in the current slot: deposits four
    /// at a time, the refreshes four at a time, then one borrow per transaction.
    pub async fn open_wide_position(
        &mut self,
        deposits: &[(usize, f64)],
        borrows: &[(usize, f64)],
    ) -> anyhow::Result<Pubkey> {
        let user = Keypair::new();
        self.fund(&user.pubkey());
        let obligation = self.obligation_pda(&user.pubkey());
        let mut ixs = vec![self.init_obligation_ix(&user.pubkey(), obligation)];
        for chunk in deposits.chunks(4) {
            for (i, amount) in chunk {
                ixs.push(self.deposit_ix(&user.pubkey(), obligation, *i, *amount));
            }
            self.send(&std::mem::take(&mut ixs), &[&user]).await?;
        }
        let mut order: Vec<Pubkey> = deposits
            .iter()
            .map(|(i, _)| self.assets[*i].reserve)
            .collect();
        // Refreshed once: a reserve stays fresh for the rest of the slot.
        let all: Vec<Pubkey> = order
            .iter()
            .copied()
            .chain(borrows.iter().map(|(i, _)| self.assets[*i].reserve))
            .collect();
        for chunk in all.chunks(4) {
            let ixs: Vec<Instruction> = chunk.iter().map(|r| self.refresh_ix_of(r)).collect();
            self.send(&ixs, &[]).await?;
        }
        for (i, amount) in borrows {
            let ix = self.borrow_ix(&user.pubkey(), obligation, (*i, *amount), &order);
            self.send(&[ix], &[&user]).await?;
            order.push(self.assets[*i].reserve);
        }
        self.chain.track([obligation]);
        Ok(obligation)
    }

    /// `refresh_reserve` of an asset.
    pub fn refresh_reserve_ix(&self, a: &SimAsset) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::RefreshReserve {
                reserve: a.reserve,
                oracle_config: Pubkey::find_program_address(
                    &[ORACLE_CONFIG_SEED, a.reserve.as_ref()],
                    &lending::ID,
                )
                .0,
                price_account: a.price_account,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::RefreshReserve {}.data(),
        }
    }

    /// Lenders supply every asset's `supply`.
    pub async fn add_lenders(&mut self) -> anyhow::Result<()> {
        for i in 0..self.assets.len() {
            let supply = self.assets[i].spec.supply;
            self.open_position(&[(i, supply)], None).await?;
        }
        Ok(())
    }

    /// Opens `n` borrowers: one or two collateral assets worth $500–$50,000, one borrowed asset,
    /// borrowing 45%–97% of what the conservative limit allows. Returns how many borrowed.
    pub async fn add_borrowers(
        &mut self,
        n: usize,
        rng: &mut ChaCha8Rng,
        mut progress: impl FnMut(),
    ) -> anyhow::Result<usize> {
        let collateral: Vec<usize> = (0..self.assets.len())
            .filter(|i| self.assets[*i].spec.collateral)
            .collect();
        let mut borrowed = 0;
        for _ in 0..n {
            let k = if rng.gen_bool(0.3) { 2 } else { 1 };
            let mut picks: Vec<usize> = Vec::new();
            while picks.len() < k.min(collateral.len()) {
                let c = collateral[rng.gen_range(0..collateral.len())];
                if !picks.contains(&c) {
                    picks.push(c);
                }
            }
            let mut deposits = Vec::new();
            let mut power = 0.0;
            for c in &picks {
                let a = &self.assets[*c];
                let value = rng.gen_range(500.0..50_000.0);
                deposits.push((*c, value / a.price));
                // Conservative price (spot − 0.1% confidence) × LTV, as the program values it.
                power += value * 0.999 * f64::from(a.spec.config.loan_to_value_bps) / 10_000.0;
            }
            let borrowable: Vec<usize> = (0..self.assets.len())
                .filter(|i| !picks.contains(i))
                .collect();
            let b = if rng.gen_bool(0.7) {
                0
            } else {
                borrowable[rng.gen_range(0..borrowable.len())]
            };
            let a = &self.assets[b];
            let fraction = rng.gen_range(0.45..0.97);
            let bf = f64::from(a.spec.config.borrow_factor_bps) / 10_000.0;
            let amount = power * fraction / (a.price * 1.001 * bf);
            match self.open_position(&deposits, Some((b, amount))).await {
                Ok(o) => {
                    self.obligations.push(o);
                    borrowed += 1;
                }
                Err(e) => tracing::debug!(error = %e, "position not opened"),
            }
            progress();
        }
        Ok(borrowed)
    }
}

/// E-mode groups in the simulated market (`world/emode.rs`).
mod emode;
