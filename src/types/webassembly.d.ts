// @types/node 20 ships no WebAssembly typings; this is the little we use (src/core/migrate.ts).
declare namespace WebAssembly {
  type ModuleImports = Record<string, unknown>;
  type Exports = Record<string, unknown>;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, ModuleImports>);
    readonly exports: Exports;
  }
}
