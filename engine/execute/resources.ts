/**
 * Resource slots of the local executor: CPU cores, GPUs (by device index) and memory in MiB.
 * Tasks are granted in arrival order, so a large task is never starved by smaller ones.
 * A task that requests more than the machine has is scaled down to the whole machine and runs
 * alone (as Snakemake does with `--cores`), with a warning.
 */
import type { Resources } from "../plugin.ts";

export interface Grant {
  resources: Resources;
  /** GPU device indices for `CUDA_VISIBLE_DEVICES`. */
  gpuIds: number[];
}

interface Waiter {
  request: Resources;
  resolve: (grant: Grant) => void;
}

export class ResourcePool {
  private freeCpu: number;
  private freeMemory: number;
  private readonly freeGpus: number[];
  private readonly waiters: Waiter[] = [];

  constructor(readonly capacity: Resources) {
    this.freeCpu = capacity.cpu;
    this.freeMemory = capacity.memory_mb;
    this.freeGpus = Array.from({ length: capacity.gpu }, (_, i) => i);
  }

  /** Returns the request clamped to capacity, and what was clamped, for a warning. */
  fit(request: Resources): { request: Resources; clamped: string[] } {
    const clamped: string[] = [];
    const fitted = { ...request };
    for (const key of ["cpu", "gpu", "memory_mb"] as const) {
      if (fitted[key] > this.capacity[key]) {
        clamped.push(`${key} ${fitted[key]} > ${this.capacity[key]}`);
        fitted[key] = this.capacity[key];
      }
    }
    return { request: fitted, clamped };
  }

  acquire(request: Resources): Promise<Grant> {
    return new Promise((resolve) => {
      this.waiters.push({ request, resolve });
      this.grantWaiting();
    });
  }

  release(grant: Grant): void {
    this.freeCpu += grant.resources.cpu;
    this.freeMemory += grant.resources.memory_mb;
    this.freeGpus.push(...grant.gpuIds);
    this.freeGpus.sort((a, b) => a - b);
    this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.waiters.length > 0) {
      const { request, resolve } = this.waiters[0];
      const fits = request.cpu <= this.freeCpu + 1e-9 && request.memory_mb <= this.freeMemory && request.gpu <= this.freeGpus.length;
      if (!fits) return;
      this.waiters.shift();
      this.freeCpu -= request.cpu;
      this.freeMemory -= request.memory_mb;
      resolve({ resources: request, gpuIds: this.freeGpus.splice(0, request.gpu) });
    }
  }
}
