//! E-mode groups in the simulated world: the admin configures a group and its members, and a
//! borrower opens a position inside a group.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::state::EmodeGroup;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};

use super::World;
use crate::ix::{event_authority, reserve_metas};

impl World {
    /// Configures e-mode group `group` with `params` and makes the assets `members` (indexes)
    /// members of it, in addition to their other groups.
    pub async fn set_emode_group(
        &mut self,
        group: u8,
        params: EmodeGroup,
        members: &[usize],
    ) -> anyhow::Result<()> {
        let admin = self.admin.insecure_clone();
        let mut ixs = vec![Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetEmodeGroup {
                admin: admin.pubkey(),
                lending_market: self.market,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetEmodeGroup { group, params }.data(),
        }];
        for i in members {
            ixs.push(Instruction {
                program_id: lending::ID,
                accounts: lending::accounts::SetReserveEmodeGroups {
                    admin: admin.pubkey(),
                    lending_market: self.market,
                    reserve: self.assets[*i].reserve,
                    event_authority: event_authority(),
                    program: lending::ID,
                }
                .to_account_metas(None),
                data: lending::instruction::SetReserveEmodeGroups {
                    groups: 1u64 << (group - 1),
                }
                .data(),
            });
        }
        self.send(&ixs, &[&admin]).await
    }

    /// As [`World::open_position`], with the obligation moved into e-mode `group` between the
    /// deposits and the borrow (`set_obligation_group`, before any debt: no price needed).
    pub async fn open_position_in_group(
        &mut self,
        deposits: &[(usize, f64)],
        group: u8,
        borrow: (usize, f64),
    ) -> anyhow::Result<solana_sdk::pubkey::Pubkey> {
        let user = Keypair::new();
        self.fund(&user.pubkey());
        let obligation = self.obligation_pda(&user.pubkey());
        let mut ixs = vec![self.init_obligation_ix(&user.pubkey(), obligation)];
        let mut order = Vec::new();
        for (i, amount) in deposits {
            ixs.push(self.deposit_ix(&user.pubkey(), obligation, *i, *amount));
            order.push(self.assets[*i].reserve);
        }
        let mut accounts = lending::accounts::SetObligationGroup {
            owner: user.pubkey(),
            lending_market: self.market,
            obligation,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None);
        accounts.extend(reserve_metas(&order));
        ixs.push(Instruction {
            program_id: lending::ID,
            accounts,
            data: lending::instruction::SetObligationGroup { group }.data(),
        });
        for r in order
            .iter()
            .chain(std::iter::once(&self.assets[borrow.0].reserve))
        {
            ixs.push(self.refresh_ix_of(r));
        }
        ixs.push(self.borrow_ix(&user.pubkey(), obligation, borrow, &order));
        self.send(&ixs, &[&user]).await?;
        self.chain.track([obligation]);
        Ok(obligation)
    }
}
