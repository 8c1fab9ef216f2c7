#!/usr/bin/env node
// Starts the TypeScript CLI through tsx, so `segsweep` works without a build step.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
