/**
 * Reads a file, gunzipping it when it starts with the gzip magic, into one buffer that owns its
 * ArrayBuffer from byte 0, so that callers can view typed arrays into it without copying.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

const GZIP_MAGIC = [0x1f, 0x8b];
const CHUNK_BYTES = 1 << 20;

/**
 * Returns the file's bytes, decompressed when gzip-compressed. The result's `byteOffset` is 0.
 *
 * Decompression writes straight into one buffer sized from the gzip trailer (ISIZE, the
 * uncompressed size modulo 2^32), so the peak memory is about the decompressed size plus one
 * 1 MiB chunk. Throws with the path when the gzip stream is truncated or corrupt.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  let size: number;
  let head: Uint8Array;
  let trailer: Uint8Array;
  try {
    size = (await handle.stat()).size;
    head = await readAt(handle, 0, Math.min(2, size));
    trailer = await readAt(handle, Math.max(0, size - 4), Math.min(4, size));
    const isGzip = head.length === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    if (!isGzip) return await readAt(handle, 0, size);
  } finally {
    await handle.close();
  }

  const sizeHint = trailer.length === 4 ? new DataView(trailer.buffer).getUint32(0, true) : 0;
  return gunzipFile(path, sizeHint);
}

async function readAt(
  handle: Awaited<ReturnType<typeof open>>,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(bytes, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? bytes : bytes.subarray(0, filled);
}

async function gunzipFile(path: string, sizeHint: number): Promise<Uint8Array> {
  let output = new Uint8Array(new ArrayBuffer(Math.max(sizeHint, CHUNK_BYTES)));
  let length = 0;

  const collect = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      if (length + chunk.length > output.length) {
        // The hint is wrong only for files over 4 GiB or multi-member gzip files.
        const grown = new Uint8Array(new ArrayBuffer(Math.max(output.length * 1.5, length + chunk.length)));
        grown.set(output.subarray(0, length));
        output = grown;
      }
      output.set(chunk, length);
      length += chunk.length;
    }
  };

  try {
    await pipeline(
      createReadStream(path, { highWaterMark: CHUNK_BYTES }),
      createGunzip({ chunkSize: CHUNK_BYTES }),
      collect,
    );
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(`${path}: gzip data is truncated or corrupt (${message}); re-export or re-download the file`);
  }
  return output.subarray(0, length);
}
