import { useState } from "react";
import { useWallet } from "@solana/wallet-adapter-react";
import { WalletMultiButton } from "@solana/wallet-adapter-react-ui";
import { isLocal, type Settings } from "./lib/config";
import { rpcCall } from "./lib/market";
import { useMarketData } from "./lib/useMarket";
import { short, tokens } from "./lib/format";
import { Markets } from "./components/Markets";
import { PositionPage } from "./components/PositionPage";
import { Watch } from "./components/Watch";
import { SettingsPanel } from "./components/SettingsPanel";

const TABS = ["Markets", "Position", "Liquidations", "Settings"] as const;
type Tab = (typeof TABS)[number];

export function App({ settings, setSettings }: { settings: Settings; setSettings: (s: Settings) => void }) {
  const [tab, setTab] = useState<Tab>("Markets");
  const data = useMarketData(settings);
  const { publicKey } = useWallet();
  const [faucet, setFaucet] = useState<string>("");
  const canFaucet = isLocal(settings.rpcUrl) && !!data.data?.market.demo && !!publicKey;

  async function useFaucet() {
    if (!publicKey) return;
    setFaucet("Requesting…");
    try {
      await rpcCall(settings.rpcUrl, "sentinel_faucet", [publicKey.toBase58()]);
      setFaucet("Funded: 10 SOL and test tokens");
      await data.refresh();
    } catch (e) {
      setFaucet(String((e as Error).message));
    }
  }

  return (
    <div className="app">
      <header>
        <div className="brand">Sentinel</div>
        <nav>
          {TABS.map((t) => (
            <button key={t} className={t === tab ? "tab active" : "tab"} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
              {t}
            </button>
          ))}
        </nav>
        <div className="wallet" data-testid="wallet" data-wallet={publicKey?.toBase58() ?? ""}>
          {canFaucet && (
            <button className="secondary" onClick={useFaucet} data-testid="faucet">
              Faucet
            </button>
          )}
          {publicKey && data.data && (
            <span className="muted" data-testid="sol-balance">
              {tokens(data.data.lamports, 9, 3)} SOL
            </span>
          )}
          <WalletMultiButton />
        </div>
      </header>
      <div className="status">
        <span>RPC {settings.rpcUrl}</span>
        {data.data && (
          <>
            <span data-testid="market-address">Market {short(data.data.market.key.toBase58())}</span>
            <span>Slot {data.data.market.slot}</span>
          </>
        )}
        {faucet && <span data-testid="faucet-status">{faucet}</span>}
      </div>
      <main>
        {data.error && tab !== "Settings" && (
          <div className="error" data-testid="load-error">
            Could not load the market: {String((data.error as Error).message)}
          </div>
        )}
        {!data.data && !data.error && tab !== "Settings" && <div className="muted">Loading the market…</div>}
        {data.data && tab === "Markets" && <Markets data={data.data} />}
        {data.data && tab === "Position" && <PositionPage data={data.data} program={data.program} onSent={data.refresh} />}
        {data.data && tab === "Liquidations" && <Watch data={data.data} program={data.program} onSent={data.refresh} />}
        {tab === "Settings" && <SettingsPanel settings={settings} setSettings={setSettings} />}
      </main>
    </div>
  );
}
