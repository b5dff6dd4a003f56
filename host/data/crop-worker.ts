/**
 * Entry of a crop worker thread: receives {@link CropRequest}s, answers with {@link CropResult}s
 * (the pixel buffer is transferred, not copied). Started by CropWorkerPool.
 */
import { parentPort } from 'node:worker_threads';
import { prepareCrops, type CropRequest } from './prepare-crops.ts';

interface WorkerMessage { id: number; request: CropRequest }

if (!parentPort) throw new Error('crop-worker.ts must run in a worker thread (started by CropWorkerPool)');
const port = parentPort;
port.on('message', (msg: WorkerMessage) => {
  prepareCrops(msg.request).then(
    (result) => port.postMessage({ id: msg.id, result }, [result.x.buffer as ArrayBuffer]),
    (err: Error) => port.postMessage({ id: msg.id, error: err?.stack ?? String(err) }),
  );
});
