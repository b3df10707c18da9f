// Linked with --post-js into web/src/wasm/eoslab*.mjs (inside Emscripten's module
// factory): publishes the engine's public JS API as thin wrappers over the raw
// embind calls of bindings.cpp. The raw calls never throw across wasm (that leaks
// the wasm shadow stack, see bindings.cpp); they return null/false and leave the
// message in _eosLastError(). Here, back in plain JS, that becomes a real Error
// with the engine's own message.
addOnInit(function () {
  // Runs after the wasm constructors (which register the embind functions and
  // classes): addOnInit unshifts, and Emscripten adds the constructors later, at
  // instantiation time, so they sit in front of this callback.
  function fail() {
    throw new Error(Module['_eosLastError']());
  }
  function check(r) {
    if (r === null || r === false) fail();
    return r;
  }
  // The config crosses as JSON text; undefined means all defaults.
  function json(name, x) {
    if (x === undefined) return '';
    if (typeof x !== 'string') {
      throw new TypeError(name + ' takes the config as a JSON string (JSON.stringify(config)), got ' + typeof x);
    }
    return x;
  }
  function number(name, x) {
    if (typeof x !== 'number') throw new TypeError(name + ' must be a number, got ' + typeof x);
    return x;
  }

  Module['createRun'] = function (configJson) {
    return check(Module['_eosCreateRun'](json('createRun', configJson)));
  };
  Module['dumpProblem'] = function (configJson) {
    return check(Module['_eosDumpProblem'](json('dumpProblem', configJson)));
  };
  // '' when valid, else the engine's message (never throws for a bad config).
  Module['validateConfig'] = function (configJson) {
    return Module['_eosValidateConfig'](json('validateConfig', configJson));
  };
  // The validated config with every default filled in, as JSON text; throws when invalid.
  Module['normalizeConfig'] = function (configJson) {
    return check(Module['_eosNormalizeConfig'](json('normalizeConfig', configJson)));
  };
  // threads: optional (default 1); more than the module can start runs on those it has.
  // eigs: optional (default true); false skips the top-k sharpness rows (left at 0).
  Module['bench'] = function (configJson, inner, threads, eigs) {
    var t = threads === undefined ? 1 : number('threads', threads) | 0;
    if (eigs !== undefined && typeof eigs !== 'boolean') throw new TypeError('bench: eigs must be true or false, got ' + typeof eigs);
    return check(Module['_eosBench'](json('bench', configJson), number('inner', inner) | 0, t, eigs !== false));
  };

  var P = Module['RunHandle'].prototype;
  P['step'] = function (n) {
    return check(this['_eosStep'](number('n', n)));
  };
  P['setLr'] = function (lr) {
    check(this['_eosSetLr'](number('lr', lr)));
  };
  P['setBeta'] = function (beta) {
    check(this['_eosSetBeta'](number('beta', beta)));
  };
  P['setBatch'] = function (batch) {
    check(this['_eosSetBatch'](number('batch', batch)));
  };
  // Returns the thread count in use (at most the module's pthread pool + 1; 1 without threads).
  P['setThreads'] = function (n) {
    var r = this['_eosSetThreads'](number('n', n));
    if (r < 0) fail();
    return r;
  };
  P['sharpness'] = function (k) {
    return check(this['_eosSharpness'](number('k', k)));
  };
  // The training set as the page draws it, and the model on the view's points (no step).
  P['dataset'] = function () {
    return check(this['_eosDataset']());
  };
  P['fit'] = function () {
    return check(this['_eosFit']());
  };
  // The valley slice at the current parameters (does not step); points defaults to 41.
  P['valley'] = function (points) {
    return check(this['_eosValley'](points === undefined ? 41 : number('points', points)));
  };
  P['setValley'] = function (on) {
    if (typeof on !== 'boolean') throw new TypeError('setValley needs true or false, got ' + typeof on);
    check(this['_eosSetValley'](on));
  };
  // fn runs inside a wasm call (step, sharpness): an exception escaping it would
  // unwind through wasm frames, so it is caught here and rethrown on its own task.
  P['setProgress'] = function (fn) {
    if (fn === null || fn === undefined) {
      check(this['_eosSetProgress'](null));
      return;
    }
    if (typeof fn !== 'function') throw new TypeError('setProgress needs a function or null, got ' + typeof fn);
    check(
      this['_eosSetProgress'](function (p) {
        try {
          fn(p);
        } catch (e) {
          setTimeout(function () {
            throw e;
          }, 0);
        }
      }),
    );
  };
});
