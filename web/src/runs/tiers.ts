// A column store whose memory is bounded whatever the number of rows pushed into it:
// the newest rows are kept exactly, older ones in buckets whose width doubles with age.
//
// Tiers, newest first: tier 0 holds single rows (up to `window` of them); tier t ≥ 1
// holds buckets of 2^t rows (up to `tierCap`); the last tier takes everything older and
// doubles its own bucket width (merging its buckets pairwise, in place) whenever it
// fills. When tier t is full, its oldest half is merged pairwise and moved to tier t+1,
// so tier 0 always keeps at least window/2 exact rows and each older tier at least
// tierCap/2 buckets (amortised O(1) work per row). The tiers are contiguous in time:
// reading tiers from the last one down to 0 gives the stored rows in order.
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

/** min/max that skip NaN (the other operand wins). */
const nanMin = (a: number, b: number) => (a < b || b !== b ? a : b);
const nanMax = (a: number, b: number) => (a > b || b !== b ? a : b);

export class Tier {
  /** Nominal rows per bucket (the last tier's newest bucket may hold fewer: see count). */
  span: number;
  n = 0;
  readonly cap: number;
  last: Float64Array[];
  /** For tier 0 these alias `last` (a single row is its own min and max). */
  min: Float64Array[];
  max: Float64Array[];
  count: Float64Array;
  private readonly extent: readonly boolean[];

  constructor(span: number, cap: number, extent: readonly boolean[]) {
    this.span = span;
    this.cap = cap;
    this.extent = extent;
    this.last = [];
    this.min = [];
    this.max = [];
    this.count = new Float64Array(0);
    this.alloc(Math.min(cap, 256));
  }

  private alloc(size: number): void {
    const grow = (a: Float64Array | undefined) => {
      const b = new Float64Array(size);
      if (a) b.set(a.subarray(0, this.n));
      return b;
    };
    const exact = this.span === 1;
    this.extent.forEach((e, c) => {
      this.last[c] = grow(this.last[c]);
      this.min[c] = exact || !e ? this.last[c] : grow(this.min[c]);
      this.max[c] = exact || !e ? this.last[c] : grow(this.max[c]);
    });
    this.count = grow(this.count);
  }

  /** Makes room for one more bucket (the caller has checked n < cap). */
  reserve(): void {
    if (this.n >= this.count.length) this.alloc(Math.min(this.cap, this.count.length * 2));
  }

  bytes(): number {
    let b = this.count.byteLength;
    this.extent.forEach((e, c) => {
      b += this.last[c].byteLength;
      if (e && this.span !== 1) b += this.min[c].byteLength + this.max[c].byteLength;
    });
    return b;
  }

  /** Writes the merge of buckets (src, i) and (src, i+1) into this tier's bucket d. */
  mergeFrom(src: Tier, i: number, d: number): void {
    const j = i + 1;
    this.extent.forEach((e, c) => {
      if (e) {
        this.min[c][d] = nanMin(src.min[c][i], src.min[c][j]);
        this.max[c][d] = nanMax(src.max[c][i], src.max[c][j]);
      }
      this.last[c][d] = src.last[c][j];
    });
    this.count[d] = src.count[i] + src.count[j];
  }

  copyBucket(i: number, d: number): void {
    this.extent.forEach((e, c) => {
      if (e) {
        this.min[c][d] = this.min[c][i];
        this.max[c][d] = this.max[c][i];
      }
      this.last[c][d] = this.last[c][i];
    });
    this.count[d] = this.count[i];
  }

  /** Moves buckets [from, n) to the front. */
  shiftDown(from: number): void {
    const m = this.n - from;
    this.extent.forEach((e, c) => {
      this.last[c].copyWithin(0, from, this.n);
      if (e && this.span !== 1) {
        this.min[c].copyWithin(0, from, this.n);
        this.max[c].copyWithin(0, from, this.n);
      }
    });
    this.count.copyWithin(0, from, this.n);
    this.n = m;
  }
}

export interface TierRange {
  /** First and last value of the store's first column (the step) over the tier. */
  from: number;
  to: number;
  /** Rows per bucket (1 = exact). */
  every: number;
  /** Buckets stored. */
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
  private readonly scratch: Float64Array;

  constructor(names: readonly string[], extent: readonly boolean[], window = 8192, tierCap = 2048, tiers = 6) {
    if (window % 4 || tierCap % 4) throw new Error('window and tierCap must be multiples of 4 (halves are merged pairwise)');
    this.names = names;
    this.extent = extent;
    this.tiers = [new Tier(1, window, extent)];
    for (let t = 1; t <= tiers; t++) this.tiers.push(new Tier(2 ** t, tierCap, extent));
    this.scratch = new Float64Array(names.length);
  }

  get rows(): number {
    let n = 0;
    for (const t of this.tiers) n += t.n;
    return n;
  }

  clear(): void {
    for (const t of this.tiers) t.n = 0;
    this.tiers.forEach((t, i) => (t.span = 2 ** i));
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
    t0.reserve();
    const i = t0.n++;
    for (let c = 0; c < this.names.length; c++) t0.last[c][i] = row[c];
    t0.count[i] = 1;
    this.pushed++;
  }

  /** Appends rows [from, to) given as one array per column. */
  pushColumns(cols: ArrayLike<number>[], from: number, to: number): void {
    const row = this.scratch;
    for (let i = from; i < to; i++) {
      for (let c = 0; c < cols.length; c++) row[c] = cols[c][i];
      this.push(row);
    }
  }

  /** Tier t is full: merge its oldest half pairwise into tier t+1 (or, for the last tier, halve it in place). */
  private spill(t: number): void {
    this.stamp = nextStamp();
    const src = this.tiers[t];
    if (t === this.tiers.length - 1) {
      let d = 0;
      for (let i = 0; i + 1 < src.n; i += 2) src.mergeFrom(src, i, d++);
      if (src.n % 2) src.copyBucket(src.n - 1, d++); // a lone newest bucket stays as it is
      src.n = d;
      src.span *= 2;
      return;
    }
    const half = src.n / 2;
    for (let i = 0; i < half; i += 2) this.pushMerged(t + 1, src, i);
    src.shiftDown(half);
  }

  /** Appends the merge of src buckets i, i+1 to tier t (into its newest bucket if that one is partial). */
  private pushMerged(t: number, src: Tier, i: number): void {
    const dst = this.tiers[t];
    const k = dst.n - 1;
    if (k >= 0 && dst.count[k] < dst.span && dst.count[k] + src.count[i] + src.count[i + 1] <= dst.span) {
      // Fold the pair into the partial bucket: extremes widen, last moves on.
      this.extent.forEach((e, c) => {
        if (e) {
          dst.min[c][k] = nanMin(dst.min[c][k], nanMin(src.min[c][i], src.min[c][i + 1]));
          dst.max[c][k] = nanMax(dst.max[c][k], nanMax(src.max[c][i], src.max[c][i + 1]));
        }
        dst.last[c][k] = src.last[c][i + 1];
      });
      dst.count[k] += src.count[i] + src.count[i + 1];
      return;
    }
    if (dst.n === dst.cap) this.spill(t);
    dst.reserve();
    dst.mergeFrom(src, i, dst.n++);
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

  /** The stored tiers in time order, with the range of the first column each covers. */
  resolution(): TierRange[] {
    const out: TierRange[] = [];
    for (let t = this.tiers.length - 1; t >= 0; t--) {
      const tier = this.tiers[t];
      if (tier.n === 0) continue;
      out.push({ from: tier.min[0][0], to: tier.last[0][tier.n - 1], every: tier.span, rows: tier.n });
    }
    return out;
  }
}
