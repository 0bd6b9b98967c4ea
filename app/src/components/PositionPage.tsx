/** The wallet's obligation: health factor with a gauge, borrow limit used, each collateral's
 *  liquidation price, every deposit and borrow; and the action panel. */
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { useQuery } from "@tanstack/react-query";
import { math as m, position as pos } from "../../../sdk";
import type { LendingProgram } from "../lib/market";
import type { MarketData } from "../lib/useMarket";
import { health, pct, tokens, usd } from "../lib/format";
import { netDeposited } from "../lib/history";
import { ActionPanel } from "./ActionPanel";
import { reserveStats } from "./Markets";

/** Health under which the page warns (the obligation is liquidatable below 1). */
export const WARN_HEALTH = (11n * m.WAD) / 10n;

export function HealthGauge({ hf }: { hf: bigint | null }) {
  // 0 … 2 mapped onto a half circle; ∞ pins to the right.
  const v = hf === null ? 2 : Math.min(2, Number((hf * 1000n) / m.WAD) / 1000);
  const angle = Math.PI * (1 - v / 2);
  const [cx, cy, r] = [90, 90, 70];
  const nx = cx + r * Math.cos(angle);
  const ny = cy - r * Math.sin(angle);
  const cls = hf === null || hf >= WARN_HEALTH ? "good" : hf >= m.WAD ? "warn" : "bad";
  return (
    <svg width={180} height={110} role="img" aria-label="health factor gauge">
      <path d="M20,90 A70,70 0 0,1 55,29.4" className="arc bad" />
      <path d="M55,29.4 A70,70 0 0,1 90,20" className="arc warn" />
      <path d="M90,20 A70,70 0 0,1 160,90" className="arc good" />
      <line x1={cx} y1={cy} x2={nx} y2={ny} className={`needle ${cls}`} />
      <text x={cx} y={cy + 18} textAnchor="middle" className={`gauge-text ${cls}`} data-testid="health-factor">
        {health(hf)}
      </text>
    </svg>
  );
}

export function PositionPage({ data, program, onSent }: { data: MarketData; program: LendingProgram; onSent: () => void }) {
  const { publicKey } = useWallet();
  const { connection } = useConnection();
  const { market, mine } = data;
  // Read again only when the deposits change.
  const shares = mine ? mine.positions.deposits.map((d) => `${d.reserve}:${d.shares}`).join(",") : "";
  const history = useQuery({
    queryKey: ["history", mine?.address ?? "", shares],
    enabled: !!mine,
    staleTime: Infinity,
    queryFn: () => netDeposited(connection, program, mine!.key),
  });
  if (!publicKey) return <div className="card">Connect a wallet to see your position.</div>;
  const v = mine?.valuation ?? null;
  const h = v?.health ?? m.emptyHealth();
  const hf = v ? m.healthFactor(h) : null;
  const used = h.allowedBorrowValueSf === 0n ? (h.bfAdjustedDebtValueUpperSf === 0n ? 0n : m.WAD) : m.div(h.bfAdjustedDebtValueUpperSf, h.allowedBorrowValueSf);
  const liquidatable = v ? m.isLiquidatable(h) : false;
  return (
    <section className="position">
      <h2>My position</h2>
      <div className="row">
        <div className="card gauge">
          <HealthGauge hf={hf} />
          <div className="muted small">health factor (liquidatable below 1.00)</div>
        </div>
        <div className="card figures">
          <div>
            Collateral <b data-testid="deposited-value">{usd(h.depositedValueSf)}</b>
          </div>
          <div>
            Debt <b data-testid="borrowed-value">{usd(h.borrowedValueSf)}</b>
          </div>
          <div>
            Borrow limit <b>{usd(h.allowedBorrowValueSf)}</b>, used <b data-testid="limit-used">{pct(used, 1)}</b>
          </div>
          <div className="bar">
            <div className={used >= m.WAD ? "fill bad" : used >= (9n * m.WAD) / 10n ? "fill warn" : "fill"} style={{ width: `${Math.min(100, Number((used * 100n) / m.WAD))}%` }} />
          </div>
          <div className="muted small">Obligation {mine ? mine.address : "not opened yet (the first deposit opens it)"}</div>
        </div>
      </div>
      {liquidatable && (
        <div className="error" data-testid="liquidatable-warning">
          Your position is liquidatable: anyone may repay part of your debt and take collateral with a bonus. Repay or add collateral now.
        </div>
      )}
      {!liquidatable && hf !== null && hf < WARN_HEALTH && (
        <div className="warning" data-testid="health-warning">
          Your health factor is close to 1: a small price move makes this position liquidatable.
        </div>
      )}
      {v && (v.deposits.length > 0 || v.borrows.length > 0) && (
        <div className="row">
          <div className="card grow">
            <h3>Deposits</h3>
            <table data-testid="deposits">
              <thead>
                <tr>
                  <th>Asset</th>
                  <th>Amount</th>
                  <th>Value</th>
                  <th>Interest earned</th>
                  <th>Supply APY</th>
                  <th>Liquidation price</th>
                </tr>
              </thead>
              <tbody>
                {v.deposits.map((d) => {
                  const r = market.byAddress.get(d.reserve);
                  if (!r) return null;
                  const lp = pos.liquidationPrice(v, d.reserve, r.live.prices.spotSf);
                  const now = m.floorU64(d.amountSf);
                  const put = history.data?.get(d.reserve);
                  return (
                    <tr key={d.reserve} data-testid={`deposit-${r.symbol}`}>
                      <td className="asset">{r.symbol}</td>
                      <td>{tokens(now, r.decimals, 4)}</td>
                      <td data-testid={`deposit-value-${r.symbol}`}>{usd(d.marketValueSf)}</td>
                      <td data-testid={`deposit-interest-${r.symbol}`}>{put === undefined ? "…" : tokens(now > put ? now - put : 0n, r.decimals, 6)}</td>
                      <td className="good">{pct(reserveStats(r).supplyApy)}</td>
                      <td data-testid={`liquidation-price-${r.symbol}`}>{lp === null ? "—" : usd(lp)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="card grow">
            <h3>Borrows</h3>
            <table data-testid="borrows">
              <thead>
                <tr>
                  <th>Asset</th>
                  <th>Owed</th>
                  <th>Value</th>
                  <th>Interest accrued</th>
                  <th>Borrow APY</th>
                </tr>
              </thead>
              <tbody>
                {v.borrows.map((b) => {
                  const r = market.byAddress.get(b.reserve);
                  const raw = mine?.decoded.borrows.find((x: any) => x.reserve.toBase58() === b.reserve);
                  if (!r || !raw) return null;
                  const owed = m.ceilU64Saturating(b.amountSf);
                  const principal = BigInt(raw.principal.toString());
                  return (
                    <tr key={b.reserve} data-testid={`borrow-${r.symbol}`}>
                      <td className="asset">{r.symbol}</td>
                      <td>{tokens(owed, r.decimals, 4)}</td>
                      <td>{usd(b.marketValueSf)}</td>
                      <td>{tokens(owed > principal ? owed - principal : 0n, r.decimals, 6)}</td>
                      <td>{pct(reserveStats(r).borrowApy)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <ActionPanel data={data} program={program} onSent={onSent} />
    </section>
  );
}
