/** Where the app connects: RPC URL and market, from the settings panel (kept in localStorage),
 *  else the build's environment (`VITE_RPC_URL`, `VITE_MARKET`), else the local node. The
 *  program ID is the IDL's. */
export interface Settings {
  rpcUrl: string;
  /** Base58 market address; empty = the demo market of the node, or the first market found. */
  market: string;
}

const KEY = "sentinel.settings";

/** Named clusters the settings panel offers. */
export const CLUSTERS: { name: string; url: string }[] = [
  { name: "Local node", url: "http://127.0.0.1:8899" },
  { name: "Devnet", url: "https://api.devnet.solana.com" },
  { name: "Mainnet", url: "https://api.mainnet-beta.solana.com" },
];

export function defaultSettings(): Settings {
  const fromQuery = new URLSearchParams(globalThis.location?.search ?? "");
  return {
    rpcUrl: fromQuery.get("rpc") ?? import.meta.env.VITE_RPC_URL ?? CLUSTERS[0].url,
    market: fromQuery.get("market") ?? import.meta.env.VITE_MARKET ?? "",
  };
}

export function loadSettings(): Settings {
  const d = defaultSettings();
  // A URL parameter wins over what was saved, so a link always opens what it names.
  if (new URLSearchParams(globalThis.location?.search ?? "").has("rpc")) return d;
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (saved && typeof saved.rpcUrl === "string") return { rpcUrl: saved.rpcUrl, market: String(saved.market ?? "") };
  } catch {
    // An unreadable entry falls back to the defaults.
  }
  return d;
}

export function saveSettings(s: Settings): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** A node on this machine: the burner wallet and the faucet are offered there. */
export const isLocal = (url: string): boolean => {
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** The WebSocket URL a Connection would derive, made explicit (sentinel-localnet: port + 1). */
export function wsUrl(rpcUrl: string): string | undefined {
  try {
    const u = new URL(rpcUrl);
    if (!u.port) return undefined;
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.port = String(Number(u.port) + 1);
    return u.toString();
  } catch {
    return undefined;
  }
}
