//! `TestFixture`: a market with three reserves on the real Solana runtime (solana-program-test
//! with the program registered natively by `sentinel_harness::program_test`), the SPL Token
//! program it ships, Pyth accounts tests can rewrite, and control over slots and the clock.

use lending::constants::{OBLIGATION_SEED, ORACLE_CONFIG_SEED, RESERVE_SEED, VAULT_SEED};
use lending::state::{
    CurvePoint, LendingMarket, MarketParams, Obligation, OracleConfig, OracleKind, OracleParams,
    Reserve, ReserveConfig,
};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::account::AccountSharedData;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

pub use sentinel_harness::ix::event_authority;

use crate::pyth::{self, PriceSpec};

/// Index of the USDC-like reserve (6 decimals, $1, Pyth pull).
pub const USDC: usize = 0;
/// Index of the SOL-like reserve (9 decimals, $100, Pyth pull).
pub const SOL: usize = 1;
/// Index of the volatile reserve (6 decimals, $0.50, Pyth legacy, borrow factor 150%).
pub const VOL: usize = 2;

/// Genesis time of the test clock.
pub const START_TS: i64 = 1_700_000_000;

/// One listed asset.
#[derive(Clone, Debug)]
pub struct TestReserve {
    /// Mint.
    pub mint: Pubkey,
    /// Reserve PDA.
    pub reserve: Pubkey,
    /// Vault PDA.
    pub vault: Pubkey,
    /// Oracle config PDA.
    pub oracle_config: Pubkey,
    /// Price account.
    pub price_account: Pubkey,
    /// Oracle kind.
    pub kind: OracleKind,
    /// Feed id (pull).
    pub feed_id: [u8; 32],
    /// Mint decimals.
    pub decimals: u8,
    /// The mint's token program (SPL Token or Token-2022).
    pub token_program: Pubkey,
    /// Current price spec.
    pub price: PriceSpec,
}

/// A user with an obligation and a funded token account per reserve.
pub struct TestUser {
    /// Keypair.
    pub keypair: Keypair,
    /// Obligation PDA (id 0).
    pub obligation: Pubkey,
    /// Token account per reserve index.
    pub tokens: Vec<Pubkey>,
}

/// The test world.
pub struct TestFixture {
    /// Program-test context.
    pub ctx: ProgramTestContext,
    /// Market admin.
    pub admin: Keypair,
    /// Market.
    pub market: Pubkey,
    /// Reserves by index.
    pub reserves: Vec<TestReserve>,
    /// Admin's token account per reserve index.
    pub admin_tokens: Vec<Pubkey>,
    nonce: u64,
    /// Where new keys come from: a seeded generator (the fuzz, so that a seed replays with
    /// the same keys) or, when `None`, the OS.
    keys: Option<rand_chacha::ChaCha8Rng>,
}

