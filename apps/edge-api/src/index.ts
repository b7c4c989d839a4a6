/**
 * Worker entry: the app serving the model bundled from apps/edge-api/model/
 * (generator.onnx as Data, model.json as JSON). The generator holder lives at module scope,
 * i.e. once per isolate.
 */
import modelBytes from "../model/generator.onnx";
import manifest from "../model/model.json";
import { createApp } from "./app.ts";
import { createGeneratorHolder } from "./inference.ts";

const generator = createGeneratorHolder(() => ({ manifest, onnx: modelBytes }));

export default createApp({ generator }) satisfies ExportedHandler<Env>;
