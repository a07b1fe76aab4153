// Seeded randomness for the fuzz: the same CHAOS_SEED gives the same messages, in the same order.

/** mulberry32: small, fast, and good enough to spread cases; not for anything secret. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** The seed of CHAOS_SEED, or a new one (printed by the caller so a failing run can be replayed). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Rng {
    const given = env.CHAOS_SEED ? Number(env.CHAOS_SEED) : NaN;
    return new Rng(Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31));
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  hex(length: number): string {
    return Array.from({ length }, () => this.int(0, 15).toString(16)).join('');
  }
}

/**
 * Strings that break naive code: right-to-left text and overrides, emoji with joiners and skin tones,
 * NUL and control characters, lone surrogates, combining marks, a BOM, zero-width characters.
 */
const UNICODE_PIECES = [
  'مرحبا بالعالم',
  'שלום עולם',
  '\u202Egnp.exe',
  '\u200F\u200E',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '👍🏽',
  '🇩🇪',
  '\u0000',
  '\u0001\u001f\u007f',
  '\ud800',
  '\udfff',
  '\udbff\u0041',
  'Z\u0351\u0352\u0353\u0354\u0355',
  '\ufeff',
  '\u200b\u2060',
  '𝕳𝖊𝖑𝖑𝖔',
  '漢字かなカナ',
  '\u0130\u0131',
  'ß\u1E9E',
  '\uFFFD\uFFFF',
  '"\\\'`${}<>&;',
];

/** A unicode-heavy string of roughly `pieces` pieces. */
export function unicodeHeavy(rng: Rng, pieces = 6): string {
  return Array.from({ length: pieces }, () => rng.pick(UNICODE_PIECES)).join(rng.pick(['', ' ', '-']));
}

/** Like {@link unicodeHeavy}, but only characters a JSON string in UTF-8 carries unchanged (no lone surrogates). */
export function unicodeWellFormed(rng: Rng, pieces = 6): string {
  return unicodeHeavy(rng, pieces).replace(/[\ud800-\udfff]/g, (c, i: number, s: string) =>
    isPaired(s, i) ? c : '\uFFFD',
  );
}

function isPaired(s: string, i: number): boolean {
  const code = s.charCodeAt(i);
  if (code <= 0xdbff) return i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
  return i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
}
