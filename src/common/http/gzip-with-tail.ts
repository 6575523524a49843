import { constants, crc32, deflateRawSync } from 'node:zlib';

/** A gzip header: deflate, no flags, no time, OS unknown (RFC 1952, 2.3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const MAX_STORED_BLOCK = 0xffff;

/**
 * A large body compressed once whose last few bytes differ per answer (a JSON-RPC id): the body's deflate blocks end
 * with a sync flush (byte-aligned, not final), so each answer appends its own final block and the gzip trailer, whose
 * CRC-32 continues from the body's. The result is one ordinary gzip member, which every decoder reads; compressing
 * a 300 KB tool list per answer would cost more than sending it plain.
 */
export class GzipWithTail {
  private readonly head: Buffer;
  private readonly crc: number;
  private readonly size: number;

  constructor(body: Buffer) {
    this.head = Buffer.concat([GZIP_HEADER, deflateRawSync(body, { finishFlush: constants.Z_SYNC_FLUSH })]);
    this.crc = crc32(body);
    this.size = body.length;
  }

  /**
   * The gzip encoding of the body followed by `tail` (at most 65,535 bytes): the tail goes in a final stored block
   * (RFC 1951, 3.2.4), a few bytes of framing instead of a compressor per answer.
   */
  with(tail: Buffer): Buffer {
    if (tail.length > MAX_STORED_BLOCK) throw new RangeError(`a tail of ${tail.length} bytes is over 65535`);
    const framing = Buffer.alloc(5);
    framing[0] = 1; // BFINAL = 1, BTYPE = 00 (stored); the sync flush left the stream on a byte boundary.
    framing.writeUInt16LE(tail.length, 1);
    framing.writeUInt16LE(~tail.length & 0xffff, 3);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tail, this.crc) >>> 0, 0);
    // ISIZE is the length modulo 2^32.
    trailer.writeUInt32LE((this.size + tail.length) % 2 ** 32, 4);
    return Buffer.concat([this.head, framing, tail, trailer], this.head.length + 5 + tail.length + 8);
  }
}

/** Whether an Accept-Encoding header admits gzip (named without `q=0`, or through `*` without `q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let wildcard = false;
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((text) => text.trim());
    const refused = params.some((param) => /^q=0(\.0{0,3})?$/.test(param.replace(/\s+/g, '')));
    if (coding === 'gzip' || coding === 'x-gzip') return !refused;
    if (coding === '*') wildcard = !refused;
  }
  return wildcard;
}
