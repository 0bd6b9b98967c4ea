/** Obligations of the market ranked by health at current prices, with the bonus a liquidator
 *  would get now; a wallet holding the debt asset liquidates from here, after a preview of what
 *  it repays and receives (`min_collateral_out` set from that preview). */
import { useState } from "react";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { math as m, position as pos } from "../../../sdk";
import { liquidationTransaction } from "../lib/actions";
import { describeError } from "../lib/errors";
import { Outcome, type SendOutcome } from "./Outcome";
import type { LendingProgram, MarketView, ObligationView } from "../lib/market";
import type { MarketData } from "../lib/useMarket";
import { amountText, health, parseAmount, pct, short, tokens, usd } from "../lib/format";
import { sendAndConfirm } from "./ActionPanel";

/** Slippage allowed on the collateral received, against the preview (bps). */
export const SLIPPAGE_BPS = 100n;

/** The pair a liquidator would pick first: the largest borrow, the largest deposit. */
export function defaultPair(o: ObligationView): { debt: string; collateral: string } | null {
  const v = o.valuation;
  if (!v || v.borrows.length === 0 || v.deposits.length === 0) return null;
  const debt = v.borrows.reduce((a, b) => (b.marketValueSf > a.marketValueSf ? b : a)).reserve;
  const collateral = v.deposits.reduce((a, b) => (b.marketValueSf > a.marketValueSf ? b : a)).reserve;
  return { debt, collateral };
}

/** Previews a liquidation landing in the next slot, or the reason it cannot be made. */
export function preview(market: MarketView, o: ObligationView, pair: { debt: string; collateral: string }, requested: bigint): pos.LiquidationPreview | string {
  try {
    return pos.previewLiquidation(o.positions, o.live, o.terms, pos.liquidationState(o.decoded), market.rules, pair, { slot: BigInt(market.slot) + 1n, now: BigInt(market.now) }, requested);
  } catch (e) {
    return (e as Error).message;
  }
}

