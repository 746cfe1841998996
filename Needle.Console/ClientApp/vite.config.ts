import { defineConfig } from "vite";

// Built files are embedded in Needle.Console.dll and served under whatever prefix the host maps, so every URL is
// relative (base "./"); the server writes a <base href> into index.html for deep links.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
} as never);
