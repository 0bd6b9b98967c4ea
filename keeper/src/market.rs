//! A snapshot of a market as the program would see it if refreshed now: reserves accrued to
//! the current time and priced from their pinned oracle accounts, using the program's own
//! functions (`oracle::read_price`, `validate_reading`, `Reserve::accrue_interest`,
//! `operations::refresh::apply_price`, `record_oracle_failure`) on copies of the accounts.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context, Result};
use lending::operations::refresh::{apply_price, record_oracle_failure};
use lending::oracle::{read_price, validate_reading, PriceReading};
use lending::state::{LendingMarket, Obligation, OracleConfig, Reserve};
use solana_sdk::account::Account;
use solana_sdk::account_info::AccountInfo;
use solana_sdk::pubkey::Pubkey;

use crate::chain::{AccountFilter, Chain};

/// The spendable balance of a token account of either token program: an SPL Token account, or a
/// Token-2022 one with extensions (its associated account carries `ImmutableOwner`, 170 bytes,
/// which SPL Token's `Account::unpack` rejects). `None` when it is not an initialized token
/// account of a token program; 0 when it is frozen.
pub fn token_amount(account: &Account) -> Option<u64> {
    use spl_token_2022_interface::extension::StateWithExtensions;
    use spl_token_2022_interface::state::{Account as TokenAccount, AccountState};
    let owned =
        account.owner == spl_token_interface::ID || account.owner == spl_token_2022_interface::ID;
    if !owned {
        return None;
    }
    let state = StateWithExtensions::<TokenAccount>::unpack(&account.data).ok()?;
    Some(if state.base.state == AccountState::Frozen {
        0
    } else {
        state.base.amount
    })
}

/// Byte offset of `lending_market` in reserves and obligations (right after the discriminator).
pub const MARKET_FIELD_OFFSET: usize = 8;

/// Decodes a zero-copy account, checking its discriminator and size.
pub fn decode<T: bytemuck::Pod + anchor_lang::Discriminator>(data: &[u8]) -> Result<T> {
    let size = std::mem::size_of::<T>();
    if data.len() < 8 + size || &data[..8] != T::DISCRIMINATOR {
        return Err(anyhow!("not a {}", std::any::type_name::<T>()));
    }
    Ok(bytemuck::pod_read_unaligned(&data[8..8 + size]))
}

/// One reserve, refreshed off-chain to `now`.
#[derive(Clone, Debug)]
pub struct ReserveView {
    /// The reserve as the program would hold it after `refresh_reserve` now; unpriced copies
    /// keep their old `price_slot` and are therefore stale.
    pub reserve: Reserve,
    /// Its oracle config.
    pub oracle_config: OracleConfig,
    /// Why the price could not be used, when it could not.
    pub price_error: Option<String>,
}

/// The market and its reserves at one moment.
#[derive(Clone, Debug)]
pub struct MarketSnapshot {
    /// Market address.
    pub market_key: Pubkey,
    /// Market account.
    pub market: LendingMarket,
    /// Reserves by address.
    pub reserves: BTreeMap<Pubkey, ReserveView>,
    /// Slot of the snapshot.
    pub slot: u64,
    /// Unix time of the snapshot.
    pub now: i64,
}

/// Prices the copy as `refresh_reserve` would. On failure, returns the error with the reading
/// when the account still decoded as the feed's own (`report_oracle_failure` adopts it).
fn price_reserve(
    key: &Pubkey,
    view: &mut ReserveView,
    price: Option<Account>,
    slot: u64,
    now: i64,
) -> std::result::Result<(), (anyhow::Error, Option<PriceReading>)> {
    let mut acc = price.ok_or_else(|| {
        (
            anyhow!("price account {} missing", view.oracle_config.price_account),
            None,
        )
    })?;
    let mut lamports = acc.lamports;
    let info = AccountInfo::new(
        &view.oracle_config.price_account,
        false,
        false,
        &mut lamports,
        &mut acc.data,
        &acc.owner,
        false,
    );
    let reading = read_price(&view.oracle_config, &info)
        .map_err(|e| (anyhow!("reserve {key}: {e}"), None))?;
    let price = validate_reading(&view.oracle_config, &reading, now)
        .map_err(|e| (anyhow!("reserve {key}: {e}"), Some(reading)))?;
    apply_price(&mut view.reserve, &price, slot, now)
        .map_err(|e| (anyhow!("reserve {key}: {e}"), None))?;
    Ok(())
}

