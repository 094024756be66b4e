// Lint runs in `npm test`; it checks syntax-level habits, while `tsc` checks types.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".switchboard/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    files: ["src/cli/**", "scripts/**", "bench/**", "test/**", "bin/**"],
    rules: { "no-console": "off" },
  },
  {
    // Tests read JSON bodies of many shapes; `any` there keeps assertions readable.
    files: ["test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["bin/**", "src/channels/webchat/page/**"],
    languageOptions: { globals: { URL: "readonly", process: "readonly", console: "readonly", window: "readonly", document: "readonly", localStorage: "readonly", fetch: "readonly", TextDecoder: "readonly", crypto: "readonly" } },
  },
);