/// Default market parameters: close factor 20%, insolvency LTV 95%, target health 1.05,
/// 10-minute auction, $2 dust.
pub fn default_market_params() -> MarketParams {
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

/// The default market with target sizing off: the close factor alone sizes liquidations (the
/// rules of markets created before target health, whose field reads 0).
pub fn close_factor_market_params() -> MarketParams {
    MarketParams {
        target_health_bps: 0,
        ..default_market_params()
    }
}

/// A three-kink curve: 0% → 4% at 50% → 10% at 80% → 50% at 90% → 300% at 100%.
pub fn default_curve() -> [CurvePoint; 11] {
    let mut c = [CurvePoint {
        utilization_bps: 10_000,
        borrow_rate_bps: 30_000,
    }; 11];
    c[0] = CurvePoint {
        utilization_bps: 0,
        borrow_rate_bps: 0,
    };
    c[1] = CurvePoint {
        utilization_bps: 5_000,
        borrow_rate_bps: 400,
    };
    c[2] = CurvePoint {
        utilization_bps: 8_000,
        borrow_rate_bps: 1_000,
    };
    c[3] = CurvePoint {
        utilization_bps: 9_000,
        borrow_rate_bps: 5_000,
    };
    c
}

/// A reserve config with the given LTV / threshold / borrow factor (bps) and generous caps.
pub fn reserve_config(ltv: u16, lt: u16, bf: u16) -> ReserveConfig {
    ReserveConfig {
        loan_to_value_bps: ltv,
        liquidation_threshold_bps: lt,
        min_liquidation_bonus_bps: 200,
        max_liquidation_bonus_bps: 1_000,
        protocol_liquidation_fee_bps: 1_000,
        reserve_factor_bps: 1_000,
        borrow_factor_bps: bf,
        borrow_paused: 0,
        withdraw_paused: 0,
        deposit_cap: 1_000_000_000_000_000_000,
        borrow_cap: 1_000_000_000_000_000_000,
        borrow_rate_curve: default_curve(),
    }
}

/// Oracle params: 60 s max age, 2% confidence, 10% divergence.
pub fn oracle_params(kind: OracleKind, price_account: Pubkey, feed_id: [u8; 32]) -> OracleParams {
    OracleParams {
        kind,
        price_account,
        feed_id,
        max_age_secs: 60,
        max_confidence_bps: 200,
        max_ema_divergence_bps: 1_000,
    }
}

/// The reserve PDA of `mint` in `market`.
pub fn reserve_pda(market: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[RESERVE_SEED, market.as_ref(), mint.as_ref()],
        &lending::ID,
    )
    .0
}

/// The obligation PDA.
pub fn obligation_pda(market: &Pubkey, owner: &Pubkey, id: u16) -> Pubkey {
    Pubkey::find_program_address(
        &[
            OBLIGATION_SEED,
            market.as_ref(),
            owner.as_ref(),
            &id.to_le_bytes(),
        ],
        &lending::ID,
    )
    .0
}

/// Reads a zero-copy account body.
pub fn decode<T: bytemuck::Pod>(data: &[u8]) -> T {
    bytemuck::pod_read_unaligned(&data[8..8 + std::mem::size_of::<T>()])
}

/// The custom error code of a failed transaction, if any.
pub fn error_code(res: &Result<(), BanksClientError>) -> Option<u32> {
    match res {
        Err(BanksClientError::TransactionError(TransactionError::InstructionError(
            _,
            InstructionError::Custom(c),
        ))) => Some(*c),
        Err(BanksClientError::SimulationError {
            err: TransactionError::InstructionError(_, InstructionError::Custom(c)),
            ..
        }) => Some(*c),
        _ => None,
    }
}

/// Asserts that a transaction failed with exactly `code`.
#[track_caller]
pub fn assert_error(res: Result<(), BanksClientError>, code: impl Into<u32>) {
    let code = code.into();
    assert_eq!(
        error_code(&res),
        Some(code),
        "expected error {code}, got {res:?}"
    );
}

impl TestFixture {
    /// A market with USDC, SOL and VOL reserves, each seeded, prices fresh.
    pub async fn new() -> Self {
        Self::with_market_params(default_market_params()).await
    }

    /// The same with chosen market parameters.
    pub async fn with_market_params(params: MarketParams) -> Self {
        Self::build(params, None).await
    }

