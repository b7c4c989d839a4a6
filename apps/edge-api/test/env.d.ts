/** Types for the cloudflare:test module (env carries this worker's bindings). */
/// <reference types="@cloudflare/vitest-plugin/types" />