/// Loads the market, its reserves, their oracle configs and prices.
pub async fn load_market<C: Chain>(chain: &C, market_key: &Pubkey) -> Result<MarketSnapshot> {
    let clock = chain.clock().await?;
    let market_acc = chain
        .accounts(&[*market_key])
        .await?
        .pop()
        .flatten()
        .context("market account missing")?;
    let market: LendingMarket = decode(&market_acc.data)?;
    let filters = [
        AccountFilter::DataSize(Reserve::SPACE as u64),
        AccountFilter::Memcmp {
            offset: MARKET_FIELD_OFFSET,
            bytes: market_key.to_bytes().to_vec(),
        },
    ];
    let raw = chain.program_accounts(&lending::ID, &filters).await?;
    let mut reserves = BTreeMap::new();
    let mut keys = Vec::new();
    for (key, acc) in raw {
        let reserve: Reserve = decode(&acc.data)?;
        keys.push((key, reserve));
    }
    let oc_keys: Vec<Pubkey> = keys.iter().map(|(_, r)| r.oracle_config).collect();
    let ocs = chain.accounts(&oc_keys).await?;
    let mut views = Vec::new();
    for ((key, reserve), oc) in keys.into_iter().zip(ocs) {
        let oc = oc.with_context(|| format!("oracle config of {key} missing"))?;
        views.push((
            key,
            ReserveView {
                reserve,
                oracle_config: decode(&oc.data)?,
                price_error: None,
            },
        ));
    }
    let price_keys: Vec<Pubkey> = views
        .iter()
        .map(|(_, v)| v.oracle_config.price_account)
        .collect();
    let prices = chain.accounts(&price_keys).await?;
    for ((key, mut view), price) in views.into_iter().zip(prices) {
        if let Err(e) = view.reserve.accrue_interest(clock.unix_timestamp) {
            view.price_error = Some(format!("interest: {e}"));
        } else if let Err((e, reading)) =
            price_reserve(&key, &mut view, price, clock.slot, clock.unix_timestamp)
        {
            // What `report_oracle_failure` records on chain: liquidations may still value
            // the obligation, this reserve's positions at its last known price.
            record_oracle_failure(
                &mut view.reserve,
                reading.as_ref(),
                view.oracle_config.max_confidence_bps,
                clock.slot,
                clock.unix_timestamp,
            )
            .map_err(|e| anyhow!("reserve {key}: {e}"))?;
            view.price_error = Some(e.to_string());
        }
        reserves.insert(key, view);
    }
    Ok(MarketSnapshot {
        market_key: *market_key,
        market,
        reserves,
        slot: clock.slot,
        now: clock.unix_timestamp,
    })
}

/// Loads every obligation of the market.
pub async fn load_obligations<C: Chain>(
    chain: &C,
    market_key: &Pubkey,
) -> Result<Vec<(Pubkey, Obligation)>> {
    let filters = [
        AccountFilter::DataSize(Obligation::SPACE as u64),
        AccountFilter::Memcmp {
            offset: MARKET_FIELD_OFFSET,
            bytes: market_key.to_bytes().to_vec(),
        },
    ];
    chain
        .program_accounts(&lending::ID, &filters)
        .await?
        .into_iter()
        .map(|(k, a)| Ok((k, decode(&a.data)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::program_pack::Pack;
    use spl_token_2022_interface::extension::{
        immutable_owner::ImmutableOwner, BaseStateWithExtensionsMut, ExtensionType,
        StateWithExtensionsMut,
    };
    use spl_token_2022_interface::state::{Account as TokenAccount, AccountState};

    fn base(amount: u64, state: AccountState) -> TokenAccount {
        TokenAccount {
            mint: Pubkey::new_unique(),
            owner: Pubkey::new_unique(),
            amount,
            state,
            ..TokenAccount::default()
        }
    }

    fn account(owner: Pubkey, data: Vec<u8>) -> Account {
        Account {
            lamports: 1,
            data,
            owner,
            executable: false,
            rent_epoch: 0,
        }
    }

    /// A Token-2022 associated token account: the base state, then `ImmutableOwner`.
    fn token_2022_ata(amount: u64, state: AccountState) -> Vec<u8> {
        let len = ExtensionType::try_calculate_account_len::<TokenAccount>(&[
            ExtensionType::ImmutableOwner,
        ])
        .expect("len");
        let mut data = vec![0u8; len];
        let mut s = StateWithExtensionsMut::<TokenAccount>::unpack_uninitialized(&mut data)
            .expect("uninitialized");
        s.init_extension::<ImmutableOwner>(true).expect("extension");
        s.base = base(amount, state);
        s.pack_base();
        s.init_account_type().expect("account type");
        data
    }

    #[test]
    fn successful_token_amount_of_both_token_programs() {
        let mut plain = vec![0u8; TokenAccount::LEN];
        TokenAccount::pack(base(42, AccountState::Initialized), &mut plain).expect("pack");
        assert_eq!(
            token_amount(&account(spl_token_interface::ID, plain)),
            Some(42)
        );
        let ata = token_2022_ata(7_000, AccountState::Initialized);
        assert_eq!(ata.len(), 170, "the size SPL Token's unpack rejects");
        assert!(TokenAccount::unpack(&ata).is_err());
        assert_eq!(
            token_amount(&account(spl_token_2022_interface::ID, ata)),
            Some(7_000)
        );
    }

    #[test]
    fn fail_token_amount_when_frozen_foreign_or_garbage() {
        let frozen = token_2022_ata(5, AccountState::Frozen);
        assert_eq!(
            token_amount(&account(spl_token_2022_interface::ID, frozen)),
            Some(0)
        );
        let ata = token_2022_ata(5, AccountState::Initialized);
        assert_eq!(token_amount(&account(Pubkey::new_unique(), ata)), None);
        assert_eq!(
            token_amount(&account(spl_token_interface::ID, vec![1; 100])),
            None
        );
        let mut uninitialized = vec![0u8; TokenAccount::LEN];
        TokenAccount::pack(base(5, AccountState::Uninitialized), &mut uninitialized).expect("pack");
        assert_eq!(
            token_amount(&account(spl_token_interface::ID, uninitialized)),
            None
        );
    }
}
