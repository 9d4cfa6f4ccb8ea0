// Lint: typescript-eslint's recommended rules on everything we write.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".iotscope/**", "coverage/**", "test-artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // Scan modules never open sockets themselves: every probe must pass the engine's gate (blocklist
    // re-check + rate token), which only ScanContext.dial / ScanContext.udp provide.
    files: ["src/scan/modules/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["net", "node:net", "dgram", "node:dgram", "tls", "node:tls", "https", "node:https"].map((name) => ({
            name,
            message: "open connections through ScanContext.dial/udp so that the blocklist and rate limit apply",
            allowTypeImports: true,
          })),
        },
      ],
    },
  },
);
