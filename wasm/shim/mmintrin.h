/* Empty on purpose: Emscripten's SSE emulation has no MMX, and Eigen's SSE
   path only needs the header to exist. On the WASM include path only. */
