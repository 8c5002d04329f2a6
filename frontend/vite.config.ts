import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// The build lands inside the server package (kleio_server/webui), which serves it and ships
// it in the wheel. Hashed file names under assets/ are cached forever; index.html never.
export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: "../kleio_server/webui",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    manifest: true,
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:8000", ws: true } },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
