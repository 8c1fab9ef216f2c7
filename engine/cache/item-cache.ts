/**
 * The item cache behind `ctx.items`: per-item results inside one task, so that a stage whose
 * work is per case reruns only the cases whose files changed.
 *
 * An item's key covers the task's key manifest minus its inputs (plugin, source, params, cell,
 * runtime), the item id and the item digest that the plugin computes from the item's own files.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ItemCache, StageLogger } from "../plugin.ts";
import type { KeyManifest } from "../plan/key.ts";
import { canonicalJson } from "../plan/canonical-json.ts";
import { digestFiles, linkInto } from "./files.ts";
import type { Store } from "./store.ts";

export function makeItemCache(store: Store, manifest: KeyManifest, log: StageLogger): ItemCache {
  const { inputs: _inputs, ...withoutInputs } = manifest;
  const taskPart = canonicalJson(withoutInputs);

  return {
    async get(itemId, itemDigest, compute) {
      const key = createHash("sha256").update(canonicalJson({ task: taskPart, itemId, itemDigest })).digest("hex");
      const dir = join(store.root, "items", key);
      if (existsSync(dir)) {
        log.debug(`item ${itemId}: cached`);
        return dir;
      }

      const staging = await store.makeStagingDir(`item-${itemId}`);
      await compute(staging);
      try {
        await rename(staging, dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        // Another process stored the same item first; its copy is equivalent.
        await rm(staging, { recursive: true, force: true });
      }
      return dir;
    },
    linkInto,
    digestFiles,
  };
}