export function Watch({ data, program, onSent }: { data: MarketData; program: LendingProgram; onSent: () => void }) {
  const { market, obligations } = data;
  const [target, setTarget] = useState<string | null>(null);
  const ranked = obligations
    .filter((o) => o.valuation && o.valuation.borrows.length > 0)
    .sort((a, b) => (a.hf ?? m.U64_MAX * m.WAD) < (b.hf ?? m.U64_MAX * m.WAD) ? -1 : 1);
  const chosen = ranked.find((o) => o.address === target) ?? null;
  const liquidatable = ranked.filter((o) => o.valuation && m.isLiquidatable(o.valuation.health)).length;
  return (
    <section>
      <h2>Liquidation watch</h2>
      <div className="muted">
        {ranked.length} obligations with debt, {liquidatable} liquidatable, valued at the prices a refresh would store now.
      </div>
      <div className="table-wrap">
        <table data-testid="watch">
          <thead>
            <tr>
              <th>Obligation</th>
              <th>Owner</th>
              <th>Health</th>
              <th>Debt</th>
              <th>Collateral</th>
              <th>Bonus now (health / auction)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {ranked.map((o) => {
              const h = o.valuation!.health;
              const can = m.isLiquidatable(h);
              const pair = defaultPair(o);
              const p = can && pair ? preview(market, o, pair, m.U64_MAX) : null;
              return (
                <tr key={o.address} data-testid={`watch-${o.address}`} data-owner={o.owner.toBase58()} className={can ? "liquidatable" : ""}>
                  <td>{short(o.address)}</td>
                  <td>{short(o.owner.toBase58())}</td>
                  <td className={can ? "bad" : o.hf !== null && o.hf < (11n * m.WAD) / 10n ? "warn" : ""}>{health(o.hf)}</td>
                  <td>{usd(h.borrowedValueSf)}</td>
                  <td>{usd(h.depositedValueSf)}</td>
                  <td>
                    {p && typeof p !== "string"
                      ? `${pct(p.bonus.rate)} (${p.bonus.healthPart !== undefined ? pct(p.bonus.healthPart) : "—"} / ${p.bonus.auctionPart !== undefined ? pct(p.bonus.auctionPart) : "—"})`
                      : typeof p === "string"
                        ? p
                        : "—"}
                  </td>
                  <td>
                    {can && (
                      <button className="secondary" onClick={() => setTarget(o.address)} data-testid="watch-liquidate">
                        Liquidate
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {chosen && <LiquidatePanel key={chosen.address} data={data} program={program} target={chosen} onSent={onSent} />}
    </section>
  );
}

function LiquidatePanel({ data, program, target, onSent }: { data: MarketData; program: LendingProgram; target: ObligationView; onSent: () => void }) {
  const wallet = useWallet();
  const { connection } = useConnection();
  const { market, balances } = data;
  const first = defaultPair(target);
  const [debt, setDebt] = useState(first?.debt ?? "");
  const [collateral, setCollateral] = useState(first?.collateral ?? "");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SendOutcome | null>(null);
  const d = market.byAddress.get(debt);
  const c = market.byAddress.get(collateral);
  if (!d || !c || !target.valuation) return null;
  const pair = { debt, collateral };
  const most = preview(market, target, pair, m.U64_MAX);
  const held = balances.get(debt) ?? 0n;
  const typed = parseAmount(text, d.decimals);
  const requested = typed ?? (typeof most !== "string" ? (most.plan.maxRepay < held ? most.plan.maxRepay : held) : 0n);
  const p = requested > 0n ? preview(market, target, pair, requested) : "Nothing to repay";
  const minOut = typeof p !== "string" ? (p.plan.liquidatorAmount * (10_000n - SLIPPAGE_BPS)) / 10_000n : 0n;
  const problems: string[] = [];
  if (!wallet.publicKey) problems.push("Connect a wallet that holds the debt asset.");
  if (held === 0n) problems.push(`Your wallet holds no ${d.symbol}.`);
  else if (requested > held) problems.push(`Your wallet holds ${tokens(held, d.decimals, 4)} ${d.symbol}.`);
  if (typeof p === "string") problems.push(p);

  async function send() {
    if (!wallet.publicKey || typeof p === "string") return;
    setBusy(true);
    setOutcome(null);
    try {
      const tx = await liquidationTransaction(program, market, wallet.publicKey, target, pair, requested, minOut);
      setOutcome({ ok: true, signature: await sendAndConfirm(wallet, connection, tx) });
      onSent();
    } catch (e) {
      setOutcome({ ok: false, error: describeError(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card" data-testid="liquidate-panel">
      <h3>Liquidate {short(target.address)}</h3>
      <div className="form">
        <label>
          repay{" "}
          <select value={debt} onChange={(e) => setDebt(e.target.value)}>
            {target.valuation.borrows.map((b) => (
              <option key={b.reserve} value={b.reserve}>
                {market.byAddress.get(b.reserve)?.symbol}
              </option>
            ))}
          </select>
        </label>
        <label>
          receive{" "}
          <select value={collateral} onChange={(e) => setCollateral(e.target.value)}>
            {target.valuation.deposits.map((x) => (
              <option key={x.reserve} value={x.reserve}>
                {market.byAddress.get(x.reserve)?.symbol}
              </option>
            ))}
          </select>
        </label>
        <input value={text} placeholder={amountText(requested, d.decimals)} onChange={(e) => setText(e.target.value)} data-testid="liquidate-amount" />
      </div>
      {typeof most !== "string" && (
        <div className="muted small">
          At most {tokens(most.plan.maxRepay, d.decimals, 4)} {d.symbol} now{most.plan.fullLiquidation ? " (the whole position may go)" : ""}; you hold {tokens(held, d.decimals, 4)}.
        </div>
      )}
      {typeof p !== "string" && (
        <div className="preview" data-testid="liquidate-preview" data-seize={p.plan.liquidatorAmount.toString()} data-repay={p.plan.repayAmount.toString()}>
          Repay <b>{tokens(p.plan.repayAmount, d.decimals, 4)} {d.symbol}</b> ({usd(p.plan.repayValueSf)}), receive{" "}
          <b>
            {tokens(p.plan.liquidatorAmount, c.decimals, 6)} {c.symbol}
          </b>{" "}
          ({usd(m.marketValue(p.plan.liquidatorAmount * m.WAD, c.live.prices.spotSf, c.decimals))}) at a {pct(p.bonus.rate)} bonus · profit{" "}
          <b data-testid="liquidate-profit">{usd(p.profitValueSf)}</b> · minimum out {tokens(minOut, c.decimals, 6)} ({pct(SLIPPAGE_BPS * 10n ** 14n, 0)} slippage)
        </div>
      )}
      {problems.map((x) => (
        <div key={x} className="warning small">
          {x}
        </div>
      ))}
      <button disabled={problems.length > 0 || busy} onClick={send} data-testid="liquidate-send">
        {busy ? "Sending…" : "Liquidate"}
      </button>
      <Outcome outcome={outcome} testid="liquidate" />
    </div>
  );
}
