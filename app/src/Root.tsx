/** Providers: settings, the connection, the wallets (Wallet Standard wallets are found on their
 *  own; the in-memory burner only on a local node or with `VITE_BURNER=1`), account queries. */
import { useMemo, useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConnectionProvider, WalletProvider } from "@solana/wallet-adapter-react";
import { WalletModalProvider } from "@solana/wallet-adapter-react-ui";
import { UnsafeBurnerWalletAdapter } from "@solana/wallet-adapter-unsafe-burner";
import { App } from "./App";
import { isLocal, loadSettings, saveSettings, wsUrl, type Settings } from "./lib/config";
import { rpcFetch } from "./lib/fetch";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

export function Root() {
  const [settings, setSettingsState] = useState<Settings>(loadSettings);
  const setSettings = (s: Settings) => {
    saveSettings(s);
    setSettingsState(s);
    queryClient.clear();
  };
  const wallets = useMemo(
    () => (isLocal(settings.rpcUrl) || import.meta.env.VITE_BURNER === "1" ? [new UnsafeBurnerWalletAdapter()] : []),
    [settings.rpcUrl],
  );
  const config = useMemo(() => ({ commitment: "confirmed" as const, wsEndpoint: wsUrl(settings.rpcUrl), fetch: rpcFetch as typeof fetch }), [settings.rpcUrl]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConnectionProvider endpoint={settings.rpcUrl} config={config}>
        <WalletProvider wallets={wallets} autoConnect>
          <WalletModalProvider>
            <App settings={settings} setSettings={setSettings} />
          </WalletModalProvider>
        </WalletProvider>
      </ConnectionProvider>
    </QueryClientProvider>
  );
}
