// Anchor's and web3.js's browser code uses the global `Buffer`: imported first by main.tsx.
import { Buffer } from "buffer";

(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;
