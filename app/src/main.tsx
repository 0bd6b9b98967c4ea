import "./polyfills";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// The wallet adapter's styles; vite.config.mts strips their remote web-font import.
import "@solana/wallet-adapter-react-ui/styles.css";
import { Root } from "./Root";
import "./styles.css";

const el = document.getElementById("root");
if (el) createRoot(el).render(<StrictMode><Root /></StrictMode>);