    /// The default market whose keys (admin, market, mints, token and price accounts, users)
    /// all derive from `seed`. The context payer is program-test's own: it only pays fees.
    pub async fn with_key_seed(seed: u64) -> Self {
        use rand::SeedableRng;
        let keys = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6b65_7973);
        Self::build(default_market_params(), Some(keys)).await
    }

    /// A new keypair from the fixture's key source.
    pub fn keypair(&mut self) -> Keypair {
        use rand::Rng;
        match self.keys.as_mut() {
            Some(rng) => Keypair::new_from_array(rng.gen()),
            None => Keypair::new(),
        }
    }

    async fn build(params: MarketParams, keys: Option<rand_chacha::ChaCha8Rng>) -> Self {
        let mut pt = sentinel_harness::program_test();
        crate::flash_loans::cpi_proxy::register(&mut pt);
        let ctx = pt.start_with_context().await;
        let mut clock: Clock = ctx.banks_client.get_sysvar().await.expect("clock");
        clock.unix_timestamp = START_TS;
        ctx.set_sysvar(&clock);

        let mut f = TestFixture {
            ctx,
            admin: Keypair::new(),
            market: Pubkey::default(),
            reserves: Vec::new(),
            admin_tokens: Vec::new(),
            nonce: 0,
            keys,
        };
        f.admin = f.keypair();
        f.airdrop(&f.admin.pubkey(), 100_000_000_000).await;
        let market = f.keypair();
        f.market = market.pubkey();
        let ix = f.init_market_ix(&market.pubkey(), params);
        let admin = f.admin.insecure_clone();
        f.send(&[ix], &[&admin, &market])
            .await
            .expect("init_market");

        let specs = [
            (
                6u8,
                1.0,
                OracleKind::PythPull,
                reserve_config(8_000, 8_500, 10_000),
            ),
            (
                9u8,
                100.0,
                OracleKind::PythPull,
                reserve_config(7_500, 8_000, 10_000),
            ),
            (
                6u8,
                0.5,
                OracleKind::PythLegacy,
                reserve_config(5_000, 6_000, 15_000),
            ),
        ];
        for (i, (decimals, px, kind, config)) in specs.into_iter().enumerate() {
            let mut feed_id = [0u8; 32];
            feed_id[0] = i as u8 + 1;
            feed_id[31] = 0xfe;
            f.add_reserve(decimals, px, kind, feed_id, config).await;
        }
        f
    }

    /// Lists a new SPL Token mint with a fresh price account and a 1,000,000-unit seed deposit.
    pub async fn add_reserve(
        &mut self,
        decimals: u8,
        price: f64,
        kind: OracleKind,
        feed_id: [u8; 32],
        config: ReserveConfig,
    ) -> usize {
        let listing = (decimals, price, kind, feed_id);
        self.add_reserve_of(spl_token_interface::ID, listing, config)
            .await
    }

    /// The same for a mint of `token_program` (SPL Token or a plain Token-2022 mint).
    pub async fn add_reserve_of(
        &mut self,
        token_program: Pubkey,
        (decimals, price, kind, feed_id): (u8, f64, OracleKind, [u8; 32]),
        config: ReserveConfig,
    ) -> usize {
        let mint = self.create_mint_of(token_program, decimals, None).await;
        let admin_pk = self.admin.pubkey();
        let admin_token = self.create_token_account(&mint, &admin_pk).await;
        self.mint_to(&mint, &admin_token, 1_000_000_000_000_000)
            .await;
        let price_account = self.keypair().pubkey();
        let spec = crate::pyth::usd(price, feed_id, self.now().await);
        let reserve = reserve_pda(&self.market, &mint);
        let r = TestReserve {
            mint,
            reserve,
            vault: Pubkey::find_program_address(&[VAULT_SEED, reserve.as_ref()], &lending::ID).0,
            oracle_config: Pubkey::find_program_address(
                &[ORACLE_CONFIG_SEED, reserve.as_ref()],
                &lending::ID,
            )
            .0,
            price_account,
            kind,
            feed_id,
            decimals,
            token_program,
            price: spec,
        };
        self.reserves.push(r);
        self.admin_tokens.push(admin_token);
        let idx = self.reserves.len() - 1;
        self.write_price(idx, spec);
        let ix = self.init_reserve_ix(
            idx,
            config,
            oracle_params(kind, price_account, feed_id),
            1_000_000,
        );
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await.expect("init_reserve");
        idx
    }

    // ----- transactions -------------------------------------------------------------------

    /// Sends `ixs` paid by the context payer, signed by `signers` too. Each transaction gets a
    /// distinct compute-unit price so identical instructions in one slot stay distinct.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), BanksClientError> {
        let tx = self.transaction(ixs, signers).await;
        self.ctx.banks_client.process_transaction(tx).await
    }

    /// Builds a signed transaction.
    pub async fn transaction(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Transaction {
        self.nonce += 1;
        let mut all = vec![
            ComputeBudgetInstruction::set_compute_unit_limit(1_400_000),
            ComputeBudgetInstruction::set_compute_unit_price(self.nonce),
        ];
        all.extend_from_slice(ixs);
        let payer = self.ctx.payer.insecure_clone();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend_from_slice(signers);
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash)
    }

    /// Current slot.
    pub async fn slot(&mut self) -> u64 {
        self.ctx.banks_client.get_root_slot().await.expect("slot");
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        clock.slot
    }

    /// Current unix time of the bank.
    pub async fn now(&mut self) -> i64 {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        clock.unix_timestamp
    }

    /// Moves to the next slot(s), keeping the clock's time.
    pub async fn next_slot(&mut self) {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        self.ctx.warp_to_slot(clock.slot + 1).expect("warp");
        let mut after: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        after.unix_timestamp = clock.unix_timestamp;
        self.ctx.set_sysvar(&after);
    }

    /// Moves time forward by `secs` (and the slot by one), then republishes every price at the new time.
    pub async fn advance_time(&mut self, secs: i64) {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        self.ctx.warp_to_slot(clock.slot + 1).expect("warp");
        let mut after: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        after.unix_timestamp = clock.unix_timestamp + secs;
        self.ctx.set_sysvar(&after);
        for i in 0..self.reserves.len() {
            let mut p = self.reserves[i].price;
            p.publish_time = after.unix_timestamp;
            self.write_price(i, p);
        }
    }

    /// Moves time forward without republishing prices (an oracle outage).
    pub async fn advance_time_without_prices(&mut self, secs: i64) {
        let clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        self.ctx.warp_to_slot(clock.slot + 1).expect("warp");
        let mut after: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        after.unix_timestamp = clock.unix_timestamp + secs;
        self.ctx.set_sysvar(&after);
    }

    // ----- prices ---------------------------------------------------------------------------

    /// Writes the reserve's price account from `spec`.
    pub fn write_price(&mut self, idx: usize, spec: PriceSpec) {
        self.reserves[idx].price = spec;
        let acc = match self.reserves[idx].kind {
            OracleKind::PythPull => pyth::pull_account(&spec),
            OracleKind::PythLegacy => pyth::legacy_account(&spec),
        };
        let key = self.reserves[idx].price_account;
        self.ctx.set_account(&key, &acc);
    }

    /// Sets spot and EMA to `whole` quote units at the current time (0.1% confidence).
    pub async fn set_price(&mut self, idx: usize, whole: f64) {
        let now = self.now().await;
        let spec = crate::pyth::usd(whole, self.reserves[idx].feed_id, now);
        self.write_price(idx, spec);
    }

    /// Writes an arbitrary account.
    pub fn set_account(&mut self, key: &Pubkey, acc: &AccountSharedData) {
        self.ctx.set_account(key, acc);
    }

    // ----- reads ----------------------------------------------------------------------------

    /// Raw account data.
    pub async fn data(&mut self, key: &Pubkey) -> Vec<u8> {
        self.ctx
            .banks_client
            .get_account(*key)
            .await
            .expect("rpc")
            .expect("account exists")
            .data
    }

    /// The reserve at `idx`.
    pub async fn reserve(&mut self, idx: usize) -> Reserve {
        let key = self.reserves[idx].reserve;
        decode(&self.data(&key).await)
    }

    /// An obligation.
    pub async fn obligation(&mut self, key: &Pubkey) -> Obligation {
        decode(&self.data(key).await)
    }

    /// The market.
    pub async fn market_state(&mut self) -> LendingMarket {
        let key = self.market;
        decode(&self.data(&key).await)
    }

    /// An oracle config.
    pub async fn oracle_config(&mut self, idx: usize) -> OracleConfig {
        let key = self.reserves[idx].oracle_config;
        decode(&self.data(&key).await)
    }

    /// Token balance of an SPL token account.
    pub async fn balance(&mut self, key: &Pubkey) -> u64 {
        let data = self.data(key).await;
        spl_token_interface::state::Account::unpack(&data)
            .expect("token account")
            .amount
    }

    // ----- tokens and users -----------------------------------------------------------------

    /// Sends lamports from the context payer.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &self.ctx.payer.pubkey(),
            to,
            lamports,
        );
        self.send(&[ix], &[]).await.expect("airdrop");
    }

    /// Creates an SPL Token mint with the admin as mint authority.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        self.create_mint_with_freeze(decimals, None).await
    }

    /// Creates an SPL Token mint with the admin as mint authority and `freeze` as its freeze
    /// authority.
    pub async fn create_mint_with_freeze(
        &mut self,
        decimals: u8,
        freeze: Option<Pubkey>,
    ) -> Pubkey {
        self.create_mint_of(spl_token_interface::ID, decimals, freeze)
            .await
    }

    /// Creates a mint of `program` (no extensions) with the admin as mint authority.
    pub async fn create_mint_of(
        &mut self,
        program: Pubkey,
        decimals: u8,
        freeze: Option<Pubkey>,
    ) -> Pubkey {
        let mint = self.keypair();
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let space = spl_token_interface::state::Mint::LEN;
        let ixs = [
            anchor_lang::solana_program::system_instruction::create_account(
                &self.ctx.payer.pubkey(),
                &mint.pubkey(),
                rent.minimum_balance(space),
                space as u64,
                &program,
            ),
            spl_token_2022_interface::instruction::initialize_mint2(
                &program,
                &mint.pubkey(),
                &self.admin.pubkey(),
                freeze.as_ref(),
                decimals,
            )
            .expect("init mint"),
        ];
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// The token program that owns `mint`.
    pub async fn program_of(&mut self, mint: &Pubkey) -> Pubkey {
        let acc = self.ctx.banks_client.get_account(*mint).await.expect("rpc");
        acc.map_or(spl_token_interface::ID, |a| a.owner)
    }

    /// Creates a token account of `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let program = self.program_of(mint).await;
        let acc = self.keypair();
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let space = spl_token_interface::state::Account::LEN;
        let ixs = [
            anchor_lang::solana_program::system_instruction::create_account(
                &self.ctx.payer.pubkey(),
                &acc.pubkey(),
                rent.minimum_balance(space),
                space as u64,
                &program,
            ),
            spl_token_2022_interface::instruction::initialize_account3(
                &program,
                &acc.pubkey(),
                mint,
                owner,
            )
            .expect("init account"),
        ];
        self.send(&ixs, &[&acc])
            .await
            .expect("create token account");
        acc.pubkey()
    }

    /// Mints `amount` to `to` (admin is the mint authority).
    pub async fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, amount: u64) {
        let program = self.program_of(mint).await;
        let ix = spl_token_2022_interface::instruction::mint_to(
            &program,
            mint,
            to,
            &self.admin.pubkey(),
            &[],
            amount,
        )
        .expect("mint_to");
        let admin = self.admin.insecure_clone();
        self.send(&[ix], &[&admin]).await.expect("mint_to");
    }

    /// A user with an obligation (id 0) and `amounts[i]` tokens of each reserve.
    pub async fn new_user(&mut self, amounts: &[u64]) -> TestUser {
        let keypair = self.keypair();
        self.airdrop(&keypair.pubkey(), 1_000_000_000).await;
        let mut tokens = Vec::new();
        for i in 0..self.reserves.len() {
            let mint = self.reserves[i].mint;
            let acc = self.create_token_account(&mint, &keypair.pubkey()).await;
            let amount = amounts.get(i).copied().unwrap_or(0);
            if amount > 0 {
                self.mint_to(&mint, &acc, amount).await;
            }
            tokens.push(acc);
        }
        let obligation = obligation_pda(&self.market, &keypair.pubkey(), 0);
        let ix = self.init_obligation_ix(&keypair.pubkey(), 0);
        self.send(&[ix], &[&keypair])
            .await
            .expect("init_obligation");
        TestUser {
            keypair,
            obligation,
            tokens,
        }
    }
}
