// Hand-written types for the Emscripten module web/src/wasm/eoslab.mjs (and its
// scalar twin eoslab_scalar.mjs): Emscripten 3.1.6 cannot emit .d.ts files. The
// API is bound in wasm/bindings/bindings.cpp; the throwing wrappers (createRun,
// step, setLr, ...) are added by wasm/bindings/post.js. Keep the three in step.
// Configs cross the boundary as JSON text; the config's type is derived from the
// generated field table (web/src/state/engine-schema.ts), never listed here.
//
// The types live in an ambient module named 'eoslab-wasm' that is only ever
// imported with `import type` (erased at build time); the generated .mjs files are
// matched by the wildcard declarations at the bottom, so this works whether or not
// the WASM has been built yet.

declare module 'eoslab-wasm' {
  /** The engine's full configuration (eos::Config), one member per field of the engine's table. */
  export type WasmConfig = import('../state/engine-schema').EngineConfig;

  /** One chunk of per-step records, struct of arrays (fresh copies, safe to transfer); protocol.ts's RecordChunk is this type. */
  export interface WasmRecordChunk {
    rows: number;
    k: number; // eigenvalue slots per row (= config.neigs)
    step: Float64Array;
    time: Float64Array;
    lr: Float64Array;
    beta: Float64Array;
    loss: Float64Array;
    accuracy: Float64Array; // NaN for regression
    grad_norm: Float64Array;
    threshold: Float64Array; // NaN for gradient flow
    neig: Int32Array; // 0 on rows without eigenvalues
    hvps: Int32Array;
    eigs: Float64Array; // rows * k, row-major, NaN where not computed
    test_loss?: Float64Array; // runs with n_test > 0 only: the held-out loss, NaN on rows without eigenvalues
    test_accuracy?: Float64Array; // runs with n_test > 0 only: NaN for regression and on rows without eigenvalues
    pred_loss?: Float64Array; // the central flow's L + ½σ²S (NaN for other runs)
    sigma2?: Float64Array; // the central flow's σ² (NaN for other runs)
    /** adam, rmsprop: rows * k raw Hessian eigenvalues (eigs are then the preconditioned ones); NaN otherwise. */
    raw?: Float64Array;
    /** With config.valley: each step's component along the top eigenvector; NaN otherwise. */
    u_proj?: Float64Array;
  }

  /** RunHandle.valley(): the loss along the top eigendirection d through the current parameters. */
  export interface ValleySlice {
    step: number;
    eig: number; // top eigenvalue along d (of P^-1 H for adam, rmsprop)
    preconditioned: boolean;
    radius: number;
    loss0: number;
    s: Float64Array; // ascending, in [-radius, radius]
    loss: Float64Array; // L(theta + s d)
    iterS: Float64Array; // the last iterates' coordinates along d (oldest first, the current one last at 0)
    iterLoss: Float64Array;
    hvps: number;
  }

  /** RunHandle.info(): cheap summary of the run's state. */
  export interface EngineInfo {
    numParams: number;
    step: number; // steps taken so far (= step of the next record)
    time: number; // sum of step sizes
    lr: number;
    beta: number;
    threshold: number; // NaN for gradient flow
    status: 'running' | 'diverged';
    neigs: number;
    opt: string;
    classification: boolean;
    batch?: number; // mini-batch size of the updates (0 = full batch)
  }

  export interface SharpnessValues {
    values: number[]; // top-k Hessian eigenvalues, descending
    hvps: number; // Hessian-vector products used
    converged: boolean;
  }

  export interface HyperChange {
    step: number; // effective from this step on
    lrOld: number;
    lrNew: number;
    betaOld: number;
    betaNew: number;
  }

  /** A dense matrix, row-major (the orientation of eos-run --dump-problem's JSON). */
  export interface Matrix {
    rows: number;
    cols: number;
    data: Float64Array;
  }

