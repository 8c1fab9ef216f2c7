#!/usr/bin/env node
// Starts the TypeScript CLI through tsx, so `segsweep` works without a build step. Both hooks are
// registered because a user's plugin may live in a folder whose package.json declares CommonJS.
import { register as registerEsm } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";

registerEsm();
registerCjs();
await import("./main.ts");
