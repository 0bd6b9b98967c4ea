/** Deposit, withdraw, borrow, repay: amount with a max that respects caps, liquidity and the
 *  borrow limit; the health the action leaves, previewed with `sdk/position` (the program's own
 *  math, checked by the golden vectors); refreshes built in; program errors by IDL name. */
import { useEffect, useState } from "react";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import type { Transaction } from "@solana/web3.js";
import { math as m, position as pos } from "../../../sdk";
import { actionTransaction } from "../lib/actions";
import { describeError } from "../lib/errors";
import { Outcome, type SendOutcome } from "./Outcome";
import type { LendingProgram } from "../lib/market";
import type { MarketData } from "../lib/useMarket";
import { keepsLimit, maxAmount } from "../lib/limits";
import { amountText, health, parseAmount, tokens, usd } from "../lib/format";

const KINDS: pos.Action["kind"][] = ["deposit", "withdraw", "borrow", "repay"];
const LABEL = { deposit: "Deposit", withdraw: "Withdraw", borrow: "Borrow", repay: "Repay" };

/** Signs and sends `tx` with the wallet, waits for confirmation; throws the program's error. */
export async function sendAndConfirm(
  wallet: ReturnType<typeof useWallet>,
  connection: ReturnType<typeof useConnection>["connection"],
  tx: Transaction,
): Promise<string> {
  if (!wallet.publicKey) throw new Error("no wallet");
  const latest = await connection.getLatestBlockhash("confirmed");
  tx.feePayer = wallet.publicKey;
  tx.recentBlockhash = latest.blockhash;
  const signature = await wallet.sendTransaction(tx, connection, { preflightCommitment: "confirmed" });
  const res = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (res.value.err) {
    const got = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    throw Object.assign(new Error(JSON.stringify(res.value.err)), { logs: got?.meta?.logMessages ?? [] });
  }
  return signature;
}