  export interface Problem {
    X: Matrix; // (n, d_in): one example per row
    Y: Matrix; // (n, d_out)
    layers: { W: Matrix; b: Float64Array }[]; // W (out, in); b empty without bias
    labels: number[]; // class indices (classification datasets), else []
    config: WasmConfig;
  }

  export interface HeapStats {
    used: number; // bytes allocated (mallinfo uordblks)
    arena: number; // bytes obtained by the allocator
    free: number;
  }

  /** Same fields as `eos-bench --json` (bench/bench_native.cpp). */
  export interface BenchResult {
    params: number;
    step_ms: number;
    hvp_ms: number;
    top1_cold_ms: number;
    top1_cold_hvps: number;
    top1_warm_ms: number;
    top1_warm_hvps: number;
    top5_cold_ms: number;
    top5_cold_hvps: number;
    top5_warm_ms: number;
    top5_warm_hvps: number;
    /** ThreadPool::run round trip of empty jobs, µs (0 on one thread): back to back, and after 1 ms of serial work. */
    pool_run_us: number;
    pool_wake_us: number;
  }

  /** Progress of a slow engine call, passed to the RunHandle.setProgress callback. */
  export interface EngineProgress {
    /** 'eigs': after every Hessian-vector product of an eigenvalue computation; 'step': once per step. */
    what: 'step' | 'eigs';
    step: number; // the step being computed
    k: number; // 'eigs': eigenvalues requested; 'step': eigenvalues recorded on that step
    hvps: number; // 'eigs': HVPs so far in this computation; 'step': HVPs used on that step
  }

  /**
   * RunHandle.dataset(): the training set and how the data chart draws it (wasm/include/eoslab/fit.hpp).
   * curve: 1-D inputs, the model on nx points of [x0, x1]; grid: 2-D inputs, nx × ny cells over
   * [x0, x1] × [y0, y1] (row 0 at the top, cell r*nx + c); projection: higher-dimensional inputs,
   * the examples on the first two principal components, no input-space picture.
   */
  export interface WasmDataset {
    kind: 'curve' | 'grid' | 'projection';
    dIn: number;
    dOut: number;
    n: number;
    classification: boolean;
    X: Float64Array; // n * dIn, example by example
    Y: Float64Array; // n * dOut (one-hot for classification)
    labels: Int32Array; // n class indices, empty for regression
    points: Float64Array; // n * 2: each example as drawn (curve: x, y; grid: x1, x2; projection: PC coordinates)
    nx: number;
    ny: number;
    x0: number;
    x1: number;
    y0: number;
    y1: number;
    target: Float64Array; // curve on chebyshev: T_k at the nx curve points; else empty
    axes: Float64Array; // projection: dIn * 2 row-major, the principal directions; else empty
  }

  /** RunHandle.fit(): the model's outputs on the view's points at the current parameters (no step). */
  export interface WasmFit {
    step: number;
    kind: 'curve' | 'grid' | 'projection';
    cells: number; // curve: nx; grid: nx * ny; projection: n (the examples)
    dOut: number;
    values: Float32Array; // cells * dOut, cell by cell
  }

  /** The running experiment: the one C++ object JS owns. Call delete() exactly once. */
  export interface RunHandle {
    /** Advance up to n steps (stops early when the run diverges); throws Error on bad n. */
    step(n: number): WasmRecordChunk;
    /** Live step size, effective from the next step; throws Error with the engine's message. */
    setLr(lr: number): void;
    setBeta(beta: number): void;
    /** Live mini-batch size (0 = full batch, at most n; 0 only for flow), from the next step on. */
    setBatch(batch: number): void;
    /** Top-k (1..20) eigenvalues at the current parameters, without stepping. */
    sharpness(k: number): SharpnessValues;
    /** The valley slice at the current parameters (points odd, 3..401, default 41), without stepping. */
    valley(points?: number): ValleySlice;
    /** Turns the u_proj column and the iterate history on or off. */
    setValley(on: boolean): void;
    /** Called synchronously inside step()/sharpness() (see EngineProgress); null removes it. */
    setProgress(fn: ((p: EngineProgress) => void) | null): void;
    /** Threads for the example blocks (results are bit-identical for any count); returns the count in use. */
    setThreads?(n: number): number;
    threads?(): number;
    info(): EngineInfo;
    params(): Float64Array;
    changes(): HyperChange[];
    config(): WasmConfig;
    /** The training set and its view for the data chart (copies). */
    dataset(): WasmDataset;
    /** The model on the view's points at the current parameters, without stepping. */
    fit(): WasmFit;
    delete(): void;
    isDeleted(): boolean;
  }

