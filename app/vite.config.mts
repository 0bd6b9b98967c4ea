import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

/** The wallet adapter's stylesheet imports a web font from the internet: served without it,
 *  the app makes no request beyond its RPC node (and works offline). */
const noRemoteFonts = (): Plugin => ({
  name: "sentinel-no-remote-fonts",
  enforce: "pre",
  transform(code, id) {
    if (!id.includes("wallet-adapter-react-ui") || !id.endsWith(".css")) return null;
    return { code: code.replace(/@import url\(['"]?https:\/\/fonts\.googleapis\.com[^)]*\);?/g, ""), map: null };
  },
});

// The app imports the project's `sdk/` and `idl/` from the repository root.
export default defineConfig({
  plugins: [noRemoteFonts(), react()],
  server: { fs: { allow: [".."] } },
  build: { outDir: "dist", chunkSizeWarningLimit: 2048 },
});
