/** Every reserve of the market: price and oracle, supply and debt, rates from the reserve's own
 *  curve, caps, risk parameters, insurance and state; and the selected reserve's rate curve. */
import { useState } from "react";
import { math as m, position as pos, volatility as vol } from "../../../sdk";
import type { ReserveView } from "../lib/market";
import type { MarketData } from "../lib/useMarket";
import { age, bps, pct, tokens, usd } from "../lib/format";

/** The curve's points as `[utilization bps, rate bps]`. */
export const curveOf = (r: ReserveView): [number, number][] =>
  r.decoded.config.borrowRateCurve.map((p: any) => [p.utilizationBps, p.borrowRateBps] as [number, number]);

/** Figures a reserve row shows, from its live state. */
export function reserveStats(r: ReserveView) {
  const f = r.live;
  const debtSf = m.mul(f.totalNormalizedDebtSf, f.borrowIndexSf);
  const supplySf = pos.supplyAssets(f);
  const u = m.utilization(debtSf, f.availableAmount);
  const borrowApr = m.borrowRate(curveOf(r), u);
  const supplyApr = m.supplyApr(borrowApr, u, m.fromBps(r.decoded.config.reserveFactorBps));
  const price = f.prices.spotSf;
  return {
    debtSf,
    supplySf,
    u,
    borrowApy: m.apy(borrowApr),
    supplyApy: m.apy(supplyApr),
    price,
    supplyValue: m.marketValue(supplySf, price, f.decimals),
    debtValue: m.marketValue(debtSf, price, f.decimals),
  };
}

const capUse = (usedSf: bigint, cap: bigint) => (cap === 0n ? "—" : cap >= m.U64_MAX ? "no cap" : pct(m.div(usedSf, cap * m.WAD), 1));

