// Minimal typing of node-webcam (it ships none): only what WebcamSource uses.
declare module 'node-webcam' {
  const NodeWebcam: { create(options: Record<string, unknown>): unknown };
  export default NodeWebcam;
}