  /**
   * Config arguments are JSON text (JSON.stringify of a partial config; absent keys
   * take their defaults, unknown keys are errors); undefined means all defaults.
   */
  export interface EosModule {
    /** Throws Error with the engine's message on a bad config. */
    createRun(configJson?: string): RunHandle;
    dumpProblem(configJson?: string): Problem;
    /** '' when the config is valid (every rule, the memory budget included), else the engine's message. */
    validateConfig(configJson?: string): string;
    /** The validated config with every default filled in, as JSON text; throws Error when invalid. */
    normalizeConfig(configJson?: string): string;
    /** The field table as JSON text: {version, fields: [...]} (the document of `eos-run --schema`). */
    configSchema(): string;
    /** Eigen's SIMD paths compiled in: "SSE, SSE2, SSE3, SSSE3, SSE4.1" (wasm SIMD) or "None". */
    simdInUse(): string;
    /** The float products' kernel: 'own' (gemm_f32, the SIMD build's default) or 'eigen'. */
    gemmInUse(): 'own' | 'eigen';
    /** Switches the kernel for the whole module (benchmark); returns the one in use. */
    setGemm(which: 'own' | 'eigen'): 'own' | 'eigen';
    /** How long the thread pool's waiters poll before blocking, µs (default 200). */
    poolSpin(): number;
    /** Sets it for the whole module, clamped to [0, 10000] (benchmark); returns it. */
    setPoolSpin(us: number): number;
    /** True for the pthreads twin (eoslab_mt), false for the single-threaded module. */
    threaded?(): boolean;
    heapStats(): HeapStats;
    /**
     * The work of bench/bench_native.cpp on one problem (ms timed inside wasm), on
     * `threads` threads (default 1); eigs false skips the top-k rows (left at 0).
     */
    bench(configJson: string, inner: number, threads?: number, eigs?: boolean): BenchResult;
    /** Benchmark problem 'A' or 'B' (eos::bench_problem) as config JSON, and its inner step count. */
    benchProblem(which: 'A' | 'B'): { config: string; inner: number };
    HEAP8: Int8Array;
  }

  export interface EosModuleOptions {
    /** The .wasm bytes (Node: read from disk, since Emscripten's fetch of a file path fails there). */
    wasmBinary?: ArrayBuffer | Uint8Array;
    /** Where to fetch the .wasm (browser); default: next to the .mjs (Vite rewrites it). */
    locateFile?: (path: string, prefix: string) => string;
    print?: (text: string) => void;
    printErr?: (text: string) => void;
    /** Threaded module: pthreads spawned at start-up (threads beyond them are refused). */
    eosPoolSize?: number;
    /** Threaded module: URL of its .mjs, which each pthread worker imports. */
    mainScriptUrlOrBlob?: string;
  }

  export type EosModuleFactory = (options?: EosModuleOptions) => Promise<EosModule>;
}

declare module '*/wasm/eoslab.mjs' {
  import type { EosModuleFactory } from 'eoslab-wasm';
  const createEosModule: EosModuleFactory;
  export default createEosModule;
}

declare module '*/wasm/eoslab_scalar.mjs' {
  import type { EosModuleFactory } from 'eoslab-wasm';
  const createEosModule: EosModuleFactory;
  export default createEosModule;
}

declare module '*/wasm/eoslab_mt.mjs' {
  import type { EosModuleFactory } from 'eoslab-wasm';
  const createEosModule: EosModuleFactory;
  export default createEosModule;
}
