// A column store whose memory is bounded whatever the number of rows pushed into it:
// the newest rows are kept exactly, older ones in buckets whose width doubles with age.
//
// Tiers, newest first: tier 0 holds single rows (up to `window` of them); tier t ≥ 1
// holds buckets of 2^t rows (up to `tierCap`). When tier t is full, its oldest half is
// merged pairwise and moved to tier t+1, so tier 0 always keeps at least window/2 exact
// rows and each older tier at least tierCap/2 buckets. The last tier takes everything
// older: when it fills, it merges its own buckets pairwise in place, so its buckets
// widen (2^T, then 2^(T+1) … rows) while the ones arriving from tier T−1 stay 2^T wide
// until its next merge; bucket widths never increase from old to new. The tiers are
// contiguous in time: tiers read from the last one down to 0 give the rows in order.
// Work is amortised O(1) per row, in column-wise loops over typed arrays.
//
// Per bucket, an `extent` column keeps its min, max and last value (the min and max of a
// quantity such as the loss or an eigenvalue keep spikes and peaks visible however old;
// for a monotone column such as step, min and max are the bucket's first and last value);
// any other column keeps its last value only. NaN counts as missing in min/max (a bucket's
// min is NaN only if every row was). `count` is the number of rows in each bucket.
//
// Bytes: window·(C+1)·8 + tiers·tierCap·(3E + (C−E) + 1)·8 for C columns of which E are
// extents, reached only once the run is that long (arrays grow by doubling up to their cap).

/** Unique, increasing stamps: a reader that remembers one knows whether rows it read were moved. */
let stamps = 0;
const nextStamp = () => ++stamps;

export class Tier {
  n = 0;
  readonly cap: number;
  /** Tier 0 holds exact rows: its min and max arrays are its `last` arrays. */
  readonly exact: boolean;
  last: Float64Array[] = [];
  min: Float64Array[] = [];
  max: Float64Array[] = [];
  /** Rows of the run in each bucket. */
  count = new Float64Array(0);
  private readonly extent: readonly boolean[];

  constructor(exact: boolean, cap: number, extent: readonly boolean[]) {
    this.exact = exact;
    this.cap = cap;
    this.extent = extent;
    this.alloc(Math.min(cap, 256));
  }

  private alloc(size: number): void {
    const grow = (a: Float64Array | undefined) => {
      const b = new Float64Array(size);
      if (a) b.set(a.subarray(0, this.n));
      return b;
    };
    this.extent.forEach((e, c) => {
      this.last[c] = grow(this.last[c]);
      const own = e && !this.exact; // a column without extent never reads its min/max
      this.min[c] = own ? grow(this.min[c]) : this.last[c];
      this.max[c] = own ? grow(this.max[c]) : this.last[c];
    });
    this.count = grow(this.count);
  }

  /** Makes room for `size` buckets (≤ cap). */
  ensure(size: number): void {
    let cap = this.count.length;
    if (size <= cap) return;
    while (cap < size) cap *= 2;
    this.alloc(Math.min(this.cap, cap));
  }

  bytes(): number {
    let b = this.count.byteLength;
    this.extent.forEach((e, c) => {
      b += this.last[c].byteLength;
      if (e && !this.exact) b += this.min[c].byteLength + this.max[c].byteLength;
    });
    return b;
  }

  /** Moves buckets [from, n) to the front. */
  shiftDown(from: number): void {
    this.extent.forEach((e, c) => {
      this.last[c].copyWithin(0, from, this.n);
      if (e && !this.exact) {
        this.min[c].copyWithin(0, from, this.n);
        this.max[c].copyWithin(0, from, this.n);
      }
    });
    this.count.copyWithin(0, from, this.n);
    this.n -= from;
  }
}

/**
 * Writes the merges of src buckets (s, s+1), (s+2, s+3) … (np pairs) into dst buckets
 * d, d+1 …; dst may be src when d ≤ s (in-place halving). min/max skip NaN.
 */
function mergePairs(src: Tier, s: number, np: number, dst: Tier, d: number, extent: readonly boolean[]): void {
  for (let c = 0; c < extent.length; c++) {
    const sl = src.last[c];
    const dl = dst.last[c];
    if (extent[c]) {
      const smin = src.min[c];
      const smax = src.max[c];
      const dmin = dst.min[c];
      const dmax = dst.max[c];
      for (let p = 0; p < np; p++) {
        const i = s + 2 * p;
        const a = smin[i];
        const b = smin[i + 1];
        dmin[d + p] = a < b || b !== b ? a : b;
        const x = smax[i];
        const y = smax[i + 1];
        dmax[d + p] = x > y || y !== y ? x : y;
      }
    }
    for (let p = 0; p < np; p++) dl[d + p] = sl[s + 2 * p + 1];
  }
  for (let p = 0; p < np; p++) dst.count[d + p] = src.count[s + 2 * p] + src.count[s + 2 * p + 1];
}