export function Markets({ data }: { data: MarketData }) {
  const { market } = data;
  const [selected, setSelected] = useState<string>(market.reserves[0]?.address ?? "");
  const sel = market.byAddress.get(selected) ?? market.reserves[0];
  const paused = market.decoded.borrowPaused || market.decoded.withdrawPaused;
  return (
    <section>
      <h2>Markets</h2>
      {paused ? <div className="warning">The market has paused {market.decoded.borrowPaused ? "borrowing" : ""} {market.decoded.withdrawPaused ? "withdrawals" : ""}.</div> : null}
      <div className="table-wrap">
        <table data-testid="reserves">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Price</th>
              <th>Supplied</th>
              <th>Borrowed</th>
              <th>Utilization</th>
              <th>Supply APY</th>
              <th>Borrow APY</th>
              <th>Cap use (deposit / borrow)</th>
              <th>LTV / threshold</th>
              <th>Bonus</th>
              <th>Borrow factor</th>
              <th>Insurance</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {market.reserves.map((r) => {
              const s = reserveStats(r);
              const c = r.decoded.config;
              // Parameters in force: the reserve's volatility moves them when its adjustment is on.
              const f = vol.riskInForce(r.decoded);
              const state = [
                f.enabled ? `σ ${bps(f.volatilityBps)}${f.stressBps > 0 ? ` (stress ${bps(f.stressBps)})` : ""}` : "",
                c.borrowPaused ? "borrow paused" : "",
                c.withdrawPaused ? "withdraw paused" : "",
                r.decoded.priceDivergent ? "spot/EMA divergent" : "",
                r.liveError ? `oracle: ${r.liveError}` : "",
              ].filter(Boolean);
              return (
                <tr key={r.address} data-testid={`reserve-${r.symbol}`} className={r.address === sel?.address ? "selected" : ""} onClick={() => setSelected(r.address)}>
                  <td className="asset">{r.symbol}</td>
                  <td>
                    <div data-testid={`price-${r.symbol}`}>{usd(s.price)}</div>
                    <div className="muted small">
                      {r.oracleKind} · {age(market.now - r.publishTime)} old{r.simulated ? "" : " (as of the last refresh)"}
                    </div>
                  </td>
                  <td>
                    <div>{tokens(m.floorU64(s.supplySf), r.decimals, 2)}</div>
                    <div className="muted small">{usd(s.supplyValue)}</div>
                  </td>
                  <td>
                    <div>{tokens(m.floorU64(s.debtSf), r.decimals, 2)}</div>
                    <div className="muted small">{usd(s.debtValue)}</div>
                  </td>
                  <td>{pct(s.u)}</td>
                  <td className="good">{pct(s.supplyApy)}</td>
                  <td>{pct(s.borrowApy)}</td>
                  <td>
                    {capUse(s.supplySf, BigInt(c.depositCap.toString()))} / {capUse(s.debtSf, f.borrowCap)}
                  </td>
                  <td>
                    {bps(f.ltvBps)} / {bps(f.liquidationThresholdBps)}
                    {f.targetThresholdBps < f.liquidationThresholdBps ? <div className="muted small">threshold heading to {bps(f.targetThresholdBps)}</div> : null}
                  </td>
                  <td>
                    {bps(f.minBonusBps)}–{bps(c.maxLiquidationBonusBps)}
                  </td>
                  <td>{bps(c.borrowFactorBps)}</td>
                  <td>{tokens(BigInt(r.decoded.insuranceAmount.toString()), r.decimals, 2)}</td>
                  <td className={state.length ? "warn small" : "muted small"}>{state.length ? state.join(", ") : "active"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {sel && <RateCurve reserve={sel} />}
    </section>
  );
}

/** The reserve's borrow and supply APR over utilization, today's utilization marked. */
export function RateCurve({ reserve }: { reserve: ReserveView }) {
  const curve = curveOf(reserve);
  const s = reserveStats(reserve);
  const rf = m.fromBps(reserve.decoded.config.reserveFactorBps);
  const [w, h, pad] = [640, 260, 40];
  const steps = 100;
  const pts = Array.from({ length: steps + 1 }, (_, i) => {
    const u = (BigInt(i) * m.WAD) / BigInt(steps);
    const b = m.borrowRate(curve, u);
    return { u, b, sup: m.supplyApr(b, u, rf) };
  });
  const top = pts.reduce((a, p) => (p.b > a ? p.b : a), 1n);
  const x = (u: bigint) => pad + (Number((u * 10_000n) / m.WAD) / 10_000) * (w - 2 * pad);
  const y = (r: bigint) => h - pad - (Number((r * 10_000n) / top) / 10_000) * (h - 2 * pad);
  const line = (f: (p: (typeof pts)[number]) => bigint) => pts.map((p, i) => `${i ? "L" : "M"}${x(p.u).toFixed(1)},${y(f(p)).toFixed(1)}`).join(" ");
  const now = x(s.u);
  const nowRate = m.borrowRate(curve, s.u);
  return (
    <div className="card">
      <h3>{reserve.symbol} interest-rate curve</h3>
      <svg width={w} height={h} role="img" aria-label={`${reserve.symbol} interest-rate curve`} data-testid="rate-curve">
        <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} className="axis" />
        <line x1={pad} y1={pad} x2={pad} y2={h - pad} className="axis" />
        {[0, 25, 50, 75, 100].map((t) => (
          <text key={t} x={pad + (t / 100) * (w - 2 * pad)} y={h - pad + 16} className="tick" textAnchor="middle">
            {t}%
          </text>
        ))}
        <text x={pad - 6} y={pad + 4} className="tick" textAnchor="end">
          {pct(top, 0)}
        </text>
        <path d={line((p) => p.b)} className="curve-borrow" />
        <path d={line((p) => p.sup)} className="curve-supply" />
        <line x1={now} y1={pad} x2={now} y2={h - pad} className="now" />
        <circle cx={now} cy={y(nowRate)} r={4} className="now-dot" />
        <text x={now + 6} y={pad + 12} className="tick">
          now {pct(s.u, 1)}: borrow {pct(nowRate, 2)} APR
        </text>
      </svg>
      <div className="legend small">
        <span className="swatch borrow" /> borrow APR <span className="swatch supply" /> supply APR (after the {bps(reserve.decoded.config.reserveFactorBps)} reserve factor)
      </div>
    </div>
  );
}
