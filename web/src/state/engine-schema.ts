// The engine's config fields in the format of its exported schema (`eos-run --schema`,
// the module's configSchema()): type, default, range, group, label and doc of each.
// Provisional copy of the engine's validate() ranges until the generated file replaces it.

export const ENGINE_SCHEMA = {
  "version": 1,
  "fields": [
    {
      "name": "dataset",
      "type": "enum",
      "default": "chebyshev",
      "values": [
        "chebyshev",
        "moons",
        "circles",
        "spirals",
        "xor",
        "blobs",
        "gaussian-mixture",
        "teacher",
        "linear"
      ],
      "group": "data",
      "label": "Dataset",
      "doc": "Synthetic training set (full batch).",
      "live": false,
      "advanced": false
    },
    {
      "name": "n",
      "type": "int",
      "default": 20,
      "min": 1,
      "max": 20000,
      "group": "data",
      "label": "Examples n",
      "doc": "Number of training examples.",
      "live": false,
      "advanced": false
    },
    {
      "name": "degree",
      "type": "int",
      "default": 3,
      "min": 0,
      "max": 30,
      "datasets": [
        "chebyshev"
      ],
      "group": "data",
      "label": "Chebyshev degree",
      "doc": "Target T_k(x) on n points evenly spaced in [-1, 1].",
      "live": false,
      "advanced": false
    },
    {
      "name": "d",
      "type": "int",
      "default": 2,
      "min": 1,
      "max": 256,
      "datasets": [
        "gaussian-mixture",
        "teacher",
        "linear"
      ],
      "group": "data",
      "label": "Input dimension d",
      "doc": "Input dimension (gaussian-mixture, teacher, linear).",
      "live": false,
      "advanced": false
    },
    {
      "name": "classes",
      "type": "int",
      "default": 2,
      "min": 1,
      "max": 64,
      "datasets": [
        "spirals",
        "blobs",
        "gaussian-mixture",
        "teacher",
        "linear"
      ],
      "group": "data",
      "label": "Classes / outputs",
      "doc": "Classes (spirals, blobs, gaussian-mixture: 2–20) or outputs (teacher, linear: 1–64).",
      "live": false,
      "advanced": false
    },
    {
      "name": "noise",
      "type": "real",
      "default": 0.1,
      "min": 0,
      "max": 10,
      "min_open": false,
      "max_open": false,
      "datasets": [
        "moons",
        "circles",
        "spirals",
        "xor",
        "blobs",
        "gaussian-mixture"
      ],
      "group": "data",
      "label": "Noise",
      "doc": "Input noise level.",
      "live": false,
      "advanced": false
    },
    {
      "name": "data_seed",
      "type": "int",
      "default": 0,
      "min": 0,
      "max": 9007199254740991,
      "group": "data",
      "label": "Data seed",
      "doc": "Seed of the dataset.",
      "live": false,
      "advanced": false
    },
    {
      "name": "widths",
      "type": "intlist",
      "default": [
        20
      ],
      "min": 1,
      "max": 512,
      "min_len": 1,
      "max_len": 6,
      "group": "model",
      "label": "Hidden widths",
      "doc": "Comma-separated hidden layer widths (depth = how many).",
      "live": false,
      "advanced": false
    },
    {
      "name": "act",
      "type": "enum",
      "default": "tanh",
      "values": [
        "tanh",
        "relu",
        "elu",
        "gelu",
        "softplus",
        "sigmoid",
        "identity"
      ],
      "group": "model",
      "label": "Activation",
      "doc": "Hidden-layer activation.",
      "live": false,
      "advanced": false
    },
    {
      "name": "bias",
      "type": "bool",
      "default": true,
      "group": "model",
      "label": "Bias",
      "doc": "Layers have biases.",
      "live": false,
      "advanced": false
    },
    {
      "name": "init",
      "type": "enum",
      "default": "pytorch",
      "values": [
        "pytorch",
        "normal"
      ],
      "group": "model",
      "label": "Init",
      "doc": "pytorch: U(±1/√fan_in) (nn.Linear's default); normal: N(0, scale²/fan_in).",
      "live": false,
      "advanced": false
    },
    {
      "name": "init_scale",
      "type": "real",
      "default": 1,
      "min": 0,
      "max": 100,
      "min_open": true,
      "max_open": false,
      "group": "model",
      "label": "Init scale",
      "doc": "Multiplies the initial weights.",
      "live": false,
      "advanced": true
    },
    {
      "name": "loss",
      "type": "enum",
      "default": "mse",
      "values": [
        "mse",
        "ce"
      ],
      "group": "model",
      "label": "Loss",
      "doc": "mse: ½‖f(x) − y‖²; ce: softmax cross-entropy (classification datasets only).",
      "live": false,
      "advanced": false
    },
    {
      "name": "precision",
      "type": "enum",
      "default": "float32",
      "values": [
        "float32",
        "float64"
      ],
      "group": "model",
      "label": "Precision",
      "doc": "Floating-point type of the network (the paper used float32).",
      "live": false,
      "advanced": true
    },
    {
      "name": "opt",
      "type": "enum",
      "default": "gd",
      "values": [
        "gd",
        "polyak",
        "nesterov",
        "flow"
      ],
      "group": "optim",
      "label": "Optimiser",
      "doc": "gd, polyak (heavy ball), nesterov, or flow (gradient flow, RK4).",
      "live": false,
      "advanced": false
    },
    {
      "name": "lr",
      "type": "real",
      "default": 0.2,
      "min": 0,
      "max": 10000,
      "min_open": true,
      "max_open": false,
      "ui_min": 0.0001,
      "ui_max": 100,
      "log": true,
      "group": "optim",
      "label": "Step size η",
      "doc": "Learning rate; the stability threshold is 2/η for GD. Live: changes a running run.",
      "live": true,
      "advanced": false
    },
    {
      "name": "beta",
      "type": "real",
      "default": 0.9,
      "min": 0,
      "max": 1,
      "min_open": false,
      "max_open": true,
      "group": "optim",
      "label": "Momentum β",
      "doc": "Momentum of polyak and nesterov. Live: changes a running run.",
      "live": true,
      "advanced": false
    },
    {
      "name": "flow_alpha",
      "type": "real",
      "default": 0.5,
      "min": 0,
      "max": 10,
      "min_open": true,
      "max_open": false,
      "group": "optim",
      "label": "Flow α",
      "doc": "Gradient flow RK4 step = min(α / sharpness, max step).",
      "live": false,
      "advanced": true
    },
    {
      "name": "flow_max_step",
      "type": "real",
      "default": 0.1,
      "min": 0,
      "max": 1000,
      "min_open": true,
      "max_open": false,
      "group": "optim",
      "label": "Flow max step",
      "doc": "Largest RK4 step of gradient flow.",
      "live": false,
      "advanced": true
    },
    {
      "name": "seed",
      "type": "int",
      "default": 0,
      "min": 0,
      "max": 9007199254740991,
      "group": "optim",
      "label": "Seed",
      "doc": "Seed of the initial weights and of Lanczos.",
      "live": false,
      "advanced": false
    },
    {
      "name": "eig_every",
      "type": "int",
      "default": 10,
      "min": 0,
      "max": 1000000,
      "unit": "steps",
      "group": "measure",
      "label": "Eigenvalues every",
      "doc": "Compute the top-k Hessian eigenvalues every this many steps (0 = never).",
      "live": false,
      "advanced": false
    },
    {
      "name": "neigs",
      "type": "int",
      "default": 1,
      "min": 1,
      "max": 20,
      "group": "measure",
      "label": "Top k eigenvalues",
      "doc": "How many top Hessian eigenvalues to track (k).",
      "live": false,
      "advanced": false
    },
    {
      "name": "lanczos_tol",
      "type": "real",
      "default": 0.001,
      "min": 0,
      "max": 0.1,
      "min_open": true,
      "max_open": false,
      "group": "measure",
      "label": "Lanczos tolerance",
      "doc": "Stop when ‖Hv − λv‖ ≤ tol·|λ| for the top k.",
      "live": false,
      "advanced": true
    },
    {
      "name": "lanczos_max_iter",
      "type": "int",
      "default": 300,
      "min": 2,
      "max": 5000,
      "group": "measure",
      "label": "Lanczos max HVPs",
      "doc": "Hessian-vector products per eigenvalue call at most (≥ k + 1).",
      "live": false,
      "advanced": true
    },
    {
      "name": "diverge_factor",
      "type": "real",
      "default": 100000,
      "min": 1,
      "max": 1000000000000,
      "min_open": true,
      "max_open": false,
      "group": "measure",
      "label": "Divergence factor",
      "doc": "A run has diverged when its loss exceeds this × the initial loss.",
      "live": false,
      "advanced": true
    },
    {
      "name": "lr_schedule",
      "type": "schedule",
      "default": "",
      "group": "optim",
      "label": "η schedule",
      "doc": "STEP:LR[,STEP:LR…] with increasing steps: at STEP the step size becomes LR, or is multiplied by x (500:x0.5 halves it at step 500). Empty: constant η.",
      "live": false,
      "advanced": false
    }
  ]
} as const;
