/** RPC URL and market address; saved in this browser. The program ID comes from the IDL. */
import { useState } from "react";
import { PublicKey } from "@solana/web3.js";
import idl from "../../../idl/lending.json";
import { CLUSTERS, defaultSettings, type Settings } from "../lib/config";

export function SettingsPanel({ settings, setSettings }: { settings: Settings; setSettings: (s: Settings) => void }) {
  const [rpcUrl, setRpcUrl] = useState(settings.rpcUrl);
  const [market, setMarket] = useState(settings.market);
  const [error, setError] = useState("");
  function save() {
    try {
      new URL(rpcUrl);
      if (market) new PublicKey(market);
    } catch {
      setError("Not a URL or not a base58 address.");
      return;
    }
    setError("");
    setSettings({ rpcUrl, market });
  }
  return (
    <section className="card settings">
      <h2>Settings</h2>
      <label>
        Cluster
        <select value={CLUSTERS.find((c) => c.url === rpcUrl)?.url ?? ""} onChange={(e) => e.target.value && setRpcUrl(e.target.value)}>
          <option value="">custom</option>
          {CLUSTERS.map((c) => (
            <option key={c.url} value={c.url}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        RPC URL
        <input value={rpcUrl} onChange={(e) => setRpcUrl(e.target.value)} data-testid="settings-rpc" />
      </label>
      <label>
        Market address (empty: the node's demo market, else the first market found)
        <input value={market} onChange={(e) => setMarket(e.target.value)} data-testid="settings-market" />
      </label>
      <div className="muted small">Program {(idl as { address: string }).address} (from the IDL)</div>
      {error && <div className="error">{error}</div>}
      <div className="form">
        <button onClick={save} data-testid="settings-save">
          Save
        </button>
        <button
          className="secondary"
          onClick={() => {
            const d = defaultSettings();
            setRpcUrl(d.rpcUrl);
            setMarket(d.market);
          }}
        >
          Defaults
        </button>
      </div>
    </section>
  );
}
