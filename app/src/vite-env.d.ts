/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** JSON-RPC URL of the cluster (default: the local node on 127.0.0.1:8899). */
  readonly VITE_RPC_URL?: string;
  /** The lending market (default: the demo market of sentinel-localnet, or the first market). */
  readonly VITE_MARKET?: string;
  /** "1" offers the in-memory burner wallet on any cluster (it is offered on local nodes anyway). */
  readonly VITE_BURNER?: string;
}
