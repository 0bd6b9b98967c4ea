/** The market, its obligations, and the connected wallet's obligation and balances, polled. */
import { useMemo } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { findMarket, loadMarket, readProgram, type MarketView, type ObligationView } from "./market";
import { walletTokenAccount, userObligation } from "./actions";
import type { Settings } from "./config";

export interface MarketData {
  market: MarketView;
  obligations: ObligationView[];
  /** The wallet's obligation (id 0), if it has one. */
  mine: ObligationView | null;
  /** The wallet's token balances by reserve address (base units), and SOL (lamports). */
  balances: Map<string, bigint>;
  lamports: bigint;
}

/** SPL Token and Token-2022 accounts both keep the amount at byte 64. */
const amountOf = (data: Uint8Array | null | undefined): bigint =>
  data && data.length >= 72 ? new DataView(data.buffer, data.byteOffset).getBigUint64(64, true) : 0n;

export function useMarketData(settings: Settings) {
  const { connection } = useConnection();
  const { publicKey } = useWallet();
  const program = useMemo(() => readProgram(connection, publicKey ?? undefined), [connection, publicKey]);
  const client = useQueryClient();
  const key = ["market", settings.rpcUrl, settings.market, publicKey?.toBase58() ?? ""];
  const query = useQuery({
    queryKey: key,
    refetchInterval: 2_500,
    queryFn: async (): Promise<MarketData> => {
      const found = await findMarket(program, settings.rpcUrl, settings.market);
      const payers: PublicKey[] = publicKey ? [publicKey] : [];
      const { market, obligations } = await loadMarket(program, found, payers);
      let mine: ObligationView | null = null;
      const balances = new Map<string, bigint>();
      let lamports = 0n;
      if (publicKey) {
        const own = userObligation(program, market, publicKey).toBase58();
        mine = obligations.find((o) => o.address === own) ?? null;
        const accounts = await connection.getMultipleAccountsInfo(
          market.reserves.map((r) => walletTokenAccount(r, publicKey)),
          "confirmed",
        );
        market.reserves.forEach((r, i) => balances.set(r.address, amountOf(accounts[i]?.data)));
        lamports = BigInt(await connection.getBalance(publicKey, "confirmed"));
      }
      return { market, obligations, mine, balances, lamports };
    },
  });
  return { ...query, program, refresh: () => client.invalidateQueries({ queryKey: ["market"] }) };
}