export interface TierRange {
  /** First and last value of the store's first column (the step) over the range. */
  from: number;
  to: number;
  /** Rows of the run per stored row (1 = exact). */
  every: number;
  /** Stored rows. */
  rows: number;
}

export class TieredStore {
  readonly names: readonly string[];
  readonly extent: readonly boolean[];
  /** tiers[0] is the newest (exact rows); the last one the oldest. */
  readonly tiers: Tier[];
  /** Rows pushed since the last clear. */
  pushed = 0;
  /** Changes whenever stored rows are merged, moved or cleared (not when rows are only added). */
  stamp = nextStamp();

  constructor(names: readonly string[], extent: readonly boolean[], window = 8192, tierCap = 2048, tiers = 6) {
    if (window % 4 || tierCap % 4 || tiers < 1) throw new Error('window and tierCap must be multiples of 4 (halves merge pairwise), tiers ≥ 1');
    this.names = names;
    this.extent = extent;
    this.tiers = [new Tier(true, window, extent)];
    for (let t = 1; t <= tiers; t++) this.tiers.push(new Tier(false, tierCap, extent));
  }

  get rows(): number {
    let n = 0;
    for (const t of this.tiers) n += t.n;
    return n;
  }

  clear(): void {
    for (const t of this.tiers) t.n = 0;
    this.pushed = 0;
    this.stamp = nextStamp();
  }

  bytes(): number {
    return this.tiers.reduce((s, t) => s + t.bytes(), 0);
  }

  /** Appends one exact row (values in column order). */
  push(row: ArrayLike<number>): void {
    const t0 = this.tiers[0];
    if (t0.n === t0.cap) this.spill(0);
    t0.ensure(t0.n + 1);
    const i = t0.n++;
    for (let c = 0; c < this.names.length; c++) t0.last[c][i] = row[c];
    t0.count[i] = 1;
    this.pushed++;
  }

  /** Appends rows [from, to) given as one typed array per column (block copies). */
  pushColumns(cols: (Float64Array | Int32Array)[], from: number, to: number): void {
    const t0 = this.tiers[0];
    while (from < to) {
      if (t0.n === t0.cap) this.spill(0);
      const m = Math.min(to - from, t0.cap - t0.n);
      t0.ensure(t0.n + m);
      for (let c = 0; c < cols.length; c++) t0.last[c].set(cols[c].subarray(from, from + m), t0.n);
      t0.count.fill(1, t0.n, t0.n + m);
      t0.n += m;
      this.pushed += m;
      from += m;
    }
  }

  /** Tier t is full: merge its oldest half pairwise into tier t+1 (the last tier: all of it, in place). */
  private spill(t: number): void {
    this.stamp = nextStamp();
    const src = this.tiers[t];
    if (t === this.tiers.length - 1) {
      const np = src.n >> 1;
      mergePairs(src, 0, np, src, 0, this.extent);
      if (src.n % 2) this.copyBucket(src, src.n - 1, np); // a lone newest bucket stays as it is
      src.n = np + (src.n % 2);
      return;
    }
    const dst = this.tiers[t + 1];
    const half = src.n >> 1;
    const pairs = half >> 1;
    for (let done = 0; done < pairs; ) {
      if (dst.n === dst.cap) this.spill(t + 1);
      const m = Math.min(pairs - done, dst.cap - dst.n);
      dst.ensure(dst.n + m);
      mergePairs(src, 2 * done, m, dst, dst.n, this.extent);
      dst.n += m;
      done += m;
    }
    src.shiftDown(2 * pairs);
  }

  private copyBucket(tier: Tier, i: number, d: number): void {
    for (let c = 0; c < this.extent.length; c++) {
      tier.last[c][d] = tier.last[c][i];
      tier.min[c][d] = tier.min[c][i];
      tier.max[c][d] = tier.max[c][i];
    }
    tier.count[d] = tier.count[i];
  }

  /** Stored row i in time order → [tier, index in tier]. */
  locate(i: number): [Tier, number] {
    for (let t = this.tiers.length - 1; t >= 0; t--) {
      const tier = this.tiers[t];
      if (i < tier.n) return [tier, i];
      i -= tier.n;
    }
    throw new RangeError('row out of range');
  }

  /** Last value of column c in the newest row, NaN when empty. */
  lastOf(c: number): number {
    for (const t of this.tiers) if (t.n > 0) return t.last[c][t.n - 1];
    return NaN;
  }

  /** The stored rows in time order as ranges of equal width, with the range of the first column. */
  resolution(): TierRange[] {
    const out: TierRange[] = [];
    for (let t = this.tiers.length - 1; t >= 0; t--) {
      const tier = this.tiers[t];
      for (let i = 0; i < tier.n; i++) {
        const cur = out[out.length - 1];
        if (cur && cur.every === tier.count[i]) {
          cur.to = tier.last[0][i];
          cur.rows++;
        } else out.push({ from: tier.min[0][i], to: tier.last[0][i], every: tier.count[i], rows: 1 });
      }
    }
    return out;
  }
}