export function ActionPanel({ data, program, onSent }: { data: MarketData; program: LendingProgram; onSent: () => void }) {
  const wallet = useWallet();
  const { connection } = useConnection();
  const { market, mine, balances } = data;
  const [kind, setKind] = useState<pos.Action["kind"]>("deposit");
  const [reserve, setReserve] = useState<string>(market.reserves[0]?.address ?? "");
  const [text, setText] = useState("");
  const [all, setAll] = useState(false);
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SendOutcome | null>(null);
  useEffect(() => setAll(false), [kind, reserve]);

  const r = market.byAddress.get(reserve);
  if (!r || !wallet.publicKey) return null;
  const balance = balances.get(reserve) ?? 0n;
  const limit = maxAmount(market, mine, kind, reserve, balance);
  const typed = parseAmount(text, r.decimals);
  const amount = all ? m.U64_MAX : typed;
  const action: pos.Action | null = amount !== null && amount > 0n ? { kind, reserve, amount } : null;

  let preview: { hf: bigint | null; bps: bigint; health: m.Health } | null = null;
  let previewError: string | null = null;
  if (action) {
    try {
      // With the wall clock, a withdrawal or borrow past the reserve's outflow limit fails the
      // preview with `OutflowLimitExceeded`, as the program would refuse it.
      const now = BigInt(Math.floor(Date.now() / 1000));
      // An obligation in an e-mode group: its members at the group's parameters, and a
      // deposit or borrow of a non-member refused (`EmodeReserveNotInGroup`).
      const h = pos.previewHealth(mine?.positions ?? { deposits: [], borrows: [] }, mine?.live ?? market.live, action, now, mine?.group);
      preview = { hf: m.healthFactor(h), bps: m.healthFactorBps(h), health: h };
    } catch (e) {
      previewError = (e as Error).message;
    }
  }
  const problems: string[] = [];
  if (text && typed === null && !all) problems.push(`Not an amount of ${r.symbol} (at most ${r.decimals} decimals).`);
  if (previewError) problems.push(previewError === "InsufficientLiquidity" ? "The reserve does not have that much liquidity." : previewError);
  // Past the borrow limit has its own sentence below; the maximum names the other bounds.
  if (action && !all && limit.max !== m.U64_MAX && action.amount > limit.max && limit.by !== "borrow limit") {
    problems.push(`More than the maximum (${tokens(limit.max, r.decimals, r.decimals)} ${r.symbol}, bounded by the ${limit.by}).`);
  }
  if (action && (kind === "borrow" || kind === "withdraw") && !keepsLimit(market, mine, action)) {
    problems.push("This would take your debt past your borrow limit.");
  }
  if (action && (kind === "deposit" || kind === "repay") && !all && action.amount > balance) {
    problems.push(`Your wallet holds ${tokens(balance, r.decimals, r.decimals)} ${r.symbol}.`);
  }
  const blocked = !action || (problems.length > 0 && !force);

  async function send() {
    if (!action || !wallet.publicKey) return;
    setBusy(true);
    setOutcome(null);
    try {
      const tx = await actionTransaction(program, market, wallet.publicKey, mine, action);
      const signature = await sendAndConfirm(wallet, connection, tx);
      setOutcome({ ok: true, signature });
      setText("");
      setAll(false);
      onSent();
    } catch (e) {
      setOutcome({ ok: false, error: describeError(e) });
    } finally {
      setBusy(false);
    }
  }

  const current = mine?.valuation ? m.healthFactor(mine.valuation.health) : null;
  return (
    <div className="card actions" data-testid="action-panel">
      <div className="kinds">
        {KINDS.map((k) => (
          <button key={k} className={k === kind ? "tab active" : "tab"} onClick={() => setKind(k)} data-testid={`action-${k}`}>
            {LABEL[k]}
          </button>
        ))}
      </div>
      <div className="form">
        <select value={reserve} onChange={(e) => setReserve(e.target.value)} data-testid="action-asset">
          {market.reserves.map((x) => (
            <option key={x.address} value={x.address}>
              {x.symbol}
            </option>
          ))}
        </select>
        <input
          value={all ? "all" : text}
          onChange={(e) => {
            setAll(false);
            setText(e.target.value);
          }}
          placeholder={`amount of ${r.symbol}`}
          inputMode="decimal"
          data-testid="action-amount"
        />
        <button
          className="secondary"
          data-testid="action-max"
          onClick={() => {
            if (limit.max === m.U64_MAX) setAll(true);
            else setText(amountText(limit.max, r.decimals));
          }}
        >
          Max
        </button>
      </div>
      <div className="muted small">
        Wallet {tokens(balance, r.decimals, 4)} {r.symbol} · max {limit.max === m.U64_MAX ? `all (${limit.by})` : `${tokens(limit.max, r.decimals, 4)} (${limit.by})`}
      </div>
      <div className="preview" data-testid="preview" data-hf-bps={preview ? preview.bps.toString() : ""}>
        Health factor <b>{health(current)}</b> → <b data-testid="preview-health">{preview ? health(preview.hf) : "—"}</b>
        {preview && (
          <span className="muted small">
            {" "}
            · collateral {usd(preview.health.depositedValueSf)} · debt {usd(preview.health.borrowedValueSf)} · limit {usd(preview.health.allowedBorrowValueSf)}
          </span>
        )}
      </div>
      {problems.map((p) => (
        <div key={p} className="warning small" data-testid="action-problem">
          {p}
        </div>
      ))}
      <label className="small muted">
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="action-force" /> send even if the app's checks refuse (the program decides)
      </label>
      <div>
        <button disabled={blocked || busy} onClick={send} data-testid="action-send">
          {busy ? "Sending…" : `${LABEL[kind]} ${r.symbol}`}
        </button>
      </div>
      <Outcome outcome={outcome} testid="action" />
    </div>
  );
}
